"""Blind scoring by the evaluators, and the consolidation of their scores for the authority."""

from __future__ import annotations

from dataclasses import dataclass

from evaluations import scoring
from evaluations.models import (
    Assignment,
    AssignmentStatus,
    Evaluation,
    EvaluationStatus,
    Resolution,
    Score,
)
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
from evaluations.services.visibility import assignment_of
from registry import audit
from registry.access import require_role
from registry.database import db, utcnow
from registry.exceptions import NotVisible, RuleViolation
from registry.models import Role, User
from registry.norms.models import NormCriterion
from registry.norms.services import criteria_for_scoring, thresholds_of

# --- scoring ----------------------------------------------------------------------------


def needs_justification(kind: str, value: int | bool) -> bool:
    """A fail, or a score of 1 or less, must be justified."""
    if kind == scoring.PASS_FAIL:
        return value is False
    return int(value) <= 1


def stored_value(kind: str, value: int | bool) -> tuple[int | None, bool | None]:
    """The (value, passed) pair a score or a consensus stores for a criterion of this kind."""
    if kind == scoring.PASS_FAIL:
        return None, bool(value)
    return int(value), None


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
    text = checked_text(
        justification, f"justification-{criterion.id}", f"{criterion.code}: justification"
    )
    if needs_justification(criterion.kind.value, value) and len(text) < NOTE_MIN:
        raise RuleViolation(
            f"{criterion.code}: a fail or a score of 1 or less needs a justification.",
            f"justification-{criterion.id}",
        )
    score = next((s for s in assignment.scores if s.criterion_id == criterion.id), None)
    if score is None:
        score = Score(assignment=assignment, criterion=criterion, justification="")
        db.session.add(score)
    score.value, score.passed = stored_value(criterion.kind.value, value)
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
        user,
        "assignment.submit",
        assignment,
        summary=f"scores for {describe(evaluation)}",
    )
    active = [a for a in evaluation.assignments if a.status in ACTIVE_ASSIGNMENTS]
    if len(active) >= MINIMUM_EVALUATORS and all(
        a.status is AssignmentStatus.SUBMITTED for a in active
    ):
        store_computed(evaluation)
        move(user, evaluation, EvaluationStatus.SCORED, "scored")
        notify(
            authority_staff(),
            "An evaluation is scored",
            f"Every evaluator submitted scores for {describe(evaluation)}; it awaits your "
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


def store_computed(evaluation: Evaluation) -> Consolidation:
    """Store the consolidated percentage and level on the evaluation and return them."""
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


def evaluators_range(evaluation: Evaluation, criterion_code: str) -> tuple[int, int] | None:
    """The lowest and highest score the evaluators gave a scored criterion (None for pass/fail)."""
    result = consolidation(evaluation).result_of(criterion_code)
    values = [int(value) for _, value in result.scores if not isinstance(value, bool)]
    return (min(values), max(values)) if values else None


def resolve_disagreement(
    actor: User | None,
    evaluation: Evaluation,
    criterion_id: int,
    raw_value: str,
    note: str,
    outside_reason: str = "",
) -> Resolution:
    """The authority records the consensus value for a flagged criterion, with a note.

    A consensus lies within the evaluators' scores; a value outside them needs a recorded
    reason (`outside_reason`), kept with the note.
    """
    user = require_role(actor, Role.AUTHORITY)
    require_status(evaluation, (EvaluationStatus.SCORED,), "take a resolution")
    criterion = db.session.get(NormCriterion, criterion_id)
    if criterion is None or criterion.version_id != evaluation.norm_version_id:
        raise RuleViolation("Choose a criterion of this evaluation.", "criterion_id")
    if criterion.code not in consolidation(evaluation).raw_disagreements:
        raise RuleViolation("The evaluators agree on this criterion; nothing to resolve.")
    try:
        value = scoring.validate_score_value(criterion.kind.value, raw_value)
    except ValueError as error:
        raise RuleViolation(f"{criterion.code}: {error}.", "value") from None
    text = checked_text(note, "note", "The consensus note", required=True)
    bounds = evaluators_range(evaluation, criterion.code)
    if bounds is not None and not bounds[0] <= int(value) <= bounds[1]:
        low, high = bounds
        reason = checked_text(outside_reason, "outside_reason", "The reason", required=False)
        if not reason:
            raise RuleViolation(
                f"The evaluators scored {criterion.code} between {low} and {high}: choose a value "
                "in that range, or give the reason for going outside it.",
                "outside_reason",
            )
        text = f"{text}\n\nOutside the evaluators' scores ({low} to {high}): {reason}"
    resolution = next((r for r in evaluation.resolutions if r.criterion_id == criterion.id), None)
    if resolution is None:
        resolution = Resolution(evaluation=evaluation, criterion=criterion, note="")
        db.session.add(resolution)
    resolution.value, resolution.passed = stored_value(criterion.kind.value, value)
    resolution.note = text
    resolution.resolved_at = utcnow()
    resolution.resolved_by_id = user.id
    db.session.flush()
    audit.record(
        user,
        "evaluation.resolve",
        evaluation,
        summary=f"{criterion.code} resolved for {describe(evaluation)}",
        data={"criterion": criterion.code, "value": value, "note": text[:500]},
    )
    store_computed(evaluation)
    db.session.flush()
    return resolution
