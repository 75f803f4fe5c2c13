"""A need as aggregation sees it, the requirement a lot sets, and the partition a need falls in.

Rules decided here (docs/PROCUREMENT.md gives the overview):

- Partition: a region path shorter than ``region_level`` is kept whole, so a national need does
  not pool with regional ones at a regional level.
- Requirement: a norm code (or none) and a label level rank (0 = no label). Merging takes the
  highest level and the one norm code present; two different norm codes cannot merge.
- What a need accepts: a level up to ``min_level_rank + accepted_uplift``; a norm other than
  its own never; a norm imposed on a need that named none only if ``accepted_uplift > 0``
  (being tied to a norm is itself a stricter requirement). Imposing a norm does not use up a
  level rank of the uplift.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class Requirement:
    """What a lot's solutions must hold: a label of at least ``level_rank`` under ``norm_code``."""

    norm_code: str | None
    level_rank: int


@dataclass(frozen=True, slots=True)
class NeedInput:
    """An open buyer need, as aggregation sees it."""

    id: int
    buyer_id: int
    category: str
    unit: str
    currency: str
    # Administrative path, broadest first, e.g. ("FR", "Bretagne", "Finistère").
    region: tuple[str, ...]
    norm_code: str | None
    # 0 = no label required; higher = stricter (1 Certified, 2 Advanced, ...).
    min_level_rank: int
    # How many level ranks above its own the need accepts; > 0 also accepts a norm imposed on
    # a need that named none.
    accepted_uplift: int
    firm_quantity: int
    optional_quantity: int
    max_unit_price: Decimal
    need_by: date

    def __post_init__(self) -> None:
        if self.firm_quantity <= 0:
            raise ValueError(f"need {self.id}: firm quantity must be positive")
        if self.optional_quantity < 0:
            raise ValueError(f"need {self.id}: optional quantity must not be negative")
        if self.min_level_rank < 0 or self.accepted_uplift < 0:
            raise ValueError(f"need {self.id}: level rank and uplift must not be negative")
        if self.max_unit_price <= 0:
            raise ValueError(f"need {self.id}: maximum unit price must be positive")
        if not isinstance(self.region, tuple):
            raise TypeError(f"need {self.id}: region must be a tuple path")

    @property
    def maximum_quantity(self) -> int:
        """Firm plus optional quantity."""
        return self.firm_quantity + self.optional_quantity

    @property
    def firm_value(self) -> Decimal:
        """Firm quantity at the buyer's ceiling price."""
        return self.firm_quantity * self.max_unit_price

    @property
    def maximum_value(self) -> Decimal:
        """Firm plus optional quantity at the buyer's ceiling price."""
        return self.maximum_quantity * self.max_unit_price

    def accepts(self, requirement: Requirement) -> bool:
        """Whether the need accepts being bought under ``requirement`` (not too strict)."""
        if requirement.level_rank > self.min_level_rank + self.accepted_uplift:
            return False
        if requirement.norm_code == self.norm_code:
            return True
        # A different norm: only a need that named none and allowed an uplift takes it.
        return self.norm_code is None and self.accepted_uplift > 0


class Partition(NamedTuple):
    """Needs that may share a lot: same category, unit, currency and region prefix."""

    category: str
    unit: str
    currency: str
    region: tuple[str, ...]


def partition_of(need: NeedInput, region_level: int) -> Partition:
    """The partition a need falls in; a region shorter than the level is kept whole."""
    return Partition(need.category, need.unit, need.currency, need.region[:region_level])
