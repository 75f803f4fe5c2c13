"""What the call pages read of the award criteria: the published weights and the scores."""

from __future__ import annotations

from typing import Any

from flask import Flask

from procurement.calls.scoring.rules import TIE_BREAK
from procurement.calls.scoring.services import criteria_of, scores_of


def init_app(app: Flask) -> None:
    """Give the call templates the criteria and scores of a call."""

    @app.context_processor
    def _scoring() -> dict[str, Any]:
        return {
            "award_criteria_of": criteria_of,
            "award_scores_of": scores_of,
            "award_tie_break": TIE_BREAK,
        }
