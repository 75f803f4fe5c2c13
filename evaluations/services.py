"""The evaluation workflow: apply, evidence, assignment, blind scoring, consolidation, decision.

draft → submitted → in review (≥ 2 evaluators declared no conflict) → scored (every active
evaluator submitted) → decided; also returned (for information) and withdrawn. Each transition
writes an EvaluationEvent and an audit entry and tells the people concerned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, BinaryIO

from flask import current_app
from sqlalchemy import Select, event, func, select
from sqlalchemy.orm import Session

from catalog.models import Solution, SolutionStatus
from evaluations import evidence as evidence_files
from evaluations import scoring
from evaluations.models import (
    Assignment,
    AssignmentStatus,
    Decision,
    Evaluation,
    EvaluationEvent,
    EvaluationStatus,
    Evidence,
    Resolution,
    Score,
)
from registry import audit
from registry.access import require_role
from registry.database import db, utcnow
from registry.exceptions import NotVisible, RuleViolation
from registry.mail import send_mail
from registry.models import Organisation, OrganisationKind, OrganisationStatus, Role, User
from registry.norms.models import NormCriterion, NormVersion, NormVersionStatus
from registry.norms.services import criteria_for_scoring, thresholds_of

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
_FILES_TO_DELETE = "evidence_files_to_delete"


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


# --- helpers: transitions, notices ------------------------------------------------------


def _text(value: str | None, field: str, label: str, required: bool = False) -> str:
    text = (value or "").strip()
    if required and len(text) < NOTE_MIN:
        raise RuleViolation(f"{label} is required.", field)
    if len(text) > TEXT_MAX:
        raise RuleViolation(f"{label} must be at most {TEXT_MAX} characters.", field)
    return text


def _require_status(
    evaluation: Evaluation, allowed: Iterable[EvaluationStatus], doing: str
) -> None:
    allowed = tuple(allowed)
    if evaluation.status not in allowed:
        raise RuleViolation(
            f"This evaluation is {evaluation.status.label.lower()}: it cannot {doing} now."
        )


def _require_vendor_owner(actor: User | None, evaluation: Evaluation) -> User:
    user = require_role(actor, Role.VENDOR)
    if evaluation.vendor_id != user.organisation_id:
        raise NotVisible()
    return user


def _describe(evaluation: Evaluation) -> str:
    return f"“{evaluation.solution.name}” against {evaluation.norm_version.label}"


def _members(organisation_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.organisation_id == organisation_id, User.is_active.is_(True))
        )
    )


def _authority_staff() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Organisation, User.organisation_id == Organisation.id)
            .where(Organisation.kind == OrganisationKind.AUTHORITY, User.is_active.is_(True))
        )
    )


def _notify(users: Iterable[User], subject: str, body: str) -> None:
    base = current_app.config.get("BASE_URL", "")
    for user in users:
        send_mail(user.email, subject, f"Hello {user.full_name},\n\n{body}\n\n{base}/evaluations")


def _move(
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
        summary=f"{_describe(evaluation)}: {to.label.lower()}",
        data={"from": before.value if before else None, "to": to.value, "note": note[:500]},
    )
    _notify(
        _members(evaluation.vendor_id),
        f"Your evaluation is now {to.label.lower()}",
        f"The evaluation of {_describe(evaluation)} is now: {to.label}."
        + (f"\n\n{note}" if note and to is EvaluationStatus.RETURNED else ""),
    )


# --- the vendor's application -----------------------------------------------------------


def apply_for_evaluation(actor: User | None, solution_id: int, version_id: int) -> Evaluation:
    """Start a draft application of one's own published solution against a published version."""
    user = require_role(actor, Role.VENDOR)
    # Lock the solution so two clicks on "apply" cannot both pass the "one open" check
    # (PostgreSQL; SQLite writers are serialised by BEGIN IMMEDIATE).
    solution = db.session.scalar(
        select(Solution).where(Solution.id == solution_id).with_for_update()
    )
    if solution is None or solution.vendor_id != user.organisation_id:
        raise RuleViolation("Choose one of your organisation's solutions.", "solution_id")
    if solution.status is not SolutionStatus.PUBLISHED:
        raise RuleViolation("Only a published solution can be evaluated.", "solution_id")
    version = db.session.get(NormVersion, version_id)
    if version is None or version.status is not NormVersionStatus.PUBLISHED:
        raise RuleViolation("Choose a norm version in force.", "version_id")
    already = db.session.scalar(
        select(Evaluation.id).where(
            Evaluation.solution_id == solution.id,
            Evaluation.norm_version_id == version.id,
            Evaluation.status.in_(OPEN_STATUSES),
        )
    )
    if already is not None:
        raise RuleViolation(
            "This solution already has an open evaluation against this norm version.",
            "solution_id",
        )
    now = utcnow()
    evaluation = Evaluation(
        solution=solution,
        norm_version=version,
        vendor_id=solution.vendor_id,
        status=EvaluationStatus.DRAFT,
        vendor_note="",
        return_request="",
        decision_rationale="",
        created_at=now,
        status_changed_at=now,
    )
    db.session.add(evaluation)
    db.session.flush()
    db.session.add(
        EvaluationEvent(
            evaluation=evaluation, from_status=None, to_status="draft", at=now, actor_id=user.id
        )
    )
    audit.record(user, "evaluation.apply", evaluation, summary=f"applied: {_describe(evaluation)}")
    db.session.flush()
    return evaluation


