"""Joint calls, sealed offers and awards: the checks that guard each change, and the audit.

The rules (overview in docs/PROCUREMENT.md, "Flow" 4–6) are written down in the submodule they
concern:

- ``limits``: the offer period, the deadline hour, text lengths, ids and rounding steps.
- ``notices``: a call's address and the mail recipients of organisations.
- ``eligibility``: which vendors' solutions may answer a lot, and why a vendor cannot.
- ``reading``: listing calls and seeing offers and outcomes (sealed until the deadline).
- ``lifecycle``: opening a call, its documents, cancelling it or declaring it unsuccessful.
- ``offers``: vendors' offers and their price tiers.
- ``awarding``: compliance at award time, the award, its contract lines and its mail.

``procurement.savings`` (an award's savings against observed prices) is re-exported too.
Everything other code uses is re-exported here: ``from procurement import calls`` then
``calls.open_call(...)``.
"""

from __future__ import annotations

from procurement.calls.awarding import award_call, compliance, min_buyers
from procurement.calls.eligibility import (
    eligible_solutions,
    eligible_vendor_ids,
    ineligibility_reason,
    requirement_text,
    vendor_eligibility,
)
from procurement.calls.lifecycle import (
    add_document,
    cancel_call,
    declare_unsuccessful,
    get_document,
    open_call,
)
from procurement.calls.limits import (
    DEADLINE_TIME,
    DEFAULT_MIN_OFFER_DAYS,
    DESCRIPTION_MAX,
    MAX_DEADLINE_DAYS,
    REASON_MAX,
    TITLE_MAX,
    deadline_on,
    min_offer_days,
)
from procurement.calls.notices import call_link
from procurement.calls.offers import (
    OfferData,
    check_tiers,
    submit_offer,
    update_offer,
    withdraw_offer,
)
from procurement.calls.opening import content_hash, open_offers, open_on_read
from procurement.calls.reading import (
    buyer_outcome,
    buyer_outcomes,
    call_of_lot,
    calls_for,
    get_call,
    get_offer,
    offer_count,
    own_offer,
    unsealed_offers,
)
from procurement.savings import award_savings
from procurement.services import Certified

__all__ = [
    "DEADLINE_TIME",
    "DEFAULT_MIN_OFFER_DAYS",
    "DESCRIPTION_MAX",
    "MAX_DEADLINE_DAYS",
    "REASON_MAX",
    "TITLE_MAX",
    "Certified",
    "OfferData",
    "add_document",
    "award_call",
    "award_savings",
    "buyer_outcome",
    "buyer_outcomes",
    "call_link",
    "call_of_lot",
    "calls_for",
    "cancel_call",
    "check_tiers",
    "compliance",
    "declare_unsuccessful",
    "deadline_on",
    "eligible_solutions",
    "eligible_vendor_ids",
    "get_call",
    "get_document",
    "get_offer",
    "ineligibility_reason",
    "min_buyers",
    "min_offer_days",
    "offer_count",
    "open_offers",
    "open_on_read",
    "content_hash",
    "open_call",
    "own_offer",
    "requirement_text",
    "submit_offer",
    "unsealed_offers",
    "update_offer",
    "vendor_eligibility",
    "withdraw_offer",
]
