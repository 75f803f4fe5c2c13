"""The calls API carries the award criteria, own criteria included; the OCDS tender publishes
them and the OCDS award says when a single offer was received."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from jsonschema import Draft202012Validator

from procurement.calls import limits
from procurement.calls.legal.demo import opening_days
from procurement.calls.services import awarding, lifecycle
from registry.database import db
from registry.dates import today
from registry.models import User
from tests.procurement.calls.call_builders import call_world, make_offer, open_call, pass_deadline
from tests.procurement.ocds import ocds_schema


def _call_body(client: FlaskClient, call_id: int) -> dict[str, Any]:
    document = client.get("/api/v1/openapi.json").json
    assert document is not None
    body: dict[str, Any] = client.get(f"/api/v1/calls/{call_id}").json  # type: ignore[assignment]
    validator = Draft202012Validator(
        {"$ref": "#/components/schemas/Call", "components": document["components"]}
    )
    errors = list(validator.iter_errors(body))
    assert not errors, errors[0].message
    assert "award_criteria" in document["components"]["schemas"]["Call"]["properties"]
    return body


def test_the_calls_api_gives_the_weights_and_the_own_criteria(
    client: FlaskClient, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user)
    call = lifecycle.open_call(
        world.authority,
        world.lot,
        "Joint call with criteria of its own",
        "Licences for every buyer of the lot.",
        limits.deadline_on(today() + dt.timedelta(days=opening_days(world.lot) + 1)),
        24,
        award_criteria={"price": 60, "quality": 20},
        own_criteria=[("Support in French", 20, "Hotline in French")],
    )
    db.session.commit()
    body = _call_body(client, call.id)
    assert [(c["kind"], c["name"], c["weight"]) for c in body["award_criteria"]] == [
        ("price", "Price", 60),
        ("quality", "Quality", 20),
        ("own", "Support in French", 20),
    ]
    assert body["award_criteria"][2]["description"] == "Hotline in French"
    assert body["award_tie_break"].startswith("Ties go to the lower final unit price")
    release = client.get(f"/procurement/ocds/{call.ocid}.json").json
    assert release is not None
    details = release["releases"][0]["tender"]["awardCriteriaDetails"]
    assert "Support in French 20 %: Hotline in French. Scored by the authority" in details


def test_a_call_on_price_alone_says_so_and_its_single_offer_award_is_flagged_in_ocds(
    client: FlaskClient, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user)
    call = open_call(world)
    body = _call_body(client, call.id)
    assert [(c["kind"], c["weight"]) for c in body["award_criteria"]] == [("price", 100)]
    make_offer(world.vendors[0], call, [(1, "900.00")])
    pass_deadline(call)
    awarding.award_call(world.authority, call)
    db.session.commit()
    package = client.get(f"/procurement/ocds/{call.ocid}.json").json
    assert package is not None
    # The test moved the deadline before the opening, so only the schema is checked here.
    schema = ocds_schema.release_schema()
    errors = list(ocds_schema.package_validator(schema).iter_errors(package))
    assert not errors, errors[0].message
    awards = [a for r in package["releases"] for a in r.get("awards", [])]
    assert awards and all(
        "Single offer: only one offer was received." in a["description"] for a in awards
    )
