"""The OCDS tender of a call with weighted criteria says so, and stays valid."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from registry.models import User
from tests.procurement.calls.call_builders import call_world, open_call
from tests.procurement.ocds import ocds_schema
from tests.procurement.ocds.ocds_schema import assert_valid


def _tender(client: FlaskClient, ocid: str) -> tuple[dict[str, Any], dict[str, Any]]:
    response = client.get(f"/procurement/ocds/{ocid}.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json  # type: ignore[assignment]
    return body, body["releases"][0]["tender"]


def test_weighted_criteria_are_rated_criteria_in_the_tender(
    client: FlaskClient, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user)
    call = open_call(world, award_criteria={"price": 60, "quality": 40})
    body, tender = _tender(client, call.ocid)
    schema = ocds_schema.release_schema()
    assert_valid(ocds_schema.package_validator(schema), schema, body)
    assert tender["awardCriteria"] == "ratedCriteria"
    assert "Price 60 %" in tender["awardCriteriaDetails"]
    assert "Quality 40 %" in tender["awardCriteriaDetails"]
    assert "Ties go to the lower final unit price" in tender["awardCriteriaDetails"]


def test_a_call_on_price_alone_stays_price_only(
    client: FlaskClient, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user)
    call = open_call(world)
    _, tender = _tender(client, call.ocid)
    assert tender["awardCriteria"] == "priceOnly"
