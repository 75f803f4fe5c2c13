"""What a round returns: the proposed lots, and the needs left out with their reason."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from procurement.aggregation.needs import NeedInput, Partition, Requirement


class UnmatchedReason(enum.StrEnum):
    """Why a need was not pooled into a lot."""

    TOO_FEW_VENDORS = "too_few_vendors"
    NEED_BY_TOO_SOON = "need_by_too_soon"
    OVER_VALUE_CAP = "over_value_cap"
    TOO_FEW_BUYERS = "too_few_buyers"
    SAVING_TOO_SMALL = "saving_too_small"

    @property
    def label(self) -> str:
        """The reason in words, as the authority's pages show it."""
        return UNMATCHED_REASON_LABELS[self]


UNMATCHED_REASON_LABELS = {
    UnmatchedReason.TOO_FEW_VENDORS: "Too few certified solutions meet it",
    UnmatchedReason.NEED_BY_TOO_SOON: "Needed too soon for a joint procedure",
    UnmatchedReason.OVER_VALUE_CAP: "Worth more than the lot value cap",
    UnmatchedReason.TOO_FEW_BUYERS: "Too few buyers with a compatible need",
    UnmatchedReason.SAVING_TOO_SMALL: "Pooling saves too little",
}


@dataclass(frozen=True)
class Lot:
    """A proposed lot: compatible needs of several buyers, with its published figures."""

    partition: Partition
    requirement: Requirement
    # In joining order, i.e. by (need_by, id); the first one founded the lot.
    needs: tuple[NeedInput, ...]
    buyer_ids: tuple[int, ...]
    firm_quantity: int  # published as the estimated quantity
    maximum_quantity: int  # published as the maximum quantity
    total_budget: Decimal  # Σ firm × ceiling
    maximum_budget: Decimal  # Σ (firm + optional) × ceiling; what the value cap bounds
    earliest_need_by: date
    estimated_unit_price: Decimal
    estimated_saving: Decimal  # a fraction: 0.05 is 5 %
    # Members whose ceiling is below the estimated unit price: likely to drop out at award.
    needs_below_estimate: tuple[int, ...]
    buyers_below_estimate: tuple[int, ...]

    @property
    def need_ids(self) -> tuple[int, ...]:
        """Ids of the member needs, in joining order."""
        return tuple(need.id for need in self.needs)


@dataclass(frozen=True, slots=True)
class Unmatched:
    """A need left out of every lot, with a reason code and a sentence for the buyer."""

    need_id: int
    buyer_id: int
    reason: UnmatchedReason
    message: str


@dataclass(frozen=True)
class AggregationResult:
    """Lots by (partition, founding need); unmatched needs by id."""

    lots: tuple[Lot, ...]
    unmatched: tuple[Unmatched, ...]
