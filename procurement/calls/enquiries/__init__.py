"""Questions on a joint call, their published answers and the call's corrigenda.

- ``models``: a vendor's question (and the authority's answer), a corrigendum.
- ``services``: the enquiry period, asking, answering (a late answer extends the deadline),
  publishing a corrigendum (it extends the deadline by at least the configured minimum).
- ``ocds``: questions as ``tender.enquiries``, corrigenda as ``tender.amendments``.
- ``forms``, ``views``: the pages' forms and the routes under ``/procurement/calls/<id>/``.
"""
