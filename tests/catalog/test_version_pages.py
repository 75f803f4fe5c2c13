"""The vendor's version pages (declare, SBOM, end of support) and versions on the public page."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from catalog.models import Solution, SolutionVersion
from catalog.versions import attach_sbom, declare_version
from registry.database import db
from registry.dates import today
from registry.models import OrganisationKind, User
from tests.catalog.sbom_builders import VALID_COMPONENTS, invalid_sbom_bytes, sbom_bytes, upload
from tests.catalog.solution_builders import published

RELEASED = today() - dt.timedelta(days=20)


@pytest.fixture
def vendor(create_user: Callable[..., User]) -> User:
    """A member of an active vendor organisation."""
    return create_user(kind=OrganisationKind.VENDOR)


@pytest.fixture
def solution(vendor: User) -> Solution:
    """A published solution of the vendor."""
    return published(vendor, name="Quay Guard")


def _text(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def _versions(solution: Solution) -> list[SolutionVersion]:
    return list(
        db.session.scalars(
            select(SolutionVersion).where(SolutionVersion.solution_id == solution.id)
        )
    )


def _field_error(page: str, field_id: str) -> str:
    found = re.search(rf'id="{field_id}-error"[^>]*>([^<]*)<', page)
    assert found, f"no error shown on {field_id}"
    return found.group(1)


def test_a_vendor_declares_a_version_with_its_sbom_and_downloads_it(
    client: FlaskClient, login: Callable[..., Any], vendor: User, solution: Solution
) -> None:
    login(client, vendor)
    page = _text(client.get(f"/manage/solutions/{solution.id}"))
    assert "No version is declared yet." in page
    assert f"/manage/solutions/{solution.id}/versions/new" in page
    data = sbom_bytes()
    response = client.post(
        f"/manage/solutions/{solution.id}/versions/new",
        data={
            "version": "4.2",
            "released_on": RELEASED.isoformat(),
            "purl": "pkg:generic/acme/quay-guard@4.2",
            "cpe": "cpe:2.3:a:acme:quay_guard:4.2:*:*:*:*:*:*:*",
            "sbom": upload(data),
        },
    )
    assert response.status_code == 302
    (version,) = _versions(solution)
    assert version.sbom is not None
    page = _text(client.get(f"/manage/solutions/{solution.id}"))
    assert "Version 4.2 of “Quay Guard” is declared." in page
    assert "pkg:generic/acme/quay-guard@4.2" in page
    assert f"{VALID_COMPONENTS} components" in page
    download = f"/manage/solutions/{solution.id}/versions/{version.id}/sbom"
    assert download in page
    response = client.get(download)
    assert response.status_code == 200
    assert response.data == data
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_errors_show_on_their_fields_and_nothing_is_declared(
    client: FlaskClient, login: Callable[..., Any], vendor: User, solution: Solution
) -> None:
    login(client, vendor)
    url = f"/manage/solutions/{solution.id}/versions/new"
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    page = _text(client.post(url, data={"version": "4.2", "released_on": tomorrow}))
    assert "future" in _field_error(page, "released_on")
    page = _text(
        client.post(
            url, data={"version": "4.2", "released_on": RELEASED.isoformat(), "purl": "nope"}
        )
    )
    assert "not a package URL" in _field_error(page, "purl")
    page = _text(
        client.post(
            url,
            data={
                "version": "4.2",
                "released_on": RELEASED.isoformat(),
                "sbom": upload(invalid_sbom_bytes()),
            },
        )
    )
    error = _field_error(page, "sbom")
    assert "$.components[0].type" in error
    assert "banana" in error
    # The version and its SBOM go together: a refused SBOM leaves no version behind.
    assert _versions(solution) == []


def test_an_sbom_attached_later_and_end_of_support_after_confirmation(
    client: FlaskClient, login: Callable[..., Any], vendor: User, solution: Solution
) -> None:
    version = declare_version(vendor, solution, "4.2", RELEASED)
    db.session.commit()
    login(client, vendor)
    base = f"/manage/solutions/{solution.id}/versions/{version.id}"
    response = client.post(f"{base}/sbom", data={"sbom": upload(b"{}")})
    assert response.status_code == 302
    page = _text(client.get(f"/manage/solutions/{solution.id}"))
    assert "not a CycloneDX document" in page
    client.post(f"{base}/sbom", data={"sbom": upload(sbom_bytes())})
    assert "CycloneDX 1.5" in _text(client.get(f"/manage/solutions/{solution.id}"))

    ends = (today() + dt.timedelta(days=180)).isoformat()
    page = _text(client.post(f"{base}/end-of-support", data={"end_of_support_on": ends}))
    assert "Tick the box" in _field_error(page, "confirm")
    db.session.refresh(version)
    assert version.end_of_support_on is None
    response = client.post(
        f"{base}/end-of-support", data={"end_of_support_on": ends, "confirm": "y"}
    )
    assert response.status_code == 302
    page = _text(client.get(f"/solutions/{solution.id}"))
    assert ends in page


def test_the_public_page_lists_versions_without_the_sbom_download(
    client: FlaskClient, vendor: User, solution: Solution
) -> None:
    version = declare_version(
        vendor, solution, "4.2", RELEASED, purl="pkg:generic/acme/quay-guard@4.2"
    )
    attach_sbom(vendor, version, "s.json", io.BytesIO(sbom_bytes()))
    declare_version(vendor, solution, "4.1", RELEASED - dt.timedelta(days=60))
    db.session.commit()
    page = _text(client.get(f"/solutions/{solution.id}"))
    section = page[page.index('id="versions"') :]
    assert section.index("4.2") < section.index("4.1")  # newest first
    assert "pkg:generic/acme/quay-guard@4.2" in section
    assert RELEASED.isoformat() in section
    assert f"{VALID_COMPONENTS} components" in section
    assert "/sbom" not in page
    assert "Declare a version" not in page


def test_the_authority_downloads_but_does_not_declare(
    app: Flask,
    client: FlaskClient,
    login: Callable[..., Any],
    create_user: Callable[..., User],
    vendor: User,
    solution: Solution,
) -> None:
    version = declare_version(vendor, solution, "4.2", RELEASED)
    attach_sbom(vendor, version, "s.json", io.BytesIO(sbom_bytes()))
    db.session.commit()
    login(client, create_user(kind=OrganisationKind.AUTHORITY))
    page = _text(client.get(f"/manage/solutions/{solution.id}"))
    assert f"/versions/{version.id}/sbom" in page
    assert "Declare a version" not in page
    assert "Mark end of support" not in page
    assert (
        client.get(f"/manage/solutions/{solution.id}/versions/{version.id}/sbom").status_code == 200
    )
    assert client.get(f"/manage/solutions/{solution.id}/versions/new").status_code == 403
