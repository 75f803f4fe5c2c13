"""Access to a call beyond the offer's own label: eligibility frozen at the deadline.

- ``models``: each offer's eligibility recorded at the opening, and the authority's later
  eligibility decisions.
- ``frozen``: recording it at the opening, the award's compliance check that reads it, and the
  authority's decision (reason, notice to the vendor, audit entry).
- ``forms``, ``views``: the authority's eligibility page of an opened offer.
"""
