"""The register of evaluation bodies: their accreditations and scope, the approval of evaluators.

The authority records each accreditation an evaluation body holds (ISO/IEC 17065 6.2), edits its
scope and dates, and withdraws it early; an evaluation body proposes its members for approval
with a statement of their competence and the authority approves, refuses or withdraws (6.1).
Every change is audited and the people concerned are told by mail.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, select

from evaluations.bodies.models import (
    Accreditation,
    AccreditationScope,
    ApprovalStatus,
    EvaluatorApproval,
)
from registry import audit
from registry.access import require_role
from registry.database import db, utcnow
from registry.dates import today
from registry.exceptions import NotVisible, RuleViolation
from registry.mail import send_mail
from registry.models import (
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Role,
    TechnologyCategory,
    User,
)
from registry.norms.models import Norm
from registry.public_address import public_url

MAX_TEXT = 200
MAX_CERTIFICATE = 100
MAX_NOTE = 4000


class AccreditationState(enum.StrEnum):
    """Where an accreditation stands on a given day."""

    VALID = "valid"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        """A human name for the state."""
        return {
            "valid": "Valid",
            "not_yet_valid": "Not yet valid",
            "expired": "Expired",
            "withdrawn": "Withdrawn",
        }[self.value]


APPROVAL_TEXT = {
    ApprovalStatus.PENDING: "Awaiting the authority's decision",
    ApprovalStatus.APPROVED: "Approved",
    ApprovalStatus.REFUSED: "Refused",
    ApprovalStatus.WITHDRAWN: "Approval withdrawn",
}


@dataclass(frozen=True)
class AccreditationData:
    """What the authority records of an accreditation; scope rows are (category, norm or None)."""

    accreditation_body: str
    standard: str
    certificate_number: str
    valid_from: dt.date | None
    valid_until: dt.date | None
    scope: Sequence[tuple[int, int | None]]


@dataclass(frozen=True)
class Competence:
    """What an evaluation body states of the evaluator it proposes."""

    qualifications: str
    training: str
    experience: str

    def as_text(self) -> str:
        """The statement as stored with the approval."""
        return (
            f"Qualifications:\n{self.qualifications}\n\n"
            f"Training:\n{self.training}\n\n"
            f"Experience:\n{self.experience}"
        )


# --- reading ------------------------------------------------------------------------------


def accreditation_state(
    accreditation: Accreditation, on: dt.date | None = None
) -> AccreditationState:
    """Whether the accreditation is valid on ``on`` (today by default), and if not, why."""
    day = on or today()
    if accreditation.withdrawn_at is not None:
        return AccreditationState.WITHDRAWN
    if day < accreditation.valid_from:
        return AccreditationState.NOT_YET_VALID
    if day > accreditation.valid_until:
        return AccreditationState.EXPIRED
    return AccreditationState.VALID


def valid_accreditations_statement(on: dt.date | None = None) -> Select[Accreditation]:
    """The accreditations valid on ``on``: not withdrawn, the day within their dates."""
    day = on or today()
    return select(Accreditation).where(
        Accreditation.withdrawn_at.is_(None),
        Accreditation.valid_from <= day,
        Accreditation.valid_until >= day,
    )


def accreditations_of(organisation: Organisation) -> list[Accreditation]:
    """Every accreditation of a body, the latest ending first."""
    return list(
        db.session.scalars(
            select(Accreditation)
            .where(Accreditation.organisation_id == organisation.id)
            .order_by(Accreditation.valid_until.desc(), Accreditation.id.desc())
        )
    )


def covers(accreditation: Accreditation, norm: Norm) -> bool:
    """Whether the accreditation's scope names the norm, or the norm's whole category."""
    return any(
        row.norm_id == norm.id or (row.norm_id is None and row.category_id == norm.category_id)
        for row in accreditation.scope
    )


def accreditation_covering(
    organisation_id: int, norm: Norm, on: dt.date | None = None
) -> Accreditation | None:
    """The body's accreditation valid on ``on`` whose scope covers the norm, if any."""
    held = db.session.scalars(
        valid_accreditations_statement(on)
        .where(Accreditation.organisation_id == organisation_id)
        .order_by(Accreditation.valid_until.desc(), Accreditation.id)
    )
    return next((accreditation for accreditation in held if covers(accreditation, norm)), None)


