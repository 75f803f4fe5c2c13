"""Label services: issuing, status changes with history, expiry, re-certification due."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from catalog.feeds import ACTION_TITLES
from catalog.lists.watch import LABEL_ACTIONS
from evaluations.labels.api import DECISION_ACTIONS
from evaluations.labels.dates import add_months
from evaluations.labels.events import ACTION_TEXT
from evaluations.labels.issuing import issue_label
from evaluations.labels.publishing import certified_counts, status_lists
from evaluations.labels.status_changes import (
    expire_labels,
    recertification_due,
    reinstate_label,
    suspend_label,
)
from evaluations.models import Label, LabelEvent, LabelStatus
from registry import audit, dates
from registry.database import db
from registry.exceptions import AccessDenied, RuleViolation
from registry.mail import read_outbox
from registry.models import AuditEntry, User
from tests.evaluations.labels.label_builders import (
    LabelWorld,
    certified_evaluation,
    issued_label,
    make_world,
    revoke,
    supersede,
)


@pytest.fixture
def world(app: Flask, create_user: Callable[..., User]) -> Iterator[LabelWorld]:
    """People and a published norm version (in a request context: publishing sends links)."""
    with app.test_request_context():
        yield make_world(create_user)


def test_issuing_gives_a_numbered_signed_label_with_event_audit_and_mail(
    app: Flask, world: LabelWorld
) -> None:
    evaluation = certified_evaluation(world, level="Advanced", percent=86.25)
    label = issue_label(world.authority, evaluation, public_statement="Meets the norm.")
    db.session.commit()
    issued_on = dates.today()
    assert label.number == f"STR-{issued_on.year}-00001"
    assert (label.level, label.score_percent, label.status) == (
        "Advanced",
        86.25,
        LabelStatus.VALID,
    )
    assert label.valid_from == issued_on
    # The test norm's validity is 24 months.
    assert label.expires_on == add_months(issued_on, 24)
    credential = json.loads(label.credential)
    assert credential["credentialSubject"]["label"]["number"] == label.number
    criteria = credential["credentialSubject"]["label"]["criteria"]
    assert [c["code"] for c in criteria] == ["ONVIF-S", "EXPORT", "MASK"]
    # Two evaluators scored 3 and 4: the median is 3.5; the pass/fail criterion passed.
    assert [c["result"] for c in criteria] == ["Pass", "3.5 / 5", "3.5 / 5"]
    (event,) = label.events
    assert (event.action, event.to_status) == ("issued", "valid")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.hash == event.audit_hash))
    assert entry is not None and entry.action == "label.issue" and entry.seq == event.audit_seq
    mails = read_outbox(app.config["OUTBOX_DIR"])
    assert any(m.to == world.vendor.email and label.number in m.subject for m in mails)


def test_numbers_follow_each_other_and_status_indices_are_unique(world: LabelWorld) -> None:
    labels = [issued_label(world) for _ in range(3)]
    assert [label.sequence for label in labels] == [1, 2, 3]
    assert len({label.status_list_index for label in labels}) == 3


def test_only_the_authority_issues_and_only_once(world: LabelWorld) -> None:
    evaluation = certified_evaluation(world)
    with pytest.raises(AccessDenied):
        issue_label(world.vendor, evaluation, public_statement="Meets the norm.")
    issue_label(world.authority, evaluation, public_statement="Meets the norm.")
    db.session.commit()
    with pytest.raises(RuleViolation, match="already issued"):
        issue_label(world.authority, evaluation, public_statement="Meets the norm.")
    db.session.rollback()
    assert len(db.session.scalars(select(Label)).all()) == 1


def test_an_undecided_evaluation_gets_no_label(world: LabelWorld) -> None:
    evaluation = certified_evaluation(world, decided=False)
    with pytest.raises(RuleViolation, match="decided as certified"):
        issue_label(world.authority, evaluation, public_statement="Meets the norm.")


def test_status_changes_need_a_reason_and_keep_their_history(app: Flask, world: LabelWorld) -> None:
    label = issued_label(world)
    with pytest.raises(RuleViolation, match="reason"):
        suspend_label(world.authority, label, "   ")
    with pytest.raises(AccessDenied):
        suspend_label(world.vendor, label, "Because")
    suspend_label(world.authority, label, "Defect reported")
    db.session.commit()
    assert label.status is LabelStatus.SUSPENDED and label.status_reason == "Defect reported"
    with pytest.raises(RuleViolation, match="suspended"):
        suspend_label(world.authority, label, "Again")
    reinstate_label(
        world.authority,
        label,
        "Fix verified",
        no_response_reason="The fix was verified by a re-test.",
    )
    revoke(world, label, "Fraud")
    db.session.commit()
    with pytest.raises(RuleViolation, match="revoked"):
        reinstate_label(
            world.authority,
            label,
            "Please",
            no_response_reason="The fix was verified by a re-test.",
        )
    db.session.rollback()
    history = [(e.action, e.from_status, e.to_status, e.reason) for e in label.events]
    assert history == [
        ("issued", None, "valid", "Meets the norm."),
        ("suspended", "valid", "suspended", "Defect reported"),
        (
            "reinstated",
            "suspended",
            "valid",
            "Fix verified (no vendor response needed: The fix was verified by a re-test.)",
        ),
        ("revoked", "valid", "revoked", "Fraud"),
    ]
    assert audit.verify_chain().ok
    subjects = [m.subject for m in read_outbox(app.config["OUTBOX_DIR"])]
    assert sum(label.number in s for s in subjects) == 4


def _age(label: Label, days_past_expiry: int) -> None:
    label.expires_on = dates.today() - dt.timedelta(days=days_past_expiry)
    db.session.commit()


def test_expiry_job_expires_valid_and_suspended_labels_once(
    runner: FlaskCliRunner, world: LabelWorld
) -> None:
    old, suspended, current = (issued_label(world) for _ in range(3))
    suspend_label(world.authority, suspended, "Audit pending")
    db.session.commit()
    _age(old, 1)
    _age(suspended, 10)
    result = runner.invoke(args=["labels", "expire"])
    assert result.exit_code == 0, result.output
    assert "2 labels expired" in result.output
    db.session.expire_all()
    assert [old.status, suspended.status, current.status] == [
        LabelStatus.EXPIRED,
        LabelStatus.EXPIRED,
        LabelStatus.VALID,
    ]
    assert old.events[-1].action == "expired" and old.events[-1].actor_id is None
    again = runner.invoke(args=["labels", "expire"])
    assert "0 labels expired" in again.output
    assert (
        len(db.session.scalars(select(LabelEvent).where(LabelEvent.action == "expired")).all()) == 2
    )


def test_a_label_is_valid_through_its_expiry_date(world: LabelWorld) -> None:
    label = issued_label(world)
    _age(label, 0)
    assert expire_labels() == []


def test_expiry_runs_at_start_up(app_factory: Callable[..., Flask], world: LabelWorld) -> None:
    label = issued_label(world)
    _age(label, 3)
    app_factory()
    db.session.expire_all()
    assert label.status is LabelStatus.EXPIRED


def test_start_up_expiry_skips_a_database_without_tables(
    app_factory: Callable[..., Flask], tmp_path: Path
) -> None:
    # An empty database, as before the first `flask db upgrade`: start-up must not fail.
    app_factory(DATABASE_URL=f"sqlite:///{tmp_path / 'empty.db'}")


def test_recertification_due_after_the_transition_date(world: LabelWorld) -> None:
    label = issued_label(world)
    assert not recertification_due(label)
    transition = dates.today() + dt.timedelta(days=30)
    supersede(world.version, transition)
    assert not recertification_due(label)
    assert recertification_due(label, transition + dt.timedelta(days=1))


def test_gap_view_counts_solutions_with_a_valid_label(world: LabelWorld) -> None:
    first = issued_label(world)
    second = issued_label(world)
    counts = certified_counts()
    assert counts[("operation-prevention", "video-analysis")] == 2
    revoke(world, second, "Withdrawn")
    db.session.commit()
    assert certified_counts()[("operation-prevention", "video-analysis")] == 1
    assert first.status is LabelStatus.VALID


def test_add_months_keeps_the_day_or_takes_the_month_end() -> None:
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 25), 24) == dt.date(2028, 11, 25)
    assert add_months(dt.date(2028, 2, 29), 12) == dt.date(2029, 2, 28)


def test_labels_are_signed_again_after_a_compromised_key(
    app: Flask, runner: FlaskCliRunner, world: LabelWorld
) -> None:
    from evaluations.labels.credentials import VerdictCode
    from evaluations.labels.documents.verification import verify_label_file
    from evaluations.labels.keys import public_keys_document

    label = issued_label(world)
    assert runner.invoke(args=["labels", "rotate-key", "--compromised"]).exit_code == 0
    keys = public_keys_document(app.config["BASE_URL"])
    assert verify_label_file(label.credential.encode(), keys).code == VerdictCode.KEY_REVOKED
    result = runner.invoke(args=["labels", "resign"])
    assert result.exit_code == 0 and "1 label credential signed" in result.output
    db.session.expire_all()
    lists = status_lists()
    assert verify_label_file(label.credential.encode(), keys, lists).code == VerdictCode.VALID


def test_every_label_action_is_named_in_the_api_the_feed_and_the_watchlist() -> None:
    # A new action of a label's history must reach every surface that names the actions.
    assert set(ACTION_TEXT) <= set(ACTION_TITLES)
    assert set(ACTION_TEXT) <= set(LABEL_ACTIONS)
    assert list(ACTION_TEXT) == DECISION_ACTIONS
