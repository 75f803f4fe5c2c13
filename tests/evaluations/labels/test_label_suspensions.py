"""Suspension with an end date and its escalation, reinstatement after a verification, reduction,
termination by the vendor, notice before revocation, and buyers told."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from catalog.demo import seed_demo_solutions
from catalog.lists.models import Notification
from catalog.lists.services import add_to_shortlist, create_shortlist
from catalog.versions import declare_version
from evaluations.labels.demo import seed_demo_labels
from evaluations.labels.demo_suspensions import DEMO_RESPONSE, seed_demo_suspensions
from evaluations.labels.issuing import issue_label
from evaluations.labels.revocation import (
    confirm_revocation,
    propose_revocation,
    respond_to_revocation,
)
from evaluations.labels.status_changes import (
    open_suspension,
    reinstate_label,
    suspend_label,
)
from evaluations.labels.suspension_models import LabelSuspension
from evaluations.labels.suspensions import (
    escalate_suspensions,
    overdue_suspension_ids,
    reduce_label,
    respond_to_suspension,
    terminate_label,
)
from evaluations.models import LabelScope, LabelStatus
from registry.database import db, utcnow
from registry.dates import today
from registry.demo import seed_demo
from registry.exceptions import AccessDenied, RuleViolation
from registry.mail import read_outbox
from registry.models import OrganisationKind, User
from registry.norms.demo import seed_norms
from tests.evaluations.labels.label_builders import (
    LabelWorld,
    certified_evaluation,
    issued_label,
    make_world,
    second_officer,
)


@pytest.fixture
def world(app: Flask, create_user: Callable[..., User]) -> Iterator[LabelWorld]:
    """People and a published norm version."""
    with app.test_request_context():
        yield make_world(create_user)


def _mails_to(app: Flask, email: str) -> list[str]:
    return [m.body for m in read_outbox(app.config["OUTBOX_DIR"]) if email in m.to]


def test_a_suspension_ends_at_most_the_scheme_maximum_after_today(
    app: Flask, world: LabelWorld
) -> None:
    label = issued_label(world)
    with pytest.raises(RuleViolation, match="at most 42 days"):
        suspend_label(world.authority, label, "Finding", ends_on=today() + dt.timedelta(days=43))
    app.config["SUSPENSION_MAX_DAYS"] = 30
    suspend_label(world.authority, label, "Finding")
    db.session.commit()
    record = open_suspension(label)
    assert record is not None
    assert record.ends_on == today() + dt.timedelta(days=30)
    assert record.corrective_actions == "Finding"


def test_a_suspension_past_its_end_date_escalates_on_the_daily_job(
    app: Flask, world: LabelWorld
) -> None:
    overdue, current = issued_label(world), issued_label(world)
    suspend_label(world.authority, overdue, "No test report", corrective_actions="Send it")
    suspend_label(world.authority, current, "Finding", ends_on=today() + dt.timedelta(days=5))
    record = open_suspension(overdue)
    assert record is not None
    record.ends_on = today() - dt.timedelta(days=1)
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["labels", "escalate-suspensions"])
    assert result.exit_code == 0, result.output
    assert "1 label withdrawn" in result.output
    db.session.expire_all()
    assert overdue.status is LabelStatus.REVOKED
    assert (today() - dt.timedelta(days=1)).isoformat() in overdue.status_reason
    last = overdue.events[-1]
    assert (last.action, last.actor_id) == ("withdrawn", None)
    assert current.status is LabelStatus.SUSPENDED
    again = runner.invoke(args=["labels", "escalate-suspensions"])
    assert "0 labels withdrawn" in again.output
    assert [e.action for e in overdue.events].count("withdrawn") == 1


def test_reinstatement_needs_a_verification_after_the_vendor_response(
    app: Flask, world: LabelWorld
) -> None:
    label = issued_label(world)
    suspend_label(world.authority, label, "Defect", corrective_actions="Fix the audit trail")
    db.session.commit()
    with pytest.raises(RuleViolation, match="not responded"):
        reinstate_label(world.authority, label, "Looks fine")
    db.session.rollback()
    respond_to_suspension(world.vendor, label, "Firmware 2.1 fixes it; report attached.")
    reinstate_label(world.authority, label, "Re-test of firmware 2.1 passed the audit criteria")
    db.session.commit()
    assert label.status is LabelStatus.VALID
    assert label.events[-1].reason == "Re-test of firmware 2.1 passed the audit criteria"
    assert open_suspension(label) is None


def test_the_vendor_response_and_the_verification_show_on_the_pages(
    app: Flask, client: FlaskClient, world: LabelWorld, login: Callable[..., Any]
) -> None:
    label = issued_label(world)
    suspend_label(world.authority, label, "Defect", corrective_actions="Fix the audit trail")
    db.session.commit()
    login(client, world.vendor)
    page = client.get(f"/labels/{label.number}").get_data(as_text=True)
    assert "Fix the audit trail" in page
    client.post(f"/labels/{label.number}/suspension/response", data={"response": "Fixed in 2.1"})
    officer = FlaskClient(app, use_cookies=True)
    login(officer, world.authority)
    manage = officer.get(f"/labels/{label.number}/manage").get_data(as_text=True)
    assert "Fixed in 2.1" in manage and "Waiting for the officer" in manage
    officer.post(f"/labels/{label.number}/reinstate", data={"reason": "Re-test passed"})
    manage = officer.get(f"/labels/{label.number}/manage").get_data(as_text=True)
    assert "Reinstated after verification" in manage and "Re-test passed" in manage


def test_reduce_lowers_the_level_and_resigns_the_credential(app: Flask, world: LabelWorld) -> None:
    label = issued_label(world, level="Advanced", percent=85.0)
    credential, revision = label.credential, label.facts_revision
    with pytest.raises(RuleViolation, match="not a lower level"):
        reduce_label(world.authority, label, "Finding", level="Advanced")
    reduce_label(world.authority, label, "Logging criterion no longer met", level="Certified")
    db.session.commit()
    assert label.level == "Certified" and label.status is LabelStatus.VALID
    assert label.facts_revision == revision + 1 and label.credential != credential
    assert '"Certified"' in label.credential
    assert label.events[-1].action == "reduced"
    with pytest.raises(RuleViolation, match="Only versions in the certified scope"):
        reduce_label(world.authority, label, "x", remove_version_ids=[2**30])


def test_the_vendor_administrator_ends_the_certification(
    app: Flask, world: LabelWorld, create_user: Callable[..., User]
) -> None:
    label = issued_label(world)
    colleague = create_user(world.vendor.organisation, is_org_admin=False)
    with pytest.raises(AccessDenied):
        terminate_label(colleague, label, "We stop selling it")
    terminate_label(world.vendor, label, "We stop selling it")
    db.session.commit()
    assert label.status is LabelStatus.REVOKED
    assert label.events[-1].action == "terminated"
    assert "We stop selling it" in label.status_reason


def test_a_revocation_waits_for_the_notice_unless_the_vendor_responded(
    app: Flask, world: LabelWorld
) -> None:
    label = issued_label(world)
    proposal = propose_revocation(world.authority, label, "Fraud in the evidence")
    db.session.commit()
    assert proposal.response_due_on == today() + dt.timedelta(days=14)
    notices = _mails_to(app, world.vendor.email)
    assert any("Fraud in the evidence" in body for body in notices)
    with pytest.raises(RuleViolation, match="may respond"):
        confirm_revocation(second_officer(world), proposal)
    db.session.rollback()
    respond_to_revocation(world.vendor, proposal, "The evidence was re-sent on 3 May.")
    confirm_revocation(second_officer(world), proposal)
    db.session.commit()
    assert label.status is LabelStatus.REVOKED
    assert proposal.vendor_response == "The evidence was re-sent on 3 May."


def test_an_emergency_revocation_is_confirmed_at_once(app: Flask, world: LabelWorld) -> None:
    label = issued_label(world)
    proposal = propose_revocation(
        world.authority, label, "Fraud", emergency_reason="Devices are being recalled today."
    )
    confirm_revocation(second_officer(world), proposal)
    db.session.commit()
    assert label.status is LabelStatus.REVOKED


def test_buyers_with_a_shortlist_entry_are_told_of_a_suspension(
    app: Flask, world: LabelWorld, create_user: Callable[..., User]
) -> None:
    label = issued_label(world)
    buyer = create_user(kind=OrganisationKind.BUYER)
    shortlist = create_shortlist(buyer, "Cameras")
    add_to_shortlist(buyer, shortlist, label.solution_id)
    db.session.commit()
    suspend_label(world.authority, label, "Defect reported by a hospital")
    db.session.commit()
    notices = db.session.scalars(select(Notification).where(Notification.user_id == buyer.id))
    assert any(label.number in n.text and "suspended" in n.text for n in notices)
    assert any("Defect reported" in body for body in _mails_to(app, buyer.email))


def test_the_demo_leaves_one_suspension_to_verify_and_one_to_escalate(app: Flask) -> None:
    with app.test_request_context(base_url=app.config["BASE_URL"]):
        for load in (seed_demo, seed_norms, seed_demo_solutions, seed_demo_labels):
            load()
            db.session.commit()
        seed_demo_suspensions()
        db.session.commit()
        seed_demo_suspensions()
        db.session.commit()
        records = db.session.scalars(
            select(LabelSuspension).where(LabelSuspension.outcome == "")
        ).all()
        assert [r.vendor_response == DEMO_RESPONSE for r in records].count(True) == 1
        assert len(overdue_suspension_ids()) == 1
        withdrawn = escalate_suspensions()
        db.session.commit()
        assert len(withdrawn) == 1 and withdrawn[0].status is LabelStatus.REVOKED
        seed_demo_suspensions()
        assert escalate_suspensions() == []


def test_reduce_narrows_the_scope_keeping_one_version(app: Flask, world: LabelWorld) -> None:
    evaluation = certified_evaluation(world)
    first = declare_version(world.vendor, evaluation.solution, "2.0", today())
    evaluation.product_version_id = first.id
    label = issue_label(world.authority, evaluation, public_statement="Meets the norm.")
    second = declare_version(world.vendor, label.solution, "2.1", today())
    db.session.add(LabelScope(label_id=label.id, version_id=second.id, added_at=utcnow()))
    db.session.commit()
    with pytest.raises(RuleViolation, match="At least one version"):
        reduce_label(world.authority, label, "x", remove_version_ids=[first.id, second.id])
    db.session.rollback()
    reduce_label(world.authority, label, "2.0 is no longer patched", remove_version_ids=[first.id])
    db.session.commit()
    db.session.expire_all()
    assert [entry.version_id for entry in label.scope] == [second.id]
    assert "versions 2.0 removed from the scope" in label.events[-1].reason


def test_the_vendor_answers_a_revocation_notice_and_ends_a_certification_on_its_pages(
    app: Flask, client: FlaskClient, world: LabelWorld, login: Callable[..., Any]
) -> None:
    noticed, ended = issued_label(world), issued_label(world)
    proposal = propose_revocation(world.authority, noticed, "Evidence doubtful")
    db.session.commit()
    login(client, world.vendor)
    page = client.get(f"/labels/{noticed.number}").get_data(as_text=True)
    assert "Evidence doubtful" in page
    assert (today() + dt.timedelta(days=14)).isoformat() in page
    client.post(
        f"/labels/{noticed.number}/revocation/{proposal.id}/response",
        data={"response": "The evidence was re-sent."},
    )
    deputy = FlaskClient(app, use_cookies=True)
    login(deputy, second_officer(world))
    manage = deputy.get(f"/labels/{noticed.number}/manage").get_data(as_text=True)
    assert "The evidence was re-sent." in manage
    confirm = client.get(f"/labels/{ended.number}/terminate").get_data(as_text=True)
    assert "cannot be undone" in confirm
    client.post(f"/labels/{ended.number}/terminate", data={"reason": "Product discontinued"})
    db.session.expire_all()
    assert ended.status is LabelStatus.REVOKED
    assert "Product discontinued" in client.get(f"/labels/{ended.number}").get_data(as_text=True)
