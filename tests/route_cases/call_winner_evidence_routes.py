"""Routes of the evidence asked of a call's provisional winner before its award.

The world: an opened call (the deadline passed) with an offer of each vendor, the vendor's the
cheaper; the vendor, as provisional winner, was asked for evidence and uploaded one document.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from catalog.models import Solution
from procurement.calls import limits
from procurement.calls.access import evidence
from procurement.calls.access.declarations import no_grounds
from procurement.calls.services import lifecycle
from procurement.calls.services.awarding import ask_winner_evidence
from procurement.calls.services.offers import OfferData, submit_offer
from registry.database import db, utcnow
from registry.dates import today
from registry.models import Organisation, OrganisationKind, OrganisationStatus, User
from registry.uploads import check_upload
from tests.procurement.calls.call_builders import (
    frozen_lot,
    open_offers,
    opening_officers,
)
from tests.procurement.need_builders import certified_market
from tests.routing import WRITE, Case, authority_only, only

CODE = "ACCESS-ROUTE"
CALL = "/procurement/calls/{access_call}"
EVIDENCE = CALL + "/evidence/{access_evidence}"
OWN_VENDOR = only({"vendor": 200})


def _offer(vendor: User, price: str) -> OfferData:
    """An offer of the vendor's solution certified under this world's norm."""
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


def extend_world(world: dict[str, Any]) -> dict[str, int]:
    """The opened call, the evidence asked of the vendor's offer and its document."""
    people = world["people"]
    authority, vendor, other, buyer = (
        people["authority"],
        people["vendor"],
        people["other"],
        people["buyer"],
    )
    certified_market(authority, [vendor, other], CODE)
    partner_org = Organisation(
        name="Evidence partner buyer",
        kind=OrganisationKind.BUYER,
        status=OrganisationStatus.ACTIVE,
        region="Bretagne",
    )
    partner = User(
        organisation=partner_org,
        email="evidence-partner@example.org",
        full_name="Evidence partner",
        password_hash="-",
    )
    db.session.add_all([partner_org, partner])
    db.session.flush()
    lot = frozen_lot(authority, [buyer, partner], code=CODE, title="Evidence licences")
    deadline = limits.deadline_on(today() + dt.timedelta(days=limits.min_offer_days() + 5))
    opening_officers(authority)
    call = lifecycle.open_call(authority, lot, "Call with evidence", "", deadline, 24)
    submit_offer(vendor, call, _offer(vendor, "800.00"))
    submit_offer(other, call, _offer(other, "850.00"))
    call.deadline = utcnow() - dt.timedelta(hours=1)
    db.session.flush()
    open_offers(call)
    row = ask_winner_evidence(
        authority, call, "Extract of the criminal record.", utcnow() + dt.timedelta(days=10)
    )
    document = evidence.upload(
        vendor, row, check_upload("record.txt", io.BytesIO(b"No conviction recorded."))
    )
    db.session.flush()
    return {
        "access_call": call.id,
        "access_evidence": row.id,
        "access_document": document.id,
    }


DECISION = {"decision": "accept", "reason": "The extract shows no conviction."}

CASES = [
    Case("calls_access.winner_evidence", "GET", CALL + "/evidence", authority_only(200)),
    # Nothing filled in: refused with the form's messages.
    Case("calls_access.winner_evidence", "POST", CALL + "/evidence", authority_only(400)),
    Case("calls_access.evidence_decision", "POST", EVIDENCE + "/decision", authority_only(400)),
    Case("calls_access.evidence_upload", "GET", EVIDENCE + "/upload", OWN_VENDOR),
    Case("calls_access.evidence_upload", "POST", EVIDENCE + "/upload", only({"vendor": 400})),
    Case(
        "calls_access.evidence_document",
        "GET",
        EVIDENCE + "/documents/{access_document}",
        only({"vendor": 200, "authority": 200}),
    ),
    Case(
        "calls_access.evidence_decision",
        "POST",
        EVIDENCE + "/decision",
        authority_only(302),
        DECISION,
        WRITE,
    ),
]
