"""The priority maps in the JSON API: stable ids, pagination, ETags, and never a draft."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from registry.database import db
from registry.models import OrganisationKind, User
from registry.priorities import services
from registry.priorities.demo import national_v2
from registry.priorities.grid import CellValue
from registry.priorities.models import PriorityLevel


@pytest.fixture
def authority(create_user: Callable[..., User]) -> User:
    return create_user(kind=OrganisationKind.AUTHORITY)


@pytest.fixture
def published(authority: User) -> None:
    """National versions 1 to 3 (a national draft pending), Bretagne 1, Occitanie only a draft."""
    national = services.ensure_national_map(authority)
    values = dict(national_v2())
    for number, level in enumerate(
        (PriorityLevel.LOW, PriorityLevel.MEDIUM, PriorityLevel.HIGH), 1
    ):
        values[("planning", "cybersecurity")] = CellValue(level, f"Reason {number}")
        draft = services.start_draft(authority, national)
        services.update_draft(authority, draft, values)
        services.publish_draft(authority, draft, f"Note {number}")
    draft = services.start_draft(authority, national)
    values[("planning", "cybersecurity")] = CellValue(PriorityLevel.NONE, "draft only")
    services.update_draft(authority, draft, values)
    bretagne = services.create_regional_map(authority, "Bretagne")
    services.publish_draft(authority, services.start_draft(authority, bretagne), "First")
    services.start_draft(authority, services.create_regional_map(authority, "Occitanie"))
    db.session.commit()


def test_scopes_list_only_published_maps_national_first(
    client: FlaskClient, published: None
) -> None:
    body = client.get("/api/v1/priorities").json
    assert body is not None
    assert [(s["scope"], s["current_version"]) for s in body["items"]] == [
        ("national", 3),
        ("bretagne", 1),
    ]
    assert body["items"][1]["region"] == "Bretagne"
    assert body["items"][0]["region"] is None
    assert body["items"][0]["links"]["self"] == "/api/v1/priorities/national"
    assert body["total"] == 2


def test_the_current_map_has_every_cell_in_map_order(client: FlaskClient, published: None) -> None:
    body = client.get("/api/v1/priorities/national").json
    assert body is not None
    assert body["number"] == 3 and body["current"] is True
    assert body["change_note"] == "Note 3"
    assert len(body["cells"]) == 66
    assert body["cells"][0]["activity"] == "planning"
    assert body["cells"][0]["category"] == "systems-integration"
    cyber = next(
        c for c in body["cells"] if (c["activity"], c["category"]) == ("planning", "cybersecurity")
    )
    assert cyber == {
        "activity": "planning",
        "category": "cybersecurity",
        "level": "high",
        "rationale": "Reason 3",
    }
    assert [a["code"] for a in body["activities"]][:2] == ["planning", "intelligence"]
    assert len(body["categories"]) == 11


def test_versions_are_paginated_newest_first(client: FlaskClient, published: None) -> None:
    first = client.get("/api/v1/priorities/national/versions?per_page=2").json
    assert first is not None
    assert [v["number"] for v in first["items"]] == [3, 2]
    assert (first["total"], first["pages"]) == (3, 2)
    assert first["links"]["next"] == "/api/v1/priorities/national/versions?page=2&per_page=2"
    second = client.get(first["links"]["next"]).json
    assert second is not None
    assert [v["number"] for v in second["items"]] == [1]
    assert second["items"][0]["current"] is False


def test_an_old_version_keeps_its_content(client: FlaskClient, published: None) -> None:
    body = client.get("/api/v1/priorities/national/versions/1").json
    assert body is not None
    cyber = next(
        c for c in body["cells"] if (c["activity"], c["category"]) == ("planning", "cybersecurity")
    )
    assert (cyber["level"], body["current"]) == ("low", False)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/priorities/occitanie",
        "/api/v1/priorities/occitanie/versions",
        "/api/v1/priorities/national/versions/4",
        "/api/v1/priorities/nowhere",
    ],
)
def test_drafts_and_unknown_maps_are_not_found(
    client: FlaskClient, published: None, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert response.json is not None and response.json["status"] == 404


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/priorities/national/versions/0", "number"),
        ("/api/v1/priorities/Not%20A%20Slug", "scope"),
    ],
)
def test_malformed_scopes_and_numbers_are_refused(
    client: FlaskClient, published: None, path: str, parameter: str
) -> None:
    """A scope that is no slug or a version number below 1 breaks the declared parameter."""
    response = client.get(path)
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert response.json is not None and response.json["parameter"] == parameter


def test_no_draft_content_leaks(client: FlaskClient, published: None) -> None:
    for path in ("/api/v1/priorities/national", "/api/v1/priorities/national/versions"):
        assert "draft only" not in client.get(path).get_data(as_text=True)


def test_etags_change_when_a_version_is_published(
    client: FlaskClient, authority: User, published: None
) -> None:
    first = client.get("/api/v1/priorities/national")
    etag = first.headers["ETag"]
    assert (
        client.get("/api/v1/priorities/national", headers={"If-None-Match": etag}).status_code
        == 304
    )
    national = services.get_map("national")
    assert national is not None
    draft = services.draft_of(national)
    assert draft is not None
    services.publish_draft(authority, draft, "Note 4")
    db.session.commit()
    fresh = client.get("/api/v1/priorities/national", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.json is not None and fresh.json["number"] == 4
