"""A call's weighted award criteria in its OCDS tender section (awardCriteria "ratedCriteria")."""

from __future__ import annotations

from typing import Any

from procurement.calls.models import Award, JointCall
from procurement.calls.scoring.rules import TIE_BREAK
from procurement.calls.scoring.services import criteria_of, own_criteria_of

SINGLE_OFFER = "Single offer: only one offer was received."


def award_criteria_fields(call: JointCall) -> dict[str, Any]:
    """awardCriteria and its details when the call has weighted criteria; {} on price alone."""
    criteria = criteria_of(call)
    own = own_criteria_of(call)
    if not criteria and not own:
        return {}
    weights = "; ".join(
        [f"{item.kind.label} {item.weight} %: {item.kind.explanation}" for item in criteria]
        + [
            f"{item.name} {item.weight} %: "
            + (f"{item.description.rstrip('.')}. " if item.description else "")
            + "Scored by the authority, with a reason."
            for item in own
        ]
    )
    return {
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": (
            f"The highest weighted score among the compliant offers that keep enough buyers "
            f"after re-pricing. Criteria (scores 0 to 100): {weights} {TIE_BREAK}"
        ),
    }


def single_offer_note(award: Award) -> str:
    """The sentence the OCDS award's description ends with when one offer was received."""
    return f" {SINGLE_OFFER}" if len(award.call.offers) == 1 else ""
