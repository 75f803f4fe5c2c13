"""Routes of orders under a framework: a contract line's orders, the order form, an order.

The world: a call on a lot of the buyer and a partner buyer, awarded to a supplier of its own
(another vendor of its own offered too: the world's vendors keep their first solutions for the
other route cases, and see no contract line here); both contract lines are signed and each
buyer has placed one order.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from catalog.models import Solution
from procurement.calls import limits
from procurement.calls.access.declarations import no_grounds
from procurement.calls.orders.services import place_order
from procurement.calls.services import awarding, lifecycle
from procurement.calls.services.offers import OfferData, submit_offer
from registry.database import db, utcnow
from registry.dates import today
from registry.models import Organisation, OrganisationKind, OrganisationStatus, User
from tests.procurement.calls.call_builders import frozen_lot, open_offers, opening_officers
from tests.procurement.need_builders import certified_market
from tests.routing import WRITE, Case, only

CODE = "ORDER-ROUTE"
READERS = only({"authority": 200, "vendor": 404, "buyer": 200})
NOT_FOUND = only({"authority": 404, "vendor": 404, "buyer": 404})
PARTNERS = only({"authority": 200, "vendor": 404, "buyer": 404})


def _offer(vendor: User, price: str) -> OfferData:
    solution = db.session.scalars(
        select(Solution).where(
            Solution.vendor_id == vendor.organisation_id,
            Solution.name.startswith(f"Certified {CODE}"),
        )
    ).one()
    return OfferData(
        solution_id=solution.id,
        lead_time_days=20,
        tiers=[(1, Decimal(price))],
        declaration=no_grounds(),
    )


def _member(name: str, kind: OrganisationKind) -> User:
    """An active organisation of the kind, with one user."""
    number = db.session.scalar(select(func.count(Organisation.id))) or 0
    organisation = Organisation(
        name=f"{name} {number}", kind=kind, status=OrganisationStatus.ACTIVE, region="Bretagne"
    )
    user = User(
        organisation=organisation,
        email=f"order-{kind.value}-{number}@example.org",
        full_name=f"{name} {number}",
        password_hash="-",
    )
    db.session.add_all([organisation, user])
    db.session.flush()
    return user


def extend_world(world: dict[str, Any]) -> dict[str, int]:
    """An awarded call with two signed contract lines and one order on each."""
    people = world["people"]
    authority, buyer = people["authority"], people["buyer"]
    vendor, other = (_member("Order supplier", OrganisationKind.VENDOR) for _ in range(2))
    certified_market(authority, [vendor, other], CODE)
    partner = _member("Order partner buyer", OrganisationKind.BUYER)
    partner_org = partner.organisation
    lot = frozen_lot(authority, [buyer, partner], code=CODE, title="Ordered licences")
    deadline = limits.deadline_on(today() + dt.timedelta(days=limits.min_offer_days() + 5))
    opening_officers(authority)
    call = lifecycle.open_call(authority, lot, "Framework with orders", "", deadline, 24)
    submit_offer(vendor, call, _offer(vendor, "800.00"))
    submit_offer(other, call, _offer(other, "850.00"))
    call.deadline = utcnow() - dt.timedelta(hours=1)
    db.session.flush()
    open_offers(call)
    awarding.award_call(authority, call)
    assert call.award is not None
    lines = {line.buyer_id: line for line in call.award.lines}
    for line in lines.values():
        line.signed_at = utcnow()
    own = lines[buyer.organisation_id]
    partners = lines[partner_org.id]
    own_order = place_order(buyer, own, 1)
    partner_order = place_order(partner, partners, 1)
    db.session.flush()
    return {
        "order_line": own.id,
        "order_partner_line": partners.id,
        "order_own": own_order.id,
        "order_partner": partner_order.id,
    }


LINE = "/procurement/contracts/{order_line}/orders"
PARTNER_LINE = "/procurement/contracts/{order_partner_line}/orders"
ORDER_FORM = {"quantity": "1", "note": "Deliver to the main office."}

CASES = [
    Case("call_orders.line_orders", "GET", LINE, READERS),
    Case("call_orders.line_orders", "GET", LINE + "?page=2", READERS),
    Case("call_orders.line_orders", "GET", PARTNER_LINE, PARTNERS),
    Case("call_orders.line_orders", "GET", "/procurement/contracts/2147483647/orders", NOT_FOUND),
    Case("call_orders.order", "GET", "/procurement/orders/{order_own}", READERS),
    Case("call_orders.order", "GET", "/procurement/orders/{order_partner}", PARTNERS),
    Case("call_orders.order", "GET", "/procurement/orders/2147483647", NOT_FOUND),
    # Without a quantity the form answers 400; another buyer's line is 404; only buyers order.
    Case("call_orders.place_order", "POST", LINE, only({"buyer": 400})),
    Case("call_orders.place_order", "POST", PARTNER_LINE, only({"buyer": 404})),
    # Writes
    Case("call_orders.place_order", "POST", LINE, only({"buyer": 302}), ORDER_FORM, WRITE),
]
