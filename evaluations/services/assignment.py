"""Assignment of evaluators by the authority, and their declarations of conflicts of interest."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from evaluations.bodies.checks import evaluator_problem
from evaluations.impartiality.checks import impartiality_problem
from evaluations.models import Assignment, AssignmentStatus, Evaluation, EvaluationStatus
from evaluations.services.transitions import (
    ACTIVE_ASSIGNMENTS,
    MINIMUM_EVALUATORS,
    NOTE_MIN,
    authority_staff,
    checked_text,
    describe,
    move,
    notify,
    require_status,
)
from registry import audit, dates
from registry.access import require_role
from registry.database import db, utcnow
from registry.exceptions import NotVisible, RuleViolation
from registry.models import OrganisationKind, OrganisationStatus, Role, User

# --- assignment and conflicts of interest ----------------------------------------------


def assign_evaluator(
    actor: User | None,
    evaluation: Evaluation,
    evaluator_id: int,
    due_date: dt.date | None,
    same_body_reason: str = "",
) -> Assignment:
    """The authority assigns an evaluator from an evaluation body, with an optional due date.

    Only after the application review; only an approved evaluator of a body accredited, that
    day, for the evaluation's norm; only people (the evaluator and the assigning officer) with
    current declarations of interests and no open interest in the vendor; a second
    evaluator of the same body only with a recorded reason.
    """
    user = require_role(actor, Role.AUTHORITY)
    require_status(
        evaluation,
        (EvaluationStatus.SUBMITTED, EvaluationStatus.IN_REVIEW),
        "take new evaluators",
    )
    if evaluation.application_reviewed_at is None:
        raise RuleViolation(
            "Record the application review (complete and in scope) before assigning evaluators.",
            "evaluator_id",
        )
    officer_problem = impartiality_problem(user, evaluation.vendor, dates.today())
    if officer_problem:
        raise RuleViolation(
            f"{officer_problem} Another authority officer must assign the evaluators.",
            "evaluator_id",
        )
    evaluator = db.session.get(User, evaluator_id)
    if (
        evaluator is None
        or not evaluator.is_active
        or evaluator.organisation.kind is not OrganisationKind.EVALUATION_BODY
        or evaluator.organisation.status is not OrganisationStatus.ACTIVE
    ):
        raise RuleViolation(
            "Choose an active evaluator of an active evaluation body.", "evaluator_id"
        )
    existing = db.session.scalar(
        select(Assignment).where(
            Assignment.evaluation_id == evaluation.id, Assignment.evaluator_id == evaluator.id
        )
    )
    if existing is not None:
        reason = {
            AssignmentStatus.CONFLICTED: "declared a conflict of interest",
            AssignmentStatus.REMOVED: "was removed",
        }.get(existing.status, "is already assigned")
        raise RuleViolation(f"{evaluator.full_name} {reason} on this evaluation.", "evaluator_id")
    today = dates.today()
    problem = evaluator_problem(evaluator, evaluation.norm_version.norm, evaluation.vendor, today)
    if problem:
        raise RuleViolation(problem, "evaluator_id")
    reason_text = _same_body_reason(evaluation, evaluator, same_body_reason)
    if due_date is not None and not today <= due_date <= today + dt.timedelta(days=366):
        raise RuleViolation("The due date must be within the next year.", "due_date")
    assignment = Assignment(
        evaluation=evaluation,
        evaluator=evaluator,
        status=AssignmentStatus.AWAITING_DECLARATION,
        assigned_at=utcnow(),
        assigned_by_id=user.id,
        due_date=due_date,
        conflict_note="",
        same_body_reason=reason_text,
    )
    db.session.add(assignment)
    db.session.flush()
    audit.record(
        user,
        "assignment.create",
        assignment,
        summary=f"{evaluator.email} on {describe(evaluation)}",
        data={
            "evaluation": evaluation.id,
            "due": due_date.isoformat() if due_date else None,
            "same_body_reason": reason_text or None,
        },
    )
    notify(
        [evaluator],
        "A new evaluation is assigned to you",
        f"You are asked to evaluate {describe(evaluation)}"
        + (f" by {due_date.isoformat()}" if due_date else "")
        + ". First declare whether you have a conflict of interest.",
    )
    return assignment


def _same_body_reason(evaluation: Evaluation, evaluator: User, reason: str) -> str:
    """The recorded reason for a second evaluator of a body already on the evaluation; "" when
    the evaluator's body is not on it yet."""
    colleagues = [
        a.evaluator.full_name
        for a in evaluation.assignments
        if a.status not in (AssignmentStatus.REMOVED, AssignmentStatus.CONFLICTED)
        and a.evaluator.organisation_id == evaluator.organisation_id
    ]
    if not colleagues:
        return ""
    text = checked_text(reason, "same_body_reason", "The reason for a second evaluator")
    if len(text) < NOTE_MIN:
        raise RuleViolation(
            f"{', '.join(colleagues)} of {evaluator.organisation.name} already evaluates this "
            "application: choose an evaluator of another body, or give the reason for a second "
            "evaluator of the same body.",
            "same_body_reason",
        )
    return text


def declare_conflict(
    actor: User | None, assignment: Assignment, has_conflict: bool, note: str
) -> None:
    """The evaluator declares a conflict (blocked; the authority assigns another) or none."""
    user = require_role(actor, Role.EVALUATOR)
    if assignment.evaluator_id != user.id:
        raise NotVisible()
    if assignment.status is not AssignmentStatus.AWAITING_DECLARATION:
        raise RuleViolation("You have already made your declaration for this evaluation.")
    evaluation = assignment.evaluation
    if evaluation.status not in (EvaluationStatus.SUBMITTED, EvaluationStatus.IN_REVIEW):
        raise RuleViolation("This evaluation no longer needs your declaration.")
    assignment.declared_at = utcnow()
    if has_conflict:
        assignment.conflict_note = checked_text(note, "note", "The nature of the conflict", True)
        assignment.status = AssignmentStatus.CONFLICTED
        audit.record(
            user,
            "assignment.conflict",
            assignment,
            summary=f"conflict on {describe(evaluation)}",
        )
        notify(
            authority_staff(),
            "An evaluator declared a conflict of interest",
            f"{user.full_name} ({user.organisation.name}) declared a conflict on "
            f"{describe(evaluation)}: {assignment.conflict_note}\n\nAssign another evaluator.",
        )
    else:
        assignment.conflict_note = checked_text(note, "note", "The note")
        assignment.status = AssignmentStatus.SCORING
        audit.record(
            user,
            "assignment.no_conflict",
            assignment,
            summary=f"no conflict on {describe(evaluation)}",
        )
        maybe_start_review(user, evaluation)
    db.session.flush()


def maybe_start_review(actor: User | None, evaluation: Evaluation) -> None:
    """Move a submitted evaluation into review once enough evaluators are active."""
    active = [a for a in evaluation.assignments if a.status in ACTIVE_ASSIGNMENTS]
    if evaluation.status is EvaluationStatus.SUBMITTED and len(active) >= MINIMUM_EVALUATORS:
        move(actor, evaluation, EvaluationStatus.IN_REVIEW, "review")