def update_application(actor: User | None, evaluation: Evaluation, vendor_note: str) -> None:
    """Change the vendor's note to the evaluators while the application is editable."""
    user = _require_vendor_owner(actor, evaluation)
    _require_status(evaluation, EDITABLE_BY_VENDOR, "be edited")
    evaluation.vendor_note = _text(vendor_note, "vendor_note", "The note")
    audit.record(user, "evaluation.update", evaluation, summary="note updated")
    db.session.flush()


def missing_evidence(evaluation: Evaluation) -> list[NormCriterion]:
    """Criteria that require evidence and have none attached yet."""
    covered = {e.criterion_id for e in evaluation.evidence}
    return [
        c
        for c in evaluation.norm_version.ordered_criteria()
        if c.evidence_required and c.id not in covered
    ]


def submit_application(actor: User | None, evaluation: Evaluation) -> None:
    """Send a draft to the authority; every criterion that requires evidence must have some."""
    user = _require_vendor_owner(actor, evaluation)
    _require_status(evaluation, (EvaluationStatus.DRAFT,), "be submitted")
    missing = missing_evidence(evaluation)
    if missing:
        raise RuleViolation(
            "Attach evidence for: " + ", ".join(f"{c.code} {c.title}" for c in missing) + "."
        )
    evaluation.submitted_at = utcnow()
    _move(user, evaluation, EvaluationStatus.SUBMITTED, "submit")
    _notify(
        _authority_staff(),
        "A new evaluation was submitted",
        f"{evaluation.vendor.name} submitted {_describe(evaluation)}. Assign two evaluators.",
    )
    db.session.flush()


def withdraw_application(actor: User | None, evaluation: Evaluation) -> None:
    """The vendor withdraws its application before it is scored."""
    user = _require_vendor_owner(actor, evaluation)
    _require_status(evaluation, WITHDRAWABLE, "be withdrawn")
    _move(user, evaluation, EvaluationStatus.WITHDRAWN, "withdraw")
    db.session.flush()


def attach_evidence(
    actor: User | None,
    evaluation: Evaluation,
    filename: str | None,
    stream: BinaryIO,
    criterion_id: int | None = None,
    description: str = "",
) -> Evidence:
    """Check and store a file, then add its row; if the database step fails the file goes."""
    user = _require_vendor_owner(actor, evaluation)
    _require_status(evaluation, EDITABLE_BY_VENDOR, "take new evidence")
    criterion = None
    if criterion_id:
        criterion = db.session.get(NormCriterion, criterion_id)
        if criterion is None or criterion.version_id != evaluation.norm_version_id:
            raise RuleViolation("Choose a criterion of this norm version.", "criterion_id")
    text = _text(description, "description", "The description")
    checked = evidence_files.check_upload(filename, stream)
    with evidence_files.stored_file(checked) as stored_name:
        item = Evidence(
            evaluation=evaluation,
            criterion=criterion,
            original_name=checked.display_name[:255],
            stored_name=stored_name,
            content_type=checked.content_type,
            size_bytes=len(checked.data),
            sha256=checked.sha256,
            description=text,
            uploaded_at=utcnow(),
            uploaded_by_id=user.id,
        )
        db.session.add(item)
        db.session.flush()
        audit.record(
            user,
            "evidence.attach",
            item,
            summary=f"{checked.display_name} for {_describe(evaluation)}",
            data={"sha256": checked.sha256, "criterion": criterion.code if criterion else None},
        )
    return item


