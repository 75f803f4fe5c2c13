"""The workflow's states and the helpers every transition uses: checks, notices, moves.

draft → submitted → in review (≥ 2 evaluators declared no conflict) → scored (every active
evaluator submitted) → decided; also returned (for information) and withdrawn. Each transition
writes an EvaluationEvent and an audit entry and tells the people concerned.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from evaluations.models import AssignmentStatus, Evaluation, EvaluationEvent, EvaluationStatus
from registry import audit
from registry.access import require_role
from registry.database import db, utcnow
from registry.exceptions import NotVisible, RuleViolation
from registry.mail import send_mail
from registry.models import Organisation, OrganisationKind, Role, User
from registry.public_address import public_url

OPEN_STATUSES = (
    EvaluationStatus.DRAFT,
    EvaluationStatus.SUBMITTED,
    EvaluationStatus.RETURNED,
    EvaluationStatus.IN_REVIEW,
    EvaluationStatus.SCORED,
)
EDITABLE_BY_VENDOR = (EvaluationStatus.DRAFT, EvaluationStatus.RETURNED)
WITHDRAWABLE = (
    EvaluationStatus.DRAFT,
    EvaluationStatus.SUBMITTED,
    EvaluationStatus.RETURNED,
    EvaluationStatus.IN_REVIEW,
)
# Assignments that count: the evaluator declared no conflict (or is still to declare).
ACTIVE_ASSIGNMENTS = (AssignmentStatus.SCORING, AssignmentStatus.SUBMITTED)
MINIMUM_EVALUATORS = 2
TEXT_MAX = 5000
NOTE_MIN = 3


# --- helpers: transitions, notices ------------------------------------------------------


def checked_text(value: str | None, field: str, label: str, required: bool = False) -> str:
    """The stripped text, or a RuleViolation if it is required and too short, or too long."""
    text = (value or "").strip()
    if required and len(text) < NOTE_MIN:
        raise RuleViolation(f"{label} is required.", field)
    if len(text) > TEXT_MAX:
        raise RuleViolation(f"{label} must be at most {TEXT_MAX} characters.", field)
    return text


def require_status(evaluation: Evaluation, allowed: Iterable[EvaluationStatus], doing: str) -> None:
    """Raise a RuleViolation unless the evaluation is in one of the allowed states."""
    allowed = tuple(allowed)
    if evaluation.status not in allowed:
        raise RuleViolation(
            f"This evaluation is {evaluation.status.label.lower()}: it cannot {doing} now."
        )


def require_vendor_owner(actor: User | None, evaluation: Evaluation) -> User:
    """The acting vendor user; the evaluation must belong to their organisation."""
    user = require_role(actor, Role.VENDOR)
    if evaluation.vendor_id != user.organisation_id:
        raise NotVisible()
    return user


def describe(evaluation: Evaluation) -> str:
    """The solution and norm version of an evaluation, as named in notices."""
    return f"“{evaluation.solution.name}” against {evaluation.norm_version.label}"


def _members(organisation_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.organisation_id == organisation_id, User.is_active.is_(True))
        )
    )


def vendor_members(evaluation: Evaluation) -> list[User]:
    """The active users of the evaluation's vendor."""
    return _members(evaluation.vendor_id)


def authority_staff() -> list[User]:
    """The active users of the authority, who hear of applications and answers."""
    return list(
        db.session.scalars(
            select(User)
            .join(Organisation, User.organisation_id == Organisation.id)
            .where(Organisation.kind == OrganisationKind.AUTHORITY, User.is_active.is_(True))
        )
    )


def notify(users: Iterable[User], subject: str, body: str) -> None:
    """Mail each user the notice, with a link to their evaluations."""
    link = public_url("/evaluations")
    for user in users:
        send_mail(user.email, subject, f"Hello {user.full_name},\n\n{body}\n\n{link}")


def move(
    actor: User | None, evaluation: Evaluation, to: EvaluationStatus, action: str, note: str = ""
) -> None:
    """Change state, timestamp it, log it, audit it and tell the vendor."""
    before = evaluation.status
    now = utcnow()
    evaluation.status = to
    evaluation.status_changed_at = now
    db.session.add(
        EvaluationEvent(
            evaluation=evaluation,
            from_status=before.value if before else None,
            to_status=to.value,
            at=now,
            actor_id=actor.id if actor else None,
            note=note,
        )
    )
    audit.record(
        actor,
        f"evaluation.{action}",
        evaluation,
        summary=f"{describe(evaluation)}: {to.label.lower()}",
        data={"from": before.value if before else None, "to": to.value, "note": note[:500]},
    )
    notify(
        _members(evaluation.vendor_id),
        f"Your evaluation is now {to.label.lower()}",
        f"The evaluation of {describe(evaluation)} is now: {to.label}."
        + (f"\n\n{note}" if note and to is EvaluationStatus.RETURNED else ""),
    )