def publicly_accredited_bodies(
    on: dt.date | None = None,
) -> list[tuple[Organisation, list[Accreditation]]]:
    """Active evaluation bodies with at least one accreditation valid on ``on``, by name."""
    accreditations = db.session.scalars(
        valid_accreditations_statement(on)
        .join(Organisation, Accreditation.organisation_id == Organisation.id)
        .where(
            Organisation.kind == OrganisationKind.EVALUATION_BODY,
            Organisation.status == OrganisationStatus.ACTIVE,
        )
        .order_by(Organisation.name, Accreditation.valid_until.desc(), Accreditation.id)
    ).all()
    bodies: dict[int, tuple[Organisation, list[Accreditation]]] = {}
    for accreditation in accreditations:
        entry = bodies.setdefault(accreditation.organisation_id, (accreditation.organisation, []))
        entry[1].append(accreditation)
    return list(bodies.values())


def can_read_body(user: User, organisation: Organisation) -> bool:
    """The authority reads every body's register entry; a body's members read their own."""
    if organisation.kind is not OrganisationKind.EVALUATION_BODY:
        return False
    return user.role is Role.AUTHORITY or user.organisation_id == organisation.id


def evaluation_body(user: User, organisation_id: int) -> Organisation:
    """The evaluation body ``user`` may read, or NotVisible (404)."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not can_read_body(user, organisation):
        raise NotVisible()
    return organisation


def approval_of(user: User) -> EvaluatorApproval | None:
    """The approval row of an evaluator (pending, approved, refused or withdrawn), if any."""
    return db.session.scalar(select(EvaluatorApproval).where(EvaluatorApproval.user_id == user.id))


def is_approved(user: User) -> bool:
    """Whether the authority approved this evaluator and has not withdrawn the approval."""
    approval = approval_of(user)
    return approval is not None and approval.status is ApprovalStatus.APPROVED


def pending_approvals_statement() -> Select[EvaluatorApproval]:
    """The authority's queue: proposals waiting for a decision, the oldest first."""
    return (
        select(EvaluatorApproval)
        .where(EvaluatorApproval.status == ApprovalStatus.PENDING)
        .order_by(EvaluatorApproval.requested_at, EvaluatorApproval.id)
    )


def evaluators_of(organisation: Organisation) -> list[tuple[User, EvaluatorApproval | None]]:
    """A body's members, each with their approval row (None: never proposed)."""
    members = list(
        db.session.scalars(
            select(User).where(User.organisation_id == organisation.id).order_by(User.full_name)
        )
    )
    approvals = {
        approval.user_id: approval
        for approval in db.session.scalars(
            select(EvaluatorApproval).where(
                EvaluatorApproval.user_id.in_([member.id for member in members])
            )
        )
    }
    return [(member, approvals.get(member.id)) for member in members]


# --- telling people -----------------------------------------------------------------------


def _admins_of(organisation: Organisation) -> list[User]:
    return [u for u in organisation.users if u.is_org_admin and u.is_active]


def _authority_staff() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Organisation, User.organisation_id == Organisation.id)
            .where(Organisation.kind == OrganisationKind.AUTHORITY, User.is_active.is_(True))
        )
    )


def _mail(users: Iterable[User], subject: str, body: str, path: str) -> None:
    link = public_url(path)
    sent: set[str] = set()
    for user in users:
        if user.email in sent:
            continue
        sent.add(user.email)
        send_mail(user.email, subject, f"Hello {user.full_name},\n\n{body}\n\n{link}")


# --- accreditations -----------------------------------------------------------------------