def remove_evidence(actor: User | None, evaluation: Evaluation, item: Evidence) -> None:
    """Delete a file while the application is editable (the file goes once the row is gone)."""
    user = _require_vendor_owner(actor, evaluation)
    _require_status(evaluation, EDITABLE_BY_VENDOR, "change its evidence")
    if item.evaluation_id != evaluation.id:
        raise NotVisible()
    stored_name = item.stored_name
    audit.record(user, "evidence.remove", item, summary=item.original_name)
    db.session.delete(item)
    db.session.flush()
    # Deleted after commit, so a rolled-back request keeps both the row and the file.
    db.session().info.setdefault(_FILES_TO_DELETE, []).append(stored_name)


def return_for_information(actor: User | None, evaluation: Evaluation, request_text: str) -> None:
    """The authority asks the vendor for more information; the vendor can add evidence."""
    user = require_role(actor, Role.AUTHORITY)
    _require_status(
        evaluation,
        (EvaluationStatus.SUBMITTED, EvaluationStatus.IN_REVIEW),
        "be returned to the vendor",
    )
    evaluation.return_request = _text(request_text, "request_text", "The request", required=True)
    _move(user, evaluation, EvaluationStatus.RETURNED, "return", evaluation.return_request)
    db.session.flush()


def respond_to_return(actor: User | None, evaluation: Evaluation, response_text: str) -> None:
    """The vendor answers a return request; the application goes back to review."""
    user = _require_vendor_owner(actor, evaluation)
    _require_status(evaluation, (EvaluationStatus.RETURNED,), "be resubmitted")
    note = _text(response_text, "response_text", "Your answer", required=True)
    _move(user, evaluation, EvaluationStatus.SUBMITTED, "respond", note)
    _maybe_start_review(user, evaluation)
    _notify(
        _authority_staff(),
        "A vendor answered your request",
        f"{evaluation.vendor.name} answered the request on {_describe(evaluation)}:\n\n{note}",
    )
    db.session.flush()


# --- assignment and conflicts of interest ----------------------------------------------


def assign_evaluator(
    actor: User | None, evaluation: Evaluation, evaluator_id: int, due_date: dt.date | None
) -> Assignment:
    """The authority assigns an evaluator from an evaluation body, with an optional due date."""
    user = require_role(actor, Role.AUTHORITY)
    _require_status(
        evaluation,
        (EvaluationStatus.SUBMITTED, EvaluationStatus.IN_REVIEW),
        "take new evaluators",
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
        reason = (
            "declared a conflict of interest"
            if existing.status is AssignmentStatus.CONFLICTED
            else "is already assigned"
        )
        raise RuleViolation(f"{evaluator.full_name} {reason} on this evaluation.", "evaluator_id")
    today = utcnow().date()
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
    )
    db.session.add(assignment)
    db.session.flush()
    audit.record(
        user,
        "assignment.create",
        assignment,
        summary=f"{evaluator.email} on {_describe(evaluation)}",
        data={"evaluation": evaluation.id, "due": due_date.isoformat() if due_date else None},
    )
    _notify(
        [evaluator],
        "A new evaluation is assigned to you",
        f"You are asked to evaluate {_describe(evaluation)}"
        + (f" by {due_date.isoformat()}" if due_date else "")
        + ". First declare whether you have a conflict of interest.",
    )
    return assignment


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
        assignment.conflict_note = _text(note, "note", "The nature of the conflict", True)
        assignment.status = AssignmentStatus.CONFLICTED
        audit.record(
            user, "assignment.conflict", assignment, summary=f"conflict on {_describe(evaluation)}"
        )
        _notify(
            _authority_staff(),
            "An evaluator declared a conflict of interest",
            f"{user.full_name} ({user.organisation.name}) declared a conflict on "
            f"{_describe(evaluation)}: {assignment.conflict_note}\n\nAssign another evaluator.",
        )
    else:
        assignment.conflict_note = _text(note, "note", "The note")
        assignment.status = AssignmentStatus.SCORING
        audit.record(
            user,
            "assignment.no_conflict",
            assignment,
            summary=f"no conflict on {_describe(evaluation)}",
        )
        _maybe_start_review(user, evaluation)
    db.session.flush()


