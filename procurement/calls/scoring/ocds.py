"""A call's weighted award criteria in its OCDS tender section (awardCriteria "ratedCriteria")."""

from __future__ import annotations

from typing import Any

from procurement.calls.models import JointCall
from procurement.calls.scoring.rules import TIE_BREAK
from procurement.calls.scoring.services import criteria_of


def award_criteria_fields(call: JointCall) -> dict[str, Any]:
    """awardCriteria and its details when the call has weighted criteria; {} on price alone."""
    criteria = criteria_of(call)
    if not criteria:
        return {}
    weights = "; ".join(
        f"{item.kind.label} {item.weight} %: {item.kind.explanation}" for item in criteria
    )
    return {
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": (
            f"The highest weighted score among the compliant offers that keep enough buyers "
            f"after re-pricing. Criteria (scores 0 to 100): {weights} {TIE_BREAK}"
        ),
    }
