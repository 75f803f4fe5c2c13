"""Routes of the standstill: award letters, review requests and the buyers' signatures.

The world (on call_routes' certified market): the vendor and the other vendor both offered on
a call of the buyer and a partner buyer; the call is awarded and in its standstill, and the
other vendor filed a review request.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from procurement.calls import limits
from procurement.calls.services import lifecycle
from procurement.calls.services.awarding import award_call
from procurement.calls.services.offers import submit_offer
from procurement.calls.standstill.services import file_review
from registry.database import db, utcnow
from registry.dates import today
from registry.models import Organisation, OrganisationKind, OrganisationStatus, User
from tests.procurement.calls.call_builders import (
    frozen_lot,
    offer_data,
    open_offers,
    opening_officers,
)
from tests.route_cases.call_routes import CODE as CALL_CODE
from tests.routing import WRITE, Case, authority_only, only

# The market call_routes certifies (its world is extended first, modules run by name): both
# vendors' first solutions hold a label under it.
CODE = CALL_CODE
LETTER_READERS = only({"authority": 200, "vendor": 200})
BUYER_ONLY = only({"buyer": 200})


def extend_world(world: dict[str, Any]) -> dict[str, int]:
    """An awarded call in its standstill, with a review request of the other vendor."""
    people = world["people"]
    authority, vendor, other, buyer = (
        people["authority"],
        people["vendor"],
        people["other"],
        people["buyer"],
    )
    partner_org = Organisation(
        name="Standstill partner buyer",
        kind=OrganisationKind.BUYER,
        status=OrganisationStatus.ACTIVE,
        region="Bretagne",
    )
    partner = User(
        organisation=partner_org,
        email="standstill-partner@example.org",
        full_name="Standstill partner",
        password_hash="-",
    )
    db.session.add_all([partner_org, partner])
    db.session.flush()
    lot = frozen_lot(authority, [buyer, partner], code=CODE, title="Standstill licences")
    deadline = limits.deadline_on(today() + dt.timedelta(days=limits.min_offer_days() + 5))
    opening_officers(authority)
    call = lifecycle.open_call(authority, lot, "Awarded call", "", deadline, 24)
    for who in (vendor, other):
        submit_offer(who, call, offer_data(who))
    call.deadline = utcnow() - dt.timedelta(hours=1)
    db.session.flush()
    open_offers(call)
    award_call(authority, call)
    assert call.award is not None
    review = file_review(other, call, "The winner's label was suspended before the award.")
    lines = {line.buyer_id: line.id for line in call.award.lines}
    db.session.flush()
    return {
        "standstill_call": call.id,
        "standstill_review": review.id,
        "own_line": lines[buyer.organisation_id],
        "partner_line": lines[partner_org.id],
    }


CALL = "/procurement/calls/{standstill_call}"
REVIEW_ANSWER = CALL + "/review-requests/{standstill_review}/answer"

CASES = [
    Case("standstill.letters", "GET", CALL + "/letters", LETTER_READERS),
    Case(
        "standstill.letters",
        "GET",
        "/procurement/calls/2147483647/letters",
        only({"authority": 404, "vendor": 404}),
    ),
    Case("standstill.reviews", "GET", CALL + "/review-requests", LETTER_READERS),
    Case("standstill.file_review", "POST", CALL + "/review-requests", only({"vendor": 400})),
    Case("standstill.answer_review", "GET", REVIEW_ANSWER, authority_only(200)),
    Case("standstill.answer_review", "POST", REVIEW_ANSWER, authority_only(400)),
    Case(
        "standstill.answer_review",
        "POST",
        CALL + "/review-requests/2147483647/answer",
        authority_only(404),
    ),
    # In the standstill the form explains why the contract cannot be signed yet.
    Case("standstill.sign", "GET", "/procurement/contracts/{own_line}/sign", BUYER_ONLY),
    Case(
        "standstill.sign",
        "POST",
        "/procurement/contracts/{own_line}/sign",
        only({"buyer": 400}),
        {"signatory_name": "A. Martin", "capacity": "Mayor", "signed_on": today().isoformat()},
    ),
    # Another buyer's contract is not found.
    Case(
        "standstill.sign", "GET", "/procurement/contracts/{partner_line}/sign", only({"buyer": 404})
    ),
    Case("standstill.sign", "GET", "/procurement/contracts/2147483647/sign", only({"buyer": 404})),
    # Writes
    Case(
        "standstill.file_review",
        "POST",
        CALL + "/review-requests",
        only({"vendor": 302}),
        {"grounds": "The winner's lead time does not meet our need-by dates."},
        WRITE,
    ),
    Case(
        "standstill.answer_review",
        "POST",
        REVIEW_ANSWER,
        authority_only(302),
        {"decision": "dismissed", "answer": "The label was valid at the award."},
        WRITE,
    ),
]