def _clean(value: str, field: str, what: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise RuleViolation(f"Give {what}.", field)
    if len(text) > limit:
        raise RuleViolation(f"Keep {what} to {limit} characters.", field)
    return text


def _scope_rows(rows: Sequence[tuple[int, int | None]]) -> list[tuple[int, int | None]]:
    """The scope rows checked: known categories, each norm of its row's category, no twins."""
    checked: list[tuple[int, int | None]] = []
    for category_id, norm_id in rows:
        if db.session.get(TechnologyCategory, category_id) is None:
            raise RuleViolation("Choose a technology category from the list.", "scope")
        if norm_id is not None:
            norm = db.session.get(Norm, norm_id)
            if norm is None:
                raise RuleViolation("Choose a norm from the list.", "scope")
            if norm.category_id != category_id:
                raise RuleViolation(
                    f"The norm {norm.code} belongs to another technology category than the "
                    "one of its row.",
                    "scope",
                )
        if (category_id, norm_id) not in checked:
            checked.append((category_id, norm_id))
    if not checked:
        raise RuleViolation("Give at least one technology category in the scope.", "scope")
    return checked


def _check(data: AccreditationData) -> tuple[dt.date, dt.date, list[tuple[int, int | None]]]:
    if data.valid_from is None:
        raise RuleViolation("Give the first day of validity.", "valid_from")
    if data.valid_until is None:
        raise RuleViolation("Give the last day of validity.", "valid_until")
    if data.valid_until < data.valid_from:
        raise RuleViolation("The accreditation cannot end before it starts.", "valid_until")
    return data.valid_from, data.valid_until, _scope_rows(data.scope)


def describe_scope(accreditation: Accreditation) -> str:
    """The scope in one line: "Video protection (VA-INTEROP), Access control (all norms)"."""
    return ", ".join(
        f"{row.category.name} ({row.norm.code if row.norm else 'all norms'})"
        for row in accreditation.scope
    )


def _apply(accreditation: Accreditation, data: AccreditationData) -> None:
    valid_from, valid_until, rows = _check(data)
    accreditation.accreditation_body = _clean(
        data.accreditation_body, "accreditation_body", "the accreditation body", MAX_TEXT
    )
    accreditation.standard = _clean(data.standard, "standard", "the standard", MAX_TEXT)
    accreditation.certificate_number = _clean(
        data.certificate_number, "certificate_number", "the certificate number", MAX_CERTIFICATE
    )
    accreditation.valid_from = valid_from
    accreditation.valid_until = valid_until
    kept = {(row.category_id, row.norm_id): row for row in accreditation.scope}
    accreditation.scope = [
        kept.get(key) or AccreditationScope(category_id=key[0], norm_id=key[1]) for key in rows
    ]


def _facts(accreditation: Accreditation) -> dict[str, object]:
    return {
        "accreditation_body": accreditation.accreditation_body,
        "standard": accreditation.standard,
        "certificate_number": accreditation.certificate_number,
        "valid_from": accreditation.valid_from.isoformat(),
        "valid_until": accreditation.valid_until.isoformat(),
        "scope": [[row.category_id, row.norm_id] for row in accreditation.scope],
    }


def record_accreditation(
    actor: User, organisation: Organisation, data: AccreditationData
) -> Accreditation:
    """The authority records an evaluation body's accreditation and its scope."""
    require_role(actor, Role.AUTHORITY)
    if organisation.kind is not OrganisationKind.EVALUATION_BODY:
        raise RuleViolation("Only an evaluation body holds an accreditation.")
    accreditation = Accreditation(organisation_id=organisation.id, created_by_id=actor.id)
    _apply(accreditation, data)
    db.session.add(accreditation)
    db.session.flush()
    audit.record(
        actor,
        "accreditation.recorded",
        accreditation,
        summary=f"{organisation.name}: accreditation {accreditation.certificate_number} "
        f"until {accreditation.valid_until.isoformat()} ({describe_scope(accreditation)})",
        data=_facts(accreditation),
        organisation_id=organisation.id,
    )
    _mail(
        _admins_of(organisation),
        f"Accreditation {accreditation.certificate_number} recorded",
        f"The authority recorded the accreditation {accreditation.certificate_number} of "
        f"{organisation.name} ({accreditation.standard}, by {accreditation.accreditation_body}), "
        f"valid from {accreditation.valid_from.isoformat()} until "
        f"{accreditation.valid_until.isoformat()}.\nScope: {describe_scope(accreditation)}.",
        f"/bodies/{organisation.id}",
    )
    return accreditation


def update_accreditation(
    actor: User, accreditation: Accreditation, data: AccreditationData
) -> Accreditation:
    """The authority corrects an accreditation's facts, dates or scope (not once withdrawn)."""
    require_role(actor, Role.AUTHORITY)
    if accreditation.withdrawn_at is not None:
        raise RuleViolation("A withdrawn accreditation cannot be changed; record a new one.")
    before = _facts(accreditation)
    _apply(accreditation, data)
    db.session.flush()
    after = _facts(accreditation)
    if after == before:
        raise RuleViolation("Nothing was changed.")
    organisation = accreditation.organisation
    audit.record(
        actor,
        "accreditation.updated",
        accreditation,
        summary=f"{organisation.name}: accreditation {accreditation.certificate_number} "
        f"until {accreditation.valid_until.isoformat()} ({describe_scope(accreditation)})",
        data={"before": before, "after": after},
        organisation_id=organisation.id,
    )
    _mail(
        _admins_of(organisation),
        f"Accreditation {accreditation.certificate_number} changed",
        f"The authority changed the accreditation {accreditation.certificate_number} of "
        f"{organisation.name}: valid from {accreditation.valid_from.isoformat()} until "
        f"{accreditation.valid_until.isoformat()}.\nScope: {describe_scope(accreditation)}.",
        f"/bodies/{organisation.id}",
    )
    return accreditation


def withdraw_accreditation(actor: User, accreditation: Accreditation, reason: str) -> None:
    """The authority ends an accreditation early (suspended or withdrawn by its issuer)."""
    require_role(actor, Role.AUTHORITY)
    reason = _clean(reason, "reason", "the reason", MAX_NOTE)
    if accreditation.withdrawn_at is not None:
        raise RuleViolation("This accreditation is already withdrawn.")
    accreditation.withdrawn_at = utcnow()
    accreditation.withdrawal_reason = reason
    organisation = accreditation.organisation
    audit.record(
        actor,
        "accreditation.withdrawn",
        accreditation,
        summary=f"{organisation.name}: accreditation {accreditation.certificate_number} "
        f"withdrawn: {reason}",
        data={"reason": reason[:500]},
        organisation_id=organisation.id,
    )
    _mail(
        _admins_of(organisation),
        f"Accreditation {accreditation.certificate_number} withdrawn",
        f"The authority withdrew the accreditation {accreditation.certificate_number} of "
        f"{organisation.name}. Its evaluators can no longer be assigned under it.\n\n"
        f"Reason: {reason}",
        f"/bodies/{organisation.id}",
    )


# --- evaluator approvals ------------------------------------------------------------------


def propose_evaluator(actor: User, member: User, competence: Competence) -> EvaluatorApproval:
    """An evaluation body's administrator proposes one of its members for approval.

    A member refused or whose approval was withdrawn may be proposed again: the request is
    pending anew, with the new statement (the earlier ones stay in the audit log).
    """
    require_role(actor, Role.EVALUATOR)
    if not actor.is_org_admin or member.organisation_id != actor.organisation_id:
        raise NotVisible()
    statement = Competence(
        _clean(competence.qualifications, "qualifications", "the qualifications", MAX_NOTE),
        _clean(competence.training, "training", "the training", MAX_NOTE),
        _clean(competence.experience, "experience", "the experience", MAX_NOTE),
    )
    if not member.is_active:
        raise RuleViolation("This member's account is disabled.")
    approval = approval_of(member)
    if approval is not None and approval.status is ApprovalStatus.PENDING:
        raise RuleViolation(f"{member.full_name} already waits for the authority's decision.")
    if approval is not None and approval.status is ApprovalStatus.APPROVED:
        raise RuleViolation(f"{member.full_name} is already approved.")
    if approval is None:
        approval = EvaluatorApproval(user_id=member.id)
        db.session.add(approval)
    approval.status = ApprovalStatus.PENDING
    approval.competence = statement.as_text()
    approval.requested_by_id = actor.id
    approval.requested_at = utcnow()
    approval.decided_by_id = None
    approval.decided_at = None
    approval.decision_note = ""
    audit.record(
        actor,
        "evaluator_approval.requested",
        approval,
        summary=f"{member.full_name} ({member.organisation.name}) proposed as an evaluator",
        data={"user_id": member.id},
    )
    _mail(
        _authority_staff(),
        f"Evaluator proposed for approval: {member.full_name}",
        f"{member.organisation.name} proposes {member.full_name} as an evaluator, with a "
        "statement of their qualifications, training and experience.",
        f"/bodies/approvals/{approval.id}",
    )
    return approval


def _decide(
    actor: User, approval: EvaluatorApproval, status: ApprovalStatus, note: str, action: str
) -> None:
    approval.status = status
    approval.decided_by_id = actor.id
    approval.decided_at = utcnow()
    approval.decision_note = note
    member = approval.user
    text = APPROVAL_TEXT[status].lower()
    audit.record(
        actor,
        f"evaluator_approval.{action}",
        approval,
        summary=f"{member.full_name} ({member.organisation.name}): {text}"
        + (f": {note}" if note else ""),
        data={"user_id": member.id, "note": note[:500]},
        organisation_id=member.organisation_id,
    )
    _mail(
        [member, *_admins_of(member.organisation)],
        f"Evaluator approval of {member.full_name}: {text}",
        f"The authority's decision on {member.full_name} as an evaluator of "
        f"{member.organisation.name}: {text}." + (f"\n\n{note}" if note else ""),
        f"/bodies/approvals/{approval.id}",
    )


def approve_evaluator(actor: User, approval: EvaluatorApproval, note: str = "") -> None:
    """The authority approves a proposed evaluator; the note is optional."""
    require_role(actor, Role.AUTHORITY)
    if approval.status is not ApprovalStatus.PENDING:
        raise RuleViolation("Only a pending proposal can be approved.")
    if len(note) > MAX_NOTE:
        raise RuleViolation(f"Keep the note to {MAX_NOTE} characters.", "note")
    _decide(actor, approval, ApprovalStatus.APPROVED, note.strip(), "approved")


def refuse_evaluator(actor: User, approval: EvaluatorApproval, note: str) -> None:
    """The authority refuses a proposed evaluator and says why."""
    require_role(actor, Role.AUTHORITY)
    note = _clean(note, "note", "the reason for refusing", MAX_NOTE)
    if approval.status is not ApprovalStatus.PENDING:
        raise RuleViolation("Only a pending proposal can be refused.")
    _decide(actor, approval, ApprovalStatus.REFUSED, note, "refused")


def withdraw_approval(actor: User, approval: EvaluatorApproval, reason: str) -> None:
    """The authority withdraws an evaluator's approval; they can no longer be assigned."""
    require_role(actor, Role.AUTHORITY)
    reason = _clean(reason, "reason", "the reason", MAX_NOTE)
    if approval.status is not ApprovalStatus.APPROVED:
        raise RuleViolation("Only an approved evaluator's approval can be withdrawn.")
    _decide(actor, approval, ApprovalStatus.WITHDRAWN, reason, "withdrawn")


def visible_approval(user: User, approval_id: int) -> EvaluatorApproval:
    """An approval for the authority or the evaluator's own body; NotVisible (404) otherwise."""
    approval = db.session.get(EvaluatorApproval, approval_id)
    if approval is None:
        raise NotVisible()
    if user.role is not Role.AUTHORITY and user.organisation_id != approval.user.organisation_id:
        raise NotVisible()
    return approval
