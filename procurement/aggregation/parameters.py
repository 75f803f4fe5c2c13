"""The settings of one aggregation round, and the price curve each partition uses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from procurement.aggregation.needs import Partition
from procurement.aggregation.pricing import PriceCurve

DEFAULT_MIN_SAVING = Decimal("0.05")


@dataclass(frozen=True)
class AggregationParameters:
    """Settings of one aggregation round (the authority's configuration, plus today)."""

    today: date
    # How many leading components of a need's region path the partition keeps (0 = national).
    region_level: int = 2
    min_buyers: int = 2
    min_vendors: int = 2
    min_saving: Decimal = DEFAULT_MIN_SAVING
    lot_value_cap: Decimal | None = None
    procedure_days: int = 60
    lead_time_days: int = 30
    price_curve: PriceCurve = PriceCurve()
    # Curves fitted per (category, unit, currency); price_curve covers the rest.
    price_curves: Mapping[tuple[str, str, str], PriceCurve] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.region_level < 0:
            raise ValueError("region_level must not be negative")
        if self.min_buyers < 1 or self.min_vendors < 0:
            raise ValueError("min_buyers must be at least 1 and min_vendors not negative")
        if self.procedure_days < 0 or self.lead_time_days < 0:
            raise ValueError("procedure and lead-time days must not be negative")
        if self.lot_value_cap is not None and self.lot_value_cap <= 0:
            raise ValueError("lot_value_cap must be positive")

    @property
    def earliest_delivery(self) -> date:
        """The first need-by date a call opened today can still meet."""
        return self.today + timedelta(days=self.procedure_days + self.lead_time_days)

    def curve_for(self, partition: Partition) -> PriceCurve:
        """The price curve that applies to a partition."""
        return self.curve_for_key(partition.category, partition.unit, partition.currency)

    def curve_for_key(self, category: str, unit: str, currency: str) -> PriceCurve:
        """The price curve of a category, unit and currency."""
        return self.price_curves.get((category, unit, currency), self.price_curve)
