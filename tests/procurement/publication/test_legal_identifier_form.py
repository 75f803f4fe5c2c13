"""An organisation's administrator, or the authority, enters its legal identifier (SIREN or EU
VAT) in the organisation's profile: a wrong one is refused with what to correct, a right one is
audited and published with the organisation in the call's notices."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from registry.database import db
from registry.models import AuditEntry, OrganisationKind, User
from tests.procurement import public_builders


def _save(client: FlaskClient, organisation_id: int, scheme: str, value: str) -> Any:
    return client.post(
        f"/organisations/{organisation_id}/settings",
        data={"legal_identifier_scheme": scheme, "legal_identifier": value},
    )


def _identifier_changes(organisation_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEntry.summary)
            .where(
                AuditEntry.organisation_id == organisation_id,
                AuditEntry.action == "organisation.identifier_changed",
            )
            .order_by(AuditEntry.seq)
        )
    )


def test_a_wrong_identifier_is_refused_with_what_to_correct(
    client: FlaskClient, create_user: Callable[..., User], login: Any
) -> None:
    vendor = create_user()
    organisation = vendor.organisation
    login(client, vendor)
    page = client.get(f"/organisations/{organisation.id}/settings").get_data(as_text=True)
    assert "Legal identifier" in page and "Not given" not in page

    refused = {
        ("FR-SIRENE", "732 829 321"): "fails its check digit",
        ("FR-SIRENE", "73282932"): "A SIREN has 9 digits",
        ("EU-VAT", "40303265045"): "starts with its country",
        ("FR-SIRENE", ""): "Enter the identifier",
        ("", "732829320"): "Choose the identifier",
    }
    for (scheme, value), message in refused.items():
        response = _save(client, organisation.id, scheme, value)
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    db.session.refresh(organisation)
    assert organisation.legal_identifier == "" and organisation.legal_identifier_scheme == ""
    assert _identifier_changes(organisation.id) == []

    assert _save(client, organisation.id, "EU-VAT", "fr 40 303 265 045").status_code == 302
    db.session.refresh(organisation)
    assert (organisation.legal_identifier_scheme, organisation.legal_identifier) == (
        "EU-VAT",
        "FR40303265045",
    )
    page = client.get(f"/organisations/{organisation.id}/settings").get_data(as_text=True)
    assert "FR40303265045" in page
    # The vendor's public page names it too.
    assert "EU VAT FR40303265045" in client.get(f"/vendors/{organisation.id}").get_data(
        as_text=True
    )
    assert _save(client, organisation.id, "", "").status_code == 302
    db.session.refresh(organisation)
    assert organisation.legal_identifier == ""
    assert _identifier_changes(organisation.id) == [
        f"{organisation.name} legal identifier set to EU-VAT FR40303265045",
        f"{organisation.name} legal identifier removed",
    ]


def test_a_member_who_is_not_an_administrator_cannot_set_it(
    client: FlaskClient, create_user: Callable[..., User], login: Any
) -> None:
    admin = create_user()
    member = create_user(admin.organisation, is_org_admin=False, totp=False)
    login(client, member)
    page = client.get(f"/organisations/{admin.organisation_id}/settings").get_data(as_text=True)
    assert "Only your organisation's administrators can change the profile." in page
    assert _save(client, admin.organisation_id, "FR-SIRENE", "732829320").status_code == 404
    db.session.refresh(admin.organisation)
    assert admin.organisation.legal_identifier == ""


def test_the_authority_sets_a_buyers_siren_and_the_notices_publish_it(
    client: FlaskClient, create_user: Callable[..., User], login: Any
) -> None:
    authority = create_user(kind=OrganisationKind.AUTHORITY)
    scene = public_builders.scene(authority)
    buyer = scene.buyers[0].organisation
    login(client, authority)
    assert _save(client, buyer.id, "FR-SIRENE", "732 829 320").status_code == 302
    assert _identifier_changes(buyer.id) == [
        f"{buyer.name} legal identifier set to FR-SIRENE 732829320"
    ]

    call = public_builders.open_call(scene)
    notice = client.get(f"/procurement/public/calls/{call.id}/eforms/contract-notice.json").json
    assert notice is not None
    published = {
        o["BT-500-Organization-Company"]: o.get("BT-501-Organization-Company")
        for o in notice["organisations"]
    }
    assert published[buyer.name] == "732829320"
    xml = client.get(f"/procurement/public/calls/{call.id}/eforms/contract-notice.xml")
    assert '<cbc:CompanyID schemeName="FR-SIRENE">732829320</cbc:CompanyID>' in xml.get_data(
        as_text=True
    )
