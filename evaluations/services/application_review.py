"""The application review (ISO/IEC 17065 7.3): between submission and assignment an authority
officer records that the application is complete and in scope, or returns it with reasons
(`return_for_information`). Evaluators are assigned only after the review; a re-submission
after a return clears it."""

from __future__ import annotations

from evaluations.impartiality.checks import interest_problem
from evaluations.models import Evaluation, EvaluationStatus
from evaluations.services.transitions import (
    checked_text,
    describe,
    notify,
    require_status,
    vendor_members,
)
from registry import audit
from registry.access import require_role
from registry.database import db, utcnow
from registry.exceptions import RuleViolation
from registry.models import Role, User


def record_application_review(actor: User | None, evaluation: Evaluation, note: str) -> None:
    """The officer records that the submitted application is complete and in scope."""
    user = require_role(actor, Role.AUTHORITY)
    require_status(
        evaluation,
        (EvaluationStatus.SUBMITTED, EvaluationStatus.IN_REVIEW),
        "take an application review",
    )
    if evaluation.application_reviewed_at is not None:
        raise RuleViolation("The application review is already recorded; nothing was changed.")
    problem = interest_problem(user, evaluation.vendor)
    if problem:
        raise RuleViolation(f"{problem} Another authority officer must review it.", "note")
    text = checked_text(note, "note", "The review note", required=True)
    evaluation.application_reviewed_at = utcnow()
    evaluation.application_reviewed_by_id = user.id
    evaluation.application_review_note = text
    audit.record(
        user,
        "evaluation.application_review",
        evaluation,
        summary=f"{describe(evaluation)}: complete and in scope",
        data={"note": text[:500]},
    )
    notify(
        vendor_members(evaluation),
        "Your application is complete and in scope",
        f"The authority reviewed the application for {describe(evaluation)}: it is complete "
        f"and in scope, and evaluators will now be assigned.\n\n{text}",
    )
    db.session.flush()


def clear_application_review(evaluation: Evaluation) -> None:
    """A re-submitted application is reviewed again before any new assignment."""
    evaluation.application_reviewed_at = None
    evaluation.application_reviewed_by_id = None
    evaluation.application_review_note = ""
