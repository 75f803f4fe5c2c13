"""Frameworks in use: modifications of a signed contract line (Directive 2014/24/EU art. 72).

- ``models``: the modifications and their legal grounds.
- ``services``: recording one within the limits of its ground; the terms orders check against.
- ``releases``: each modification a contractAmendment release of its contract.
- ``forms``, ``views``: the modification form and the line's modifications page.
"""
