"""Routes of access beyond the offer's label: the authority's eligibility page of an offer.

The world is the joint calls' (call_routes): the offers of the closed call are opened on the
first read, their eligibility recorded then; the open call's offers are sealed.
"""

from __future__ import annotations

from tests.routing import WRITE, Case, authority_only

OPEN = "/procurement/calls/{call_open}"
CLOSED = "/procurement/calls/{call_closed}"
DECISION = {"decision": "eligible", "reason": "The label holds the norm at the level asked."}

CASES = [
    Case(
        "calls_access.eligibility",
        "GET",
        CLOSED + "/offers/{other_closed_offer}/eligibility",
        authority_only(200),
    ),
    # Sealed before the deadline: the authority does not see the offer.
    Case(
        "calls_access.eligibility",
        "GET",
        OPEN + "/offers/{other_offer}/eligibility",
        authority_only(404),
    ),
    Case(
        "calls_access.eligibility",
        "POST",
        CLOSED + "/offers/{other_closed_offer}/eligibility",
        authority_only(400),
    ),
    Case(
        "calls_access.eligibility",
        "POST",
        CLOSED + "/offers/{other_closed_offer}/eligibility",
        authority_only(302),
        DECISION,
        WRITE,
    ),
]
