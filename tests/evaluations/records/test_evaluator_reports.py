"""Evaluators' reports: test reports, the signed evaluation report (password, SHA-256 in the
audit chain, versions kept), who may download them, and the download log."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from evaluations.records.models import EvaluatorReport, ReportKind
from evaluations.records.reports import (
    add_test_report,
    current_signed_ids,
    reports_of,
    sign_evaluation_report,
)
from registry import audit, uploads
from registry.database import db
from registry.exceptions import NotVisible, RuleViolation
from registry.models import AuditEntry, User
from tests.evaluations.evaluation_builders import PDF, Cast, assigned, in_review, make_cast
from tests.support import PASSWORD

REPORT = PDF.replace(b"%%EOF", b"% evaluation report\n%%EOF")


@pytest.fixture
def cast(app: Flask, create_user: Callable[..., User]) -> Iterator[Cast]:
    """People, a norm and a solution."""
    with app.test_request_context(base_url=app.config["BASE_URL"]):
        yield make_cast(create_user)


def test_a_signed_report_records_the_file_s_hash_signer_and_time(cast: Cast) -> None:
    evaluation, first, _ = in_review(cast)
    with pytest.raises(RuleViolation, match="password"):
        sign_evaluation_report(
            cast.evaluator, first, "Evaluation report", "r.pdf", io.BytesIO(REPORT), "wrong"
        )
    db.session.rollback()
    report = sign_evaluation_report(
        cast.evaluator, first, "Evaluation report", "r.pdf", io.BytesIO(REPORT), PASSWORD
    )
    db.session.commit()
    digest = hashlib.sha256(REPORT).hexdigest()
    assert report.sha256 == digest
    assert hashlib.sha256(uploads.path_of(report.stored_name).read_bytes()).hexdigest() == digest
    assert report.signed_by_id == cast.evaluator.id and report.signed_at is not None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "records.sign_report"))
    assert entry is not None and entry.actor_id == cast.evaluator.id
    assert json.loads(entry.data)["sha256"] == digest
    assert audit.verify_chain().ok


def test_a_new_signed_version_supersedes_the_old_one_and_both_are_kept(cast: Cast) -> None:
    evaluation, first, _ = in_review(cast)
    one = sign_evaluation_report(
        cast.evaluator, first, "Report", "r1.pdf", io.BytesIO(PDF), PASSWORD
    )
    two = sign_evaluation_report(
        cast.evaluator, first, "Report, corrected", "r2.pdf", io.BytesIO(REPORT), PASSWORD
    )
    db.session.commit()
    assert (one.version, two.version) == (1, 2)
    listed = reports_of(evaluation)
    assert {one, two} <= set(listed)
    assert current_signed_ids(listed) == {two.id}
    assert uploads.path_of(one.stored_name).exists()


def test_test_reports_are_pdf_and_only_on_one_s_own_active_assignment(cast: Cast) -> None:
    evaluation, first, second = in_review(cast)
    add_test_report(cast.evaluator, first, "Export test", "export.pdf", io.BytesIO(PDF))
    add_test_report(cast.evaluator, first, "Masking test", "mask.pdf", io.BytesIO(PDF))
    db.session.commit()
    tests = [r for r in reports_of(evaluation) if r.kind is ReportKind.TEST]
    assert [r.title for r in tests] == ["Masking test", "Export test"]  # newest first
    with pytest.raises(RuleViolation, match="PDF"):
        add_test_report(cast.evaluator, first, "Notes", "notes.txt", io.BytesIO(b"Notes\n"))
    with pytest.raises(NotVisible):
        add_test_report(cast.evaluator, second, "Not mine", "x.pdf", io.BytesIO(PDF))


def test_reports_wait_for_the_evaluator_s_declaration(cast: Cast) -> None:
    _, first, _ = assigned(cast)
    with pytest.raises(RuleViolation, match="Declare your conflicts"):
        add_test_report(cast.evaluator, first, "Too early", "x.pdf", io.BytesIO(PDF))


def test_who_downloads_reports_and_the_log(
    cast: Cast, client: FlaskClient, login: Callable[..., Any]
) -> None:
    evaluation, first, _ = in_review(cast)
    report = add_test_report(cast.evaluator, first, "Export test", "export.pdf", io.BytesIO(PDF))
    db.session.commit()
    url = f"/evaluations/{evaluation.id}/reports/{report.id}"
    login(client, cast.second_evaluator)
    assert client.get(url).data == PDF
    client.post("/logout")
    login(client, cast.vendor)  # not before the decision
    assert client.get(url).status_code == 404
    client.post("/logout")
    login(client, cast.authority)
    assert client.get(url).status_code == 200
    page = client.get(f"/evaluations/{evaluation.id}").get_data(as_text=True)
    log = page.split("Download log", 1)[1]
    assert cast.second_evaluator.email in log and cast.authority.email in log
    assert "export.pdf" in log
    kinds = [
        json.loads(data)["kind"]
        for data in db.session.scalars(
            select(AuditEntry.data).where(AuditEntry.action == "records.download")
        )
    ]
    assert kinds == ["report", "report"]
    assert db.session.get(EvaluatorReport, report.id) is not None


def test_signing_through_the_page(
    cast: Cast, client: FlaskClient, login: Callable[..., Any]
) -> None:
    evaluation, _, _ = in_review(cast)
    login(client, cast.evaluator)
    page = client.get(f"/evaluations/{evaluation.id}").get_data(as_text=True)
    assert "Sign the evaluation report" in page
    response = client.post(
        f"/evaluations/{evaluation.id}/reports/signed",
        data={
            "title": "Evaluation report",
            "file": (io.BytesIO(REPORT), "report.pdf"),
            "password": PASSWORD,
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = client.get(f"/evaluations/{evaluation.id}").get_data(as_text=True)
    assert "signed by Eva Luator" in page and hashlib.sha256(REPORT).hexdigest()[:16] in page


def test_wrong_signing_passwords_are_throttled_like_logins(
    app: Flask, cast: Cast, client: FlaskClient, login: Callable[..., Any]
) -> None:
    evaluation, _, _ = in_review(cast)
    login(client, cast.evaluator)
    url = f"/evaluations/{evaluation.id}/reports/signed"

    def sign(password: str) -> str:
        client.post(
            url,
            data={"title": "Report", "file": (io.BytesIO(REPORT), "r.pdf"), "password": password},
            content_type="multipart/form-data",
        )
        return client.get(f"/evaluations/{evaluation.id}").get_data(as_text=True)

    for _ in range(app.config["LOGIN_THROTTLE_PER_ACCOUNT"]):
        assert "The password is not right" in sign("not my password")
    assert "Too many wrong passwords" in sign(PASSWORD)
    assert db.session.scalars(select(EvaluatorReport)).all() == []
