"""Evaluation pages: the vendor's applications, the evaluator's assignments and scoring,
the authority's pipeline, consolidation and decision.

- `blueprint`: the `evaluations` blueprint and the roles that may see an evaluation.
- `evaluation_page`: the evaluation page every party shares, and the helpers that run a form
  or a confirmed action on it.
- `vendor`: the vendor's applications, evidence files, submission, withdrawal and answers.
- `authority`: the pipeline, returns, assignment, consolidation and the decision.
- `evaluator`: assignments, declarations of conflict and scoring.
- `maintenance`: a new version for a label's scope: the vendor's declaration, the authority's
  queue, routing and decision, the evaluator's delta review.

``init_app`` imports every route module, so all routes are on `bp`, and registers it.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the `evaluations` blueprint with the routes of every page module."""
    from evaluations.views import (  # noqa: F401 - each module adds its routes to bp
        authority,
        evaluation_page,
        evaluator,
        maintenance,
        vendor,
    )
    from evaluations.views.blueprint import bp

    app.register_blueprint(bp)
