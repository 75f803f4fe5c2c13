"""Removal of an evaluator from an open evaluation (silent, unavailable, no longer impartial),
so that a replacement can be assigned under the same rules as the first assignment.

An assignment awaiting its declaration or its scores can be removed; a submitted one cannot:
its scores are part of the record the decision rests on (the authority returns or rejects the
evaluation instead). A removed assignment neither counts nor blocks: its scores are left out of
the consolidation, and when every remaining active evaluator has submitted (and there are at
least MINIMUM_EVALUATORS of them) the evaluation is scored at once.
"""

from __future__ import annotations

from evaluations.models import Assignment, AssignmentStatus, EvaluationStatus
from evaluations.services.scores import store_computed
from evaluations.services.transitions import (
    ACTIVE_ASSIGNMENTS,
    MINIMUM_EVALUATORS,
    authority_staff,
    checked_text,
    describe,
    move,
    notify,
    require_status,
    vendor_members,
)
from registry import audit
from registry.access import require_role
from registry.database import db, utcnow
from registry.exceptions import RuleViolation
from registry.models import Role, User

REMOVABLE = (AssignmentStatus.AWAITING_DECLARATION, AssignmentStatus.SCORING)


def remove_assignment(actor: User | None, assignment: Assignment, reason: str) -> None:
    """The authority removes an evaluator who has not submitted, with the reason."""
    user = require_role(actor, Role.AUTHORITY)
    evaluation = assignment.evaluation
    require_status(
        evaluation,
        (EvaluationStatus.SUBMITTED, EvaluationStatus.RETURNED, EvaluationStatus.IN_REVIEW),
        "have its evaluators changed",
    )
    if assignment.status not in REMOVABLE:
        raise RuleViolation(
            "Only an evaluator who is still to declare or to submit scores can be removed.",
            "reason",
        )
    text = checked_text(reason, "reason", "The reason for the removal", required=True)
    assignment.status = AssignmentStatus.REMOVED
    assignment.removed_at = utcnow()
    assignment.removed_by_id = user.id
    assignment.removal_reason = text
    evaluator = assignment.evaluator
    audit.record(
        user,
        "assignment.remove",
        assignment,
        summary=f"{evaluator.email} removed from {describe(evaluation)}",
        data={"evaluation": evaluation.id, "reason": text[:500]},
    )
    notify(
        [evaluator],
        "You are removed from an evaluation",
        f"The authority removed you from the evaluation of {describe(evaluation)}: {text}\n\n"
        "Your scores for it, if any, no longer count.",
    )
    notify(
        vendor_members(evaluation),
        "An evaluator of your application is replaced",
        f"The authority removed an evaluator from the evaluation of {describe(evaluation)} "
        "and assigns another; the evaluation goes on.",
    )
    active = [a for a in evaluation.assignments if a.status in ACTIVE_ASSIGNMENTS]
    if (
        evaluation.status is EvaluationStatus.IN_REVIEW
        and len(active) >= MINIMUM_EVALUATORS
        and all(a.status is AssignmentStatus.SUBMITTED for a in active)
    ):
        store_computed(evaluation)
        move(user, evaluation, EvaluationStatus.SCORED, "scored", "after an evaluator's removal")
        notify(
            authority_staff(),
            "An evaluation is scored",
            f"Every remaining evaluator submitted scores for {describe(evaluation)}; it awaits "
            "your decision.",
        )
    db.session.flush()