def _maybe_start_review(actor: User | None, evaluation: Evaluation) -> None:
    active = [a for a in evaluation.assignments if a.status in ACTIVE_ASSIGNMENTS]
    if evaluation.status is EvaluationStatus.SUBMITTED and len(active) >= MINIMUM_EVALUATORS:
        _move(actor, evaluation, EvaluationStatus.IN_REVIEW, "review")


# --- scoring ----------------------------------------------------------------------------


def needs_justification(kind: str, value: int | bool) -> bool:
    """A fail, or a score of 1 or less, must be justified."""
    if kind == scoring.PASS_FAIL:
        return value is False
    return int(value) <= 1


def _require_scoring(actor: User | None, assignment: Assignment) -> User:
    user = require_role(actor, Role.EVALUATOR)
    if assignment.evaluator_id != user.id:
        raise NotVisible()
    if assignment.status is AssignmentStatus.SUBMITTED:
        raise RuleViolation("Your scores are submitted; they can no longer change.")
    if assignment.status is not AssignmentStatus.SCORING:
        raise RuleViolation("Declare your conflicts of interest before scoring.")
    if assignment.evaluation.status is not EvaluationStatus.IN_REVIEW:
        raise RuleViolation("Scoring opens when the evaluation is in review.")
    return user


def save_score(
    actor: User | None,
    assignment: Assignment,
    criterion: NormCriterion,
    raw_value: str,
    justification: str,
) -> Score:
    """Save (or change) the evaluator's draft score for one criterion."""
    _require_scoring(actor, assignment)
    if criterion.version_id != assignment.evaluation.norm_version_id:
        raise NotVisible()
    field = f"value-{criterion.id}"
    try:
        value = scoring.validate_score_value(criterion.kind.value, raw_value)
    except ValueError:
        message = (
            "Choose pass or fail."
            if criterion.kind.value == scoring.PASS_FAIL
            else "Give a whole number from 0 to 5."
        )
        raise RuleViolation(f"{criterion.code}: {message}", field) from None
    text = _text(justification, f"justification-{criterion.id}", f"{criterion.code}: justification")
    if needs_justification(criterion.kind.value, value) and len(text) < NOTE_MIN:
        raise RuleViolation(
            f"{criterion.code}: a fail or a score of 1 or less needs a justification.",
            f"justification-{criterion.id}",
        )
    score = next((s for s in assignment.scores if s.criterion_id == criterion.id), None)
    if score is None:
        score = Score(assignment=assignment, criterion=criterion, justification="")
        db.session.add(score)
    if criterion.kind.value == scoring.PASS_FAIL:
        score.passed, score.value = bool(value), None
    else:
        score.value, score.passed = int(value), None
    score.justification = text
    score.updated_at = utcnow()
    db.session.flush()
    return score


def score_value(score: Score) -> int | bool | None:
    """The value of a saved score as scoring takes it (True/False, or 0..5)."""
    return score.passed if score.value is None else score.value


def submit_scores(actor: User | None, assignment: Assignment) -> None:
    """Submit once, when every criterion is scored; the last evaluator makes it SCORED."""
    user = _require_scoring(actor, assignment)
    evaluation = assignment.evaluation
    scored = {s.criterion_id for s in assignment.scores if score_value(s) is not None}
    missing = [c.code for c in evaluation.norm_version.ordered_criteria() if c.id not in scored]
    if missing:
        raise RuleViolation("Score every criterion before submitting: " + ", ".join(missing))
    assignment.status = AssignmentStatus.SUBMITTED
    assignment.submitted_at = utcnow()
    audit.record(
        user, "assignment.submit", assignment, summary=f"scores for {_describe(evaluation)}"
    )
    active = [a for a in evaluation.assignments if a.status in ACTIVE_ASSIGNMENTS]
    if len(active) >= MINIMUM_EVALUATORS and all(
        a.status is AssignmentStatus.SUBMITTED for a in active
    ):
        _store_computed(evaluation)
        _move(user, evaluation, EvaluationStatus.SCORED, "scored")
        _notify(
            _authority_staff(),
            "An evaluation is scored",
            f"Every evaluator submitted scores for {_describe(evaluation)}; it awaits your "
            "decision.",
        )
    db.session.flush()


