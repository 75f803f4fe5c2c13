"""What a data user needs in the releases: parties' legal identifiers with their org-id scheme,
buyers' eForms legal types, and the framework's value equal to what can be ordered."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from procurement.publication.demo import demo_siren, luhn_digit
from procurement.publication.identifiers import EU_VAT, SIRENE, identifier_problem, luhn_valid
from registry.database import db
from registry.models import BuyerType, OrganisationKind, User
from tests.procurement import public_builders
from tests.procurement.ocds import ocds_schema
from tests.procurement.ocds.ocds_schema import assert_valid


@pytest.fixture(scope="module")
def release_schema() -> dict[str, Any]:
    return ocds_schema.release_schema()


def test_a_siren_needs_nine_digits_and_its_check_digit() -> None:
    assert identifier_problem(SIRENE, "732 829 320") is None  # a well-known valid SIREN
    assert "check digit" in (identifier_problem(SIRENE, "732829321") or "")
    assert "9 digits" in (identifier_problem(SIRENE, "73282932") or "")
    assert "9 digits" in (identifier_problem(SIRENE, "７３２８２９３２０") or "")
    assert identifier_problem(EU_VAT, "FR40303265045") is None
    assert "country" in (identifier_problem(EU_VAT, "US123456789") or "")
    assert "scheme" in (identifier_problem("DUNS", "123456789") or "")


@given(st.integers(min_value=0, max_value=99_999))
def test_every_demo_siren_is_valid(number: int) -> None:
    assert identifier_problem(SIRENE, demo_siren(number)) is None


@given(st.text(alphabet="0123456789", min_size=8, max_size=8), st.integers(0, 8))
def test_changing_one_digit_breaks_the_luhn_check(body: str, position: int) -> None:
    siren = body + luhn_digit(body)
    assert luhn_valid(siren)
    digit = str((int(siren[position]) + 1) % 10)
    assert not luhn_valid(siren[:position] + digit + siren[position + 1 :])


def test_parties_carry_identifiers_and_legal_types_and_the_framework_what_can_be_ordered(
    client: FlaskClient, create_user: Callable[..., User], release_schema: dict[str, Any]
) -> None:
    scene = public_builders.scene(create_user(kind=OrganisationKind.AUTHORITY))
    call = public_builders.open_call(scene)
    startup, _ = public_builders.two_offers(scene, call)
    buyer = scene.buyers[0].organisation
    buyer.buyer_type = BuyerType.LOCAL_GOVERNMENT
    buyer.legal_identifier, buyer.legal_identifier_scheme = "732 829 320", SIRENE
    vendor = startup.vendor
    vendor.legal_identifier, vendor.legal_identifier_scheme = "FR40303265045", EU_VAT
    db.session.commit()
    public_builders.pass_deadline(call)
    award = public_builders.award(scene, call, startup, dropout_buyers=(0,))
    body = client.get(f"/procurement/ocds/{call.ocid}.json").json
    assert body is not None
    assert_valid(ocds_schema.package_validator(release_schema), release_schema, body)
    awarded = next(r for r in body["releases"] if r["tag"] == ["award"])
    parties = {party["name"]: party for party in awarded["parties"]}
    assert parties[buyer.name]["identifier"] == {
        "scheme": "FR-SIRENE",
        "id": "732829320",
        "legalName": buyer.name,
    }
    assert parties[buyer.name]["details"]["classifications"] == [
        {"scheme": "eu-buyer-legal-type", "id": "la", "description": "Local authority"}
    ]
    assert parties[vendor.name]["identifier"]["scheme"] == "EU-VAT"
    assert parties[vendor.name]["details"] == {"scale": "sme"}
    # Rennes dropped out: the framework is worth what Brest and Quimper can order, firm and
    # optional quantities at the awarded unit price.
    orderable = sum(line.maximum_quantity * line.unit_price for line in award.lines)
    framework = awarded["tender"]["techniques"]["frameworkAgreement"]
    assert framework["value"] == {"amount": float(orderable), "currency": "EUR"}
    assert orderable >= award.total_value
