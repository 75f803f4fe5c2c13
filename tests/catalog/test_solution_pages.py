"""The vendor's own space, the public solution and vendor pages, and mass assignment."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from catalog.models import Solution, SolutionStatus
from catalog.versions import declare_version
from evaluations import catalog_facts
from registry.database import db
from registry.models import AuditEntry, OrganisationKind, OrganisationStatus, User
from tests.catalog.lists_label_builders import make_label
from tests.catalog.solution_builders import archived, draft, published
from tests.norms.norm_builders import published as published_norm

FULL_FORM = {
    "name": "Quay Guard",
    "primary_category": "video-analysis",
    "activities": ["operation-prevention", "judicial-process"],
    "summary": "Guards the quay.",
    "description_markdown": "## Features\n\n- Detects intrusions",
    "maturity": "pilot",
    "standards": "ONVIF Profile S\r\nIEC 62443-4-2\r\n",
    "deployments": "Port of X, 12 cameras, since 2024",
    "privacy_features": "",
    "price_model": "subscription",
    "price_band": "10k_to_50k",
    "regions": ["FR", "FR-BRE"],
}


@pytest.fixture
def vendor(create_user: Callable[..., User]) -> User:
    """A member of an active vendor organisation."""
    return create_user(kind=OrganisationKind.VENDOR)


@pytest.fixture
def rival(create_user: Callable[..., User]) -> User:
    """A member of another vendor organisation."""
    return create_user(kind=OrganisationKind.VENDOR)


def status_of(solution: Solution) -> SolutionStatus:
    """The solution's status as it stands at this call, after the services changed it."""
    return solution.status


