"""One organisation per name and one account per address, whatever the case, width or form."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from registry.database import db
from registry.models import Organisation, OrganisationKind, OrganisationStatus, User
from tests.support import PASSWORD


def _registration(name: str, email: str) -> dict[str, str]:
    return {
        "organisation_name": name,
        "kind": "vendor",
        "vendor_size": "sme",
        "legal_identifier_scheme": "FR-SIRENE",
        "legal_identifier": "732829320",
        "country": "FR",
        "full_name": "Élodie Martin",
        "email": email,
        "password": "a long enough passphrase",
    }


def _count(model: type[Organisation] | type[User]) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("École Nationale de Sécurité", "ÉCOLE NATIONALE DE SÉCURITÉ"),
        ("Acme Sécurité", "ＡＣＭＥ ＳÉＣＵＲＩＴＥ\u0301"),
        ("Straße Security", "STRASSE SECURITY"),
        ("Ecole\u0301 Lab", "Ecolé Lab"),
        ("Zero Width", "Zero\u200b Width"),
    ],
)
def test_the_same_name_in_another_form_is_a_field_error_that_keeps_the_input(
    client: FlaskClient, first: str, second: str
) -> None:
    assert client.post("/register", data=_registration(first, "a@example.org")).status_code == 200
    response = client.post("/register", data=_registration(second, "b@example.org"))
    page = response.get_data(as_text=True)
    assert "An organisation with this name is already registered." in page
    assert "submitted twice" not in page
    assert 'value="b@example.org"' in page  # the rest of the input is kept
    assert _count(Organisation) == 1


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("élise@example.org", "ÉLISE@EXAMPLE.ORG"),
        ("eve@example.org", "ｅｖｅ@example.org"),
    ],
)
def test_the_same_address_in_another_form_is_a_field_error(
    client: FlaskClient, first: str, second: str
) -> None:
    client.post("/register", data=_registration("First Vendor", first))
    response = client.post("/register", data=_registration("Second Vendor", second))
    page = response.get_data(as_text=True)
    assert "An account with this e-mail address already exists." in page
    assert "Second Vendor" in page
    assert _count(User) == 1


def test_the_key_is_unique_in_the_database_itself(
    app: Flask, create_organisation: Callable[..., Organisation]
) -> None:
    create_organisation(name="Société Générale de Sûreté")
    db.session.add(
        Organisation(
            name="SOCIÉTÉ GÉNÉRALE DE SÛRETÉ",
            kind=OrganisationKind.VENDOR,
            status=OrganisationStatus.PENDING,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_an_address_signs_in_whatever_its_case(
    client: FlaskClient, create_user: Callable[..., User]
) -> None:
    user = create_user(email=f"élodie-{secrets.token_hex(3)}@example.org")
    response = client.post("/login", data={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302


def _register_in_thread(app: Flask, name: str, index: int, pages: list[str]) -> None:
    with app.app_context():
        response = app.test_client().post(
            "/register", data=_registration(name, f"racer{index}@example.org")
        )
        pages.append(response.get_data(as_text=True))


def test_concurrent_registrations_of_one_name_give_the_field_error(app: Flask) -> None:
    pages: list[str] = []
    variants = [
        "Racing Sécurité",
        "RACING SÉCURITÉ",
        "racing sécurité",
        "Racing Se\u0301curite\u0301",
    ]
    threads = [
        threading.Thread(target=_register_in_thread, args=(app, name, i, pages))
        for i, name in enumerate(variants)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(pages) == len(variants)
    refused = [p for p in pages if "An organisation with this name is already registered." in p]
    assert len(refused) == len(variants) - 1
    assert not any("submitted twice" in page for page in pages)
    assert _count(Organisation) == 1


def test_look_alike_registration_is_accepted_and_flagged_to_the_authority(
    client: FlaskClient,
    login: Callable[..., object],
    create_organisation: Callable[..., Organisation],
    create_user: Callable[..., User],
) -> None:
    original = create_organisation(name="Acme Security")
    create_user(original, email="sales@acme-security.example")
    response = client.post(
        "/register", data=_registration("Аcme Security", "sales@acrne-security.example")
    )
    assert "An organisation with this name" not in response.get_data(as_text=True)
    newcomer = db.session.scalar(select(Organisation).where(Organisation.name == "Аcme Security"))
    assert newcomer is not None
    unrelated = create_organisation(name="Beta Lab")
    authority = create_user(kind=OrganisationKind.AUTHORITY)
    login(client, authority)
    page = client.get(f"/admin/organisations/{newcomer.id}").get_data(as_text=True)
    assert "looks like:" in page
    assert f'href="/admin/organisations/{original.id}"' in page
    page = client.get(f"/admin/organisations/{unrelated.id}").get_data(as_text=True)
    assert "looks like:" not in page


def test_a_look_alike_address_domain_is_flagged(
    client: FlaskClient,
    login: Callable[..., object],
    create_organisation: Callable[..., Organisation],
    create_user: Callable[..., User],
) -> None:
    original = create_organisation(name="Modern Defence")
    create_user(original, email="contact@modern-defence.example")
    client.post(
        "/register", data=_registration("Other Name Entirely", "boss@modem-defence.example")
    )
    newcomer = db.session.scalar(
        select(Organisation).where(Organisation.name == "Other Name Entirely")
    )
    assert newcomer is not None
    login(client, create_user(kind=OrganisationKind.AUTHORITY))
    page = client.get(f"/admin/organisations/{newcomer.id}").get_data(as_text=True)
    assert f'href="/admin/organisations/{original.id}"' in page
