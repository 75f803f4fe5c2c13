"""A label as plain data: the facts shown on its card and stated in its credential."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any


@dataclass(frozen=True)
class CriterionSummary:
    """One line of the criteria summary: a criterion and its consolidated result."""

    code: str
    title: str
    result: str
    section: str = ""


@dataclass(frozen=True)
class LabelFacts:
    """Everything shown on a label card and stated in its credential, as plain values."""

    number: str
    status: str
    level: str
    score_percent: float
    solution_id: int
    solution_name: str
    vendor_id: int
    vendor_name: str
    norm_code: str
    norm_title: str
    norm_version: str
    issued_on: date
    expires_on: date
    verification_url: str
    status_list_index: int
    criteria: tuple[CriterionSummary, ...] = field(default_factory=tuple)
    authority_name: str = "National Public Security Technology Authority"
    status_reason: str = ""

    def as_json(self) -> dict[str, Any]:
        """The facts as JSON-compatible values (dates as ISO strings), for hashing and logs."""
        data = asdict(self)
        data["issued_on"] = self.issued_on.isoformat()
        data["expires_on"] = self.expires_on.isoformat()
        data["score_percent"] = score_value(self.score_percent)
        return data


def score_value(score: float | Decimal | int) -> float:
    """A score percentage as the number the credential states: one decimal place."""
    # Half up, as people round: 87.25 % is printed 87.3 %, not 87.2 % (banker's rounding).
    return float(Decimal(str(score)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
