"""One aggregation round: eligibility, partitions, clusters, figures and the gate, in order.

Rules decided here (docs/PROCUREMENT.md gives the overview):

- Eligibility counts come in as data (need id -> certified solutions able to meet the need on
  its own); a need missing from the mapping has none. Each unmatched need carries one reason,
  the first that applies in the order of ``UnmatchedReason``.
- Order: lots by partition, then by founding need (the first by need_by, id); unmatched by
  need id. Nothing depends on the order of the input.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, localcontext

from procurement.aggregation.clustering import cluster_needs
from procurement.aggregation.figures import lot_figures
from procurement.aggregation.needs import NeedInput, Partition, partition_of
from procurement.aggregation.parameters import AggregationParameters
from procurement.aggregation.pricing import DECIMAL_CONTEXT, PowerCache
from procurement.aggregation.reasons import (
    saving_too_small,
    too_few_buyers,
    too_few_vendors,
    too_soon,
)
from procurement.aggregation.results import AggregationResult, Lot, Unmatched


def aggregate(
    needs: Iterable[NeedInput],
    eligible_counts: Mapping[int, int],
    params: AggregationParameters,
) -> AggregationResult:
    """Pool open needs into lots; ``eligible_counts`` maps need id to solutions able to meet it."""
    ordered = sorted(needs, key=_join_order)
    _check_unique_ids(ordered)
    unmatched: list[Unmatched] = []
    partitions: dict[Partition, list[NeedInput]] = defaultdict(list)
    earliest = params.earliest_delivery
    for need in ordered:
        # A missing count means no solution was found for the need.
        vendors = eligible_counts.get(need.id, 0)
        if vendors < params.min_vendors:
            unmatched.append(too_few_vendors(need, vendors, params.min_vendors))
        elif need.need_by < earliest:
            unmatched.append(too_soon(need, earliest, params))
        else:
            partitions[partition_of(need, params.region_level)].append(need)

    lots: list[Lot] = []
    # One cache per slope for the whole round: quantities repeat across partitions.
    power_caches: dict[Decimal, PowerCache] = {}
    with localcontext(DECIMAL_CONTEXT):
        for partition in sorted(partitions):
            clusters, over_cap = cluster_needs(partitions[partition], params.lot_value_cap)
            unmatched.extend(over_cap)
            curve = params.curve_for(partition)
            powers = power_caches.setdefault(curve.beta, PowerCache(curve.beta))
            for cluster in clusters:
                buyers = len({need.buyer_id for need in cluster.needs})
                if buyers < params.min_buyers:
                    # Checked before the figures, which cost Decimal powers.
                    unmatched.extend(too_few_buyers(cluster.needs, buyers, params.min_buyers))
                    continue
                lot = lot_figures(partition, cluster, curve, powers)
                if lot.estimated_saving < params.min_saving:
                    unmatched.extend(saving_too_small(lot, params.min_saving))
                else:
                    lots.append(lot)
    unmatched.sort(key=lambda item: item.need_id)
    return AggregationResult(lots=tuple(lots), unmatched=tuple(unmatched))


def _join_order(need: NeedInput) -> tuple[date, int]:
    return (need.need_by, need.id)


def _check_unique_ids(needs: list[NeedInput]) -> None:
    seen: set[int] = set()
    for need in needs:
        if need.id in seen:
            raise ValueError(f"need {need.id} appears twice")
        seen.add(need.id)
