"""A call's award criteria in the calls API (/api/v1/calls): the weights, the authority's own
criteria and the tie-break, as published in the notice."""

from __future__ import annotations

from typing import Any

from procurement.calls.models import JointCall
from procurement.calls.scoring.rules import TIE_BREAK, CriterionKind
from procurement.calls.scoring.services import criteria_of, own_criteria_of

OWN = "own"

API_CRITERIA_PROPERTIES: dict[str, object] = {
    "award_criteria": {
        "type": "array",
        "description": (
            "The published award criteria, weights in whole percent adding up to 100; a call "
            'on price alone has one criterion, price at 100. Criteria of kind "own" are '
            "defined by the authority and scored by it (0 to 100, with a reason) at the award."
        ),
        "items": {
            "type": "object",
            "required": ["kind", "name", "weight", "description"],
            "properties": {
                "kind": {"enum": [*(kind.value for kind in CriterionKind), OWN]},
                "name": {"type": "string"},
                "weight": {"type": "integer", "minimum": 0, "maximum": 100},
                "description": {"type": "string"},
            },
        },
    },
    "award_tie_break": {"type": "string"},
}


def api_criteria_fields(call: JointCall) -> dict[str, Any]:
    """The call's award criteria and tie-break for the calls API."""
    criteria: list[dict[str, Any]] = [
        {
            "kind": item.kind.value,
            "name": item.kind.label,
            "weight": item.weight,
            "description": item.kind.explanation,
        }
        for item in criteria_of(call)
    ]
    own = [
        {"kind": OWN, "name": item.name, "weight": item.weight, "description": item.description}
        for item in own_criteria_of(call)
    ]
    if not criteria and not own:
        price = CriterionKind.PRICE
        criteria = [
            {
                "kind": price.value,
                "name": price.label,
                "weight": 100,
                "description": "The lowest final unit price wins.",
            }
        ]
    return {"award_criteria": criteria + own, "award_tie_break": TIE_BREAK}
