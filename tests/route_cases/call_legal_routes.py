"""Routes of buyers' mandates: the buyer signs or withdraws its own, nobody else reaches them.

The world: one frozen lot of the buyer and a partner buyer under its own norm, each with a
signed mandate (call_builders.frozen_lot signs them).
"""

from __future__ import annotations

from typing import Any

from registry.database import db
from registry.models import Organisation, OrganisationKind, OrganisationStatus, User
from tests.procurement.calls.call_builders import frozen_lot
from tests.procurement.need_builders import certified_market
from tests.routing import WRITE, Case, only

CODE = "LEGAL-ROUTE"
BUYER_ONLY = only({"buyer": 200})
MANDATE = "/procurement/lots/{legal_lot}/mandates/{legal_member}"
OTHERS_MANDATE = "/procurement/lots/{legal_lot}/mandates/{legal_partner_member}"
MISSING = "/procurement/lots/2147483647/mandates/1"
MANDATE_FORM = {
    "signatory_name": "Anne Le Gall",
    "signatory_capacity": "Mayor",
    "firm_quantity": "5",
    "maximum_quantity": "5",
    "signed": "y",
}


def extend_world(world: dict[str, Any]) -> dict[str, int]:
    """A frozen lot of the buyer and a partner buyer, both mandated."""
    people = world["people"]
    authority, buyer = people["authority"], people["buyer"]
    certified_market(authority, [], CODE)
    partner_org = Organisation(
        name="Mandate partner buyer",
        kind=OrganisationKind.BUYER,
        status=OrganisationStatus.ACTIVE,
        region="Bretagne",
    )
    partner = User(
        organisation=partner_org,
        email="mandate-partner@example.org",
        full_name="Mandate partner",
        password_hash="-",
    )
    db.session.add_all([partner_org, partner])
    db.session.flush()
    lot = frozen_lot(authority, [buyer, partner], code=CODE, title="Mandated licences")
    own = next(m for m in lot.active_members if m.buyer_id == buyer.organisation_id)
    other = next(m for m in lot.active_members if m.buyer_id == partner_org.id)
    return {"legal_lot": lot.id, "legal_member": own.id, "legal_partner_member": other.id}


CASES = [
    Case("call_legal.sign_mandate", "GET", MANDATE, BUYER_ONLY),
    Case("call_legal.sign_mandate", "POST", MANDATE, BUYER_ONLY),
    Case("call_legal.sign_mandate", "GET", OTHERS_MANDATE, only({"buyer": 404})),
    Case("call_legal.sign_mandate", "POST", OTHERS_MANDATE, only({"buyer": 404}), MANDATE_FORM),
    Case(
        "call_legal.sign_mandate",
        "GET",
        "/procurement/lots/2147483647/mandates/1",
        only({"buyer": 404}),
    ),
    Case(
        "call_legal.withdraw_mandate",
        "POST",
        OTHERS_MANDATE + "/withdraw",
        only({"buyer": 404}),
    ),
    # Writes
    Case("call_legal.sign_mandate", "POST", MANDATE, only({"buyer": 302}), MANDATE_FORM, WRITE),
    Case(
        "call_legal.withdraw_mandate",
        "POST",
        MANDATE + "/withdraw",
        only({"buyer": 302}),
        phase=WRITE,
    ),
]
