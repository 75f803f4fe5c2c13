"""The case pages: the vendor and the authority take each step of a case through the forms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from registry.database import db
from registry.dates import today
from registry.models import AuditEntry, OrganisationKind, User
from tests.vulnerabilities.case_builders import (
    CRITICAL_V3,
    MEDIUM_V3,
    Scene,
    confirmed,
    make_scene,
    reported,
)
from vulnerabilities import cases
from vulnerabilities.models import (
    CaseStatus,
    ProductStatus,
    Severity,
    VexJustification,
    VulnerabilityCase,
)

REPORT_BODY = "GET /stream without a session returns the live video."


@pytest.fixture
def scene(app: Flask, create_user: Callable[..., User]) -> Iterator[Scene]:
    with app.test_request_context():
        yield make_scene(create_user)


def _signed_in(app: Flask, login: Callable[..., Any], user: User) -> FlaskClient:
    client = app.test_client()
    login(client, user)
    return client


def _page(client: FlaskClient, case: VulnerabilityCase) -> str:
    response = client.get(f"/vulnerabilities/{case.reference}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _fresh(case: VulnerabilityCase) -> VulnerabilityCase:
    db.session.expire_all()
    found = db.session.get(VulnerabilityCase, case.id)
    assert found is not None
    return found


@pytest.mark.parametrize("who", ["vendor", "authority"])
def test_a_case_goes_from_report_to_fix_through_the_page(
    app: Flask, login: Callable[..., Any], scene: Scene, who: str
) -> None:
    case = reported(scene)
    client = _signed_in(app, login, getattr(scene, who))
    page = _page(client, case)
    assert "Start the analysis" in page and "Mark as fixed" not in page

    response = client.post(f"/vulnerabilities/{case.reference}/analysis", data={"note": ""})
    assert response.status_code == 302
    assert _fresh(case).status is CaseStatus.UNDER_ANALYSIS

    response = client.post(
        f"/vulnerabilities/{case.reference}/confirm",
        data={
            "analysis": "The stream handler skips the session check.",
            "versions": [str(scene.first.id)],
            "cvss_v3_vector": CRITICAL_V3,
            "cve_id": "CVE-2026-12345",
            "cwe_id": "CWE-306",
            "summary": "Live video without signing in.",
        },
    )
    assert response.status_code == 302
    case = _fresh(case)
    assert case.status is CaseStatus.CONFIRMED
    assert case.severity is Severity.CRITICAL and case.cvss_v3_score == 9.8
    assert case.cve_id == "CVE-2026-12345" and case.cwe_id == "CWE-306"
    assert [v.id for v in cases.versions_with(case, ProductStatus.KNOWN_AFFECTED)] == [
        scene.first.id
    ]
    page = _page(client, case)
    # The fix can only be a version not affected: 1.1 is offered, 1.0 is not.
    assert "1.1 (released" in page and "1.0 (released" not in page.split("Mark as fixed")[1]

    response = client.post(
        f"/vulnerabilities/{case.reference}/fixed",
        data={"fixed_version": str(scene.fix.id), "note": "Session check restored."},
    )
    assert response.status_code == 302
    case = _fresh(case)
    assert case.status is CaseStatus.FIXED and case.fixed_version_id == scene.fix.id
    page = _page(client, case)
    # The history names each step, with the person who took it.
    history = page.split("The steps of")[1]
    for step in ("Reported", "Analysis started", "Confirmed", "Fixed"):
        assert f'data-label="Step">{step}' in history
    assert getattr(scene, who).full_name in page
    assert "Fixed in version 1.1. Session check restored." in page
    actions = set(
        db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("vulnerability.%"))
        )
    )
    assert {"vulnerability.analysis_started", "vulnerability.confirmed"} <= actions
    assert "vulnerability.fixed" in actions


def test_not_affected_is_a_vex_statement(
    app: Flask, login: Callable[..., Any], scene: Scene
) -> None:
    case = reported(scene)
    client = _signed_in(app, login, scene.vendor)
    # Without a justification the select says so, and nothing changes.
    response = client.post(
        f"/vulnerabilities/{case.reference}/not-affected",
        data={"justification": "", "analysis": "The stream is off by default."},
    )
    assert response.status_code == 400
    assert "usa-error-message" in response.get_data(as_text=True)
    assert _fresh(case).status is CaseStatus.REPORTED

    response = client.post(
        f"/vulnerabilities/{case.reference}/not-affected",
        data={
            "justification": VexJustification.VULNERABLE_CODE_NOT_PRESENT.value,
            "analysis": "Version 1.0 ships without the stream handler.",
            "versions": [str(scene.first.id)],
        },
    )
    assert response.status_code == 302
    case = _fresh(case)
    assert case.status is CaseStatus.NOT_AFFECTED
    assert case.vex_justification is VexJustification.VULNERABLE_CODE_NOT_PRESENT
    page = _page(client, case)
    assert "The vulnerable code is not present" in page
    assert "Not affected" in page


def test_a_bad_vector_is_shown_on_its_field(
    app: Flask, login: Callable[..., Any], scene: Scene
) -> None:
    case = reported(scene)
    client = _signed_in(app, login, scene.vendor)
    response = client.post(
        f"/vulnerabilities/{case.reference}/confirm",
        data={
            "analysis": "The stream handler skips the session check.",
            "versions": [str(scene.first.id)],
            "cvss_v3_vector": "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        },
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    error = text.split('id="cvss_v3_vector-error"')[1].split("</span>")[0]
    assert "AV:X" in error
    assert _fresh(case).status is CaseStatus.REPORTED
    # No version ticked: the versions group says so.
    response = client.post(
        f"/vulnerabilities/{case.reference}/confirm",
        data={"analysis": "The stream handler skips it.", "cvss_v3_vector": CRITICAL_V3},
    )
    assert response.status_code == 400
    assert "Name at least one affected version." in response.get_data(as_text=True)


def test_the_authority_rejects_after_confirming_and_moves_the_embargo(
    app: Flask, login: Callable[..., Any], scene: Scene
) -> None:
    case = reported(scene)
    vendor = _signed_in(app, login, scene.vendor)
    assert "Reject the report" not in _page(vendor, case)
    assert vendor.post(
        f"/vulnerabilities/{case.reference}/reject", data={"reason": "Spam", "confirm": "y"}
    ).status_code in (403, 404)
    assert _fresh(case).status is CaseStatus.REPORTED

    authority = _signed_in(app, login, scene.authority)
    until = today() + dt.timedelta(days=30)
    response = authority.post(
        f"/vulnerabilities/{case.reference}/embargo",
        data={"embargo_until": until.isoformat(), "reason": "The vendor asked for time."},
    )
    assert response.status_code == 302
    assert _fresh(case).embargo_until == until
    assert "The vendor asked for time." in _page(authority, case)

    # Without the confirmation nothing happens.
    response = authority.post(
        f"/vulnerabilities/{case.reference}/reject", data={"reason": "A duplicate report."}
    )
    assert response.status_code == 400
    assert "Tick the box to confirm." in response.get_data(as_text=True)
    assert _fresh(case).status is CaseStatus.REPORTED
    response = authority.post(
        f"/vulnerabilities/{case.reference}/reject",
        data={"reason": "A duplicate report.", "confirm": "y"},
    )
    assert response.status_code == 302
    assert _fresh(case).status is CaseStatus.REJECTED
    page = _page(authority, case)
    assert "A duplicate report." in page and "Start the analysis" not in page


def test_only_the_managers_see_a_case_and_its_report(
    app: Flask, login: Callable[..., Any], scene: Scene, create_user: Callable[..., User]
) -> None:
    case = reported(scene, embargo=today())
    confirmed(scene, case)
    assert cases.is_disclosed(case)  # even disclosed, this page stays the managers'
    for manager in (scene.vendor, scene.authority):
        page = _page(_signed_in(app, login, manager), case)
        assert REPORT_BODY.replace("/", "&#x2F;") in page or REPORT_BODY in page
        assert "researcher@example.net" in page
    other_vendor = create_user(kind=OrganisationKind.VENDOR)
    buyer = create_user(kind=OrganisationKind.BUYER)
    evaluator = scene.world.evaluators[0]
    for user in (other_vendor, buyer, evaluator):
        client = _signed_in(app, login, user)
        response = client.get(f"/vulnerabilities/{case.reference}")
        assert response.status_code == 404
        assert "stream" not in response.get_data(as_text=True)
        listing = client.get("/vulnerabilities")
        if user is other_vendor:  # its own (empty) list, without this case
            assert case.reference not in listing.get_data(as_text=True)
        else:
            assert listing.status_code == 404
    anonymous = app.test_client().get(f"/vulnerabilities/{case.reference}")
    assert anonymous.status_code == 302 and "/login" in anonymous.location


def test_the_list_shows_own_cases_with_filters_and_overdue_flags(
    app: Flask, login: Callable[..., Any], scene: Scene, create_user: Callable[..., User]
) -> None:
    late = reported(scene, title="Hard-coded service password")
    late.analysis_due = today() - dt.timedelta(days=1)
    fixed_later = reported(scene, title="Stream without a session")
    confirmed(scene, fixed_later)
    db.session.commit()
    with app.test_request_context():
        other = make_scene(create_user, name="Harbour Lookout")
        theirs = reported(other, title="Another vendor's flaw")

    vendor = _signed_in(app, login, scene.vendor)
    listing = vendor.get("/vulnerabilities").get_data(as_text=True)
    assert late.reference in listing and fixed_later.reference in listing
    assert theirs.reference not in listing and "Another vendor" not in listing
    # The missed analysis is flagged, the confirmed case's future fix date is not.
    row = listing.split(late.reference)[2].split("</tr>")[0]
    assert "(overdue)" in row
    assert "(overdue)" not in listing.split(fixed_later.reference)[2].split("</tr>")[0]
    assert vendor.get(f"/vulnerabilities/{theirs.reference}").status_code == 404

    filtered = vendor.get("/vulnerabilities?severity=critical").get_data(as_text=True)
    assert fixed_later.reference in filtered and late.reference not in filtered
    filtered = vendor.get("/vulnerabilities?status=reported").get_data(as_text=True)
    assert late.reference in filtered and fixed_later.reference not in filtered
    filtered = vendor.get("/vulnerabilities?status=fixed").get_data(as_text=True)
    assert "No case matches these filters." in filtered

    authority = _signed_in(app, login, scene.authority)
    listing = authority.get("/vulnerabilities").get_data(as_text=True)
    assert theirs.reference in listing and late.reference in listing
    only_theirs = authority.get(f"/vulnerabilities?solution={other.label.solution_id}")
    text = only_theirs.get_data(as_text=True)
    assert theirs.reference in text and late.reference not in text


def test_an_empty_list_says_so(
    app: Flask, login: Callable[..., Any], create_user: Callable[..., User]
) -> None:
    vendor = create_user(kind=OrganisationKind.VENDOR)
    client = _signed_in(app, login, vendor)
    page = client.get("/vulnerabilities").get_data(as_text=True)
    assert "No vulnerability case yet." in page
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/vulnerabilities"' in dashboard  # the dashboard's entry


def test_a_confirmed_case_is_rescored_and_its_deadline_follows(
    app: Flask, login: Callable[..., Any], scene: Scene
) -> None:
    case = reported(scene)
    confirmed(scene, case)  # critical: the fix is due in 30 days
    assert _fresh(case).remediation_due == today() + dt.timedelta(days=30)
    client = _signed_in(app, login, scene.vendor)
    assert "Change the scores" in _page(client, case)
    address = f"/vulnerabilities/{case.reference}/scores"
    bad = client.post(
        address,
        data={
            "rescore-cvss_v3_vector": "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "rescore-note": "Attack vector re-assessed.",
        },
    )
    assert bad.status_code == 400
    error = bad.get_data(as_text=True).split('id="rescore-cvss_v3_vector-error"')[1]
    assert "AV:X" in error.split("</span>")[0]
    unexplained = client.post(address, data={"rescore-cvss_v3_vector": MEDIUM_V3})
    assert unexplained.status_code == 400
    assert _fresh(case).severity is Severity.CRITICAL
    response = client.post(
        address,
        data={
            "rescore-cvss_v3_vector": MEDIUM_V3,
            "rescore-note": "Exploitation needs a signed-in user after all.",
        },
    )
    assert response.status_code == 302
    case = _fresh(case)
    assert case.severity is Severity.MEDIUM
    assert case.remediation_due == today() + dt.timedelta(days=90)
    page = _page(client, case)
    assert "Scores changed (severity critical → medium)" in page
    assert "Exploitation needs a signed-in user after all." in page
