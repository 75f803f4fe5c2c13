"""Routes of the award criteria: the authority's scores on its own criteria and the explanation
of an abnormally low price.

The world (on call_routes' certified market): a call with a criterion of the authority's own,
past its deadline and opened, with offers of the vendor and the other vendor; the vendor is
asked to explain its price, the other vendor was asked and answered. A second opened call holds
one offer of the vendor that nobody asked about.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from procurement.calls import limits
from procurement.calls.scoring import low_price
from procurement.calls.scoring.services import own_criteria_of
from procurement.calls.services import lifecycle
from procurement.calls.services.offers import submit_offer
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

CODE = CALL_CODE
READERS = only({"authority": 200, "vendor": 200})


def extend_world(world: dict[str, Any]) -> dict[str, int]:
    """Two opened calls: one with an own criterion and two price explanations, one plain."""
    people = world["people"]
    authority, vendor, other, buyer = (
        people["authority"],
        people["vendor"],
        people["other"],
        people["buyer"],
    )
    partner_org = Organisation(
        name="Scoring partner buyer",
        kind=OrganisationKind.BUYER,
        status=OrganisationStatus.ACTIVE,
        region="Bretagne",
    )
    partner = User(
        organisation=partner_org,
        email="scoring-partner@example.org",
        full_name="Scoring partner",
        password_hash="-",
    )
    db.session.add_all([partner_org, partner])
    db.session.flush()
    opening_officers(authority)
    deadline = limits.deadline_on(today() + dt.timedelta(days=limits.min_offer_days() + 5))
    calls = []
    for title, own in (
        ("Scored call", [("Support in French", 20, "Hotline in French")]),
        ("Plain scored call", []),
    ):
        lot = frozen_lot(authority, [buyer, partner], code=CODE, title=title)
        calls.append(
            lifecycle.open_call(
                authority,
                lot,
                title,
                "",
                deadline,
                24,
                award_criteria={"price": 80 if own else 100},
                own_criteria=own,
            )
        )
    scored, plain = calls
    offer = submit_offer(vendor, scored, offer_data(vendor))
    other_offer = submit_offer(other, scored, offer_data(other))
    plain_offer = submit_offer(vendor, plain, offer_data(vendor))
    for call in calls:
        call.deadline = utcnow() - dt.timedelta(hours=1)
        db.session.flush()
        open_offers(call)
    low_price.request_explanation(authority, offer, "Explain the price.")
    low_price.request_explanation(authority, other_offer, "Explain the price.")
    low_price.answer_request(other, other_offer, "Our costs are lower.")
    db.session.flush()
    return {
        "scoring_call": scored.id,
        "scoring_offer": offer.id,
        "scoring_other_offer": other_offer.id,
        "scoring_criterion": own_criteria_of(scored)[0].id,
        "scoring_plain_call": plain.id,
        "scoring_plain_offer": plain_offer.id,
    }


CALL = "/procurement/calls/{scoring_call}"
OWN = CALL + "/offers/{scoring_offer}/low-price"
OTHER = CALL + "/offers/{scoring_other_offer}/low-price"
SCORE = CALL + "/offers/{scoring_offer}/criteria/{scoring_criterion}/score"
PLAIN = "/procurement/calls/{scoring_plain_call}/offers/{scoring_plain_offer}/low-price"

CASES = [
    Case("calls_scoring.scores", "GET", CALL + "/scores", authority_only(200)),
    Case(
        "calls_scoring.scores",
        "GET",
        "/procurement/calls/2147483647/scores",
        authority_only(404),
    ),
    Case("calls_scoring.score", "POST", SCORE, authority_only(400)),
    Case(
        "calls_scoring.score",
        "POST",
        CALL + "/offers/{scoring_offer}/criteria/2147483647/score",
        authority_only(404),
    ),
    Case("calls_scoring.low_price_page", "GET", OWN, READERS),
    # Another vendor's offer is not found; the authority sees it.
    Case("calls_scoring.low_price_page", "GET", OTHER, only({"authority": 200, "vendor": 404})),
    Case(
        "calls_scoring.low_price_page",
        "GET",
        CALL + "/offers/2147483647/low-price",
        only({"authority": 404, "vendor": 404}),
    ),
    Case("calls_scoring.low_price_request", "POST", PLAIN + "/request", authority_only(400)),
    Case("calls_scoring.low_price_answer", "POST", OWN + "/answer", only({"vendor": 400})),
    Case("calls_scoring.low_price_decide", "POST", OTHER + "/decide", authority_only(400)),
    # Writes
    Case(
        "calls_scoring.score",
        "POST",
        SCORE,
        authority_only(302),
        {"score": "70", "reason": "Hotline in French, manuals in English."},
        WRITE,
    ),
    Case(
        "calls_scoring.low_price_request",
        "POST",
        PLAIN + "/request",
        authority_only(302),
        {"question": "How does the price cover three years of updates?"},
        WRITE,
    ),
    Case(
        "calls_scoring.low_price_answer",
        "POST",
        OWN + "/answer",
        only({"vendor": 302}),
        {"answer": "A launch price for a first public customer."},
        WRITE,
    ),
    Case(
        "calls_scoring.low_price_decide",
        "POST",
        OTHER + "/decide",
        authority_only(302),
        {"decision": "accepted", "reason": "The explanation holds."},
        WRITE,
    ),
]
