"""Routes of a call's tender document versions.

The world: a call of the authority taking offers whose specification has an earlier version
(replaced under a corrigendum), and a call past its deadline with a document.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from procurement.calls import limits
from procurement.calls.documents import services
from procurement.calls.enquiries.services import publish_corrigendum
from procurement.calls.services import lifecycle
from procurement.models import NeedUnit
from registry.database import db, utcnow
from registry.dates import today
from registry.models import Organisation, OrganisationKind, OrganisationStatus, User
from tests.procurement.calls.call_builders import frozen_lot, opening_officers
from tests.procurement.need_builders import certified_market
from tests.routing import Case, authority_only, everyone, only

CODE = "DOC-ROUTE"
READERS = only({"authority": 200, "vendor": 200, "buyer": 200})
NOT_FOUND = only({"authority": 404, "vendor": 404, "buyer": 404})


def extend_world(world: dict[str, Any]) -> dict[str, int]:
    """A call taking offers with a document in its second version, and a closed call."""
    people = world["people"]
    authority, buyer = people["authority"], people["buyer"]
    maker_org = Organisation(
        name="Document market vendor",
        kind=OrganisationKind.VENDOR,
        status=OrganisationStatus.ACTIVE,
    )
    maker = User(
        organisation=maker_org,
        email="document-maker@example.org",
        full_name="Document maker",
        password_hash="-",
    )
    partner_org = Organisation(
        name="Document partner buyer",
        kind=OrganisationKind.BUYER,
        status=OrganisationStatus.ACTIVE,
        region="Bretagne",
    )
    partner = User(
        organisation=partner_org,
        email="document-partner@example.org",
        full_name="Document partner",
        password_hash="-",
    )
    db.session.add_all([maker_org, maker, partner_org, partner])
    db.session.flush()
    certified_market(authority, [maker], CODE)
    lots = [
        frozen_lot(
            authority, [buyer, partner], code=CODE, unit=unit, title=f"Documents {unit.value}"
        )
        for unit in (NeedUnit.LICENCE, NeedUnit.CAMERA)
    ]
    deadline = limits.deadline_on(today() + dt.timedelta(days=40))
    opening_officers(authority)
    taking = lifecycle.open_call(authority, lots[0], "Call with versions", "", deadline, 24)
    closed = lifecycle.open_call(authority, lots[1], "Closed call with versions", "", deadline, 24)
    documents = [
        services.attach_document(
            authority,
            call,
            "Technical specification",
            "specification",
            "specification.pdf",
            io.BytesIO(b"%PDF-1.4 specification, first version\n"),
        )
        for call in (taking, closed)
    ]
    versions = []
    for call, document in zip((taking, closed), documents, strict=True):
        corrigendum = publish_corrigendum(authority, call, "Annex 2 is replaced.")
        services.publish_version(
            authority,
            document,
            "specification-v2.pdf",
            io.BytesIO(f"%PDF-1.4 specification of {call.reference}, v2\n".encode()),
            corrigendum,
        )
        versions.append(services.versions_of(document)[0])
    closed.deadline = utcnow() - dt.timedelta(hours=1)
    db.session.flush()
    return {
        "versions_call": taking.id,
        "versions_document": documents[0].id,
        "versions_earlier": versions[0].id,
        "versions_closed_call": closed.id,
        "versions_closed_document": documents[1].id,
        "versions_closed_earlier": versions[1].id,
    }


TAKING = "/procurement/calls/{versions_call}/documents/{versions_document}"
CLOSED = "/procurement/calls/{versions_closed_call}/documents/{versions_closed_document}"
PUBLIC = "/procurement/public/calls/{versions_call}/documents/{versions_document}"

CASES = [
    # Without a file and a description the form is refused and the page says why.
    Case("call_documents.publish_version", "POST", TAKING + "/versions", authority_only(302)),
    Case(
        "call_documents.publish_version",
        "POST",
        CLOSED + "/versions",
        authority_only(302),
    ),
    Case(
        "call_documents.publish_version",
        "POST",
        "/procurement/calls/{versions_call}/documents/{versions_closed_document}/versions",
        authority_only(404),
    ),
    Case("call_documents.version", "GET", TAKING + "/versions/{versions_earlier}", READERS),
    Case(
        "call_documents.version", "GET", TAKING + "/versions/{versions_closed_earlier}", NOT_FOUND
    ),
    Case("call_documents.version", "GET", TAKING + "/versions/2147483647", NOT_FOUND),
    Case(
        "call_documents.public_version",
        "GET",
        PUBLIC + "/versions/{versions_earlier}",
        everyone(200),
    ),
    Case(
        "call_documents.public_version",
        "GET",
        PUBLIC + "/versions/{versions_closed_earlier}",
        everyone(404),
    ),
    Case(
        "call_documents.public_version",
        "GET",
        "/procurement/public/calls/{versions_call}/documents/2147483647/versions/1",
        everyone(404),
    ),
]