def _text(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def test_a_vendor_creates_edits_publishes_and_archives_through_the_pages(
    app: Flask, client: FlaskClient, login: Callable[..., Any], vendor: User
) -> None:
    login(client, vendor)
    response = client.post("/manage/solutions/new", data={"name": "Quay Guard"})
    assert response.status_code == 302
    solution = db.session.scalar(select(Solution).where(Solution.name == "Quay Guard"))
    assert solution is not None and solution.status is SolutionStatus.DRAFT

    detail = _text(client.get(f"/manage/solutions/{solution.id}"))
    assert "Before it can be published, complete:" in detail
    assert "Choose the primary technology category." in detail

    response = client.post(f"/manage/solutions/{solution.id}/edit", data=FULL_FORM)
    assert response.status_code == 302
    db.session.expire_all()
    assert solution.standard_codes == ["ONVIF Profile S", "IEC 62443-4-2"]
    assert solution.region_codes == ["FR", "FR-BRE"]
    assert solution.activity_codes == ["operation-prevention", "judicial-process"]

    assert client.post(f"/manage/solutions/{solution.id}/publish").status_code == 302
    db.session.expire_all()
    assert status_of(solution) is SolutionStatus.PUBLISHED
    assert client.get(f"/solutions/{solution.id}").status_code == 200

    assert client.post(f"/manage/solutions/{solution.id}/archive").status_code == 302
    db.session.expire_all()
    assert status_of(solution) is SolutionStatus.ARCHIVED
    gone = client.get(f"/solutions/{solution.id}")
    assert gone.status_code == 410
    assert "No longer offered" in _text(gone)
    assert "Guards the quay." not in _text(gone)


def test_an_incomplete_draft_cannot_be_published_and_the_vendor_is_told_why(
    app: Flask, client: FlaskClient, login: Callable[..., Any], vendor: User
) -> None:
    solution = draft(vendor, summary="")
    login(client, vendor)
    response = client.post(f"/manage/solutions/{solution.id}/publish", follow_redirects=True)
    assert "Write a short summary." in _text(response)
    db.session.expire_all()
    assert solution.status is SolutionStatus.DRAFT


def test_the_form_shows_a_refused_value_next_to_its_field(
    app: Flask, client: FlaskClient, login: Callable[..., Any], vendor: User
) -> None:
    draft(vendor, name="Existing")
    login(client, vendor)
    response = client.post("/manage/solutions/new", data={**FULL_FORM, "name": "EXISTING"})
    assert response.status_code == 200
    page = _text(response)
    assert "You already have a solution with this name." in page
    assert 'href="#name"' in page  # the error summary links to the field
    response = client.post("/manage/solutions/new", data={**FULL_FORM, "regions": ["Atlantis"]})
    assert "Choose the regions served from the list." in _text(response)
    assert db.session.scalar(select(func.count()).select_from(Solution)) == 1


def test_a_vendor_cannot_read_or_edit_another_vendors_draft(
    app: Flask, client: FlaskClient, login: Callable[..., Any], vendor: User, rival: User
) -> None:
    theirs = draft(rival, name="Rival secret")
    login(client, vendor)
    assert client.get(f"/manage/solutions/{theirs.id}").status_code == 404
    assert client.get(f"/manage/solutions/{theirs.id}/edit").status_code == 404
    response = client.post(
        f"/manage/solutions/{theirs.id}/edit", data={**FULL_FORM, "name": "Hijacked"}
    )
    assert response.status_code == 404
    assert client.post(f"/manage/solutions/{theirs.id}/publish").status_code == 404
    assert client.get(f"/solutions/{theirs.id}").status_code == 404
    assert "Rival secret" not in _text(client.get("/manage/solutions/"))
    db.session.expire_all()
    assert theirs.name == "Rival secret" and theirs.status is SolutionStatus.DRAFT


def test_mass_assignment_changes_nothing_the_vendor_does_not_own(
    app: Flask, client: FlaskClient, login: Callable[..., Any], vendor: User, rival: User
) -> None:
    login(client, vendor)
    smuggled = {
        "status": "published",
        "vendor_id": str(rival.organisation_id),
        "vendor": str(rival.organisation_id),
        "id": "999",
        "published_at": "2020-01-01T00:00:00Z",
        "created_at": "2020-01-01T00:00:00Z",
    }
    response = client.post("/manage/solutions/new", data={**FULL_FORM, **smuggled})
    assert response.status_code == 302
    solution = db.session.scalar(select(Solution).where(Solution.name == "Quay Guard"))
    assert solution is not None
    assert solution.id != 999
    assert solution.vendor_id == vendor.organisation_id
    assert solution.status is SolutionStatus.DRAFT
    assert solution.published_at is None
    assert solution.created_at.year != 2020

    response = client.post(
        f"/manage/solutions/{solution.id}/edit",
        data={**FULL_FORM, **smuggled, "status": "archived", "name": "Quay Guard 2"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert solution.name == "Quay Guard 2"  # the legitimate field changed…
    assert solution.vendor_id == vendor.organisation_id  # …the others did not
    assert solution.status is SolutionStatus.DRAFT
    assert solution.published_at is None
    assert db.session.scalar(select(func.count()).select_from(Solution)) == 1


def test_the_authority_reads_any_solution_but_cannot_edit(
    app: Flask,
    client: FlaskClient,
    login: Callable[..., Any],
    vendor: User,
    create_user: Callable[..., User],
) -> None:
    solution = draft(vendor)
    login(client, create_user(kind=OrganisationKind.AUTHORITY))
    page = client.get(f"/manage/solutions/{solution.id}")
    assert page.status_code == 200
    assert "only its vendor can change it" in _text(page)
    assert "/edit" not in _text(page)
    assert "Harbour Watch" in _text(client.get("/manage/solutions/?status=draft"))
    assert client.get(f"/manage/solutions/{solution.id}/edit").status_code == 403
    assert client.post(f"/manage/solutions/{solution.id}/publish").status_code == 403


def test_my_solutions_lists_every_state_with_a_status_filter(
    app: Flask, client: FlaskClient, login: Callable[..., Any], vendor: User
) -> None:
    draft(vendor, name="Draft one")
    published(vendor, name="Live one")
    archived(vendor, name="Old one")
    login(client, vendor)
    everything = _text(client.get("/manage/solutions/"))
    assert all(name in everything for name in ("Draft one", "Live one", "Old one"))
    assert "All (3)" in everything and "Draft (1)" in everything
    drafts = _text(client.get("/manage/solutions/?status=draft"))
    assert "Draft one" in drafts and "Live one" not in drafts
    odd = client.get("/manage/solutions/?status=certified")
    assert odd.status_code == 200 and "Old one" in _text(odd)


def test_markdown_with_scripts_and_raw_html_renders_inert_on_the_public_page(
    app: Flask, client: FlaskClient, vendor: User
) -> None:
    hostile = (
        "Intro <script>alert('x')</script>\n\n"
        "[docs](javascript:alert(1)) [ok](https://example.org)\n\n"
        '<img src=x onerror="alert(1)">\n\n<svg onload=alert(1)></svg>'
    )
    solution = published(
        vendor,
        name='<script>alert("name")</script>',
        summary='"><img src=x onerror=alert(1)>',
        description_markdown=hostile,
        privacy_sensitive=True,
        privacy_features="<b>on-device</b> anonymisation",
    )
    page = _text(client.get(f"/solutions/{solution.id}"))
    assert "<script>alert" not in page
    assert "<img src=x" not in page and "<svg" not in page
    assert 'href="javascript:' not in page
    assert "Intro &lt;script&gt;alert(" in page  # shown as text
    assert "&lt;b&gt;on-device&lt;/b&gt; anonymisation" in page
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer">ok</a>' in page


def test_the_public_page_shows_the_privacy_badge_and_features(
    app: Flask, client: FlaskClient, vendor: User
) -> None:
    solution = published(
        vendor,
        uses_biometrics=True,
        privacy_features="Templates stay on the holder's card.",
    )
    page = _text(client.get(f"/solutions/{solution.id}"))
    assert "Privacy-sensitive: biometrics" in page
    assert "Templates stay on the holder&#39;s card." in page
    plain = published(vendor, name="Plain")
    assert "Privacy-sensitive" not in _text(client.get(f"/solutions/{plain.id}"))


def test_vendor_profile_shows_only_published_solutions_of_active_vendors(
    app: Flask, client: FlaskClient, vendor: User
) -> None:
    organisation = vendor.organisation
    organisation.description = "We make <b>cameras</b>."
    organisation.website = "javascript:alert(1)"
    db.session.commit()
    published(vendor, name="Shown")
    draft(vendor, name="Not shown draft")
    archived(vendor, name="Not shown archived")
    page = _text(client.get(f"/vendors/{organisation.id}"))
    assert "Shown" in page
    assert "Not shown draft" not in page and "Not shown archived" not in page
    assert "We make &lt;b&gt;cameras&lt;/b&gt;." in page
    assert 'href="javascript:' not in page
    assert organisation.name in _text(client.get("/vendors"))

    organisation.status = OrganisationStatus.SUSPENDED
    db.session.commit()
    assert client.get(f"/vendors/{organisation.id}").status_code == 404
    assert organisation.name not in _text(client.get("/vendors"))


def test_non_vendor_organisations_have_no_vendor_page(
    app: Flask, client: FlaskClient, create_organisation: Callable[..., Any]
) -> None:
    buyer = create_organisation(OrganisationKind.BUYER)
    assert client.get(f"/vendors/{buyer.id}").status_code == 404


def test_navigation_and_dashboard_lead_each_role_to_its_pages(
    app: Flask,
    client: FlaskClient,
    login: Callable[..., Any],
    vendor: User,
    create_user: Callable[..., User],
) -> None:
    assert 'href="/catalog"' in _text(client.get("/"))
    login(client, vendor)
    dashboard = _text(client.get("/dashboard"))
    assert dashboard.count('href="/manage/solutions/"') >= 2  # navigation and dashboard
    assert 'href="/admin/gaps"' not in dashboard
    other = app.test_client()
    login(other, create_user(kind=OrganisationKind.AUTHORITY))
    assert 'href="/admin/gaps"' in _text(other.get("/dashboard"))


def test_a_double_submitted_create_makes_one_solution(
    app: Flask, client: FlaskClient, login: Callable[..., Any], vendor: User
) -> None:
    login(client, vendor)
    first = client.post("/manage/solutions/new", data=FULL_FORM)
    second = client.post("/manage/solutions/new", data=FULL_FORM)
    assert first.status_code == 302 and second.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Solution)) == 1
    created = db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "solution.created")
    )
    assert created == 1


def test_the_label_box_names_the_versions_each_label_certifies(
    app: Flask, client: FlaskClient, vendor: User, create_user: Callable[..., User]
) -> None:
    catalog_facts.register(app)
    norm = published_norm(create_user(kind=OrganisationKind.AUTHORITY))
    solution = published(vendor, name="Harbour Watch")
    released = dt.date.today() - dt.timedelta(days=20)
    versions = [
        declare_version(vendor, solution, "2.1", released),
        declare_version(vendor, solution, "2.0", released - dt.timedelta(days=200)),
    ]
    certified = make_label(solution, norm, versions=versions)
    older = make_label(solution, norm)

    page = _text(client.get(f"/solutions/{solution.id}"))
    cells = dict(
        re.findall(
            r'>(STR-[0-9-]+)</a></td>.*?<td class="certified-versions">(.*?)</td>', page, re.S
        )
    )
    assert cells == {
        certified.number: "2.1, 2.0",
        older.number: "No version recorded (issued before versions were tracked)",
    }
