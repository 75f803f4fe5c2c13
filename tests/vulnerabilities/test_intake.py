"""Intake: the public report form, its throttle, security.txt, and a vendor's own report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from registry.database import db
from registry.mail import read_outbox
from registry.models import OrganisationKind, User
from tests.catalog.solution_builders import published
from tests.vulnerabilities.case_builders import Scene, make_scene
from vulnerabilities import sealed_reports
from vulnerabilities.models import CaseSource, CaseStatus, ProductStatus, VulnerabilityCase

SECRET = "The admin console accepts the session id from the query string 7f3a9c."
TITLE = "Session fixation on the Quayside admin console"


@pytest.fixture
def scene(app: Flask, create_user: Callable[..., User]) -> Iterator[Scene]:
    with app.test_request_context():
        yield make_scene(create_user)


def _report(**overrides: str) -> dict[str, str]:
    data = {
        "solution": "Quayside Sentinel",
        "version": "1.0",
        "title": TITLE,
        "report": SECRET,
        "reporter": "finder@example.org",
        "cvss_v3_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "consent": "y",
    }
    data.update(overrides)
    return data


def _cases() -> list[VulnerabilityCase]:
    db.session.expire_all()
    return list(db.session.scalars(select(VulnerabilityCase).order_by(VulnerabilityCase.id)))


def test_a_researcher_gets_a_reference_and_nothing_else_of_the_report(
    app: Flask, client: FlaskClient, scene: Scene
) -> None:
    response = client.post("/report-vulnerability", data=_report())
    assert response.status_code == 302
    assert response.headers["Location"] == "/report-vulnerability/received"
    [case] = _cases()
    page = client.get("/report-vulnerability/received").get_data(as_text=True)
    assert case.reference.startswith("VULN-") and case.reference in page
    assert str(case.analysis_due) in page and str(case.embargo_until) in page
    assert case.embargo_until == dt.date.today() + dt.timedelta(days=90)
    assert SECRET not in page and "finder@example.org" not in page and TITLE not in page
    assert case.source is CaseSource.RESEARCHER and case.status is CaseStatus.REPORTED
    assert case.reported_by_id is None
    assert case.cvss_v3_score == 9.8
    assert [(row.version.version, row.status) for row in case.versions] == [
        ("1.0", ProductStatus.UNDER_INVESTIGATION)
    ]


def test_the_body_and_contact_are_not_stored_in_clear(
    app: Flask, client: FlaskClient, scene: Scene
) -> None:
    client.post("/report-vulnerability", data=_report())
    row = db.session.execute(
        select(VulnerabilityCase.report_sealed, VulnerabilityCase.reporter_sealed)
    ).one()
    assert row.report_sealed and b"session id" not in row.report_sealed
    assert row.reporter_sealed and b"finder@example.org" not in row.reporter_sealed
    assert sealed_reports.unseal(row.report_sealed) == f"Version tested: 1.0\n\n{SECRET}"
    assert sealed_reports.unseal(row.reporter_sealed) == "finder@example.org"


def test_vendor_and_authority_are_mailed_without_the_report(
    app: Flask, client: FlaskClient, scene: Scene
) -> None:
    client.post("/report-vulnerability", data=_report())
    [case] = _cases()
    messages = read_outbox(app.config["OUTBOX_DIR"])
    recipients = {message.to for message in messages if case.reference in message.subject}
    assert {scene.vendor.email, scene.authority.email} <= recipients
    for message in messages:
        assert "session id" not in message.body and "finder@example.org" not in message.body


def test_the_report_is_on_no_public_page(app: Flask, client: FlaskClient, scene: Scene) -> None:
    client.post("/report-vulnerability", data=_report())
    [case] = _cases()
    visitor = app.test_client()
    for path in (
        f"/solutions/{case.solution_id}",
        "/catalog?q=Quayside",
        "/catalog?q=fixation",
        "/labels",
        f"/labels/{scene.label.number}",
    ):
        response = visitor.get(path)
        assert response.status_code == 200, path
        text = response.get_data(as_text=True)
        assert TITLE not in text and case.reference not in text, path
    # The confirmation belongs to the session that filed the report.
    assert visitor.get("/report-vulnerability/received").status_code == 302


def test_reports_are_throttled_per_client_address(
    app: Flask, client: FlaskClient, scene: Scene
) -> None:
    app.config["VULN_REPORTS_PER_HOUR"] = 2
    for _ in range(2):
        assert client.post("/report-vulnerability", data=_report()).status_code == 302
    refused = client.post("/report-vulnerability", data=_report())
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert len(_cases()) == 2
    # Another address is not held back by the first one's reports.
    elsewhere = app.test_client()
    response = elsewhere.post(
        "/report-vulnerability", data=_report(), environ_base={"REMOTE_ADDR": "192.0.2.7"}
    )
    assert response.status_code == 302
    assert len(_cases()) == 3


def _errors_on(page: str, field: str) -> str:
    marker = f'id="{field}-error"'
    assert marker in page, f"no error on {field}"
    start = page.index(marker)
    return page[start : page.index("</span>", start)]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"solution": "No Such Camera"}, "solution", "No published solution has this name"),
        ({"cvss_v3_vector": "CVSS:3.1/AV:X/AC:L"}, "cvss_v3_vector", "CVSS v3 vector"),
        ({"cvss_v4_vector": "CVSS:3.1/AV:N"}, "cvss_v4_vector", "starts with"),
        ({"cve_id": "CVE-26-1"}, "cve_id", "A CVE id looks like CVE-2026-12345."),
        ({"report": ""}, "report", "Describe the vulnerability."),
        ({"consent": ""}, "consent", "Agree to the disclosure policy"),
    ],
)
def test_refusals_are_shown_on_their_field(
    app: Flask,
    client: FlaskClient,
    scene: Scene,
    overrides: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = client.post("/report-vulnerability", data=_report(**overrides))
    assert response.status_code == 200
    assert message in _errors_on(response.get_data(as_text=True), field)
    assert _cases() == []


def test_a_name_two_vendors_share_needs_the_vendor(
    app: Flask, client: FlaskClient, scene: Scene, create_user: Callable[..., User]
) -> None:
    other = create_user(kind=OrganisationKind.VENDOR)
    with app.test_request_context():
        published(other, name="Quayside Sentinel")
    page = client.post("/report-vulnerability", data=_report()).get_data(as_text=True)
    assert "enter the vendor" in _errors_on(page, "vendor")
    response = client.post(
        "/report-vulnerability", data=_report(vendor=other.organisation.name.upper())
    )
    assert response.status_code == 302
    [case] = _cases()
    assert case.vendor_id == other.organisation_id
    assert case.versions == []  # that solution declares no version 1.0


def test_a_draft_solution_cannot_be_reported(app: Flask, client: FlaskClient, scene: Scene) -> None:
    with app.test_request_context():
        from catalog import services
        from tests.catalog.solution_builders import complete_data

        services.create_solution(scene.vendor, complete_data(name="Unreleased Harbour Eye"))
        db.session.commit()
    page = client.post(
        "/report-vulnerability", data=_report(solution="Unreleased Harbour Eye")
    ).get_data(as_text=True)
    assert "No published solution" in _errors_on(page, "solution")


def test_a_vendor_reports_on_its_own_solution(
    app: Flask, client: FlaskClient, scene: Scene, login: Any
) -> None:
    login(client, scene.vendor)
    solution_id = scene.first.solution_id
    form = client.get(f"/vulnerabilities/new?solution={solution_id}").get_data(as_text=True)
    assert 'value="' + str(scene.first.id) + '"' in form and ">1.1<" in form
    response = client.post(
        f"/vulnerabilities/new?solution={solution_id}",
        data={
            "title": "Weak default password",
            "summary": "Change the default password.",
            "versions": [str(scene.first.id)],
            "cvss_v4_vector": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        },
    )
    [case] = _cases()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/vulnerabilities/{case.reference}"
    assert case.source is CaseSource.VENDOR and case.reported_by_id == scene.vendor.id
    assert case.summary == "Change the default password."
    assert case.cvss_v4_score == 9.3
    assert [row.version_id for row in case.versions] == [scene.first.id]


def test_a_vendor_cannot_report_on_another_vendors_solution(
    app: Flask, client: FlaskClient, scene: Scene, login: Any, create_user: Callable[..., User]
) -> None:
    other = create_user(kind=OrganisationKind.VENDOR)
    login(client, other)
    path = f"/vulnerabilities/new?solution={scene.first.solution_id}"
    assert client.get(path).status_code == 404
    assert client.post(path, data={"title": "Not mine"}).status_code == 404
    assert _cases() == []
    # Its own list of solutions does not offer the other vendor's.
    assert "Quayside Sentinel" not in client.get("/vulnerabilities/new").get_data(as_text=True)


def test_a_vendors_scores_are_checked_on_their_field(
    app: Flask, client: FlaskClient, scene: Scene, login: Any
) -> None:
    login(client, scene.vendor)
    response = client.post(
        f"/vulnerabilities/new?solution={scene.first.solution_id}",
        data={"title": "Weak default password", "cvss_v3_vector": "CVSS:3.1/AV:N"},
    )
    assert response.status_code == 200
    assert "CVSS v3 vector" in _errors_on(response.get_data(as_text=True), "cvss_v3_vector")
    assert _cases() == []


# --- security.txt (RFC 9116) --------------------------------------------------------------


def _fields(text: str) -> list[tuple[str, str]]:
    """The RFC 9116 fields of a security.txt, in order; every other line is a comment or blank."""
    fields = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, separator, value = line.partition(": ")
        assert separator and name and value.strip(), f"not a field: {line!r}"
        fields.append((name.lower(), value))
    return fields


def test_security_txt_follows_rfc_9116(app: Flask, client: FlaskClient) -> None:
    app.config["SECURITY_CONTACT"] = "security@registry.example"
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    fields = _fields(response.get_data(as_text=True))
    names = [name for name, _ in fields]
    base = app.config["BASE_URL"]
    # Contact: required, one or more, URIs (https or mailto); the form first.
    contacts = [value for name, value in fields if name == "contact"]
    assert contacts == [f"{base}/report-vulnerability", "mailto:security@registry.example"]
    # Expires: required, exactly once, ISO 8601 in the future and less than a year away.
    assert names.count("expires") == 1
    expires = dt.datetime.fromisoformat(dict(fields)["expires"].replace("Z", "+00:00"))
    now = dt.datetime.now(dt.UTC)
    assert now < expires < now + dt.timedelta(days=365)
    # Canonical: the URL it was fetched at, on the public address.
    assert dict(fields)["canonical"] == f"{base}/.well-known/security.txt"
    assert dict(fields)["preferred-languages"] == "en"
    policy = dict(fields)["policy"]
    assert policy == f"{base}/security-policy"
    # The contact form and the policy it names exist.
    assert client.get(policy.removeprefix(base)).status_code == 200
    assert client.get(contacts[0].removeprefix(base)).status_code == 200


def test_security_txt_names_only_the_form_without_a_mail_contact(
    app: Flask, client: FlaskClient
) -> None:
    fields = _fields(client.get("/.well-known/security.txt").get_data(as_text=True))
    assert [value for name, value in fields if name == "contact"] == [
        f"{app.config['BASE_URL']}/report-vulnerability"
    ]


def test_the_policy_states_the_settings_in_force(app: Flask, client: FlaskClient) -> None:
    app.config.update(VULN_EMBARGO_DAYS=45, VULN_ANALYSIS_DAYS=10, VULN_REMEDIATION_DAYS="high=40")
    page = client.get("/security-policy").get_data(as_text=True)
    assert "default embargo is 45 days" in page
    assert "within 10 days" in page
    assert "high 40 days" in page and "critical 30 days" in page


def test_every_page_links_the_report_form(app: Flask, client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert 'href="/report-vulnerability"' in page and 'href="/security-policy"' in page