# --- consolidation ----------------------------------------------------------------------


@dataclass(frozen=True)
class Consolidation:
    """What the authority decides on: per-criterion results, percent, level, failures."""

    criteria: list[NormCriterion]
    results: list[scoring.CriterionResult]
    raw_disagreements: list[str]
    unresolved: list[str]
    percent: float
    mandatory_failures: list[str]
    level: str | None
    evaluators: dict[int, User]

    def result_of(self, code: str) -> scoring.CriterionResult:
        """The result of one criterion by code."""
        return next(r for r in self.results if r.code == code)


def consolidation(evaluation: Evaluation) -> Consolidation:
    """Consolidate the submitted scores (median, flags, resolutions, weighted %, level)."""
    version = evaluation.norm_version
    criteria = version.ordered_criteria()
    plain = [scoring.Criterion(*c) for c in criteria_for_scoring(version)]  # type: ignore[arg-type]
    submitted = [a for a in evaluation.assignments if a.status is AssignmentStatus.SUBMITTED]
    codes = {c.id: c.code for c in criteria}
    scores = [
        scoring.EvaluatorScore(a.evaluator_id, codes[s.criterion_id], score_value(s))  # type: ignore[arg-type]
        for a in submitted
        for s in a.scores
        if s.criterion_id in codes and score_value(s) is not None
    ]
    raw = scoring.consolidate(plain, scores, [a.evaluator_id for a in submitted])
    resolutions: dict[str, object] = {
        r.criterion.code: (r.passed if r.value is None else r.value) for r in evaluation.resolutions
    }
    results = scoring.apply_resolutions(raw, resolutions)
    percent = scoring.weighted_percent(results, plain)
    failed = scoring.mandatory_failed(results, plain)
    level = scoring.level_for(percent, not failed, thresholds_of(version))
    return Consolidation(
        criteria=criteria,
        results=results,
        raw_disagreements=scoring.unresolved_disagreements(raw),
        unresolved=scoring.unresolved_disagreements(results),
        percent=percent,
        mandatory_failures=failed,
        level=level,
        evaluators={a.evaluator_id: a.evaluator for a in submitted},
    )


def _store_computed(evaluation: Evaluation) -> Consolidation:
    result = consolidation(evaluation)
    evaluation.computed_percent = round(result.percent, 2)
    evaluation.computed_level = result.level
    return result


def may_see_all_scores(actor: User | None, evaluation: Evaluation) -> bool:
    """Blind scoring: an evaluator sees other scores only after submitting their own."""
    if actor is None:
        return False
    if actor.role is Role.AUTHORITY:
        return True
    if actor.role is Role.EVALUATOR:
        assignment = assignment_of(actor, evaluation)
        return assignment is not None and assignment.status is AssignmentStatus.SUBMITTED
    return False


def resolve_disagreement(
    actor: User | None, evaluation: Evaluation, criterion_id: int, raw_value: str, note: str
) -> Resolution:
    """The authority records the consensus value for a flagged criterion, with a note."""
    user = require_role(actor, Role.AUTHORITY)
    _require_status(evaluation, (EvaluationStatus.SCORED,), "take a resolution")
    criterion = db.session.get(NormCriterion, criterion_id)
    if criterion is None or criterion.version_id != evaluation.norm_version_id:
        raise RuleViolation("Choose a criterion of this evaluation.", "criterion_id")
    if criterion.code not in consolidation(evaluation).raw_disagreements:
        raise RuleViolation("The evaluators agree on this criterion; nothing to resolve.")
    try:
        value = scoring.validate_score_value(criterion.kind.value, raw_value)
    except ValueError as error:
        raise RuleViolation(f"{criterion.code}: {error}.", "value") from None
    text = _text(note, "note", "The consensus note", required=True)
    resolution = next((r for r in evaluation.resolutions if r.criterion_id == criterion.id), None)
    if resolution is None:
        resolution = Resolution(evaluation=evaluation, criterion=criterion, note="")
        db.session.add(resolution)
    if criterion.kind.value == scoring.PASS_FAIL:
        resolution.passed, resolution.value = bool(value), None
    else:
        resolution.value, resolution.passed = int(value), None
    resolution.note = text
    resolution.resolved_at = utcnow()
    resolution.resolved_by_id = user.id
    db.session.flush()
    audit.record(
        user,
        "evaluation.resolve",
        evaluation,
        summary=f"{criterion.code} resolved for {_describe(evaluation)}",
        data={"criterion": criterion.code, "value": value, "note": text[:500]},
    )
    _store_computed(evaluation)
    db.session.flush()
    return resolution


