"""Buyer needs, aggregation rounds and lots: the checks that guard each change, and the audit.

The rules (overview in docs/PROCUREMENT.md) are written down in the submodule they concern:

- ``needs``: a buyer's needs (draft, open, change, withdraw) and the limits they are checked
  against.
- ``eligibility``: the certified solutions able to meet a need, and a need "like this solution".
- ``rounds``: aggregation rounds, their stored parameters and price curves, and their lots.
- ``confirmation``: buyers confirming or declining their place in a lot, and freezing it.
"""
