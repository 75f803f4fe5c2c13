"""A finished cluster's published figures: quantities, budgets, unit price and saving.

Rules decided here (docs/PROCUREMENT.md gives the overview):

- Estimated unit price with no reference price yet (no past awards): the curve is anchored at
  the lot's firm-weighted mean ceiling for the mean buyer quantity.
"""

from __future__ import annotations

from collections import defaultdict

from procurement.aggregation.clustering import OpenLot
from procurement.aggregation.needs import Partition, Requirement
from procurement.aggregation.pricing import ZERO, PowerCache, PriceCurve, pooling_saving
from procurement.aggregation.results import Lot


def lot_figures(
    partition: Partition, cluster: OpenLot, curve: PriceCurve, powers: PowerCache
) -> Lot:
    """Turn a finished cluster into a lot with its published figures."""
    needs = tuple(cluster.needs)
    by_buyer: dict[int, int] = defaultdict(int)
    for need in needs:
        by_buyer[need.buyer_id] += need.firm_quantity
    firm = cluster.firm
    total_budget = sum((need.firm_value for need in needs), ZERO)
    if curve.p_ref is not None and curve.q_ref is not None:
        unit_price = curve.p_ref * powers(firm) / powers(curve.q_ref)
    else:
        # No awards yet: the mean buyer, alone, would pay the mean ceiling.
        unit_price = total_budget / firm * powers(len(by_buyer))
    below = tuple(sorted(need.id for need in needs if need.max_unit_price < unit_price))
    below_buyers = {need.buyer_id for need in needs if need.max_unit_price < unit_price}
    return Lot(
        partition=partition,
        requirement=Requirement(cluster.norm, cluster.level),
        needs=needs,
        buyer_ids=tuple(sorted(by_buyer)),
        firm_quantity=firm,
        maximum_quantity=sum(need.maximum_quantity for need in needs),
        total_budget=total_budget,
        maximum_budget=cluster.value,
        earliest_need_by=needs[0].need_by,
        estimated_unit_price=unit_price,
        estimated_saving=pooling_saving(list(by_buyer.values()), powers),
        needs_below_estimate=below,
        buyers_below_estimate=tuple(sorted(below_buyers)),
    )
