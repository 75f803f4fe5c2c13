"""Routes of procurement: the buyers' needs and lot answers, the authority's aggregation."""

from __future__ import annotations

from typing import Any

from procurement.aggregation.parameters import AggregationParameters
from procurement.models import LotStatus
from procurement.services.confirmation import request_confirmation
from procurement.services.needs import create_need, open_need
from procurement.services.rounds import lots_in, run_aggregation
from registry.database import db
from registry.dates import today
from registry.models import Organisation, OrganisationKind, OrganisationStatus, User
from tests.procurement.need_builders import need_data
from tests.routing import WRITE, Case, authority_only, only

BUYER_ONLY = only({"buyer": 200})
OTHER_BUYERS = only({"buyer": 404})
BUYER_ACTS = only({"buyer": 302})
AUTHORITY_ACTS = authority_only(302)


def extend_world(world: dict[str, Any]) -> dict[str, int]:
    """A pooled need of the buyer and of a second buyer in one lot; that buyer's draft."""
    buyer, authority = world["people"]["buyer"], world["people"]["authority"]
    other_org = Organisation(
        name="Second buyer",
        kind=OrganisationKind.BUYER,
        status=OrganisationStatus.ACTIVE,
        region="Bretagne",
    )
    other = User(
        organisation=other_org,
        email="second-buyer@example.org",
        full_name="Second buyer",
        password_hash="-",
    )
    db.session.add_all([other_org, other])
    db.session.flush()
    own = open_need(buyer, create_need(buyer, need_data()))
    open_need(other, create_need(other, need_data()))
    other_draft = create_need(other, need_data(title="Second buyer's draft"))
    run_aggregation(authority, AggregationParameters(today=today(), min_vendors=0))
    lot = lots_in(LotStatus.PROPOSED)[0]
    request_confirmation(authority, lot)
    own_member = next(m for m in lot.members if m.buyer_id == buyer.organisation_id)
    other_member = next(m for m in lot.members if m.buyer_id != buyer.organisation_id)
    own_draft = create_need(buyer, need_data(title="Own draft"))
    db.session.flush()
    return {
        "own_need": own_draft.id,
        "own_pooled_need": own.id,
        "other_buyer_need": other_draft.id,
        "lot": lot.id,
        "own_membership": own_member.id,
        "other_membership": other_member.id,
    }


NEED_FORM = {
    "title": "Walk-through need",
    "category": "video-analysis",
    "norm": "",
    "min_level_rank": "0",
    "firm_quantity": "5",
    "optional_quantity": "0",
    "unit": "licence",
    "max_unit_price": "100",
    "need_by": "2030-06-01",
    "region_code": "FR",
    "accepted_uplift": "0",
    "notes": "",
}

CASES = [
    Case("procurement.needs", "GET", "/procurement/needs", BUYER_ONLY),
    Case("procurement.needs", "GET", "/procurement/needs?status=%27%20OR%201%3D1--", BUYER_ONLY),
    Case("procurement.new_need", "GET", "/procurement/needs/new", BUYER_ONLY),
    Case(
        "procurement.new_need",
        "GET",
        "/procurement/needs/new?category=video-analysis&norm=NOPE",
        BUYER_ONLY,
    ),
    Case(
        "procurement.new_need",
        "GET",
        "/procurement/needs/new?like_solution=2147483647",
        OTHER_BUYERS,
    ),
    Case("procurement.new_need", "POST", "/procurement/needs/new", BUYER_ONLY),
    Case("procurement.need", "GET", "/procurement/needs/{own_need}", BUYER_ONLY),
    Case("procurement.need", "GET", "/procurement/needs/{own_pooled_need}", BUYER_ONLY),
    Case("procurement.need", "GET", "/procurement/needs/{other_buyer_need}", OTHER_BUYERS),
    Case("procurement.need", "GET", "/procurement/needs/2147483647", OTHER_BUYERS),
    Case("procurement.edit_need", "GET", "/procurement/needs/{own_need}/edit", BUYER_ONLY),
    Case(
        "procurement.edit_need", "GET", "/procurement/needs/{other_buyer_need}/edit", OTHER_BUYERS
    ),
    Case(
        "procurement.edit_need",
        "POST",
        "/procurement/needs/{other_buyer_need}/edit",
        OTHER_BUYERS,
        NEED_FORM,
    ),
    Case(
        "procurement.open_need", "POST", "/procurement/needs/{other_buyer_need}/open", OTHER_BUYERS
    ),
    Case(
        "procurement.withdraw_need",
        "POST",
        "/procurement/needs/{other_buyer_need}/withdraw",
        OTHER_BUYERS,
    ),
    Case(
        "procurement.confirm_membership",
        "POST",
        "/procurement/memberships/{other_membership}/confirm",
        OTHER_BUYERS,
    ),
    Case(
        "procurement.decline_membership",
        "POST",
        "/procurement/memberships/{other_membership}/decline",
        OTHER_BUYERS,
    ),
    Case("procurement.aggregation", "GET", "/procurement/aggregation", authority_only(200)),
    # No settings posted: the form comes back with its errors, nothing runs.
    Case("procurement.run_aggregation", "POST", "/procurement/aggregation", authority_only(200)),
    Case("procurement.lot", "GET", "/procurement/lots/{lot}", authority_only(200)),
    Case("procurement.lot", "GET", "/procurement/lots/2147483647", authority_only(404)),
    # Writes
    Case("procurement.new_need", "POST", "/procurement/needs/new", BUYER_ACTS, NEED_FORM, WRITE),
    Case(
        "procurement.edit_need",
        "POST",
        "/procurement/needs/{own_need}/edit",
        BUYER_ACTS,
        {**NEED_FORM, "title": "Edited"},
        WRITE,
    ),
    Case(
        "procurement.open_need",
        "POST",
        "/procurement/needs/{own_need}/open",
        BUYER_ACTS,
        phase=WRITE,
    ),
    Case(
        "procurement.withdraw_need",
        "POST",
        "/procurement/needs/{own_need}/withdraw",
        BUYER_ACTS,
        phase=WRITE,
    ),
    Case(
        "procurement.confirm_membership",
        "POST",
        "/procurement/memberships/{own_membership}/confirm",
        BUYER_ACTS,
        phase=WRITE,
    ),
    Case(
        "procurement.decline_membership",
        "POST",
        "/procurement/memberships/{own_membership}/decline",
        BUYER_ACTS,
        phase=WRITE,
    ),
    Case(
        "procurement.request_confirmation",
        "POST",
        "/procurement/lots/{lot}/request-confirmation",
        AUTHORITY_ACTS,
        phase=WRITE,
    ),
    Case(
        "procurement.freeze_lot",
        "POST",
        "/procurement/lots/{lot}/freeze",
        AUTHORITY_ACTS,
        phase=WRITE,
    ),
    Case(
        "procurement.run_aggregation",
        "POST",
        "/procurement/aggregation",
        AUTHORITY_ACTS,
        {
            "region_level": "1",
            "min_buyers": "2",
            "min_vendors": "0",
            "min_saving_percent": "5",
            "lot_value_cap": "",
            "beta": "-0.15",
            "procedure_days": "60",
            "lead_time_days": "30",
        },
        WRITE,
    ),
]
