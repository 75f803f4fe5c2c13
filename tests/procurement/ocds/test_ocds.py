"""OCDS 1.1 packages of needs and joint calls validate against the release schema with the
extensions they declare, keep the rules beyond the schema (no deprecated code, durations equal to
their periods, an ocid's releases dated in order), and say only what is public at each stage
(offers sealed until the deadline). libcoveocds checks them too: test_ocds_cove.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from jsonschema import Draft4Validator
from sqlalchemy import select

from procurement.calls.models import JointCall
from procurement.models import NeedStatus
from procurement.ocds.formats import need_ocid, stamp
from procurement.ocds.packages import EXTENSIONS
from registry.database import db
from registry.models import OrganisationKind, User
from tests.procurement import public_builders
from tests.procurement.ocds import ocds_schema
from tests.procurement.ocds.ocds_schema import assert_valid


@pytest.fixture(scope="module")
def release_schema() -> dict[str, Any]:
    return ocds_schema.release_schema()


@pytest.fixture(scope="module")
def package_validator(release_schema: dict[str, Any]) -> Draft4Validator:
    return ocds_schema.package_validator(release_schema)


def _authority(create_user: Callable[..., User]) -> User:
    return create_user(kind=OrganisationKind.AUTHORITY)


def _package(client: FlaskClient, ocid: str) -> dict[str, Any]:
    response = client.get(f"/procurement/ocds/{ocid}.json")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert "max-age" in response.headers["Cache-Control"] and response.headers["ETag"]
    body: dict[str, Any] = response.json  # type: ignore[assignment]
    return body


def test_a_call_before_its_deadline_is_a_sealed_tender(
    app: Flask,
    client: FlaskClient,
    create_user: Callable[..., User],
    release_schema: dict[str, Any],
    package_validator: Draft4Validator,
) -> None:
    scene = public_builders.scene(_authority(create_user))
    call = public_builders.open_call(scene)
    public_builders.two_offers(scene, call)
    body = _package(client, call.ocid)
    assert_valid(package_validator, release_schema, body)
    assert body["version"] == "1.1" and body["extensions"] == EXTENSIONS
    assert call.ocid == f"ocds-sfreg1-CALL-{call.id:05d}"
    (release,) = body["releases"]
    assert release["id"] == f"{call.ocid}-tender" and release["tag"] == ["tender"]
    tender = release["tender"]
    assert tender["tenderPeriod"]["endDate"] == stamp(call.deadline)
    assert tender["techniques"]["hasFrameworkAgreement"] is True
    assert tender["awardCriteria"] == "priceOnly"
    # 24 months last at most 731 days (two years, one with 29 February).
    assert tender["contractPeriod"] == {"durationInDays": 731}
    assert tender["techniques"]["frameworkAgreement"]["period"] == {"durationInDays": 731}
    assert [item["quantity"] for item in tender["items"]] == [10, 20, 30]
    assert {item["relatedLot"] for item in tender["items"]} == {scene.lot.reference}
    assert "City of Rennes" in tender["items"][0]["description"]
    assert tender["lots"][0]["id"] == scene.lot.reference
    (criterion,) = tender["criteria"]
    assert criterion["title"] == "Valid SafeTech label under PUB-NORM at level Certified or higher"
    requirement_ids = [r["id"] for r in criterion["requirementGroups"][0]["requirements"]]
    assert requirement_ids == ["LABEL-1", "PUB-NORM-ONVIF-S", "PUB-NORM-EXPORT", "PUB-NORM-MASK"]
    document = tender["documents"][0]
    assert document["title"] == "Technical specification"
    assert document["url"].endswith(f"/procurement/public/calls/{call.id}/documents/1")
    roles = {party["name"]: party["roles"] for party in release["parties"]}
    assert roles["City of Rennes"] == ["buyer"]
    assert roles[scene.authority.organisation.name] == ["procuringEntity"]
    assert len(roles) == 4
    # Sealed: no tenderer, bid or price before the deadline.
    text = public_builders.text_of(body)
    for secret in ("Startup Vision", "Large Optics", "850", "880", "950", "tenderers", '"bids"'):
        assert not public_builders.reveals(text, secret), secret
    related = {process["identifier"] for process in release["relatedProcesses"]}
    assert related == {need_ocid(need) for need in scene.needs}


def test_after_the_deadline_the_bids_are_published(
    app: Flask,
    client: FlaskClient,
    create_user: Callable[..., User],
    release_schema: dict[str, Any],
    package_validator: Draft4Validator,
) -> None:
    scene = public_builders.scene(_authority(create_user))
    call = public_builders.open_call(scene)
    public_builders.two_offers(scene, call)
    public_builders.pass_deadline(call)
    body = _package(client, call.ocid)
    assert_valid(package_validator, release_schema, body)
    # The tender as opened, again with the deadline moved, then the bids.
    assert [r["tag"] for r in body["releases"]] == [["tender"], ["tender"], ["tenderUpdate"]]
    update = body["releases"][2]
    statistics = {s["measure"]: s["value"] for s in update["bids"]["statistics"]}
    # 60 licences: the startup's 850 tier applies (51 000), the large firm's flat 880 (52 800).
    assert statistics == {
        "bids": 2,
        "smeBids": 1,
        "lowestValidBidValue": 51000.0,
        "highestValidBidValue": 52800.0,
    }
    assert update["tender"]["numberOfTenderers"] == 2
    assert [bid["status"] for bid in update["bids"]["details"]] == ["pending", "pending"]
    roles = {party["name"]: party["roles"] for party in update["parties"]}
    assert roles["Startup Vision"] == ["tenderer"]
    assert "awards" not in update


def test_an_awarded_call_has_one_contract_per_buyer(
    app: Flask,
    client: FlaskClient,
    create_user: Callable[..., User],
    release_schema: dict[str, Any],
    package_validator: Draft4Validator,
) -> None:
    scene = public_builders.scene(_authority(create_user))
    call = public_builders.open_call(scene)
    startup, _ = public_builders.two_offers(scene, call)
    public_builders.pass_deadline(call)
    award = public_builders.award(scene, call, startup, dropout_buyers=(0,))
    body = _package(client, call.ocid)
    assert_valid(package_validator, release_schema, body)
    tags = [r["tag"] for r in body["releases"]]
    # Published as each change was committed: the tender at the opening and again when its
    # deadline moved, the bids after the deadline and again once evaluated, then the award.
    assert tags == [
        ["tender"],
        ["tender"],
        ["tenderUpdate"],
        ["tenderUpdate"],
        ["award"],
        ["contract"],
        ["contract"],
    ]
    ids = [r["id"] for r in body["releases"]]
    assert len(set(ids)) == len(ids) and f"{call.ocid}-award" in ids
    (awarded,) = body["releases"][4]["awards"]
    # Rennes (10) dropped out: 50 licences at the 850 tier.
    assert awarded["value"] == {"amount": 42500.0, "currency": "EUR"}
    assert awarded["suppliers"][0]["name"] == "Startup Vision"
    assert [b["name"] for b in awarded["buyers"]] == ["Brest Metropole", "Quimper Police"]
    # Two offers: 42 500 paid against 50 × 800 published (6.2 % more) and against 50 × 880,
    # the lowest price either bidder gives 20 or 30 licences alone (3.4 % saved).
    assert "Offers received: 2." in awarded["description"]
    assert (
        "6.2 % more paid against the published estimate (40000.00 EUR)" in (awarded["description"])
    )
    assert "3.4 % saved against each buyer" in awarded["description"]
    assert "realised" not in awarded["description"].lower()
    # The contract runs from the start of its first day through its last (730 days later).
    period = awarded["contractPeriod"]
    assert period == {
        "startDate": stamp(award.contract_start),
        "endDate": stamp(award.contract_end).replace("T00:00:00Z", "T23:59:59Z"),
        "durationInDays": 731,
    }
    # Recorded together, the award and its contracts are dated a second apart, in order; the
    # award at its decision, or just after the releases published with it took that second.
    dates = [release["date"] for release in body["releases"][4:]]
    decided = award.decided_at.replace(microsecond=0)
    assert dates == sorted(set(dates))
    assert stamp(decided) <= dates[0] <= stamp(decided + dt.timedelta(seconds=5))
    contracts = [r["contracts"][0] for r in body["releases"][5:]]
    assert [c["buyer"]["name"] for c in contracts] == ["Brest Metropole", "Quimper Police"]
    assert [c["value"]["amount"] for c in contracts] == [17000.0, 25500.0]
    assert {c["awardID"] for c in contracts} == {awarded["id"]}
    assert [c["id"] for c in contracts] == [line.reference for line in award.lines]
    roles = {party["name"]: party["roles"] for party in body["releases"][4]["parties"]}
    assert roles["Startup Vision"] == ["supplier", "tenderer"]
    assert roles["City of Rennes"] == ["buyer"]


def test_unsuccessful_and_cancelled_calls_say_so(
    app: Flask,
    client: FlaskClient,
    create_user: Callable[..., User],
    release_schema: dict[str, Any],
    package_validator: Draft4Validator,
) -> None:
    authority = _authority(create_user)
    scene = public_builders.scene(authority)
    call = public_builders.open_call(scene)
    public_builders.pass_deadline(call)
    public_builders.unsuccessful(scene, call, "No offer was received.")
    body = _package(client, call.ocid)
    assert_valid(package_validator, release_schema, body)
    last = body["releases"][-1]
    assert last["tender"]["status"] == "unsuccessful"
    assert last["awards"][0]["status"] == "unsuccessful"
    assert last["awards"][0]["description"] == "No offer was received."

    other = public_builders.scene(authority, norm_code="PUB-NORM-2", suffix=" (2)")
    cancelled = public_builders.open_call(other, document=False)
    public_builders.cancel(other, cancelled, "The buyers' budgets were withdrawn.")
    body = _package(client, cancelled.ocid)
    assert_valid(package_validator, release_schema, body)
    assert [r["tag"] for r in body["releases"]] == [["tender"], ["tenderCancellation"]]
    assert body["releases"][1]["tender"]["status"] == "cancelled"
    assert "budgets were withdrawn" in body["releases"][1]["tender"]["description"]


def test_a_need_is_a_planning_process_without_its_ceiling(
    app: Flask,
    client: FlaskClient,
    create_user: Callable[..., User],
    release_schema: dict[str, Any],
    package_validator: Draft4Validator,
) -> None:
    scene = public_builders.scene(_authority(create_user))
    need = scene.needs[0]
    body = _package(client, need_ocid(need))
    assert_valid(package_validator, release_schema, body)
    (release,) = body["releases"]
    assert release["tag"] == ["planning"] and release["buyer"]["name"] == "City of Rennes"
    assert release["tender"]["items"][0]["quantity"] == 10
    assert not public_builders.reveals(public_builders.text_of(body), "900")
    need.status = NeedStatus.WITHDRAWN
    db.session.commit()
    # What was published stays published: a withdrawn need gets an update saying so.
    after = _package(client, need_ocid(need))
    assert_valid(package_validator, release_schema, after)
    assert after["releases"][0] == release
    update = after["releases"][1]
    assert update["tag"] == ["planningUpdate"] and update["tender"]["status"] == "withdrawn"
    assert update["id"] == f"{release['id']}-v2" and update["date"] > release["date"]
    for unknown in ("ocds-sfreg1-CALL-99999", "ocds-other-NEED-00001", "nonsense", "x" * 300):
        response = client.get(f"/procurement/ocds/{unknown}.json")
        assert response.status_code == 404
        assert response.json is not None and response.json["status"] == 404


def test_the_bulk_package_holds_every_release_and_pages(
    app: Flask,
    client: FlaskClient,
    create_user: Callable[..., User],
    release_schema: dict[str, Any],
    package_validator: Draft4Validator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scene = public_builders.scene(_authority(create_user))
    call = public_builders.open_call(scene)
    startup, _ = public_builders.two_offers(scene, call)
    public_builders.pass_deadline(call)
    public_builders.award(scene, call, startup)
    response = client.get("/procurement/ocds.json")
    assert response.status_code == 200
    body = response.json
    assert body is not None
    assert_valid(package_validator, release_schema, body)
    ids = [r["id"] for r in body["releases"]]
    # 3 needs' planning releases, then tender (twice: opened, deadline moved), bids (twice:
    # pending, evaluated), award and 3 contracts.
    assert len(ids) == 11 and len(set(ids)) == 11 and "links" not in body
    assert body["publicationPolicy"].endswith("/procurement/public/open-data")
    monkeypatch.setitem(app.config, "OCDS_PAGE_SIZE", 4)
    first = client.get("/procurement/ocds.json").json
    assert first is not None and len(first["releases"]) == 4
    assert first["links"]["next"].endswith("/procurement/ocds.json?page=2")
    third = client.get("/procurement/ocds.json?page=3").json
    assert third is not None and len(third["releases"]) == 3 and "next" not in third["links"]
    assert_valid(package_validator, release_schema, third)
    assert client.get("/procurement/ocds.json?page=4").status_code == 404
    again = client.get("/procurement/ocds.json?page=1", headers={"If-None-Match": "x"})
    etag = again.headers["ETag"]
    cached = client.get("/procurement/ocds.json?page=1", headers={"If-None-Match": etag})
    assert cached.status_code == 304


def test_before_anything_is_published_the_bulk_package_says_so(client: FlaskClient) -> None:
    """An empty package would break the schema (one release at least): a clear 404 instead."""
    response = client.get("/procurement/ocds.json")
    assert response.status_code == 404
    assert response.json is not None
    assert "Nothing is published yet" in response.json["detail"]


def test_the_demo_data_publishes_valid_packages(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    release_schema: dict[str, Any],
    package_validator: Draft4Validator,
) -> None:
    """Calls opened, offered on and awarded through the services publish valid packages."""
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    body = client.get("/procurement/ocds.json").json
    assert body is not None
    assert_valid(package_validator, release_schema, body)
    tags = {tag for release in body["releases"] for tag in release["tag"]}
    assert {"planning", "tender", "tenderUpdate", "award", "contract"} <= tags
    ids = [release["id"] for release in body["releases"]]
    assert len(ids) == len(set(ids))
    for call in db.session.scalars(select(JointCall)):
        package = _package(client, call.ocid)
        assert_valid(package_validator, release_schema, package)
        if not call.deadline_passed():
            assert '"bids"' not in public_builders.text_of(package)
