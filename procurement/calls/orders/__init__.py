"""Frameworks in use: buyers' orders (call-offs) against their signed contract lines.

- ``models``: the orders.
- ``services``: placing an order (within the framework's period, never beyond the line's
  maximum, even when two orders arrive at once), reading them by role, the vendor's mail.
- ``ocds``: each order its own OCDS process, related to the framework's.
- ``forms``, ``views``: the order form and the pages.
"""
