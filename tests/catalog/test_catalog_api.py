"""The public JSON API of solutions and vendors, and the catalog's demo data behind it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from sqlalchemy import func, select

from catalog.api import EXAMPLE_SOLUTION_ID, EXAMPLE_VENDOR_ID, PATHS
from catalog.demo import demo_entries, seed_demo_solutions
from catalog.models import Solution, SolutionStatus
from registry.database import db
from registry.demo import VENDORS, seed_demo
from registry.models import Organisation, OrganisationKind, OrganisationStatus, User
from tests.catalog.solution_builders import archived, draft, published


@pytest.fixture
def vendor(create_user: Callable[..., User]) -> User:
    """A member of an active vendor organisation."""
    return create_user(kind=OrganisationKind.VENDOR)


def _seed_catalog_demo(app: Flask) -> None:
    with app.test_request_context(base_url=app.config["BASE_URL"]):
        seed_demo()
        db.session.commit()
        seed_demo_solutions()
        db.session.commit()


def test_lists_only_published_solutions_with_filters(
    app: Flask, client: FlaskClient, vendor: User, create_user: Callable[..., User]
) -> None:
    live = published(vendor, name="Live", primary_category="cybersecurity")
    published(vendor, name="Camera", primary_category="video-protection", activities=["planning"])
    draft(vendor, name="Secret draft")
    archived(vendor, name="Old")
    body = client.get("/api/v1/solutions").json
    assert body is not None
    assert sorted(item["name"] for item in body["items"]) == ["Camera", "Live"]
    assert body["total"] == 2
    cyber = client.get("/api/v1/solutions?category=cybersecurity").json
    assert cyber is not None and [i["id"] for i in cyber["items"]] == [live.id]
    planning = client.get("/api/v1/solutions?activity=planning").json
    assert planning is not None and [i["name"] for i in planning["items"]] == ["Camera"]
    other_vendor = create_user(kind=OrganisationKind.VENDOR).organisation_id
    assert client.get(f"/api/v1/solutions?vendor={other_vendor}").json["total"] == 0  # type: ignore[index]
    assert client.get("/api/v1/solutions?vendor=1e9").status_code == 400


def test_a_solution_is_public_only_while_published(
    app: Flask, client: FlaskClient, vendor: User
) -> None:
    secret = draft(vendor, name="Secret draft")
    gone = archived(vendor, name="Old")
    live = published(
        vendor,
        name="Live",
        description_markdown="[x](javascript:alert(1)) <script>alert(1)</script> **ok**",
        uses_facial_recognition=True,
        privacy_features="Blurred by default.",
    )
    missing = client.get(f"/api/v1/solutions/{secret.id}")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert missing.json is not None and missing.json["status"] == 404
    assert "Secret draft" not in missing.get_data(as_text=True)
    assert client.get(f"/api/v1/solutions/{gone.id}").status_code == 410
    body = client.get(f"/api/v1/solutions/{live.id}").json
    assert body is not None
    assert body["vendor"] == {"id": vendor.organisation_id, "name": vendor.organisation.name}
    assert body["privacy"] == {
        "sensitive": True,
        "biometrics": False,
        "facial_recognition": True,
        "features": "Blurred by default.",
    }
    assert body["regions"][0] == {"code": "FR", "name": "Nationwide (all of France)"}
    assert (
        "<script" not in body["description_html"]
        and 'href="javascript:' not in body["description_html"]
    )
    assert "<strong>ok</strong>" in body["description_html"]
    assert body["url"].endswith(f"/solutions/{live.id}")


def test_responses_carry_etags(app: Flask, client: FlaskClient, vendor: User) -> None:
    live = published(vendor)
    first = client.get(f"/api/v1/solutions/{live.id}")
    again = client.get(
        f"/api/v1/solutions/{live.id}", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    live.summary = "Changed."
    db.session.commit()
    changed = client.get(
        f"/api/v1/solutions/{live.id}", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]


def test_vendors_are_the_active_vendor_organisations_with_their_published_ids(
    app: Flask,
    client: FlaskClient,
    vendor: User,
    create_organisation: Callable[..., Organisation],
) -> None:
    live = published(vendor)
    draft(vendor, name="Draft")
    pending = create_organisation(OrganisationKind.VENDOR, OrganisationStatus.PENDING)
    buyer = create_organisation(OrganisationKind.BUYER)
    body = client.get("/api/v1/vendors").json
    assert body is not None
    assert [item["id"] for item in body["items"]] == [vendor.organisation_id]
    detail = client.get(f"/api/v1/vendors/{vendor.organisation_id}").json
    assert detail is not None and detail["solution_ids"] == [live.id]
    assert detail["size"] == "startup"
    for hidden in (pending.id, buyer.id):
        assert client.get(f"/api/v1/vendors/{hidden}").status_code == 404


def test_demo_data_is_rich_varied_and_loads_once(app: Flask) -> None:
    _seed_catalog_demo(app)
    count = db.session.scalar(select(func.count()).select_from(Solution))
    _seed_catalog_demo(app)
    assert db.session.scalar(select(func.count()).select_from(Solution)) == count
    entries = demo_entries()
    assert count == len(entries) >= 40
    states = dict(
        db.session.execute(select(Solution.status, func.count()).group_by(Solution.status)).all()
    )
    assert states[SolutionStatus.PUBLISHED] >= 40
    assert states[SolutionStatus.DRAFT] >= 2
    assert states[SolutionStatus.ARCHIVED] == 1
    solutions = db.session.scalars(select(Solution)).all()
    public = [s for s in solutions if s.status is SolutionStatus.PUBLISHED]
    assert len({s.primary_category_id for s in public}) == 11
    assert len({s.vendor_id for s in solutions}) == len(VENDORS)
    assert any(s.privacy_sensitive for s in public) and any(not s.privacy_sensitive for s in public)
    assert all(s.description_markdown and s.standards and s.regions for s in public)
    assert any(len(s.activities) > 1 for s in public)  # multipurpose use


def test_every_catalog_api_path_matches_its_schema_on_the_demo_data(
    app: Flask, client: FlaskClient
) -> None:
    _seed_catalog_demo(app)
    assert db.session.get(Solution, EXAMPLE_SOLUTION_ID).status is SolutionStatus.PUBLISHED  # type: ignore[union-attr]
    assert db.session.get(Organisation, EXAMPLE_VENDOR_ID).kind is OrganisationKind.VENDOR  # type: ignore[union-attr]
    document = client.get("/api/v1/openapi.json").json
    assert document is not None
    examples = {"solution_id": str(EXAMPLE_SOLUTION_ID), "organisation_id": str(EXAMPLE_VENDOR_ID)}
    for template in PATHS:
        assert template in document["paths"]
        path = re.sub(r"{(\w+)}", lambda m: examples[m.group(1)], template)
        response = client.get(f"/api/v1{path}?per_page=200")
        assert response.status_code == 200, path
        schema = PATHS[template]["get"]["responses"]["200"]["content"]["application/json"]
        validator = Draft202012Validator({**schema["schema"], "components": document["components"]})
        errors: list[Any] = list(validator.iter_errors(response.json))
        assert not errors, f"{path}: {errors[0].message}"
    listed = client.get("/api/v1/solutions?per_page=200").json
    assert listed is not None and listed["total"] >= 40
