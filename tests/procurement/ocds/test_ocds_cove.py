"""libcoveocds, the Open Contracting Partnership's own checker, accepts every package we serve.

Every page of /procurement/ocds.json and the package of every ocid, on the demo data and on calls
at each stage (taking offers, offers unsealed, awarded with contracts, unsuccessful, cancelled),
give no validation error, no invalid extension, no field outside the declared extensions, no
deprecated field and no code outside a codelist, except what ``ALLOWED`` lists with its reason
(the README's OCDS bullet repeats them). libcoveocds runs on the local copies of the standard
only (tests/procurement/ocds_cove.py): a URL it tries that we hold no copy of is a finding too.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from procurement.calls.enquiries import services
from procurement.calls.models import CallStatus, JointCall, OfferStatus
from procurement.ocds.packages import EXTENSIONS
from registry.database import db
from registry.models import OrganisationKind, User
from tests.procurement import public_builders
from tests.procurement.ocds import ocds_cove, ocds_schema

# (finding, codelist or path, code or field) → why the finding is right for us.
ALLOWED = {
    (
        "additional_open_codelist_values",
        "itemClassificationScheme.csv",
        "x_safetech_category",
    ): (
        "Items are classified by the registry's own technology categories, a scheme no entry of "
        "the open itemClassificationScheme codelist covers; the x_ prefix marks it as ours."
    ),
    ("additional_open_codelist_values", "locationGazetteers.csv", "ISO3166-2"): (
        "Delivery regions are ISO 3166-2 subdivision codes (FR-BRE); the open locationGazetteers "
        "codelist has ISO 3166-1 country codes (ISO2, used for the whole country) but no entry "
        "for subdivisions."
    ),
    ("additional_fields", "", "links"): (
        "The pages of /procurement/ocds.json link to the next and previous page with `links`, "
        "which the declared Pagination extension adds to the package schema; libcoveocds "
        "applies extensions' release-schema.json only, not their release-package-schema.json."
    ),
}


def unexplained(findings: dict[str, Any], used: set[tuple[str, str, str]]) -> dict[str, Any]:
    """The findings ``ALLOWED`` does not explain; adds the allowances that applied to ``used``."""
    left: dict[str, Any] = {}
    for kind, value in findings.items():
        if kind in ("additional_open_codelist_values", "additional_closed_codelist_values"):
            rest = {}
            for path, entry in value.items():
                codes = []
                for code in entry["values"]:
                    key = (kind, entry["codelist"], code)
                    if key in ALLOWED:
                        used.add(key)
                    else:
                        codes.append(code)
                if codes:
                    rest[path] = codes
            value = rest
        elif kind == "additional_fields":
            keys = [(kind, item["path"], item["field"]) for item in value]
            used.update(key for key in keys if key in ALLOWED)
            value = [item for item, key in zip(value, keys, strict=True) if key not in ALLOWED]
        if value:
            left[kind] = value
    return left


def served_packages(client: FlaskClient) -> dict[str, dict[str, Any]]:
    """Every page of the bulk package, then the package of each ocid in it, by URL."""
    packages: dict[str, dict[str, Any]] = {}
    url: str | None = "/procurement/ocds.json"
    ocids: list[str] = []
    while url is not None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        body: dict[str, Any] = response.json  # type: ignore[assignment]
        packages[url] = body
        ocids += [r["ocid"] for r in body["releases"] if r["ocid"] not in ocids]
        following = urlsplit(body.get("links", {}).get("next", ""))
        url = f"{following.path}?{following.query}" if following.path else None
    for ocid in ocids:
        response = client.get(f"/procurement/ocds/{ocid}.json")
        assert response.status_code == 200, ocid
        packages[f"/procurement/ocds/{ocid}.json"] = response.json  # type: ignore[assignment]
    return packages


def assert_accepted(packages: dict[str, dict[str, Any]], tmp_path: Path) -> set[Any]:
    """libcoveocds and the rules beyond the schema find nothing unexplained in any package."""
    release = ocds_schema.release_schema()
    used: set[tuple[str, str, str]] = set()
    for url, body in packages.items():
        assert body["extensions"] == EXTENSIONS, url
        report = ocds_cove.check(body, tmp_path)
        assert not unexplained(report.findings(), used), url
        assert not ocds_schema.problems(release, body), url
    return used


@pytest.fixture
def journey(app: Flask, create_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch) -> None:
    """A call at each stage, and bulk pages small enough that there are several."""
    authority = create_user(kind=OrganisationKind.AUTHORITY)
    awarded_scene = public_builders.scene(authority)
    awarded = public_builders.open_call(awarded_scene)
    startup, _ = public_builders.two_offers(awarded_scene, awarded)
    public_builders.pass_deadline(awarded)
    public_builders.award(awarded_scene, awarded, startup, dropout_buyers=(0,))

    unsealed_scene = public_builders.scene(authority, norm_code="PUB-NORM-2", suffix=" (2)")
    _, withdrawn = public_builders.two_offers(
        unsealed_scene, public_builders.pass_deadline(public_builders.open_call(unsealed_scene))
    )
    withdrawn.status = OfferStatus.WITHDRAWN  # kept, published as a withdrawn bid
    withdrawn.withdrawn_at = withdrawn.updated_at
    db.session.commit()

    taking_scene = public_builders.scene(authority, norm_code="PUB-NORM-3", suffix=" (3)")
    taking = public_builders.open_call(taking_scene)
    public_builders.two_offers(taking_scene, taking)
    # A published answer and a corrigendum: tender.enquiries and tender.amendments.
    question = services.ask_question(
        taking_scene.vendors[0], taking, "Is hosting in the EU enough?"
    )
    services.answer_question(taking_scene.authority, question, "Hosting must be in France.")
    services.publish_corrigendum(taking_scene.authority, taking, "Annex 2 is replaced.")
    db.session.commit()

    failed_scene = public_builders.scene(authority, norm_code="PUB-NORM-4", suffix=" (4)")
    failed = public_builders.pass_deadline(public_builders.open_call(failed_scene))
    public_builders.unsuccessful(failed_scene, failed, "No offer was received.")

    cancelled_scene = public_builders.scene(authority, norm_code="PUB-NORM-5", suffix=" (5)")
    cancelled = public_builders.open_call(cancelled_scene, document=False)
    public_builders.cancel(cancelled_scene, cancelled, "The buyers' budgets were withdrawn.")
    monkeypatch.setitem(app.config, "OCDS_PAGE_SIZE", 7)


@pytest.mark.usefixtures("journey")
def test_calls_at_every_stage_pass_the_checker(client: FlaskClient, tmp_path: Path) -> None:
    packages = served_packages(client)
    tags = {tag for body in packages.values() for r in body["releases"] for tag in r["tag"]}
    assert tags == {
        "planning",
        "tender",
        "tenderUpdate",
        "tenderCancellation",
        "award",
        "contract",
    }
    assert sum(1 for url in packages if "ocds.json" in url) > 2  # several bulk pages
    statuses = {
        bid["status"]
        for body in packages.values()
        for release in body["releases"]
        for bid in release.get("bids", {}).get("details", [])
    }
    assert "withdrawn" in statuses
    assert assert_accepted(packages, tmp_path) == set(ALLOWED)


def test_the_demo_data_passes_the_checker(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    everything = client.get("/procurement/ocds.json").json
    assert everything is not None
    monkeypatch.setitem(app.config, "OCDS_PAGE_SIZE", len(everything["releases"]) // 3 + 1)
    packages = served_packages(client)
    assert sum(1 for url in packages if "ocds.json" in url) == 3
    assert len(packages) > 5
    assert assert_accepted(packages, tmp_path) == set(ALLOWED)


@pytest.mark.usefixtures("journey")
def test_the_checker_reports_what_breaks_the_standard(client: FlaskClient, tmp_path: Path) -> None:
    """The offline checker does check: an extension we hold no copy of, a field of an extension
    left undeclared, a code outside a closed codelist, a missing field; and the rules beyond it
    catch a deprecated code, a duration that does not match its period, releases out of order."""
    ocid = db.session.scalars(
        select(JointCall.ocid).where(JointCall.status == CallStatus.AWARDED)
    ).one()
    body: dict[str, Any] = client.get(f"/procurement/ocds/{ocid}.json").json  # type: ignore[assignment]
    assert any("details" in party for party in body["releases"][-1]["parties"])

    broken = copy.deepcopy(body)
    broken["extensions"] = [url for url in EXTENSIONS if "partyDetails_scale" not in url]
    unknown = "open-contracting-extensions/ocds_unknown_extension"
    broken["extensions"].append(f"https://raw.githubusercontent.com/{unknown}/v1/extension.json")
    broken["releases"][0]["tender"]["status"] = "halfway"
    del broken["releases"][1]["initiationType"]
    findings = ocds_cove.check(broken, tmp_path).findings()
    assert set(findings["unexpected_urls"]) == {f"https://github.com/{unknown}/archive/v1.zip"}
    assert [url for url, _ in findings["invalid_extensions"]] == [broken["extensions"][-1]]
    assert {(item["path"], item["field"]) for item in findings["additional_fields"]} == {
        ("/releases/parties/details", "scale")
    }
    assert findings["additional_closed_codelist_values"]["releases/tender/status"]["values"] == [
        "halfway"
    ]
    assert [(e["path"], e["description"]) for e in findings["validation_errors"]] == [
        ("releases/1", "'initiationType' is missing but required")
    ]

    release = ocds_schema.release_schema()
    late = copy.deepcopy(body)
    late["releases"][0]["tender"]["awardCriteria"] = "lowestCost"
    late["releases"][0]["tender"]["contractPeriod"] = {
        "startDate": "2027-01-01T00:00:00Z",
        "endDate": "2027-12-31T23:59:59Z",
        "durationInDays": 360,
    }
    late["releases"][-1]["date"] = late["releases"][0]["date"]
    found = ocds_schema.problems(release, late)
    assert any("'lowestCost' is deprecated in awardCriteria.csv" in p for p in found), found
    assert any("durationInDays 360 for 365 days" in p for p in found), found
    assert any("is not dated after" in p for p in found), found
