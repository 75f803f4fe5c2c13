"""Revocation by two officers (four eyes): one proposes, another confirms or refuses.

A proposal is internal to the authority: the label keeps its status (valid or suspended) until
a second officer confirms, and only then is it revoked, through `status_changes.revoke_label`,
with the proposal's reason. Every step writes an audit entry under the authority's organisation,
so the vendor and the public learn of nothing until the revocation itself.

Each step locks the label row first and then the proposal (always in that order, so two steps
cannot deadlock); on SQLite a writing request holds the database's write lock from its start.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from evaluations.labels import status_changes
from evaluations.models import (
    Label,
    LabelRevocationProposal,
    RevocationProposalStatus,
)
from registry import audit
from registry.access import require_role
from registry.database import db, utcnow
from registry.exceptions import RuleViolation
from registry.models import Role, User


def _text(value: str | None, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise RuleViolation(message, field)
    if len(text) > status_changes.MAX_REASON_LENGTH:
        raise RuleViolation(
            f"The text is too long (at most {status_changes.MAX_REASON_LENGTH} characters).",
            field,
        )
    return text


def _lock(label_id: int, proposal_id: int | None = None) -> tuple[Label, LabelRevocationProposal]:
    """The label, then the proposal (its pending one when no id is given), both row-locked."""
    label = db.session.scalars(
        select(Label)
        .where(Label.id == label_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if label is None:
        raise RuleViolation("The label no longer exists.")
    statement = select(LabelRevocationProposal).where(LabelRevocationProposal.label_id == label_id)
    if proposal_id is None:
        statement = statement.where(
            LabelRevocationProposal.status == RevocationProposalStatus.PENDING
        )
    else:
        statement = statement.where(LabelRevocationProposal.id == proposal_id)
    proposal = db.session.scalars(
        statement.with_for_update().execution_options(populate_existing=True)
    ).one_or_none()
    if proposal is None:
        raise RuleViolation("There is no such revocation proposal.")
    if proposal.status is not RevocationProposalStatus.PENDING:
        raise RuleViolation(
            f"This revocation proposal was already {proposal.status.value}; reload the page."
        )
    return label, proposal


def _audit(actor: User, action: str, proposal: LabelRevocationProposal, text: str) -> None:
    label = proposal.label
    audit.record(
        actor,
        f"label.revocation.{action}",
        proposal,
        summary=f"Revocation of label {label.number} {action}: {text}"[:2000],
        data={
            "number": label.number,
            "label_id": label.id,
            "proposal_id": proposal.id,
            "proposed_by": proposal.proposed_by_id,
            "status": proposal.status.value,
            "text": text,
        },
    )


def pending_revocation(label: Label) -> LabelRevocationProposal | None:
    """The label's pending revocation proposal, if any."""
    return db.session.scalars(
        select(LabelRevocationProposal)
        .where(
            LabelRevocationProposal.label_id == label.id,
            LabelRevocationProposal.status == RevocationProposalStatus.PENDING,
        )
        .options(selectinload(LabelRevocationProposal.proposed_by))
    ).one_or_none()


def pending_revocations() -> list[LabelRevocationProposal]:
    """Every pending revocation proposal, oldest first, with its label and proposer loaded."""
    return list(
        db.session.scalars(
            select(LabelRevocationProposal)
            .where(LabelRevocationProposal.status == RevocationProposalStatus.PENDING)
            .options(
                selectinload(LabelRevocationProposal.label).selectinload(Label.solution),
                selectinload(LabelRevocationProposal.proposed_by),
            )
            .order_by(LabelRevocationProposal.proposed_at, LabelRevocationProposal.id)
        )
    )


def propose_revocation(actor: User | None, label: Label, reason: str) -> LabelRevocationProposal:
    """Propose to revoke a valid or suspended label; another officer must confirm it."""
    actor = require_role(actor, Role.AUTHORITY)
    reason = _text(reason, "reason", "Give a reason; it is published in the decision log.")
    locked = db.session.scalars(
        select(Label)
        .where(Label.id == label.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if locked is None:
        raise RuleViolation("The label no longer exists.")
    if locked.status not in status_changes.LIVE_STATUSES:
        raise RuleViolation(
            f"Label {locked.number} is {locked.status.value}; it cannot be revoked "
            "(only a valid or suspended label can)."
        )
    existing = pending_revocation(locked)
    if existing is not None:
        raise RuleViolation(
            f"Label {locked.number} already has a pending revocation proposal "
            f"by {existing.proposed_by.email}."
        )
    proposal = LabelRevocationProposal(
        label=locked,
        status=RevocationProposalStatus.PENDING,
        reason=reason,
        proposed_by_id=actor.id,
        proposed_at=utcnow(),
        decision_note="",
    )
    db.session.add(proposal)
    db.session.flush()
    _audit(actor, "propose", proposal, reason)
    return proposal


def _second_officer(actor: User | None, proposal: LabelRevocationProposal, verb: str) -> User:
    actor = require_role(actor, Role.AUTHORITY)
    if proposal.proposed_by_id == actor.id:
        raise RuleViolation(
            f"You proposed this revocation: another authority officer must {verb} it (four eyes)."
        )
    return actor


def confirm_revocation(actor: User | None, proposal: LabelRevocationProposal) -> Label:
    """A second officer confirms: the label is revoked with the proposal's reason."""
    require_role(actor, Role.AUTHORITY)
    label, proposal = _lock(proposal.label_id, proposal.id)
    actor = _second_officer(actor, proposal, "confirm")
    label = status_changes.revoke_label(actor, label, proposal.reason)
    proposal.status = RevocationProposalStatus.CONFIRMED
    proposal.decided_by_id = actor.id
    proposal.decided_at = label.status_changed_at
    db.session.flush()
    _audit(actor, "confirm", proposal, proposal.reason)
    return label


def refuse_revocation(
    actor: User | None, proposal: LabelRevocationProposal, note: str
) -> LabelRevocationProposal:
    """A second officer refuses, with a note: the label stays as it is."""
    require_role(actor, Role.AUTHORITY)
    note = _text(note, "reason", "Say why you refuse; the proposing officer reads it.")
    _, proposal = _lock(proposal.label_id, proposal.id)
    actor = _second_officer(actor, proposal, "refuse")
    proposal.status = RevocationProposalStatus.REFUSED
    proposal.decided_by_id = actor.id
    proposal.decided_at = utcnow()
    proposal.decision_note = note
    db.session.flush()
    _audit(actor, "refuse", proposal, note)
    return proposal


def withdraw_revocation(
    actor: User | None, proposal: LabelRevocationProposal
) -> LabelRevocationProposal:
    """The proposing officer withdraws a pending proposal."""
    actor = require_role(actor, Role.AUTHORITY)
    _, proposal = _lock(proposal.label_id, proposal.id)
    if proposal.proposed_by_id != actor.id:
        raise RuleViolation("Only the officer who proposed this revocation can withdraw it.")
    proposal.status = RevocationProposalStatus.WITHDRAWN
    proposal.decided_by_id = actor.id
    proposal.decided_at = utcnow()
    db.session.flush()
    _audit(actor, "withdraw", proposal, proposal.reason)
    return proposal
