"""Revocation by two officers (four eyes): one proposes, another confirms or refuses.

The label keeps its status (valid or suspended) until a second officer confirms, and only then
is it revoked, through `status_changes.revoke_label`, with the proposal's reason. The vendor is
sent a notice with the reason and may respond on the label page until the response deadline
(REVOCATION_NOTICE_DAYS after the proposal); the second officer cannot confirm before that day
unless the vendor has responded or the proposing officer marked the proposal an emergency, with
a justification (then no notice is sent: the revocation itself tells the vendor). Every step
writes an audit entry; the public learns of nothing until the revocation itself.

Each step locks the label row first and then the proposal (always in that order, so two steps
cannot deadlock); on SQLite a writing request holds the database's write lock from its start.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from evaluations.labels import status_changes
from evaluations.models import (
    Label,
    LabelRevocationProposal,
    RevocationProposalStatus,
)
from registry import audit
from registry.access import require_role, require_same_organisation
from registry.database import db, utcnow
from registry.dates import today
from registry.exceptions import RuleViolation
from registry.mail import send_mail
from registry.models import Organisation, Role, User

# Days the vendor has to respond to a revocation notice (REVOCATION_NOTICE_DAYS).
DEFAULT_NOTICE_DAYS = 14


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


def notice_days() -> int:
    """REVOCATION_NOTICE_DAYS: how long the vendor may respond to a revocation notice."""
    return int(current_app.config.get("REVOCATION_NOTICE_DAYS", DEFAULT_NOTICE_DAYS))


def _send_notice(label: Label, proposal: LabelRevocationProposal) -> None:
    vendor = db.session.get(Organisation, label.vendor_id)
    if vendor is None:
        return
    due = proposal.response_due_on.isoformat() if proposal.response_due_on else ""
    body = (
        f"The authority proposes to revoke the label {label.number} ({label.level}).\n\n"
        f"Reason: {proposal.reason}\n\n"
        f"You may respond on the label's page until {due}; a second officer decides after "
        "reading your response, or after that day.\n"
    )
    for member in vendor.users:
        if member.is_active:
            send_mail(
                member.email,
                f"Label {label.number}: notice of a proposed revocation",
                f"Hello {member.full_name},\n\n{body}",
            )


def may_confirm_from(proposal: LabelRevocationProposal) -> dt.date | None:
    """The first day a second officer may confirm (None: at once)."""
    if proposal.emergency_reason or proposal.vendor_responded_at is not None:
        return None
    return proposal.response_due_on


def propose_revocation(
    actor: User | None, label: Label, reason: str, emergency_reason: str = ""
) -> LabelRevocationProposal:
    """Propose to revoke a valid or suspended label; another officer must confirm it.

    The vendor is sent a notice and may respond until the response deadline; with an
    `emergency_reason` (the justification) no notice is sent and no deadline applies."""
    actor = require_role(actor, Role.AUTHORITY)
    reason = _text(reason, "reason", "Give a reason; it is published in the decision log.")
    emergency = (emergency_reason or "").strip()
    if len(emergency) > status_changes.MAX_REASON_LENGTH:
        raise RuleViolation("The justification is too long.", "emergency_reason")
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
        emergency_reason=emergency,
        response_due_on=None if emergency else today() + dt.timedelta(days=notice_days()),
        vendor_response="",
    )
    db.session.add(proposal)
    db.session.flush()
    _audit(
        actor, "propose", proposal, f"{reason} (emergency: {emergency})" if emergency else reason
    )
    if not emergency:
        _send_notice(locked, proposal)
    return proposal


def respond_to_revocation(
    actor: User | None, proposal: LabelRevocationProposal, response: str
) -> LabelRevocationProposal:
    """The vendor responds to the notice; both officers read it before the decision."""
    actor = require_role(actor, Role.VENDOR)
    require_same_organisation(actor, proposal.label.vendor_id)
    response = _text(response, "response", "Write your response to the proposed revocation.")
    _, proposal = _lock(proposal.label_id, proposal.id)
    proposal.vendor_response = response
    proposal.vendor_responded_at = utcnow()
    db.session.flush()
    audit.record(
        actor,
        "label.revocation.respond",
        proposal,
        summary=f"Vendor response to the proposed revocation of {proposal.label.number}"[:2000],
        data={"number": proposal.label.number, "proposal_id": proposal.id, "text": response},
        organisation_id=proposal.label.vendor_id,
    )
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
    first_day = may_confirm_from(proposal)
    if first_day is not None and today() <= first_day:
        raise RuleViolation(
            f"The vendor may respond to the notice until {first_day.isoformat()}: confirm "
            "after that day, or once the vendor has responded."
        )
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
