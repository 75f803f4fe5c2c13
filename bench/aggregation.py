"""Aggregation of 100 000 open needs over all categories and regions: time and memory."""

from __future__ import annotations

import random
import time
import tracemalloc
from datetime import date, timedelta
from decimal import Decimal

from procurement.aggregation.needs import NeedInput
from procurement.aggregation.parameters import AggregationParameters
from procurement.aggregation.pooling import aggregate

CATEGORIES = [
    "systems-integration",
    "video-analysis",
    "access-id-control",
    "flow-modeling",
    "public-alert",
    "sensors-drones-robotics",
    "data-collection",
    "data-analysis",
    "video-protection",
    "command-coordination",
    "cybersecurity",
]
UNITS = ["camera", "licence", "site"]
# 15 regions with 6 departments each, as ISO-like paths.
REGIONS = [("FR", f"FR-R{r:02d}", f"FR-R{r:02d}-D{d}") for r in range(15) for d in range(6)]
TODAY = date(2026, 1, 1)


def generate_needs(count: int, seed: int = 1) -> tuple[list[NeedInput], dict[int, int]]:
    """Realistic random open needs and, for each, how many certified solutions meet it."""
    rng = random.Random(seed)
    needs = []
    eligible = {}
    for need_id in range(1, count + 1):
        category = rng.choice(CATEGORIES)
        needs.append(
            NeedInput(
                id=need_id,
                buyer_id=rng.randint(1, 8000),
                category=category,
                unit=rng.choice(UNITS),
                currency="EUR",
                region=rng.choice(REGIONS),
                norm_code=rng.choice(
                    [None, f"{category[:3].upper()}-A", f"{category[:3].upper()}-B"]
                ),
                min_level_rank=rng.randint(0, 2),
                accepted_uplift=rng.choice([0, 0, 1, 2]),
                firm_quantity=rng.randint(1, 500),
                optional_quantity=rng.randint(0, 100),
                max_unit_price=Decimal(rng.randint(50, 5000)),
                need_by=TODAY + timedelta(days=rng.randint(30, 700)),
            )
        )
        eligible[need_id] = rng.choice([0, 1, 2, 3, 5, 8, 12])
    return needs, eligible


def run(count: int = 100_000) -> None:
    """Time aggregate() on `count` needs for a few settings; best of 3, with peak memory."""
    needs, eligible = generate_needs(count)
    for region_level, cap in ((2, None), (2, Decimal(2_000_000)), (0, Decimal(2_000_000))):
        params = AggregationParameters(today=TODAY, region_level=region_level, lot_value_cap=cap)
        timings = []
        for attempt in range(3):
            random.Random(attempt).shuffle(needs)
            started = time.perf_counter()
            result = aggregate(needs, eligible, params)
            timings.append(time.perf_counter() - started)
        tracemalloc.start()
        aggregate(needs, eligible, params)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(
            f"aggregate {count:,} needs (region level {region_level}, cap {cap}): "
            f"best {min(timings):.2f} s, worst {max(timings):.2f} s, "
            f"peak traced memory {peak / 2**20:.0f} MiB, {len(result.lots):,} lots, "
            f"{len(result.unmatched):,} unmatched"
        )
