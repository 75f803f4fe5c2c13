"""Routes of a call's questions, answers and corrigenda.

The world: a call of the authority taking offers (deadline 40 days ahead) with a question of the
vendor waiting for an answer, and a call past its deadline.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from procurement.calls import limits
from procurement.calls.enquiries import services
from procurement.calls.services import lifecycle
from procurement.models import NeedUnit
from registry.database import db, utcnow
from registry.dates import today
from registry.models import Organisation, OrganisationKind, OrganisationStatus, User
from tests.procurement.calls.call_builders import frozen_lot, opening_officers
from tests.procurement.need_builders import certified_market
from tests.routing import WRITE, Case, authority_only, only

CODE = "ENQ-ROUTE"
VENDOR_ACTS = only({"vendor": 302})


def extend_world(world: dict[str, Any]) -> dict[str, int]:
    """A call taking offers with one unanswered question, and a call past its deadline."""
    people = world["people"]
    authority, vendor, buyer = people["authority"], people["vendor"], people["buyer"]
    # The norm and its market come from a vendor of their own, so that the vendor's and the other
    # vendor's first solutions stay those of the joint-call routes.
    maker_org = Organisation(
        name="Enquiry market vendor", kind=OrganisationKind.VENDOR, status=OrganisationStatus.ACTIVE
    )
    maker = User(
        organisation=maker_org,
        email="enquiry-maker@example.org",
        full_name="Enquiry maker",
        password_hash="-",
    )
    db.session.add_all([maker_org, maker])
    db.session.flush()
    certified_market(authority, [maker], CODE)
    partner_org = Organisation(
        name="Enquiry partner buyer",
        kind=OrganisationKind.BUYER,
        status=OrganisationStatus.ACTIVE,
        region="Bretagne",
    )
    partner = User(
        organisation=partner_org,
        email="enquiry-partner@example.org",
        full_name="Enquiry partner",
        password_hash="-",
    )
    db.session.add_all([partner_org, partner])
    db.session.flush()
    lots = [
        frozen_lot(authority, [buyer, partner], code=CODE, unit=unit, title=f"Enquiry {unit.value}")
        for unit in (NeedUnit.LICENCE, NeedUnit.CAMERA)
    ]
    deadline = limits.deadline_on(today() + dt.timedelta(days=40))
    opening_officers(authority)
    taking = lifecycle.open_call(authority, lots[0], "Call with questions", "", deadline, 24)
    closed = lifecycle.open_call(authority, lots[1], "Closed call with questions", "", deadline, 24)
    question = services.ask_question(vendor, taking, "Is a hosted service accepted?")
    closed_question = services.ask_question(vendor, closed, "Is on-site training included?")
    closed.deadline = utcnow() - dt.timedelta(hours=1)
    db.session.flush()
    return {
        "enquiry_call": taking.id,
        "enquiry_question": question.id,
        "enquiry_closed_call": closed.id,
        "enquiry_closed_question": closed_question.id,
    }


TAKING = "/procurement/calls/{enquiry_call}"
CLOSED = "/procurement/calls/{enquiry_closed_call}"

CASES = [
    # An empty or refused form is sent back to the call's page with the reason.
    Case("call_enquiries.ask", "POST", TAKING + "/questions", VENDOR_ACTS),
    Case(
        "call_enquiries.ask",
        "POST",
        "/procurement/calls/2147483647/questions",
        only({"vendor": 404}),
    ),
    Case(
        "call_enquiries.answer",
        "POST",
        TAKING + "/questions/{enquiry_question}/answer",
        authority_only(302),
    ),
    Case(
        "call_enquiries.answer",
        "POST",
        TAKING + "/questions/{enquiry_closed_question}/answer",
        authority_only(404),
    ),
    Case("call_enquiries.publish_corrigendum", "POST", TAKING + "/corrigenda", authority_only(302)),
    Case(
        "call_enquiries.publish_corrigendum",
        "POST",
        CLOSED + "/corrigenda",
        authority_only(302),
        {"description": "Too late."},
    ),
    # Writes
    Case(
        "call_enquiries.ask",
        "POST",
        TAKING + "/questions",
        VENDOR_ACTS,
        {"question": "Which languages must the interface offer?"},
        WRITE,
    ),
    Case(
        "call_enquiries.answer",
        "POST",
        TAKING + "/questions/{enquiry_question}/answer",
        authority_only(302),
        {"answer": "Yes, hosted in France."},
        WRITE,
    ),
    Case(
        "call_enquiries.publish_corrigendum",
        "POST",
        TAKING + "/corrigenda",
        authority_only(302),
        {"description": "Annex 1 is replaced.", "deadline": ""},
        WRITE,
    ),
]
