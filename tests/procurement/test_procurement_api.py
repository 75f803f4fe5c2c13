"""GET /api/v1/lots and /api/v1/calls: public facts as documented, sealed until the deadline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator

from procurement.models import LotStatus
from registry.database import db
from registry.models import OrganisationKind, User
from tests.procurement import public_builders


def _check(client: FlaskClient, path: str, schema_name: str, listing: bool = False) -> Any:
    """GET path, and check the body against the published OpenAPI schema."""
    document = client.get("/api/v1/openapi.json").json
    assert document is not None
    response = client.get(path)
    assert response.status_code == 200, path
    body = response.json
    ref = {"$ref": f"#/components/schemas/{schema_name}"}
    schema = {"type": "object", "properties": {"items": {"type": "array", "items": ref}}}
    validator = Draft202012Validator(
        {**(schema if listing else ref), "components": document["components"]}
    )
    errors = list(validator.iter_errors(body))
    assert not errors, errors[0].message
    return body


def test_calls_are_sealed_until_the_deadline_then_show_the_award(
    app: Flask, client: FlaskClient, create_user: Callable[..., User]
) -> None:
    scene = public_builders.scene(create_user(kind=OrganisationKind.AUTHORITY))
    call = public_builders.open_call(scene)
    startup, _ = public_builders.two_offers(scene, call)
    listing = _check(client, "/api/v1/calls", "Call", listing=True)
    (item,) = listing["items"]
    assert item["phase"] == "taking_offers" and item["ocid"] == call.ocid
    assert item["offers_received"] is None and item["award"] is None
    assert item["buyers"] == ["Brest Metropole", "City of Rennes", "Quimper Police"]
    assert item["documents"] == ["Technical specification"]
    text = public_builders.text_of(item)
    for secret in ("Startup Vision", "850", "900"):
        assert not public_builders.reveals(text, secret), secret
    public_builders.pass_deadline(call)
    assert _check(client, f"/api/v1/calls/{call.id}", "Call")["offers_received"] == 2
    public_builders.award(scene, call, startup, dropout_buyers=(0,))
    body = _check(client, f"/api/v1/calls/{call.id}", "Call")
    award = body["award"]
    assert (award["supplier"], award["unit_price"], award["total_value"]) == (
        "Startup Vision",
        "850.00",
        "42500.00",
    )
    assert award["dropouts"] == 1 and "realised_saving" not in award
    savings = award["savings"]
    assert (savings["offers"], savings["claimed"], savings["reason"]) == (2, True, None)
    assert savings["against_estimate"] == -0.0625 and savings["estimate_total"] == "40000.00"
    assert savings["buyers_alone_total"] == "44000.00"
    assert savings["against_buyers_alone"] == pytest.approx(1 - 42500 / 44000)
    assert savings["against_previous_prices"] is None and savings["previous_prices"]
    assert award["modelled_pooling_effect"]["saving"] == 0.2
    assert [c["buyer"] for c in award["contracts"]] == ["Brest Metropole", "Quimper Police"]
    assert body["links"]["ocds"].endswith(f"/procurement/ocds/{call.ocid}.json")
    assert client.get("/api/v1/calls/2147483647").status_code == 404


def test_lots_are_public_once_frozen(
    app: Flask, client: FlaskClient, create_user: Callable[..., User]
) -> None:
    authority = create_user(kind=OrganisationKind.AUTHORITY)
    frozen = public_builders.scene(authority)
    proposed = public_builders.scene(authority, norm_code="PUB-NORM-2", suffix=" (2)")
    proposed.lot.status = LotStatus.PROPOSED
    db.session.commit()
    listing = _check(client, "/api/v1/lots", "Lot", listing=True)
    assert [lot["id"] for lot in listing["items"]] == [frozen.lot.id]
    body = _check(client, f"/api/v1/lots/{frozen.lot.id}", "Lot")
    assert (body["buyers"], body["estimated_quantity"], body["maximum_quantity"]) == (3, 60, 75)
    assert body["requirement"] == {"norm": "PUB-NORM", "level_rank": 1, "level": "Certified"}
    assert body["region"] == {"code": "FR-BRE", "name": "Bretagne"}
    assert "total_budget" not in body and not public_builders.reveals(
        public_builders.text_of(body), "900"
    )
    assert client.get(f"/api/v1/lots/{proposed.lot.id}").status_code == 404
