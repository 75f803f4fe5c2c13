"""Norm pages: the public list, norm, version and comparison pages, and the authority's editor."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from registry import dates
from registry.database import db
from registry.models import OrganisationKind, User
from registry.norms import drafting, services
from registry.norms.models import Norm, NormCriterion, NormVersion, NormVersionStatus
from tests.norms.norm_builders import category_id, content, draft, published, superseded


@pytest.fixture
def authority(create_user: Callable[..., User]) -> User:
    """An authority user."""
    return create_user(kind=OrganisationKind.AUTHORITY)


@pytest.fixture
def authority_client(app: Flask, authority: User, login: Any) -> FlaskClient:
    """A client signed in as the authority."""
    client = app.test_client()
    login(client, authority)
    return client


def _text(response: TestResponse) -> str:
    return response.get_data(as_text=True)


# ------------------------------------------------------------------------------ public pages


def test_the_public_list_filters_and_hides_drafts(
    app: Flask, client: FlaskClient, authority: User
) -> None:
    published(authority, "VA-ONE", "video-analysis")
    published(authority, "CYB-ONE", "cybersecurity")
    draft(authority, "DRAFT-ONLY")
    body = _text(client.get("/norms"))
    assert "VA-ONE" in body and "CYB-ONE" in body
    assert "DRAFT-ONLY" not in body
    filtered = _text(client.get("/norms?category=cybersecurity"))
    assert "CYB-ONE" in filtered and "VA-ONE" not in filtered
    empty = client.get("/norms?status=withdrawn")
    assert empty.status_code == 200
    assert "No norm matches these filters" in _text(empty)
    # Unknown filter values are ignored rather than failing.
    assert client.get("/norms?category=%27%20OR%201=1--&status=((&page=-3").status_code == 200


def test_the_list_is_paginated(app_factory: Callable[..., Flask], authority: User) -> None:
    for index in range(3):
        published(authority, f"NORM-{index}")
    small = app_factory(PER_PAGE=2)
    client = small.test_client()
    first = _text(client.get("/norms"))
    assert "NORM-0" in first and "NORM-1" in first and "NORM-2" not in first
    assert "Showing 1–2 of 3" in first
    second = _text(client.get("/norms?page=2"))
    assert "NORM-2" in second and "NORM-0" not in second


def test_an_empty_registry_says_so(client: FlaskClient) -> None:
    assert "No norm has been published yet" in _text(client.get("/norms"))


def test_a_version_page_shows_every_criterion_by_section(
    app: Flask, client: FlaskClient, authority: User
) -> None:
    version = published(authority)
    body = _text(client.get("/norms/TEST-NORM/versions/1"))
    for criterion in version.criteria:
        assert criterion.code in body and criterion.guidance in body
    assert body.index("Interoperability") < body.index("ONVIF-S") < body.index("Privacy")
    assert "Certified" in body and "60 %" in body and "24 months" in body
    assert "ONVIF Profile S" in body
    # Lowercase codes in the address find the same norm.
    assert client.get("/norms/test-norm/versions/1").status_code == 200
    assert client.get("/norms/TEST-NORM/versions/9").status_code == 404
    assert client.get("/norms/NO-SUCH").status_code == 404


def test_a_superseded_version_says_when_recertification_is_due(
    app: Flask, client: FlaskClient, authority: User
) -> None:
    first, _ = superseded(authority)
    assert first.transition_date is not None
    body = _text(client.get("/norms/TEST-NORM/versions/1"))
    assert "Superseded by" in body
    assert f"re-certification due” after {first.transition_date.isoformat()}" in body
    norm_page = _text(client.get("/norms/TEST-NORM"))
    assert f"re-certification due after {first.transition_date.isoformat()}" in norm_page


def test_drafts_answer_404_to_everyone_but_the_authority(
    app: Flask,
    client: FlaskClient,
    authority: User,
    authority_client: FlaskClient,
    create_user: Callable[..., User],
    login: Any,
) -> None:
    first = published(authority)
    services.start_draft(authority, first.norm)
    draft(authority, "HIDDEN")
    db.session.commit()
    vendor_client = client.application.test_client()
    login(vendor_client, create_user(kind=OrganisationKind.VENDOR))
    for visitor in (client, vendor_client):
        assert visitor.get("/norms/TEST-NORM/versions/2").status_code == 404
        assert visitor.get("/norms/TEST-NORM/compare?from=1&to=2").status_code == 404
        assert visitor.get("/norms/HIDDEN").status_code == 404
        assert "Version 2" not in _text(visitor.get("/norms/TEST-NORM"))
        assert visitor.get("/api/v1/norms/TEST-NORM/versions/2").status_code == 404
        assert visitor.get("/api/v1/norms/HIDDEN").status_code == 404
    assert authority_client.get("/norms/TEST-NORM/versions/2").status_code == 200
    assert authority_client.get("/norms/HIDDEN").status_code == 200
    assert "This is a draft" in _text(authority_client.get("/norms/TEST-NORM/versions/2"))


def test_the_comparison_marks_changes_in_words(
    app: Flask, client: FlaskClient, authority: User
) -> None:
    superseded(authority)
    body = _text(client.get("/norms/TEST-NORM/compare?from=1&to=2"))
    rows = re.findall(
        r'<tr class="change-row-(\w+)">\s*<th scope="row"[^>]*><code>([^<]+)</code>', body
    )
    assert ("added", "AUDIT") in rows
    assert ("removed", "MASK") in rows
    assert ("changed", "EXPORT") in rows
    assert ("unchanged", "ONVIF-S") in rows
    # Not only by colour: each change is written out.
    assert "Added</span>" in body and "Removed</span>" in body and "Changed</span>" in body
    assert "weight" in body
    # Without arguments, the two latest versions are compared.
    assert "Version 1 → version 2" in _text(client.get("/norms/TEST-NORM/compare"))
    assert client.get("/norms/TEST-NORM/compare?from=1&to=7").status_code == 404
    assert client.get("/norms/TEST-NORM/compare?from=x&to=").status_code == 200


def test_one_version_has_nothing_to_compare(
    app: Flask, client: FlaskClient, authority: User
) -> None:
    published(authority)
    assert "nothing to compare" in _text(client.get("/norms/TEST-NORM/compare"))


def test_user_text_is_escaped(app: Flask, client: FlaskClient, authority: User) -> None:
    version = draft(authority, "XSS-1")
    services.update_norm_details(
        authority,
        version.norm,
        '<script>alert(1)</script>"><img src=x onerror=alert(2)>',
        category_id(),
        "<b>bold</b>",
    )
    services.publish_version(authority, version)
    db.session.commit()
    for path in ("/norms", "/norms/XSS-1", "/norms/XSS-1/versions/1"):
        body = _text(client.get(path))
        assert "<script>alert(1)</script>" not in body
        assert "<img src=x" not in body
        assert "&lt;script&gt;" in body


# ------------------------------------------------------------------------------ the editor


def test_the_authority_writes_and_publishes_a_norm_through_the_pages(
    app: Flask, authority_client: FlaskClient
) -> None:
    client = authority_client
    assert "New norm" in _text(client.get("/norms"))
    response = client.post(
        "/admin/norms/new",
        data={"code": "acc-test", "title": "Access test", "category_id": category_id()},
    )
    assert response.status_code == 302
    assert response.location.endswith("/admin/norms/ACC-TEST/versions/1/edit")
    editor = _text(client.get(response.location))
    assert "No sections yet" in editor and "Add at least one criterion." in editor

    response = client.post(
        "/admin/norms/ACC-TEST/versions/1/sections", data={"section-title": "Readers"}
    )
    assert response.status_code == 302
    norm = db.session.scalar(select(Norm).where(Norm.code == "ACC-TEST"))
    assert norm is not None
    section_id = norm.versions[0].sections[0].id
    response = client.post(
        f"/admin/norms/ACC-TEST/versions/1/sections/{section_id}/criteria/new",
        data={
            "section_id": section_id,
            "code": "osdp-2",
            "title": "OSDP Secure Channel",
            "guidance": "AES-128 on by default.",
            "kind": "pass_fail",
            "weight": "3",
            "evidence_required": "y",
        },
    )
    assert response.status_code == 302
    response = client.post(
        "/admin/norms/ACC-TEST/versions/1/settings",
        data={
            "settings-validity_months": "24",
            "settings-level_1_name": "Certified",
            "settings-level_1_minimum": "60",
            "settings-level_2_name": "Advanced",
            "settings-level_2_minimum": "85",
            "settings-standards": "IEC 60839-11-5\nEN 60839-11-1",
            "settings-change_note": "First.",
        },
    )
    assert response.status_code == 302

    page = _text(client.get("/admin/norms/ACC-TEST/versions/1/publish"))
    assert "All checks pass" in page and "Transition date" not in page
    refused = client.post("/admin/norms/ACC-TEST/versions/1/publish", data={})
    assert "Tick the box to confirm" in _text(refused)
    response = client.post("/admin/norms/ACC-TEST/versions/1/publish", data={"confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    version = norm.versions[0]
    assert version.status is NormVersionStatus.PUBLISHED
    (criterion,) = version.criteria
    assert (criterion.code, criterion.mandatory, criterion.weight) == ("OSDP-2", True, 3)
    assert services.thresholds_of(version) == [("Certified", 60), ("Advanced", 85)]
    assert [s.reference for s in version.standards] == ["IEC 60839-11-5", "EN 60839-11-1"]
    public = _text(client.application.test_client().get("/norms/ACC-TEST/versions/1"))
    assert "OSDP Secure Channel" in public


def test_the_publish_page_lists_the_problems_first(
    app: Flask, authority: User, authority_client: FlaskClient
) -> None:
    norm = services.create_norm(authority, "EMPTY-NORM", "Empty", category_id())
    drafting.add_section(authority, norm.versions[0], "Lonely section")
    db.session.commit()
    page = _text(authority_client.get("/admin/norms/EMPTY-NORM/versions/1/publish"))
    assert "cannot be published yet" in page
    assert "Add at least one criterion." in page
    assert "Lonely section" in page
    assert "Publish version 1</button>" not in page
    response = authority_client.post(
        "/admin/norms/EMPTY-NORM/versions/1/publish", data={"confirm": "y"}
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert norm.versions[0].status is NormVersionStatus.DRAFT


def test_a_second_version_needs_a_transition_date(
    app: Flask, authority: User, authority_client: FlaskClient
) -> None:
    first = published(authority)
    services.start_draft(authority, first.norm)
    db.session.commit()
    page = _text(authority_client.get("/admin/norms/TEST-NORM/versions/2/publish"))
    assert "Transition date" in page
    yesterday = (dates.today() - dt.timedelta(days=1)).isoformat()
    for data, message in (
        ({"confirm": "y"}, "give the transition date"),
        ({"confirm": "y", "transition_date": yesterday}, "cannot be in the past"),
        ({"confirm": "y", "transition_date": "2026-02-31"}, "Enter a real date for"),
        ({"confirm": "y", "transition_date": "99999-01-01"}, "Enter a real date for"),
    ):
        body = _text(authority_client.post("/admin/norms/TEST-NORM/versions/2/publish", data=data))
        assert message in body, data
    db.session.expire_all()
    assert first.status is NormVersionStatus.PUBLISHED
    in_a_month = (dates.today() + dt.timedelta(days=30)).isoformat()
    response = authority_client.post(
        "/admin/norms/TEST-NORM/versions/2/publish",
        data={"confirm": "y", "transition_date": in_a_month},
    )
    assert response.status_code == 302
    stored = select(NormVersion.status).where(NormVersion.id == first.id)
    assert db.session.scalar(stored) is NormVersionStatus.SUPERSEDED
    db.session.expire_all()
    assert first.transition_date is not None and first.transition_date.isoformat() == in_a_month


def test_forms_keep_what_was_typed_when_refused(
    app: Flask, authority: User, authority_client: FlaskClient
) -> None:
    version = draft(authority)
    section_id = version.sections[0].id
    response = authority_client.post(
        f"/admin/norms/TEST-NORM/versions/1/sections/{section_id}/criteria/new",
        data={
            "section_id": section_id,
            "code": "onvif-s",
            "title": "A title I typed",
            "guidance": "Guidance I typed",
            "kind": "scored",
            "weight": "4",
        },
    )
    body = _text(response)
    assert response.status_code == 200
    assert "ONVIF-S is already used in this version" in body
    assert "A title I typed" in body and "Guidance I typed" in body
    response = authority_client.post(
        "/admin/norms/TEST-NORM/versions/1/settings",
        data={
            "settings-validity_months": "24",
            "settings-level_1_name": "Certified",
            "settings-level_1_minimum": "80",
            "settings-level_2_name": "Advanced",
            "settings-level_2_minimum": "60",
            "settings-standards": "Standard I typed",
        },
    )
    body = _text(response)
    assert "strictly above" in body and "Standard I typed" in body
    export = next(c for c in version.criteria if c.code == "EXPORT")
    for weight in ("0", "-1", "1e309", "NaN", "101"):
        response = authority_client.post(
            f"/admin/norms/TEST-NORM/versions/1/criteria/{export.id}/edit",
            data={
                "section_id": section_id,
                "code": "EXPORT",
                "title": "T",
                "kind": "scored",
                "weight": weight,
            },
        )
        assert response.status_code == 200 and "There is a problem" in _text(response), weight
    db.session.expire_all()
    assert [(c.code, c.weight) for c in version.ordered_criteria()] == [
        ("ONVIF-S", 3),
        ("EXPORT", 2),
        ("MASK", 1),
    ]


def test_editor_buttons_move_and_delete(
    app: Flask, authority: User, authority_client: FlaskClient
) -> None:
    version = draft(authority)
    interop, privacy = version.sections
    export = next(c for c in version.criteria if c.code == "EXPORT")
    base = "/admin/norms/TEST-NORM/versions/1"
    authority_client.post(f"{base}/sections/{privacy.id}/move", data={"direction": "up"})
    authority_client.post(f"{base}/criteria/{export.id}/move", data={"direction": "up"})
    authority_client.post(f"{base}/sections/{interop.id}/edit", data={"title": "Open interfaces"})
    db.session.expire_all()
    assert [s.title for s in version.sections] == ["Privacy", "Open interfaces"]
    assert [c.code for c in interop.criteria] == ["EXPORT", "ONVIF-S"]
    authority_client.post(f"{base}/criteria/{export.id}/delete")
    authority_client.post(f"{base}/sections/{privacy.id}/delete")
    db.session.expire_all()
    assert [c.code for c in version.criteria] == ["ONVIF-S"]
    assert [s.title for s in version.sections] == ["Open interfaces"]
    response = authority_client.post(f"{base}/discard")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Norm).where(Norm.code == "TEST-NORM")).versions == []  # type: ignore[union-attr]


def test_no_route_edits_a_published_version(
    app: Flask, authority: User, authority_client: FlaskClient
) -> None:
    version = published(authority)
    section = version.sections[0]
    criterion: NormCriterion = version.criteria[0]
    before = content(version)
    base = "/admin/norms/TEST-NORM/versions/1"
    criterion_form = {
        "section_id": section.id,
        "code": criterion.code,
        "title": "Changed",
        "kind": "scored",
        "weight": "9",
    }
    attempts: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", f"{base}/edit", {}),
        (
            "POST",
            f"{base}/settings",
            {
                "settings-validity_months": "12",
                "settings-level_1_name": "C",
                "settings-level_1_minimum": "10",
            },
        ),
        ("POST", f"{base}/settings", {}),
        ("POST", f"{base}/discard", {}),
        ("POST", f"{base}/sections", {"section-title": "New"}),
        ("GET", f"{base}/sections/{section.id}/edit", {}),
        ("POST", f"{base}/sections/{section.id}/edit", {"title": "Renamed"}),
        ("POST", f"{base}/sections/{section.id}/move", {"direction": "down"}),
        ("POST", f"{base}/sections/{section.id}/delete", {}),
        ("GET", f"{base}/sections/{section.id}/criteria/new", {}),
        ("POST", f"{base}/sections/{section.id}/criteria/new", {**criterion_form, "code": "NEW"}),
        ("GET", f"{base}/criteria/{criterion.id}/edit", {}),
        ("POST", f"{base}/criteria/{criterion.id}/edit", criterion_form),
        ("POST", f"{base}/criteria/{criterion.id}/move", {"direction": "down"}),
        ("POST", f"{base}/criteria/{criterion.id}/delete", {}),
        ("GET", f"{base}/publish", {}),
        ("POST", f"{base}/publish", {"confirm": "y"}),
    ]
    for method, path, data in attempts:
        response = authority_client.open(path, method=method, data=data)
        assert response.status_code == 302, (method, path, response.status_code)
        assert response.location.endswith("/norms/TEST-NORM/versions/1"), (method, path)
        assert content(version) == before, (method, path)
    page = _text(authority_client.get("/norms/TEST-NORM/versions/1"))
    assert "published versions never change" in page


def test_withdrawing_through_the_page(
    app: Flask, authority: User, authority_client: FlaskClient
) -> None:
    version = published(authority)
    page = _text(authority_client.get("/admin/norms/TEST-NORM/withdraw"))
    assert "This cannot be undone" in page and "Version 1, in force today" in page
    refused = authority_client.post("/admin/norms/TEST-NORM/withdraw", data={"reason": "  "})
    assert refused.status_code == 200 and "Give the reason" in _text(refused)
    response = authority_client.post(
        "/admin/norms/TEST-NORM/withdraw", data={"reason": "Replaced by TEST-NORM-2."}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert version.status is NormVersionStatus.WITHDRAWN
    public = _text(authority_client.application.test_client().get("/norms/TEST-NORM"))
    assert "Replaced by TEST-NORM-2." in public
    assert "New draft" not in _text(authority_client.get("/norms/TEST-NORM"))


def test_new_draft_button(app: Flask, authority: User, authority_client: FlaskClient) -> None:
    published(authority)
    response = authority_client.post("/admin/norms/TEST-NORM/drafts")
    assert response.location.endswith("/admin/norms/TEST-NORM/versions/2/edit")
    again = authority_client.post("/admin/norms/TEST-NORM/drafts", follow_redirects=True)
    assert "already being drafted" in _text(again)


# ------------------------------------------------------------------------------ the API


def test_the_api_lists_and_describes_public_norms(
    app: Flask, client: FlaskClient, authority: User
) -> None:
    superseded(authority)
    published(authority, "CYB-ONE", "cybersecurity")
    draft(authority, "DRAFT-ONLY")
    listing = client.get("/api/v1/norms").json
    assert listing is not None
    assert [n["code"] for n in listing["items"]] == ["CYB-ONE", "TEST-NORM"]
    filtered = client.get("/api/v1/norms?category=cybersecurity&status=active").json
    assert filtered is not None and [n["code"] for n in filtered["items"]] == ["CYB-ONE"]
    norm = client.get("/api/v1/norms/TEST-NORM").json
    assert norm is not None
    assert norm["current_version"] == 2
    assert [(v["number"], v["status"]) for v in norm["versions"]] == [
        (2, "published"),
        (1, "superseded"),
    ]
    first = client.get("/api/v1/norms/TEST-NORM/versions/1").json
    assert first is not None
    assert first["recertification_due_after"] == norm["versions"][1]["transition_date"]
    assert first["superseded_by"] == 2
    codes = [c["code"] for s in first["sections"] for c in s["criteria"]]
    assert codes == ["ONVIF-S", "EXPORT", "MASK"]
    assert first["levels"] == [
        {"name": "Certified", "minimum_percent": 60},
        {"name": "Advanced", "minimum_percent": 80},
    ]
