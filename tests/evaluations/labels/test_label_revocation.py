"""Revocation by two officers: one proposes, another confirms or refuses (four eyes)."""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from evaluations.labels.credentials import VerdictCode
from evaluations.labels.revocation import (
    confirm_revocation,
    pending_revocation,
    pending_revocations,
    propose_revocation,
    refuse_revocation,
    withdraw_revocation,
)
from evaluations.labels.status_changes import suspend_label
from evaluations.models import (
    Label,
    LabelEvent,
    LabelRevocationProposal,
    LabelStatus,
    RevocationProposalStatus,
)
from registry import audit
from registry.database import db
from registry.exceptions import AccessDenied, RuleViolation
from registry.mail import read_outbox
from registry.models import AuditEntry, User
from tests.evaluations.labels.label_builders import (
    LabelWorld,
    issued_label,
    make_world,
    second_officer,
    served_verdict,
)

ROOT = Path(__file__).resolve().parents[3]


def status_of(label: Label) -> LabelStatus:
    """The label's status as it stands at this call, after the services changed it."""
    return label.status


@pytest.fixture
def world(app: Flask, create_user: Callable[..., User]) -> Iterator[LabelWorld]:
    """People and a published norm version."""
    with app.test_request_context():
        yield make_world(create_user)


def _officer(world: LabelWorld) -> User:
    """One more officer of the world's authority."""
    officer = User(
        organisation_id=world.authority.organisation_id,
        email=f"officer-{secrets.token_hex(4)}@example.org",
        full_name="Third Officer",
        password_hash=world.authority.password_hash,
        is_org_admin=False,
        totp_secret=pyotp.random_base32(),
    )
    db.session.add(officer)
    db.session.commit()
    return officer


def _public_views(client: FlaskClient, label: Label) -> str:
    """Everything the public reads about a label, as one text."""
    paths = [
        f"/labels/{label.number}",
        f"/labels/{label.number}.json",
        f"/api/v1/labels/{label.number}",
        "/api/v1/decisions",
        "/decisions",
        "/labels/status/revocation.json",
    ]
    return "\n".join(client.get(path).get_data(as_text=True) for path in paths)


def test_the_proposer_cannot_confirm_or_refuse_its_own_proposal(world: LabelWorld) -> None:
    label = issued_label(world)
    proposal = propose_revocation(
        world.authority, label, "Fraud", emergency_reason="Evidence of fraud: buyers at risk now."
    )
    db.session.commit()
    with pytest.raises(RuleViolation, match="four eyes"):
        confirm_revocation(world.authority, proposal)
    db.session.rollback()
    with pytest.raises(RuleViolation, match="four eyes"):
        refuse_revocation(world.authority, proposal, "I changed my mind")
    db.session.rollback()
    with pytest.raises(AccessDenied):
        confirm_revocation(world.vendor, proposal)
    db.session.rollback()
    db.session.expire_all()
    assert label.status is LabelStatus.VALID
    assert proposal.status is RevocationProposalStatus.PENDING


def test_the_proposer_cannot_confirm_through_the_page(
    client: FlaskClient, world: LabelWorld, login: Callable[..., Any]
) -> None:
    label = issued_label(world)
    login(client, world.authority)
    client.post(f"/labels/{label.number}/revocation", data={"reason": "Fraud"})
    proposal = pending_revocation(label)
    assert proposal is not None
    page = client.post(
        f"/labels/{label.number}/revocation/{proposal.id}/confirm", follow_redirects=True
    ).get_data(as_text=True)
    assert "another authority officer must confirm" in page
    db.session.expire_all()
    assert label.status is LabelStatus.VALID


