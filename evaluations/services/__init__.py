"""The evaluation workflow: apply, evidence, assignment, blind scoring, consolidation, decision.

draft → submitted → in review (≥ 2 evaluators declared no conflict) → scored (every active
evaluator submitted) → decided; also returned (for information) and withdrawn. Each transition
writes an EvaluationEvent and an audit entry and tells the people concerned.

- ``transitions``: the workflow's state groups and limits, and the helpers every transition
  uses (text checks, status and ownership checks, notices, ``_move``).
- ``visibility``: reading — who may see which evaluation, assignment and file; the lists.
- ``application``: the vendor's application and its evidence (and the session hooks that
  delete removed files after commit).
- ``assignment``: assigning evaluators and their conflict-of-interest declarations.
- ``scores``: blind scoring and the consolidation the authority decides on.
- ``decision``: the authority's decision, issuing the label when certified.
"""

from evaluations.services.application import (
    apply_for_evaluation,
    attach_evidence,
    missing_evidence,
    remove_evidence,
    respond_to_return,
    return_for_information,
    submit_application,
    update_application,
    withdraw_application,
)
from evaluations.services.assignment import assign_evaluator, declare_conflict
from evaluations.services.decision import consensus_recorded_by, decide, decision_levels
from evaluations.services.scores import (
    Consolidation,
    consolidation,
    evaluators_range,
    may_see_all_scores,
    needs_justification,
    resolve_disagreement,
    save_score,
    score_value,
    submit_scores,
)
from evaluations.services.transitions import (
    ACTIVE_ASSIGNMENTS,
    EDITABLE_BY_VENDOR,
    MINIMUM_EVALUATORS,
    NOTE_MIN,
    OPEN_STATUSES,
    TEXT_MAX,
    WITHDRAWABLE,
)
from evaluations.services.visibility import (
    assignment_of,
    assignments_statement,
    eligible_evaluators,
    evidence_by_criterion,
    get_assignment,
    get_evaluation,
    get_evidence,
    is_overdue,
    may_see_details,
    own_published_solutions,
    published_versions,
    status_counts,
    visible_statement,
)

__all__ = [
    "ACTIVE_ASSIGNMENTS",
    "EDITABLE_BY_VENDOR",
    "MINIMUM_EVALUATORS",
    "NOTE_MIN",
    "OPEN_STATUSES",
    "TEXT_MAX",
    "WITHDRAWABLE",
    "Consolidation",
    "apply_for_evaluation",
    "assign_evaluator",
    "assignment_of",
    "assignments_statement",
    "attach_evidence",
    "consensus_recorded_by",
    "consolidation",
    "decide",
    "decision_levels",
    "declare_conflict",
    "eligible_evaluators",
    "evaluators_range",
    "evidence_by_criterion",
    "get_assignment",
    "get_evaluation",
    "get_evidence",
    "is_overdue",
    "may_see_all_scores",
    "may_see_details",
    "missing_evidence",
    "needs_justification",
    "own_published_solutions",
    "published_versions",
    "remove_evidence",
    "resolve_disagreement",
    "respond_to_return",
    "return_for_information",
    "save_score",
    "score_value",
    "status_counts",
    "submit_application",
    "submit_scores",
    "update_application",
    "visible_statement",
    "withdraw_application",
]
