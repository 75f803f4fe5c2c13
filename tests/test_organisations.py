"""Registration, approval, invitations and organisation privacy."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from registry.database import db
from registry.mail import read_outbox
from registry.models import AuditEntry, Organisation, OrganisationKind, OrganisationStatus, User
from tests.support import PASSWORD

REGISTRATION = {
    "organisation_name": "Acme Video <script>alert(1)</script>",
    "kind": "vendor",
    "vendor_size": "startup",
    "legal_identifier_scheme": "FR-SIRENE",
    "legal_identifier": "732829320",
    "country": "FR",
    "region": "Bretagne",
    "full_name": "Ada Founder",
    "email": "Ada@Example.org",
    "password": "a long enough passphrase",
}


def test_self_registration_waits_for_approval(
    app: Flask, client: FlaskClient, create_user: Callable[..., User], login: Any
) -> None:
    authority = create_user(kind=OrganisationKind.AUTHORITY)
    response = client.post("/register", data=REGISTRATION)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "awaiting approval" in body
    assert "<script>alert(1)</script>" not in body  # escaped, never raw

    organisation = db.session.scalar(
        select(Organisation).where(Organisation.name.startswith("Acme"))
    )
    assert organisation is not None and organisation.status is OrganisationStatus.PENDING
    user = organisation.users[0]
    assert user.email == "ada@example.org" and user.is_org_admin

    outbox = read_outbox(app.config["OUTBOX_DIR"])
    assert {m.to for m in outbox} == {"ada@example.org", authority.email}

    authority_client = app.test_client()
    login(authority_client, authority)
    assert (
        authority_client.post(f"/admin/organisations/{organisation.id}/approve").status_code == 302
    )
    db.session.refresh(organisation)
    stored = select(Organisation.status).where(Organisation.id == organisation.id)
    assert db.session.scalar(stored) is OrganisationStatus.ACTIVE
    actions = db.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.organisation_id == organisation.id)
        .order_by(AuditEntry.seq)
    ).all()
    assert actions == ["organisation.registered", "organisation.active"]
    assert any("approved" in m.subject for m in read_outbox(app.config["OUTBOX_DIR"]))

    response = client.post(
        "/login", data={"email": "ada@example.org", "password": REGISTRATION["password"]}
    )
    assert response.status_code == 302


def test_registration_refuses_duplicates_and_weak_passwords(client: FlaskClient) -> None:
    assert client.post("/register", data=REGISTRATION).status_code == 200
    again = client.post("/register", data=REGISTRATION)
    assert "already registered" in again.get_data(as_text=True)
    weak = client.post(
        "/register",
        data={
            **REGISTRATION,
            "organisation_name": "Other",
            "email": "o@example.org",
            "password": "password1",
        },
    )
    assert "commonly used" in weak.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 1


def test_registration_cannot_create_an_authority(client: FlaskClient) -> None:
    response = client.post("/register", data={**REGISTRATION, "kind": "authority"})
    assert "Choose the kind of organisation from the list." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 0


def test_registration_ignores_fields_it_does_not_own(client: FlaskClient) -> None:
    client.post(
        "/register", data={**REGISTRATION, "status": "active", "is_org_admin": "0", "id": "99"}
    )
    organisation = db.session.scalar(select(Organisation))
    assert organisation is not None
    assert organisation.status is OrganisationStatus.PENDING
    assert organisation.id != 99


def test_invitation_adds_a_member(
    app: Flask, client: FlaskClient, create_user: Callable[..., User], login: Any
) -> None:
    admin = create_user()
    login(client, admin)
    response = client.post(
        f"/organisations/{admin.organisation_id}/users", data={"email": "new@example.org"}
    )
    assert response.status_code == 302
    message = next(m for m in read_outbox(app.config["OUTBOX_DIR"]) if m.to == "new@example.org")
    link = next(line for line in message.body.splitlines() if "/invitations/" in line)
    path = link[link.index("/invitations/") :]

    invitee = app.test_client()
    assert invitee.get(path).status_code == 200
    response = invitee.post(
        path, data={"full_name": "New Person", "password": "another fine passphrase"}
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new@example.org"))
    assert (
        user is not None and user.organisation_id == admin.organisation_id and not user.is_org_admin
    )
    assert invitee.get(path).status_code == 404  # used once
    assert (
        invitee.post(
            "/login", data={"email": "new@example.org", "password": "another fine passphrase"}
        ).status_code
        == 302
    )


def test_members_who_are_not_admins_cannot_invite(
    client: FlaskClient, create_user: Callable[..., User], login: Any
) -> None:
    admin = create_user()
    member = create_user(admin.organisation, is_org_admin=False)
    login(client, member)
    response = client.post(
        f"/organisations/{admin.organisation_id}/users", data={"email": "x@example.org"}
    )
    assert response.status_code == 403


def test_vendors_cannot_see_each_other(
    app: Flask, create_user: Callable[..., User], login: Any
) -> None:
    vendor_a = create_user()
    vendor_b = create_user()
    client = app.test_client()
    login(client, vendor_a)
    for path in ("settings", "users"):
        assert client.get(f"/organisations/{vendor_b.organisation_id}/{path}").status_code == 404
        own = client.get(f"/organisations/{vendor_a.organisation_id}/{path}")
        assert own.status_code == 200
        assert vendor_b.email not in own.get_data(as_text=True)
    response = client.post(
        f"/organisations/{vendor_b.organisation_id}/settings", data={"website": "x"}
    )
    assert response.status_code == 404
    db.session.refresh(vendor_b.organisation)
    assert vendor_b.organisation.website == ""


def test_authority_creates_staff_only_for_itself(
    client: FlaskClient, create_user: Callable[..., User], login: Any
) -> None:
    authority = create_user(kind=OrganisationKind.AUTHORITY)
    login(client, authority)
    response = client.post(
        "/admin/staff/new",
        data={
            "email": "staff@example.org",
            "full_name": "Staff",
            "password": "staff passphrase ok",
        },
    )
    assert response.status_code == 302
    staff = db.session.scalar(select(User).where(User.email == "staff@example.org"))
    assert staff is not None and staff.organisation_id == authority.organisation_id
    assert staff.totp_secret is None  # enrolled at first sign-in


def test_cli_create_user_makes_the_first_authority(app: Flask, runner: Any) -> None:
    result = runner.invoke(
        args=["create-user", "--role", "authority", "chief@example.org"],
        input="the first authority passphrase\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "chief@example.org"))
    assert user is not None and user.organisation.kind is OrganisationKind.AUTHORITY
    weak = runner.invoke(args=["create-user", "weak@example.org"], input="password\n")
    assert weak.exit_code != 0 and "commonly used" in weak.output


def test_seed_demo_is_idempotent(app: Flask, runner: Any, tmp_path: Path) -> None:
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "authority@demo.example" in first.output and "TOTP secret" in first.output
    counts = db.session.scalar(select(func.count()).select_from(Organisation))
    users = db.session.scalar(select(func.count()).select_from(User))
    assert counts is not None and counts >= 27
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == counts
    assert db.session.scalar(select(func.count()).select_from(User)) == users
    skipped = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "left as it is" in skipped.output
    kinds = db.session.scalars(select(Organisation.kind)).all()
    assert kinds.count(OrganisationKind.VENDOR) == 12 and kinds.count(OrganisationKind.BUYER) == 12
    assert kinds.count(OrganisationKind.EVALUATION_BODY) == 2
    assert PASSWORD not in first.output


def test_website_must_be_a_web_address(client: FlaskClient) -> None:
    response = client.post(
        "/register", data={**REGISTRATION, "website": "javascript:alert(document.cookie)"}
    )
    assert "web address starting with http" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 0


def test_console_filters_treat_wildcards_as_text(
    client: FlaskClient,
    create_user: Callable[..., User],
    create_organisation: Callable[..., Organisation],
    login: Any,
) -> None:
    authority = create_user(kind=OrganisationKind.AUTHORITY)
    create_organisation(name="Plain Vendor")
    create_organisation(name="100% Secure")
    login(client, authority)
    body = client.get("/admin/organisations?q=%25").get_data(as_text=True)
    assert "100% Secure" in body
    assert "Plain Vendor" not in body


def test_audit_log_filters_by_organisation(
    app: Flask, client: FlaskClient, create_user: Callable[..., User], login: Any
) -> None:
    authority = create_user(kind=OrganisationKind.AUTHORITY)
    client.post("/register", data=REGISTRATION)
    client.post(
        "/register",
        data={**REGISTRATION, "organisation_name": "Other Org", "email": "other@example.org"},
    )
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == "Other Org"))
    assert organisation is not None
    login(client, authority)
    body = client.get(f"/admin/audit?organisation_id={organisation.id}").get_data(as_text=True)
    assert "Other Org registered" in body
    assert "Acme Video" not in body


def test_a_vendor_must_give_its_size_on_the_first_try(client: FlaskClient) -> None:
    response = client.post("/register", data={**REGISTRATION, "vendor_size": ""})
    assert "Choose the company size." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 0


def test_registration_shows_each_kinds_fields_only_for_that_kind(client: FlaskClient) -> None:
    page = client.get("/register").get_data(as_text=True)
    vendor_block = page.index('data-shown-for="vendor"')
    buyer_block = page.index('data-shown-for="buyer"')
    assert vendor_block < page.index('id="vendor_size"') < buyer_block
    assert buyer_block < page.index('id="buyer_type"')
    assert '<label class="usa-label" for="legal_identifier">Company identifier</label>' in page
    assert "/static/js/safetech.js" in page


def _registered() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation)))


def test_a_company_registers_with_its_identifier_stored_as_the_profile_stores_it(
    client: FlaskClient,
) -> None:
    data = {
        **REGISTRATION,
        "legal_identifier_scheme": "EU-VAT",
        "legal_identifier": "fr 40 303 265 045",
    }
    assert "awaiting approval" in client.post("/register", data=data).get_data(as_text=True)
    (organisation,) = _registered()
    assert (organisation.legal_identifier_scheme, organisation.legal_identifier) == (
        "EU-VAT",
        "FR40303265045",
    )
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "organisation.registered")
    )
    assert entry is not None
    assert json.loads(entry.data)["legal_identifier"] == ["EU-VAT", "FR40303265045"]


def test_a_company_without_a_valid_identifier_is_told_what_to_correct(
    client: FlaskClient,
) -> None:
    cases = [
        ({"legal_identifier_scheme": "", "legal_identifier": ""}, "Choose the kind of company"),
        ({"legal_identifier": ""}, "Enter the company identifier: the SIREN (9 digits)"),
        ({"legal_identifier": "732829321"}, "This SIREN fails its check digit"),
        ({"legal_identifier": "73282932"}, "A SIREN has 9 digits"),
        (
            {"legal_identifier_scheme": "EU-VAT", "legal_identifier": "US123456"},
            "An EU VAT number starts with its country",
        ),
    ]
    for change, message in cases:
        for kind in ("vendor", "evaluation_body"):
            data = {**REGISTRATION, "kind": kind, **change}
            page = client.post("/register", data=data).get_data(as_text=True)
            assert message in page, (kind, change)
    assert _registered() == []


def test_a_buyer_may_register_without_an_identifier(client: FlaskClient) -> None:
    data = {
        **REGISTRATION,
        "kind": "buyer",
        "buyer_type": "local_government",
        "legal_identifier_scheme": "",
        "legal_identifier": "",
    }
    assert "awaiting approval" in client.post("/register", data=data).get_data(as_text=True)
    (organisation,) = _registered()
    assert organisation.legal_identifier == "" and organisation.vendor_size is None