def test_a_pending_proposal_is_never_public(
    app: Flask, client: FlaskClient, world: LabelWorld
) -> None:
    label = issued_label(world)
    before = len(read_outbox(app.config["OUTBOX_DIR"]))
    propose_revocation(
        world.authority,
        label,
        "Secret finding 7Q",
        emergency_reason="Evidence of fraud: buyers at risk now.",
    )
    db.session.commit()
    public = _public_views(client, label)
    assert "Secret finding 7Q" not in public and "proposal" not in public.lower()
    assert served_verdict(client, label.number).code == VerdictCode.VALID
    assert len(read_outbox(app.config["OUTBOX_DIR"])) == before  # the vendor is not told
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry is not None and entry.action == "label.revocation.propose"
    # Filed under the authority, not the vendor: the vendor's audit view does not show it.
    assert entry.organisation_id == world.authority.organisation_id


def test_a_second_officer_confirms_and_the_label_is_revoked_everywhere(
    app: Flask, client: FlaskClient, world: LabelWorld, login: Callable[..., Any]
) -> None:
    label = issued_label(world)
    suspend_label(world.authority, label, "Finding")
    proposal = propose_revocation(
        world.authority,
        label,
        "Fraud in the evidence",
        emergency_reason="Evidence of fraud: buyers at risk now.",
    )
    db.session.commit()
    assert label.status is LabelStatus.SUSPENDED  # as it was, while the proposal waits
    deputy_client = app.test_client()
    login(deputy_client, second_officer(world))
    response = deputy_client.post(f"/labels/{label.number}/revocation/{proposal.id}/confirm")
    assert response.status_code == 302
    db.session.expire_all()
    assert status_of(label) is LabelStatus.REVOKED
    assert label.status_reason == "Fraud in the evidence"
    assert proposal.status is RevocationProposalStatus.CONFIRMED
    assert proposal.decided_by_id == second_officer(world).id
    page = client.get(f"/labels/{label.number}").get_data(as_text=True)
    assert page.count("REVOKED") >= 2 and "Fraud in the evidence" in page
    assert served_verdict(client, label.number).code == VerdictCode.REVOKED
    verify = client.post(
        "/verify", data={"pasted": client.get(f"/labels/{label.number}.json").data.decode()}
    ).get_data(as_text=True)
    assert "Revoked" in verify
    assert label.number in client.get("/decisions").get_data(as_text=True)
    subjects = {m.subject for m in read_outbox(app.config["OUTBOX_DIR"])}
    assert f"Label {label.number}: revoked" in subjects
    actions = [
        e.action
        for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        if e.action.startswith("label.revocation.") or e.action == "label.revoke"
    ]
    assert actions[-3:] == ["label.revocation.propose", "label.revoke", "label.revocation.confirm"]
    assert audit.verify_chain().ok
    gone = deputy_client.get(f"/labels/{label.number}/manage").get_data(as_text=True)
    assert "Confirm revocation" not in gone


def test_refusal_and_withdrawal_leave_the_label_as_it_was(
    client: FlaskClient, world: LabelWorld, login: Callable[..., Any]
) -> None:
    label = issued_label(world)
    deputy = second_officer(world)
    proposal = propose_revocation(
        world.authority,
        label,
        "Doubtful",
        emergency_reason="Evidence of fraud: buyers at risk now.",
    )
    db.session.commit()
    with pytest.raises(RuleViolation, match="pending revocation proposal"):
        propose_revocation(
            deputy, label, "Me too", emergency_reason="Evidence of fraud: buyers at risk now."
        )
    db.session.rollback()
    with pytest.raises(RuleViolation, match="refuse"):
        refuse_revocation(deputy, proposal, "  ")
    db.session.rollback()
    with pytest.raises(RuleViolation, match="Only the officer who proposed"):
        withdraw_revocation(deputy, proposal)
    db.session.rollback()
    refuse_revocation(deputy, proposal, "The finding was answered")
    db.session.commit()
    assert proposal.status is RevocationProposalStatus.REFUSED
    assert proposal.decision_note == "The finding was answered"
    with pytest.raises(RuleViolation, match="already refused"):
        confirm_revocation(deputy, proposal)
    db.session.rollback()
    again = propose_revocation(
        world.authority,
        label,
        "New finding",
        emergency_reason="Evidence of fraud: buyers at risk now.",
    )
    db.session.commit()
    login(client, world.authority)
    client.post(f"/labels/{label.number}/revocation/{again.id}/withdraw")
    db.session.expire_all()
    assert again.status is RevocationProposalStatus.WITHDRAWN
    assert label.status is LabelStatus.VALID
    assert [e.action for e in label.events] == ["issued"]
    assert pending_revocations() == []
    assert audit.verify_chain().ok