# --- the decision -----------------------------------------------------------------------


def _locked(evaluation_id: int) -> Evaluation:
    # FOR UPDATE makes a second concurrent decision wait here on PostgreSQL, then read the
    # committed state (populate_existing); SQLite already serialises writing requests.
    found = db.session.scalar(
        select(Evaluation)
        .where(Evaluation.id == evaluation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise NotVisible()
    return found


def decide(
    actor: User | None,
    evaluation: Evaluation,
    decision: str,
    level: str | None,
    rationale: str,
    level_reason: str = "",
) -> Evaluation:
    """Certify at the computed level (or a lower one, with a reason) or reject, with a rationale.

    When certified, the label is issued in the same transaction.
    """
    user = require_role(actor, Role.AUTHORITY)
    evaluation = _locked(evaluation.id)
    if evaluation.status is EvaluationStatus.DECIDED:
        raise RuleViolation("This evaluation has already been decided; nothing was changed.")
    _require_status(evaluation, (EvaluationStatus.SCORED,), "be decided")
    result = _store_computed(evaluation)
    if result.unresolved:
        raise RuleViolation(
            "Resolve the disagreements first: " + ", ".join(result.unresolved) + "."
        )
    if decision not in {d.value for d in Decision}:
        raise RuleViolation("Choose certify or reject.", "decision")
    text = _text(rationale, "rationale", "The rationale", required=True)
    chosen: str | None = None
    if decision == Decision.CERTIFIED.value:
        if result.level is None:
            raise RuleViolation(
                "The result reaches no level (a mandatory criterion failed or the percent is "
                "below the lowest level): it can only be rejected.",
                "decision",
            )
        minimums = dict(thresholds_of(evaluation.norm_version))
        if not level or level not in minimums or minimums[level] > minimums[result.level]:
            raise RuleViolation(
                f"Choose the computed level ({result.level}) or a lower one.", "level"
            )
        chosen = level
        if level != result.level:
            reason = _text(level_reason, "level_reason", "The reason for a lower level", True)
            text = f"{text}\n\nCertified below the computed level ({result.level}): {reason}"
    evaluation.decision = Decision(decision)
    evaluation.decided_level = chosen
    evaluation.decision_rationale = text
    evaluation.decided_by_id = user.id
    evaluation.decided_at = utcnow()
    note = f"{Decision(decision).value}" + (f" at {chosen}" if chosen else "")
    _move(user, evaluation, EvaluationStatus.DECIDED, "decide", note)
    db.session.flush()
    if evaluation.decision is Decision.CERTIFIED:
        from evaluations.labels import issue_label

        issue_label(user, evaluation)
    return evaluation


def decision_levels(evaluation: Evaluation, computed: str | None) -> list[str]:
    """The levels the authority may certify at: the computed one and those below it."""
    pairs = thresholds_of(evaluation.norm_version)
    if computed is None:
        return []
    minimum = dict(pairs)[computed]
    return [name for name, value in pairs if value <= minimum][::-1]


@event.listens_for(Session, "after_commit")
def _delete_removed_files(session: Session) -> None:
    # Files of evidence rows removed in a committed transaction; a rollback keeps them.
    for stored_name in session.info.pop(_FILES_TO_DELETE, []):
        evidence_files.delete_file(stored_name)


@event.listens_for(Session, "after_soft_rollback")
def _keep_files(session: Session, previous_transaction: Any) -> None:
    session.info.pop(_FILES_TO_DELETE, None)
