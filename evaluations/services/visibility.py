"""Reading: who may see which evaluations, assignments and evidence, and the lists they see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, func, select

from catalog.models import Solution, SolutionStatus
from evaluations.models import Assignment, AssignmentStatus, Evaluation, EvaluationStatus, Evidence
from evaluations.services.transitions import ACTIVE_ASSIGNMENTS, OPEN_STATUSES
from registry.access import require_role
from registry.database import db, utcnow
from registry.exceptions import NotVisible
from registry.models import Organisation, OrganisationKind, OrganisationStatus, Role, User
from registry.norms.models import NormVersion, NormVersionStatus

# --- reading: who may see what ----------------------------------------------------------


def assignment_of(actor: User | None, evaluation: Evaluation) -> Assignment | None:
    """The actor's own assignment on this evaluation (not removed), if any."""
    if actor is None:
        return None
    return next(
        (
            a
            for a in evaluation.assignments
            if a.evaluator_id == actor.id and a.status is not AssignmentStatus.REMOVED
        ),
        None,
    )


def get_evaluation(actor: User | None, evaluation_id: int) -> Evaluation:
    """An evaluation the actor may open: own vendor's, assigned evaluator's, or any (authority)."""
    evaluation = db.session.get(Evaluation, evaluation_id)
    if evaluation is None or actor is None:
        raise NotVisible()
    if actor.role is Role.AUTHORITY:
        return evaluation
    if actor.role is Role.VENDOR and evaluation.vendor_id == actor.organisation_id:
        return evaluation
    if actor.role is Role.EVALUATOR and assignment_of(actor, evaluation) is not None:
        return evaluation
    raise NotVisible()


def may_see_details(actor: User | None, evaluation: Evaluation) -> bool:
    """Whether the actor may see evidence and criteria: not an evaluator before declaring."""
    if actor is None:
        return False
    if actor.role is Role.AUTHORITY:
        return True
    if actor.role is Role.VENDOR:
        return evaluation.vendor_id == actor.organisation_id
    assignment = assignment_of(actor, evaluation)
    return assignment is not None and assignment.status in ACTIVE_ASSIGNMENTS


def get_assignment(actor: User | None, assignment_id: int) -> Assignment:
    """One of the evaluator's own assignments (anyone else's answers 404)."""
    require_role(actor, Role.EVALUATOR)
    assignment = db.session.get(Assignment, assignment_id)
    if (
        assignment is None
        or actor is None
        or assignment.evaluator_id != actor.id
        or assignment.status is AssignmentStatus.REMOVED
    ):
        raise NotVisible()
    return assignment


def get_evidence(actor: User | None, evaluation: Evaluation, evidence_id: int) -> Evidence:
    """A file of this evaluation, for those who may see its details."""
    found = db.session.get(Evidence, evidence_id)
    if found is None or found.evaluation_id != evaluation.id:
        raise NotVisible()
    if not may_see_details(actor, evaluation):
        raise NotVisible()
    return found


def visible_statement(actor: User | None, status: str = "") -> Select[Any]:
    """The evaluations the actor may list: a vendor's own, an evaluator's assigned, or all."""
    statement = select(Evaluation)
    if actor is None:
        return statement.where(Evaluation.id.is_(None))
    if actor.role is Role.VENDOR:
        statement = statement.where(Evaluation.vendor_id == actor.organisation_id)
    elif actor.role is Role.EVALUATOR:
        statement = statement.where(
            Evaluation.id.in_(
                select(Assignment.evaluation_id).where(
                    Assignment.evaluator_id == actor.id,
                    Assignment.status != AssignmentStatus.REMOVED,
                )
            )
        )
    elif actor.role is not Role.AUTHORITY:
        return statement.where(Evaluation.id.is_(None))
    if status in {s.value for s in EvaluationStatus}:
        statement = statement.where(Evaluation.status == EvaluationStatus(status))
    return statement.order_by(Evaluation.status_changed_at.desc(), Evaluation.id.desc())


def assignments_statement(actor: User) -> Select[Any]:
    """The evaluator's own assignments, the ones awaiting a declaration first."""
    return (
        select(Assignment)
        .where(Assignment.evaluator_id == actor.id, Assignment.status != AssignmentStatus.REMOVED)
        .order_by(Assignment.assigned_at.desc(), Assignment.id.desc())
    )


def evidence_by_criterion(evaluation: Evaluation) -> dict[int | None, list[Evidence]]:
    """The evaluation's files grouped by criterion id (None: general evidence)."""
    grouped: dict[int | None, list[Evidence]] = {}
    for item in evaluation.evidence:
        grouped.setdefault(item.criterion_id, []).append(item)
    return grouped


def status_counts() -> dict[EvaluationStatus, int]:
    """How many evaluations are in each state (for the authority's pipeline)."""
    rows = db.session.execute(
        select(Evaluation.status, func.count()).group_by(Evaluation.status)
    ).all()
    counts = dict.fromkeys(EvaluationStatus, 0)
    counts.update({status: count for status, count in rows})
    return counts


def is_overdue(evaluation: Evaluation, today: dt.date | None = None) -> bool:
    """Open, with a due date (its own or an active assignment's) already past."""
    if evaluation.status not in OPEN_STATUSES:
        return False
    today = today or utcnow().date()
    dates = [evaluation.due_date] + [
        a.due_date
        for a in evaluation.assignments
        if a.status in (AssignmentStatus.AWAITING_DECLARATION, AssignmentStatus.SCORING)
    ]
    return any(d is not None and d < today for d in dates)


def own_published_solutions(actor: User) -> list[Solution]:
    """The vendor's published solutions, which it may apply with."""
    return list(
        db.session.scalars(
            select(Solution)
            .where(
                Solution.vendor_id == actor.organisation_id,
                Solution.status == SolutionStatus.PUBLISHED,
            )
            .order_by(Solution.name)
        )
    )


def published_versions() -> list[NormVersion]:
    """Norm versions in force, which evaluations may be made against."""
    return list(
        db.session.scalars(
            select(NormVersion)
            .where(NormVersion.status == NormVersionStatus.PUBLISHED)
            .order_by(NormVersion.id)
        )
    )


def eligible_evaluators() -> list[User]:
    """Active members of active evaluation bodies."""
    return list(
        db.session.scalars(
            select(User)
            .join(Organisation, User.organisation_id == Organisation.id)
            .where(
                Organisation.kind == OrganisationKind.EVALUATION_BODY,
                Organisation.status == OrganisationStatus.ACTIVE,
                User.is_active.is_(True),
            )
            .order_by(Organisation.name, User.full_name, User.id)
        )
    )
