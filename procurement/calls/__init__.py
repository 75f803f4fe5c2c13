"""Joint calls, sealed offers and awards: the checks that guard each change, and the audit.

The rules (overview in docs/PROCUREMENT.md, "Flow" 4–6) are written down in the submodule they
concern:

- ``limits``: the offer period, the deadline hour, text lengths, ids and rounding steps.
- ``notices``: a call's address and the mail recipients of organisations.
- ``services.eligibility``: which vendors' solutions may answer a lot, and why a vendor cannot.
- ``services.reading``: listing calls and seeing offers and outcomes (sealed until the deadline).
- ``services.lifecycle``: opening a call, its documents, cancelling it or declaring it unsuccessful.
- ``services.offers``: vendors' offers and their price tiers.
- ``services.awarding``: compliance at award time, the award, its contract lines and its mail.
- ``services.opening``: the opening of a call's offers after the deadline.
- ``award``: the pure award rules; ``savings``: an award's savings against observed prices.
- ``models``, ``forms``, ``views``, ``demo``: the tables, forms, pages and demo calls.
"""
