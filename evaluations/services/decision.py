"""The authority's decision: certify at a level (issuing the label) or reject."""

from __future__ import annotations

from sqlalchemy import select

from evaluations.impartiality.checks import (
    impartiality_problem,
    involvement,
    review_by_another,
    review_required,
    reviews_of,
)
from evaluations.impartiality.models import DecisionReview, ReviewOutcome
from evaluations.labels.issuing import public_statement_text
from evaluations.models import Decision, Evaluation, EvaluationStatus
from evaluations.services.scores import store_computed
from evaluations.services.transitions import (
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
from registry.models import Role, User
from registry.norms.services import thresholds_of

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


def consensus_recorded_by(evaluation: Evaluation, user: User | None) -> list[str]:
    """The criteria whose consensus `user` recorded on this evaluation (they may not decide it)."""
    if user is None:
        return []
    return sorted(r.criterion.code for r in evaluation.resolutions if r.resolved_by_id == user.id)


def decide(
    actor: User | None,
    evaluation: Evaluation,
    decision: str,
    level: str | None,
    rationale: str,
    level_reason: str = "",
    *,
    public_statement: str = "",
) -> Evaluation:
    """Certify at the computed level (or a lower one, with a reason) or reject, with a rationale.

    The rationale is internal (the authority, the vendor and the evaluation's evaluators read
    it). A certification also needs a public statement, the label's published "issued"
    reason; the label is issued in the same transaction.
    """
    user = require_role(actor, Role.AUTHORITY)
    evaluation = _locked(evaluation.id)
    if evaluation.status is EvaluationStatus.DECIDED:
        raise RuleViolation("This evaluation has already been decided; nothing was changed.")
    require_status(evaluation, (EvaluationStatus.SCORED,), "be decided")
    result = store_computed(evaluation)
    if result.unresolved:
        raise RuleViolation(
            "Resolve the disagreements first: " + ", ".join(result.unresolved) + "."
        )
    _require_independent(user, evaluation, "decide it")
    if decision not in {d.value for d in Decision}:
        raise RuleViolation("Choose certify or reject.", "decision")
    text = checked_text(rationale, "rationale", "The internal rationale", required=True)
    chosen: str | None = None
    statement = ""
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
        statement = public_statement_text(public_statement)
        if level != result.level:
            reason = checked_text(
                level_reason, "level_reason", "The reason for a lower level", True
            )
            text = f"{text}\n\nCertified below the computed level ({result.level}): {reason}"
    if review_required(decision, chosen) and review_by_another(evaluation, user) is None:
        raise RuleViolation(
            "A second authority officer must review this evaluation before this decision: "
            "the review is recorded on this page by an officer other than the one who decides.",
            "decision",
        )
    evaluation.decision = Decision(decision)
    evaluation.decided_level = chosen
    evaluation.decision_rationale = text
    evaluation.decided_by_id = user.id
    evaluation.decided_at = utcnow()
    note = f"{Decision(decision).value}" + (f" at {chosen}" if chosen else "")
    move(user, evaluation, EvaluationStatus.DECIDED, "decide", note)
    db.session.flush()
    if evaluation.decision is Decision.CERTIFIED:
        from evaluations.labels.issuing import issue_label

        issue_label(user, evaluation, public_statement=statement)
    return evaluation


def _require_independent(user: User, evaluation: Evaluation, doing: str) -> None:
    """Refuse an officer who assigned, evaluated or recorded a consensus on this evaluation,
    whose declarations of interests are not current, or who has an interest in the vendor."""
    recorded = consensus_recorded_by(evaluation, user)
    if recorded:
        raise RuleViolation(
            f"You recorded the consensus on {', '.join(recorded)}: another authority officer "
            "must take the decision (four eyes)."
        )
    done = involvement(user, evaluation)
    if done:
        raise RuleViolation(
            f"You {' and '.join(done)} on this evaluation: another authority officer must "
            f"{doing} (separation of duties)."
        )
    problem = impartiality_problem(user, evaluation.vendor, dates.today())
    if problem:
        raise RuleViolation(f"{problem} Another authority officer must {doing}.")


def record_review(
    actor: User | None,
    evaluation: Evaluation,
    outcome: str,
    recommended_decision: str,
    recommended_level: str | None,
    note: str,
) -> DecisionReview:
    """A second officer reviews a scored evaluation before the decision and recommends one.

    The reviewer has current declarations and no interest in the vendor; they may not then
    decide it themselves when the decision needs a review (`decide` asks for a review by
    someone other than the decider).
    """
    user = require_role(actor, Role.AUTHORITY)
    evaluation = _locked(evaluation.id)
    require_status(evaluation, (EvaluationStatus.SCORED,), "be reviewed")
    if any(r.reviewer_id == user.id for r in reviews_of(evaluation)):
        raise RuleViolation("You have already reviewed this evaluation; nothing was changed.")
    problem = impartiality_problem(user, evaluation.vendor, dates.today())
    if problem:
        raise RuleViolation(f"{problem} Another authority officer must review it.")
    if outcome not in {o.value for o in ReviewOutcome}:
        raise RuleViolation("Choose agree or disagree.", "outcome")
    if recommended_decision not in {d.value for d in Decision}:
        raise RuleViolation("Choose the decision you recommend.", "recommended_decision")
    level: str | None = None
    if recommended_decision == Decision.CERTIFIED.value:
        names = [name for name, _ in thresholds_of(evaluation.norm_version)]
        if recommended_level not in names:
            raise RuleViolation(
                "Choose the level you recommend: " + ", ".join(names) + ".", "recommended_level"
            )
        level = recommended_level
    text = checked_text(note, "note", "The review note", required=True)
    review = DecisionReview(
        evaluation_id=evaluation.id,
        reviewer_id=user.id,
        outcome=ReviewOutcome(outcome),
        recommended_decision=recommended_decision,
        recommended_level=level,
        note=text,
        reviewed_at=utcnow(),
    )
    db.session.add(review)
    db.session.flush()
    recommendation = recommended_decision + (f" at {level}" if level else "")
    audit.record(
        user,
        "evaluation.decision_review",
        evaluation,
        summary=f"{describe(evaluation)}: {outcome}, recommends {recommendation}",
        data={"outcome": outcome, "decision": recommended_decision, "level": level},
    )
    notify(
        [u for u in authority_staff() if u.id != user.id],
        "An evaluation is reviewed before its decision",
        f"{user.full_name} reviewed {describe(evaluation)} ({outcome}) and recommends: "
        f"{recommendation}.\n\n{text}",
    )
    return review


def decision_levels(evaluation: Evaluation, computed: str | None) -> list[str]:
    """The levels the authority may certify at: the computed one and those below it."""
    pairs = thresholds_of(evaluation.norm_version)
    if computed is None:
        return []
    minimum = dict(pairs)[computed]
    return [name for name, value in pairs if value <= minimum][::-1]
