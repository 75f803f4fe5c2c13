"""Evaluation pages: the vendor's applications, the evaluator's assignments and scoring,
the authority's pipeline, consolidation and decision.

- `blueprint`: the `evaluations` blueprint and the roles that may see an evaluation.
- `evaluation_page`: the evaluation page every party shares, and the helpers that run a form
  or a confirmed action on it.
- `vendor`: the vendor's applications, evidence files, submission, withdrawal and answers.
- `authority`: the pipeline, returns, assignment, consolidation and the decision.
- `evaluator`: assignments, declarations of conflict and scoring.

Importing this package imports every route module, so all routes are on `bp`.
"""

from evaluations.views.authority import assign, decide, pipeline, resolve, return_to_vendor
from evaluations.views.blueprint import ANY_PARTY, bp
from evaluations.views.evaluation_page import detail
from evaluations.views.evaluator import assignments, declare, score, submit_scores
from evaluations.views.vendor import (
    apply,
    download,
    index,
    note,
    remove,
    respond,
    submit,
    upload,
    withdraw,
)

__all__ = [
    "ANY_PARTY",
    "apply",
    "assign",
    "assignments",
    "bp",
    "decide",
    "declare",
    "detail",
    "download",
    "index",
    "note",
    "pipeline",
    "remove",
    "resolve",
    "respond",
    "return_to_vendor",
    "score",
    "submit",
    "submit_scores",
    "upload",
    "withdraw",
]
