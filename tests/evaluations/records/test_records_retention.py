"""Retention: what is past its period, the purge (dry run, held and recent records kept, old
files deleted, rows and audit trail kept) and the authority's records page."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from evaluations.models import Evaluation, Evidence
from evaluations.records import retention
from evaluations.records.holds import place_hold
from evaluations.records.models import HoldTarget
from evaluations.services.application import withdraw_application
from registry import audit, uploads
from registry.backup.verify import stored_file_rows
from registry.database import db, utcnow
from registry.dates import today
from registry.models import AuditEntry, User
from tests.evaluations.evaluation_builders import PDF, Cast, draft, in_review, make_cast
from tests.evaluations.labels.label_builders import issued_label, make_world


@pytest.fixture
def cast(app: Flask, create_user: Callable[..., User]) -> Iterator[Cast]:
    """People, a norm and a solution."""
    with app.test_request_context(base_url=app.config["BASE_URL"]):
        yield make_cast(create_user)


def _withdrawn(cast: Cast, years_ago: float) -> Evaluation:
    """A withdrawn application with its evidence, withdrawn `years_ago`."""
    evaluation = draft(cast)
    withdraw_application(cast.vendor, evaluation)
    evaluation.status_changed_at = utcnow() - dt.timedelta(days=int(365.25 * years_ago))
    db.session.commit()
    return evaluation


def test_the_purge_takes_the_evidence_of_a_reviewed_evaluation(
    cast: Cast, runner: FlaskCliRunner
) -> None:
    evaluation, _, _ = in_review(cast)
    withdraw_application(cast.vendor, evaluation)
    evaluation.status_changed_at = utcnow() - dt.timedelta(days=4 * 366)
    db.session.commit()
    names = _files(evaluation)
    result = runner.invoke(args=["records", "purge"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert all(uploads.is_purged(n) for n in _files(evaluation))
    assert not any(uploads.path_of(n).exists() for n in names)


def _files(evaluation: Evaluation) -> list[str]:
    return [e.stored_name for e in evaluation.evidence]


def test_dry_run_changes_nothing(cast: Cast, runner: FlaskCliRunner) -> None:
    old = _withdrawn(cast, 4)
    names = _files(old)
    entries = db.session.scalar(select(func.count()).select_from(AuditEntry))
    result = runner.invoke(args=["records", "purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert (
        f"evaluation #{old.id}" in result.output and "1 evaluation would be purged" in result.output
    )
    db.session.expire_all()
    assert _files(old) == names and all(uploads.path_of(n).exists() for n in names)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == entries


def test_purge_deletes_old_files_keeps_rows_and_skips_held_and_recent_records(
    app: Flask, cast: Cast, runner: FlaskCliRunner
) -> None:
    old = _withdrawn(cast, 4)
    old_names = _files(old)
    old_hashes = [e.sha256 for e in old.evidence]
    recent = _withdrawn(cast, 2)
    held = _withdrawn(cast, 6)
    place_hold(cast.authority, HoldTarget.EVALUATION, held.id, "Court order.", "TA 2026/7")
    db.session.commit()
    kept = _files(recent) + _files(held)

    result = runner.invoke(args=["records", "purge"])
    assert result.exit_code == 0, result.output
    assert "1 evaluation purged" in result.output and "1 past retention" in result.output

    db.session.expire_all()
    # The old evaluation's files are gone; its rows stay with their name and hash.
    assert not any(uploads.path_of(n).exists() for n in old_names)
    rows = db.session.scalars(select(Evidence).where(Evidence.evaluation_id == old.id)).all()
    assert [r.sha256 for r in rows] == old_hashes
    assert all(uploads.is_purged(r.stored_name) for r in rows)
    # Recent and held records keep their files.
    assert all(uploads.path_of(n).exists() for n in kept)
    # One audit entry says what was purged, and the chain still verifies.
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "records.purge"))
    assert entry is not None and entry.object_id == str(old.id)
    assert audit.verify_chain().ok
    # Backups no longer look for the purged files.
    assert not {r.stored_name for r in stored_file_rows()} & {r.stored_name for r in rows}
    # Running again finds nothing more.
    assert retention.eligible() == []


def test_a_purged_file_is_no_longer_served(
    cast: Cast, runner: FlaskCliRunner, client: FlaskClient, login: Callable[..., Any]
) -> None:
    old = _withdrawn(cast, 4)
    item_id = old.evidence[0].id
    runner.invoke(args=["records", "purge"])
    login(client, cast.authority)
    assert client.get(f"/evaluations/{old.id}/evidence/{item_id}").status_code == 404


def test_certified_records_are_kept_for_the_label_s_validity_plus_the_setting(
    app: Flask, create_user: Callable[..., User]
) -> None:
    with app.test_request_context(base_url=app.config["BASE_URL"]):
        world = make_world(create_user)
        expired_long_ago = issued_label(world)
        expired_lately = issued_label(world)
        for label, years in ((expired_long_ago, 6), (expired_lately, 4)):
            label.expires_on = today() - dt.timedelta(days=int(365.25 * years))
            checked = uploads.check_upload("report.pdf", io.BytesIO(PDF))
            db.session.add(
                Evidence(
                    evaluation_id=label.evaluation_id,
                    description="",
                    **uploads.stored_file_columns(
                        checked, uploads.write_file(checked), world.vendor.id
                    ),
                )
            )
        db.session.commit()
        assert [i.evaluation_id for i in retention.eligible()] == [expired_long_ago.evaluation_id]
        app.config["RECORDS_RETENTION_YEARS"] = 3
        assert {i.evaluation_id for i in retention.eligible()} == {
            expired_long_ago.evaluation_id,
            expired_lately.evaluation_id,
        }
        place_hold(world.authority, HoldTarget.LABEL, expired_lately.id, "Appeal.", "AP-1")
        db.session.commit()
        assert [i.evaluation_id for i in retention.eligible()] == [expired_long_ago.evaluation_id]


def test_the_records_page_shows_settings_eligible_and_held(
    cast: Cast, client: FlaskClient, login: Callable[..., Any]
) -> None:
    _withdrawn(cast, 4)
    held = _withdrawn(cast, 5)
    place_hold(cast.authority, HoldTarget.EVALUATION, held.id, "Court order.", "TA 2026/9")
    db.session.commit()
    login(client, cast.authority)
    page = client.get("/admin/records").get_data(as_text=True)
    row = page.split("Evaluations never certified", 1)[1].split("</tr>", 1)[0]
    assert "SAFETECH_RECORDS_RETENTION_YEARS_UNDECIDED" in row
    assert [cell.split(">")[-1] for cell in row.split("</td>")[2:4]] == ["1", "1"]
    assert "TA 2026/9" in page
