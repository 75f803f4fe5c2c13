"""Routes of joint calls: the authority's calls and awards, vendors' sealed offers, buyers' view.

The world: the vendor and the other vendor both hold a valid label for three frozen lots of the
buyer and a partner buyer. One call takes offers (an offer of each vendor and a document), one
is past its deadline (an offer of each vendor), one lot has no call yet.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from procurement.calls import limits
from procurement.calls.services import lifecycle
from procurement.calls.services.offers import submit_offer
from procurement.models import NeedUnit
from registry.database import db, utcnow
from registry.dates import today
from registry.models import Organisation, OrganisationKind, OrganisationStatus, User
from tests.procurement.calls.call_builders import (
    declaration_form,
    frozen_lot,
    offer_data,
    open_offers,
    opening_officers,
)
from tests.procurement.need_builders import certified_market
from tests.routing import WRITE, Case, authority_only, only

CODE = "CALL-ROUTE"
READERS = only({"authority": 200, "vendor": 200, "buyer": 200})
NOT_FOUND = only({"authority": 404, "vendor": 404, "buyer": 404})
VENDOR_ONLY = only({"vendor": 200})
VENDOR_404 = only({"vendor": 404})
VENDOR_ACTS = only({"vendor": 302})


def extend_world(world: dict[str, Any]) -> dict[str, int]:
    """Three frozen lots, two calls with offers of both vendors, one document."""
    people = world["people"]
    authority, vendor, other, buyer = (
        people["authority"],
        people["vendor"],
        people["other"],
        people["buyer"],
    )
    certified_market(authority, [vendor, other], CODE)
    partner_org = Organisation(
        name="Call partner buyer",
        kind=OrganisationKind.BUYER,
        status=OrganisationStatus.ACTIVE,
        region="Bretagne",
    )
    partner = User(
        organisation=partner_org,
        email="call-partner@example.org",
        full_name="Call partner",
        password_hash="-",
    )
    db.session.add_all([partner_org, partner])
    db.session.flush()
    lots = [
        frozen_lot(authority, [buyer, partner], code=CODE, unit=unit, title=f"Call {unit.value}")
        for unit in (NeedUnit.LICENCE, NeedUnit.CAMERA, NeedUnit.DEVICE)
    ]
    opening_officers(authority)
    deadline = limits.deadline_on(today() + dt.timedelta(days=limits.min_offer_days() + 5))
    open_call = lifecycle.open_call(authority, lots[0], "Open call", "", deadline, 24)
    closed_call = lifecycle.open_call(authority, lots[1], "Closed call", "", deadline, 24)
    document = lifecycle.add_document(
        authority, open_call, "Specification", "spec.txt", io.BytesIO(b"Specification.")
    )
    offers = {
        (call.id, who.id): submit_offer(who, call, offer_data(who))
        for call in (open_call, closed_call)
        for who in (vendor, other)
    }
    closed_call.deadline = utcnow() - dt.timedelta(hours=1)
    db.session.flush()
    open_offers(closed_call)
    return {
        "call_open": open_call.id,
        "call_closed": closed_call.id,
        "call_lot_free": lots[2].id,
        "call_lot_open": lots[0].id,
        "call_document": document.id,
        "own_offer": offers[(open_call.id, vendor.id)].id,
        "other_offer": offers[(open_call.id, other.id)].id,
        "other_closed_offer": offers[(closed_call.id, other.id)].id,
    }


OPEN_FORM = {
    "title": "A call",
    "description": "",
    "deadline": (dt.date.today() + dt.timedelta(days=60)).isoformat(),
    "contract_months": "24",
}
# The vendor has one eligible solution: the form takes it when none is chosen.
OFFER_FORM = {
    "lead_time_days": "20",
    "tier_quantity_1": "1",
    "tier_price_1": "700",
    "tier_quantity_2": "",
    "tier_price_2": "",
    "tier_quantity_3": "",
    "tier_price_3": "",
    "tier_quantity_4": "",
    "tier_price_4": "",
    "notes": "",
    **declaration_form(),
}
OPEN = "/procurement/calls/{call_open}"
CLOSED = "/procurement/calls/{call_closed}"

CASES = [
    Case("calls.index", "GET", "/procurement/calls", READERS),
    Case("calls.index", "GET", "/procurement/calls?phase=taking_offers&page=2", READERS),
    Case("calls.index", "GET", "/procurement/calls?phase=%27%20OR%201%3D1--", READERS),
    Case("calls.call", "GET", OPEN, READERS),
    Case("calls.call", "GET", CLOSED, READERS),
    Case("calls.call", "GET", "/procurement/calls/2147483647", NOT_FOUND),
    Case("calls.open_call", "GET", "/procurement/lots/{call_lot_free}/call", authority_only(200)),
    # A lot whose call is open: the authority is sent to the call.
    Case("calls.open_call", "GET", "/procurement/lots/{call_lot_open}/call", authority_only(302)),
    Case("calls.open_call", "POST", "/procurement/lots/{call_lot_free}/call", authority_only(200)),
    Case("calls.document", "GET", OPEN + "/documents/{call_document}", READERS),
    Case("calls.document", "GET", CLOSED + "/documents/{call_document}", NOT_FOUND),
    Case("calls.add_document", "POST", OPEN + "/documents", authority_only(400)),
    Case("calls.cancel", "POST", OPEN + "/cancel", authority_only(400)),
    Case("calls.unsuccessful", "POST", CLOSED + "/unsuccessful", authority_only(400)),
    # Before the deadline the award is refused (and the page says why).
    Case("calls.award", "POST", OPEN + "/award", authority_only(302)),
    Case("calls.new_offer", "GET", OPEN + "/offer", VENDOR_ONLY),
    Case("calls.new_offer", "POST", OPEN + "/offer", VENDOR_ONLY),
    Case(
        "calls.offer", "GET", OPEN + "/offers/{own_offer}", only({"vendor": 200, "authority": 404})
    ),
    # A vendor never sees another vendor's offer; the authority not before the deadline.
    Case(
        "calls.offer",
        "GET",
        OPEN + "/offers/{other_offer}",
        only({"vendor": 404, "authority": 404}),
    ),
    Case(
        "calls.offer",
        "GET",
        CLOSED + "/offers/{other_closed_offer}",
        only({"vendor": 404, "authority": 200}),
    ),
    Case(
        "calls.offer",
        "GET",
        CLOSED + "/offers/{own_offer}",
        only({"vendor": 404, "authority": 404}),
    ),
    Case("calls.edit_offer", "GET", OPEN + "/offers/{own_offer}/edit", VENDOR_ONLY),
    Case("calls.edit_offer", "GET", OPEN + "/offers/{other_offer}/edit", VENDOR_404),
    Case("calls.edit_offer", "POST", OPEN + "/offers/{other_offer}/edit", VENDOR_404, OFFER_FORM),
    Case("calls.withdraw_offer", "POST", OPEN + "/offers/{other_offer}/withdraw", VENDOR_404),
    # Writes
    Case(
        "calls.edit_offer",
        "POST",
        OPEN + "/offers/{own_offer}/edit",
        VENDOR_ACTS,
        OFFER_FORM,
        WRITE,
    ),
    Case(
        "calls.withdraw_offer",
        "POST",
        OPEN + "/offers/{own_offer}/withdraw",
        VENDOR_ACTS,
        phase=WRITE,
    ),
    Case("calls.new_offer", "POST", OPEN + "/offer", VENDOR_ACTS, OFFER_FORM, WRITE),
    Case(
        "calls.open_call",
        "POST",
        "/procurement/lots/{call_lot_free}/call",
        authority_only(302),
        OPEN_FORM,
        WRITE,
    ),
    Case("calls.award", "POST", CLOSED + "/award", authority_only(302), phase=WRITE),
    Case(
        "calls.cancel",
        "POST",
        OPEN + "/cancel",
        authority_only(302),
        {"cancel-reason": "The needs changed."},
        WRITE,
    ),
]
