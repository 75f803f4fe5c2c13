"""Demand aggregation: pool compatible open needs into joint-procurement lots.

Pure and deterministic (docs/STYLE.md, rule 6): plain frozen data in, plain frozen data out;
no Flask, no database. The algorithm is the one of docs/PROCUREMENT.md, "Aggregation algorithm":

1. eligibility — enough certified solutions, and a need-by date the procedure can still meet;
2. partition by (category, unit, currency, region truncated to ``region_level``);
3. greedy clustering inside a partition, needs taken by (need_by, id);
4. figures per lot, from the price–volume curve p(Q) = p_ref·(Q/q_ref)^β;
5. gate — enough buyers and enough estimated saving, else the needs go back to unmatched.

The detailed rules are written down in the submodule they concern:

- ``needs``: a need as aggregation sees it, the requirement a lot sets, the partition.
- ``pricing``: the price–volume curve, fitting it to past awards, the estimated saving.
- ``parameters``: the settings of a round.
- ``results``: the lots and unmatched needs a round returns.
- ``reasons``: the sentence an unmatched need's buyer reads.
- ``clustering``: greedy clustering of a partition's needs (step 3).
- ``figures``: a lot's published figures (step 4).
- ``pooling``: ``aggregate``, the round from eligibility to the gate.

Everything other code uses is re-exported here: ``from procurement import aggregation`` then
``aggregation.aggregate(...)``, or ``from procurement.aggregation import NeedInput``.
"""

from __future__ import annotations

from procurement.aggregation.needs import NeedInput, Partition, Requirement, partition_of
from procurement.aggregation.parameters import DEFAULT_MIN_SAVING, AggregationParameters
from procurement.aggregation.pooling import aggregate
from procurement.aggregation.pricing import (
    DECIMAL_CONTEXT,
    DEFAULT_BETA,
    MIN_POINTS_FOR_FIT,
    PriceCurve,
    estimated_saving,
    fit_price_curve,
)
from procurement.aggregation.results import AggregationResult, Lot, Unmatched, UnmatchedReason

__all__ = [
    "DECIMAL_CONTEXT",
    "DEFAULT_BETA",
    "DEFAULT_MIN_SAVING",
    "MIN_POINTS_FOR_FIT",
    "AggregationParameters",
    "AggregationResult",
    "Lot",
    "NeedInput",
    "Partition",
    "PriceCurve",
    "Requirement",
    "Unmatched",
    "UnmatchedReason",
    "aggregate",
    "estimated_saving",
    "fit_price_curve",
    "partition_of",
]