def test_the_dashboard_leads_a_second_officer_to_the_pending_proposals(
    app: Flask, world: LabelWorld, login: Callable[..., Any]
) -> None:
    label = issued_label(world)
    propose_revocation(
        world.authority, label, "Fraud", emergency_reason="Evidence of fraud: buyers at risk now."
    )
    db.session.commit()
    client = app.test_client()
    login(client, second_officer(world))
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "/labels/revocations" in dashboard
    listed = client.get("/labels/revocations").get_data(as_text=True)
    assert label.number in listed and world.authority.email in listed and "Fraud" in listed


def _in_thread(app: Flask, call: Callable[[], Any], outcomes: list[str], start: Any) -> None:
    with app.test_request_context():
        start.wait(timeout=30)
        try:
            call()
            db.session.commit()
            outcomes.append("done")
        except RuleViolation as error:
            db.session.rollback()
            outcomes.append(f"refused: {error.message}")
        except Exception as error:  # the test reports any other failure  # noqa: BLE001
            db.session.rollback()
            outcomes.append(f"error: {error!r}")
        finally:
            db.session.remove()


def _together(app: Flask, calls: list[Callable[[], Any]]) -> list[str]:
    outcomes: list[str] = []
    start = threading.Barrier(len(calls))
    threads = [
        threading.Thread(target=_in_thread, args=(app, call, outcomes, start)) for call in calls
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_concurrent_confirmations_make_one_revocation(app: Flask, world: LabelWorld) -> None:
    label = issued_label(world)
    officer_ids = [second_officer(world).id, _officer(world).id]
    proposal_id = propose_revocation(
        world.authority, label, "Fraud", emergency_reason="Evidence of fraud: buyers at risk now."
    ).id
    db.session.commit()
    label_id = label.id
    db.session.remove()

    def confirm(officer_id: int) -> Callable[[], Any]:
        return lambda: confirm_revocation(
            db.session.get(User, officer_id),
            db.session.get_one(LabelRevocationProposal, proposal_id),
        )

    outcomes = _together(app, [confirm(officer_id) for officer_id in officer_ids])
    assert sorted(outcomes)[0] == "done" and sorted(outcomes)[1].startswith("refused"), outcomes
    revocations = db.session.scalar(
        select(func.count())
        .select_from(LabelEvent)
        .where(LabelEvent.label_id == label_id, LabelEvent.action == "revoked")
    )
    assert revocations == 1
    assert audit.verify_chain().ok


def test_concurrent_proposals_leave_one_pending(app: Flask, world: LabelWorld) -> None:
    label = issued_label(world)
    officer_ids = [world.authority.id, second_officer(world).id, _officer(world).id]
    label_id = label.id
    db.session.remove()

    def propose(officer_id: int) -> Callable[[], Any]:
        return lambda: propose_revocation(
            db.session.get(User, officer_id), db.session.get_one(Label, label_id), "Fraud"
        )

    outcomes = _together(app, [propose(officer_id) for officer_id in officer_ids])
    assert outcomes.count("done") == 1, outcomes
    assert all("pending revocation proposal" in o for o in outcomes if o != "done"), outcomes
    assert db.session.scalar(select(func.count()).select_from(LabelRevocationProposal)) == 1


STEPS = st.lists(
    st.tuples(st.sampled_from(["propose", "confirm", "refuse", "withdraw"]), st.integers(0, 2)),
    max_size=8,
)


def _three_officers(world: LabelWorld) -> list[User]:
    """The world's authority officers, made up to three (kept across the examples)."""
    second_officer(world)
    officers = list(
        db.session.scalars(
            select(User)
            .where(User.organisation_id == world.authority.organisation_id)
            .order_by(User.id)
        )
    )
    return officers if len(officers) >= 3 else [*officers, _officer(world)]


def _step_expected(
    action: str, index: int, pending: tuple[int, int] | None, revoked_by: tuple[int, int] | None
) -> bool | None:
    """Whether the rules let this step succeed; None when there is no proposal to decide."""
    if action == "propose":
        return revoked_by is None and pending is None
    if pending is None:
        return None
    if action == "withdraw":
        return pending[1] == index
    return pending[1] != index


def _run_step(
    action: str,
    officer: User,
    label: Label,
    proposal: LabelRevocationProposal | None,
    index: int,
) -> LabelRevocationProposal | None:
    """Take one step; the proposal made when the step is a proposal."""
    if action == "propose":
        return propose_revocation(
            officer,
            label,
            f"Step by {index}",
            emergency_reason="Evidence of fraud: buyers at risk now.",
        )
    if action == "confirm":
        confirm_revocation(officer, proposal)  # type: ignore[arg-type]
    elif action == "refuse":
        refuse_revocation(officer, proposal, "No")  # type: ignore[arg-type]
    else:
        withdraw_revocation(officer, proposal)  # type: ignore[arg-type]
    return None


def _attempt_step(
    action: str, officer: User, label: Label, pending: tuple[int, int] | None, index: int
) -> tuple[bool, LabelRevocationProposal | None]:
    """Take one step and commit it: whether it was done, and the proposal it made if any."""
    proposal = db.session.get_one(LabelRevocationProposal, pending[0]) if pending else None
    try:
        made = _run_step(action, officer, label, proposal, index)
        db.session.commit()
    except RuleViolation:
        db.session.rollback()
        return False, None
    return True, made


def _state_after_step(
    action: str,
    index: int,
    pending: tuple[int, int] | None,
    revoked_by: tuple[int, int] | None,
    made: LabelRevocationProposal | None,
) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """The (pending, revoked_by) model state once a step was done."""
    if action == "propose":
        assert made is not None
        return (made.id, index), revoked_by
    if action == "confirm" and pending is not None:
        revoked_by = (pending[1], index)
    return None, revoked_by


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_a_label_is_revoked_only_by_a_confirmation_of_another_officer(
    world: LabelWorld, steps: list[tuple[str, int]]
) -> None:
    officers = _three_officers(world)
    label = issued_label(world)
    pending: tuple[int, int] | None = None  # (proposal id, proposer's index)
    revoked_by: tuple[int, int] | None = None  # (proposer's index, confirmer's index)
    for action, index in steps:
        expected = _step_expected(action, index, pending, revoked_by)
        if expected is None:
            continue  # nothing to decide
        done, made = _attempt_step(action, officers[index], label, pending, index)
        assert done is expected, f"{action} by officer {index}, pending {pending}"
        if done:
            pending, revoked_by = _state_after_step(action, index, pending, revoked_by, made)
        db.session.expire_all()
        assert (label.status is LabelStatus.REVOKED) is (revoked_by is not None)
        assert revoked_by is None or revoked_by[0] != revoked_by[1]
    confirmed = db.session.scalars(
        select(LabelRevocationProposal).where(
            LabelRevocationProposal.label_id == label.id,
            LabelRevocationProposal.status == RevocationProposalStatus.CONFIRMED,
        )
    ).all()
    assert len(confirmed) == (1 if revoked_by else 0)
    assert all(p.decided_by_id != p.proposed_by_id for p in confirmed)
    assert audit.verify_chain().ok


def test_only_the_confirmation_step_revokes_a_label() -> None:
    # Every revocation goes through two officers: no other code calls the one-officer step.
    callers = [
        path.relative_to(ROOT).as_posix()
        for package in ("registry", "catalog", "evaluations", "vulnerabilities", "procurement")
        for path in (ROOT / package).rglob("*.py")
        if re.search(r"\brevoke_label\(", path.read_text(encoding="utf-8"))
    ]
    assert sorted(callers) == [
        "evaluations/labels/revocation.py",
        "evaluations/labels/status_changes.py",
    ]
