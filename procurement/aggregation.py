"""Demand aggregation: pool compatible open needs into joint-procurement lots.

Pure and deterministic (STYLE rule 6): plain frozen data in, plain frozen data out; no Flask,
no database. The algorithm is the one of PROCUREMENT.md, "Aggregation algorithm":

1. eligibility — enough certified solutions, and a need-by date the procedure can still meet;
2. partition by (category, unit, currency, region truncated to ``region_level``);
3. greedy clustering inside a partition, needs taken by (need_by, id);
4. figures per lot, from the price–volume curve p(Q) = p_ref·(Q/q_ref)^β;
5. gate — enough buyers and enough estimated saving, else the needs go back to unmatched.

Rules PROCUREMENT.md leaves open, as decided here:

- Eligibility counts come in as data (need id -> certified solutions able to meet the need on
  its own); a need missing from the mapping has none. Each unmatched need carries one reason,
  the first that applies in the order of ``UnmatchedReason``.
- Partition: a region path shorter than ``region_level`` is kept whole, so a national need does
  not pool with regional ones at a regional level.
- Requirement: a norm code (or none) and a label level rank (0 = no label). Merging takes the
  highest level and the one norm code present; two different norm codes cannot merge.
- What a need accepts: a level up to ``min_level_rank + accepted_uplift``; a norm other than
  its own never; a norm imposed on a need that named none only if ``accepted_uplift > 0``
  (being tied to a norm is itself a stricter requirement). Imposing a norm does not use up a
  level rank of the uplift.
- "Grows most": the compatible lot with the largest firm quantity after the need joins (the
  biggest volume gives every member the lowest curve price); ties go to the older lot.
- Value cap: on the lot's maximum value, Σ (firm + optional) × ceiling, because the value of a
  framework agreement counts its options (Directive 2014/24/EU art. 5) and the lot publishes
  that maximum. A need whose own maximum value exceeds the cap is unmatched.
- Saving: the counterfactual is each *buyer* buying its own firm quantity in the lot alone, so
  qᵢ sums one buyer's needs; Q is the lot's firm quantity. p_ref and q_ref cancel out of it.
- Estimated unit price with no reference price yet (no past awards): the curve is anchored at
  the lot's firm-weighted mean ceiling for the mean buyer quantity.
- Order: lots by partition, then by founding need (the first by need_by, id); unmatched by
  need id. Nothing depends on the order of the input.
- Money and the curve use ``Decimal`` in a fixed context (28 digits), so results do not depend
  on the caller's decimal context or the platform's libm; nothing is rounded here.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from typing import NamedTuple

DEFAULT_BETA = Decimal("-0.15")
DEFAULT_MIN_SAVING = Decimal("0.05")
# Fixed context: the same needs must give the same figures whatever the caller's context.
DECIMAL_CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN)
# Fewer past awards than this are too few to fit a slope.
MIN_POINTS_FOR_FIT = 3

_ZERO = Decimal(0)
_ONE = Decimal(1)


class UnmatchedReason(enum.StrEnum):
    """Why a need was not pooled into a lot."""

    TOO_FEW_VENDORS = "too_few_vendors"
    NEED_BY_TOO_SOON = "need_by_too_soon"
    OVER_VALUE_CAP = "over_value_cap"
    TOO_FEW_BUYERS = "too_few_buyers"
    SAVING_TOO_SMALL = "saving_too_small"


@dataclass(frozen=True, slots=True)
class Requirement:
    """What a lot's solutions must hold: a label of at least ``level_rank`` under ``norm_code``."""

    norm_code: str | None
    level_rank: int

    def meets(self, need: NeedInput) -> bool:
        """Whether this requirement is at least as strict as the need asks."""
        norm_ok = need.norm_code is None or need.norm_code == self.norm_code
        return norm_ok and self.level_rank >= need.min_level_rank


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


class PriceCurve(NamedTuple):
    """Price–volume curve p(Q) = p_ref·(Q/q_ref)^β; no reference point until awards exist."""

    p_ref: Decimal | None = None
    q_ref: Decimal | None = None
    beta: Decimal = DEFAULT_BETA

    def unit_price(self, quantity: Decimal | int) -> Decimal:
        """Estimated unit price at ``quantity``; needs a reference point."""
        if self.p_ref is None or self.q_ref is None:
            raise ValueError("this price curve has no reference point")
        with localcontext(DECIMAL_CONTEXT):
            return self.p_ref * _power(Decimal(quantity) / self.q_ref, self.beta)


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


class Partition(NamedTuple):
    """Needs that may share a lot: same category, unit, currency and region prefix."""

    category: str
    unit: str
    currency: str
    region: tuple[str, ...]


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


def partition_of(need: NeedInput, region_level: int) -> Partition:
    """The partition a need falls in; a region shorter than the level is kept whole."""
    return Partition(need.category, need.unit, need.currency, need.region[:region_level])


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
            unmatched.append(_too_few_vendors(need, vendors, params.min_vendors))
        elif need.need_by < earliest:
            unmatched.append(_too_soon(need, earliest, params))
        else:
            partitions[partition_of(need, params.region_level)].append(need)

    lots: list[Lot] = []
    # One cache per slope for the whole round: quantities repeat across partitions.
    power_caches: dict[Decimal, _PowerCache] = {}
    with localcontext(DECIMAL_CONTEXT):
        for partition in sorted(partitions):
            clusters, over_cap = _cluster(partitions[partition], params.lot_value_cap)
            unmatched.extend(over_cap)
            curve = params.curve_for(partition)
            powers = power_caches.setdefault(curve.beta, _PowerCache(curve.beta))
            for cluster in clusters:
                buyers = len({need.buyer_id for need in cluster.needs})
                if buyers < params.min_buyers:
                    # Checked before the figures, which cost Decimal powers.
                    unmatched.extend(_too_few_buyers(cluster.needs, buyers, params.min_buyers))
                    continue
                lot = _figures(partition, cluster, curve, powers)
                if lot.estimated_saving < params.min_saving:
                    unmatched.extend(_saving_too_small(lot, params.min_saving))
                else:
                    lots.append(lot)
    unmatched.sort(key=lambda item: item.need_id)
    return AggregationResult(lots=tuple(lots), unmatched=tuple(unmatched))


def fit_price_curve(
    past_awards: Sequence[tuple[int | Decimal, Decimal]],
    default_beta: Decimal = DEFAULT_BETA,
) -> PriceCurve:
    """Fit p(Q) = p_ref·(Q/q_ref)^β to past (quantity, unit price) awards by log least squares."""
    # A logarithm needs positive values; anything else is not a usable award.
    points = [(Decimal(q), Decimal(p)) for q, p in past_awards if q > 0 and p > 0]
    if not points:
        return PriceCurve(beta=default_beta)
    with localcontext(DECIMAL_CONTEXT) as context:
        log_q = [context.ln(q) for q, _ in points]
        log_p = [context.ln(p) for _, p in points]
        n = len(points)
        mean_q = sum(log_q, _ZERO) / n
        mean_p = sum(log_p, _ZERO) / n
        # The least-squares line passes through the centroid of the logs, so the geometric
        # means are a reference point consistent with the fitted slope and with the default.
        p_ref = context.exp(mean_p)
        q_ref = context.exp(mean_q)
        spread = sum(((x - mean_q) ** 2 for x in log_q), _ZERO)
        if n < MIN_POINTS_FOR_FIT or spread == 0:
            return PriceCurve(p_ref, q_ref, default_beta)
        beta = sum(((x - mean_q) * (y - mean_p) for x, y in zip(log_q, log_p, strict=True)), _ZERO)
        beta /= spread
    # Not decreasing: no volume discount to estimate. At or below -1 the total cost would fall
    # as volume rises, which says more about the sample than about prices.
    if not -1 < beta < 0:
        beta = default_beta
    return PriceCurve(p_ref, q_ref, beta)


def estimated_saving(quantities_by_buyer: Sequence[int], beta: Decimal) -> Decimal:
    """1 − Q·p(Q) / Σ qᵢ·p(qᵢ): pooled cost against each buyer buying its quantity alone."""
    if not quantities_by_buyer or min(quantities_by_buyer) <= 0:
        raise ValueError("the saving needs at least one positive quantity")
    with localcontext(DECIMAL_CONTEXT):
        return _saving(quantities_by_buyer, _PowerCache(beta))


# --- clustering ------------------------------------------------------------------------------


# A lot's summary as far as joining goes: norm, level, strictest level every member accepts,
# and whether a member without a norm refused any uplift (then no norm may be imposed).
_LotShape = tuple[str | None, int, int, bool]
# A need's side of it: norm, own level, strictest level it accepts.
_NeedShape = tuple[str | None, int, int]


def _shape_admits(lot: _LotShape, need: _NeedShape) -> bool:
    """Whether a need of that shape may join a lot of that shape, cap aside."""
    norm, level, ceiling, rigid_without_norm = lot
    need_norm, need_level, need_ceiling = need
    if need_norm is None:
        # Imposing the lot's norm on the need: only if it accepted an uplift.
        if norm is not None and need_ceiling == need_level:
            return False
    elif norm is None:
        if rigid_without_norm:
            return False
    elif norm != need_norm:
        return False
    merged = max(level, need_level)
    return merged <= ceiling and merged <= need_ceiling


class _OpenLot:
    """A lot being built: its members and the summary that decides who else may join."""

    __slots__ = (
        "ceiling",
        "firm",
        "index",
        "level",
        "needs",
        "norm",
        "rigid_without_norm",
        "value",
    )

    def __init__(self, index: int, need: NeedInput, value: Decimal) -> None:
        self.index = index
        self.needs = [need]
        self.norm = need.norm_code
        self.level = need.min_level_rank
        self.ceiling = need.min_level_rank + need.accepted_uplift
        self.rigid_without_norm = need.norm_code is None and need.accepted_uplift == 0
        self.firm = need.firm_quantity
        self.value = value

    @property
    def shape(self) -> _LotShape:
        """What decides, with the cap, which needs may join."""
        return (self.norm, self.level, self.ceiling, self.rigid_without_norm)

    def add(self, need: NeedInput, value: Decimal) -> None:
        """Take the need in and tighten the summary."""
        self.needs.append(need)
        if need.norm_code is not None:
            self.norm = need.norm_code
        self.level = max(self.level, need.min_level_rank)
        self.ceiling = min(self.ceiling, need.min_level_rank + need.accepted_uplift)
        if need.norm_code is None and need.accepted_uplift == 0:
            self.rigid_without_norm = True
        self.firm += need.firm_quantity
        self.value += value


def _cluster(needs: list[NeedInput], cap: Decimal | None) -> tuple[list[_OpenLot], list[Unmatched]]:
    """Greedy clustering of one partition's needs, already in (need_by, id) order."""
    values = [need.maximum_value for need in needs]
    over_cap: list[Unmatched] = []
    fits = [True] * len(needs)
    if cap is not None:
        for index, need in enumerate(needs):
            if values[index] > cap:
                fits[index] = False
                over_cap.append(_over_cap(need, values[index], cap))
    # Smallest value still to come after each position: a lot that cannot take even that is
    # full for good and leaves the index.
    smallest_after: list[Decimal | None] = [None] * (len(needs) + 1)
    if cap is not None:
        for index in range(len(needs) - 1, -1, -1):
            later = smallest_after[index + 1]
            current = values[index] if fits[index] else None
            if current is None:
                smallest_after[index] = later
            else:
                smallest_after[index] = current if later is None else min(current, later)

    all_lots: list[_OpenLot] = []
    # Open lots indexed by shape: compatibility is decided once per shape, not once per lot,
    # so a step costs O(shapes + open lots of compatible shapes) cheap comparisons.
    open_by_shape: dict[_LotShape, list[_OpenLot]] = {}
    admits: dict[tuple[_LotShape, _NeedShape], bool] = {}
    for index, need in enumerate(needs):
        if not fits[index]:
            continue
        value = values[index]
        room = None if cap is None else cap - value
        need_shape = (
            need.norm_code,
            need.min_level_rank,
            need.min_level_rank + need.accepted_uplift,
        )
        best: _OpenLot | None = None
        best_firm = 0
        best_index = 0
        for shape, lots in open_by_shape.items():
            compatible = admits.get((shape, need_shape))
            if compatible is None:
                compatible = admits[(shape, need_shape)] = _shape_admits(shape, need_shape)
            if not compatible:
                continue
            for lot in lots:
                # Grows most = largest lot; on equal size the older (lower index) one wins.
                firm = lot.firm
                if firm < best_firm or (firm == best_firm and lot.index > best_index):
                    continue
                if room is not None and lot.value > room:
                    continue
                best, best_firm, best_index = lot, firm, lot.index
        if best is None:
            best = _OpenLot(len(all_lots), need, value)
            all_lots.append(best)
        else:
            _unindex(open_by_shape, best)
            best.add(need, value)
        smallest = smallest_after[index + 1]
        if cap is None or (smallest is not None and best.value + smallest <= cap):
            open_by_shape.setdefault(best.shape, []).append(best)
    return all_lots, over_cap


def _unindex(open_by_shape: dict[_LotShape, list[_OpenLot]], lot: _OpenLot) -> None:
    """Take a lot out of the open-lot index (its shape may change)."""
    shape = lot.shape
    lots = open_by_shape[shape]
    lots.remove(lot)
    if not lots:
        del open_by_shape[shape]


# --- figures ------------------------------------------------------------------------------


def _power(base: Decimal, exponent: Decimal) -> Decimal:
    """base^exponent for base > 0, in the fixed context."""
    # exp(y·ln x) costs half of Context.power and is just as deterministic (libmpdec).
    return DECIMAL_CONTEXT.exp(exponent * DECIMAL_CONTEXT.ln(base))


class _PowerCache:
    """x^β for one curve, memoised: quantities repeat and Decimal powers are slow."""

    __slots__ = ("beta", "cache")

    def __init__(self, beta: Decimal) -> None:
        self.beta = beta
        self.cache: dict[Decimal | int, Decimal] = {}

    def __call__(self, base: Decimal | int) -> Decimal:
        result = self.cache.get(base)
        if result is None:
            result = _power(Decimal(base), self.beta)
            self.cache[base] = result
        return result


def _saving(quantities_by_buyer: Sequence[int], powers: _PowerCache) -> Decimal:
    """The saving formula with p_ref·q_ref^-β cancelled out of numerator and denominator."""
    total = sum(quantities_by_buyer)
    standalone = sum((q * powers(q) for q in quantities_by_buyer), _ZERO)
    return _ONE - total * powers(total) / standalone


def _figures(
    partition: Partition, cluster: _OpenLot, curve: PriceCurve, powers: _PowerCache
) -> Lot:
    """Turn a finished cluster into a lot with its published figures."""
    needs = tuple(cluster.needs)
    by_buyer: dict[int, int] = defaultdict(int)
    for need in needs:
        by_buyer[need.buyer_id] += need.firm_quantity
    firm = cluster.firm
    total_budget = sum((need.firm_value for need in needs), _ZERO)
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
        estimated_saving=_saving(list(by_buyer.values()), powers),
        needs_below_estimate=below,
        buyers_below_estimate=tuple(sorted(below_buyers)),
    )


def _too_few_buyers(needs: list[NeedInput], buyers: int, minimum: int) -> list[Unmatched]:
    message = (
        f"No compatible need from other buyers could be pooled with this one "
        f"({buyers} buyer(s); a lot needs at least {minimum})."
    )
    return [
        Unmatched(need.id, need.buyer_id, UnmatchedReason.TOO_FEW_BUYERS, message) for need in needs
    ]


def _saving_too_small(lot: Lot, minimum: Decimal) -> list[Unmatched]:
    message = (
        f"The lot this need would join saves an estimated {lot.estimated_saving:.1%}, "
        f"less than the {minimum:.1%} that justifies a joint call."
    )
    return [
        Unmatched(need.id, need.buyer_id, UnmatchedReason.SAVING_TOO_SMALL, message)
        for need in lot.needs
    ]


# --- small helpers ---------------------------------------------------------------------------


def _join_order(need: NeedInput) -> tuple[date, int]:
    return (need.need_by, need.id)


def _check_unique_ids(needs: list[NeedInput]) -> None:
    seen: set[int] = set()
    for need in needs:
        if need.id in seen:
            raise ValueError(f"need {need.id} appears twice")
        seen.add(need.id)


def _too_few_vendors(need: NeedInput, vendors: int, minimum: int) -> Unmatched:
    message = (
        f"Only {vendors} certified solution(s) can meet this need; a competitive call needs "
        f"at least {minimum}."
    )
    return Unmatched(need.id, need.buyer_id, UnmatchedReason.TOO_FEW_VENDORS, message)


def _too_soon(need: NeedInput, earliest: date, params: AggregationParameters) -> Unmatched:
    message = (
        f"Needed by {need.need_by.isoformat()}, but a joint call opened today delivers "
        f"{earliest.isoformat()} at the earliest ({params.procedure_days} days of procedure "
        f"and {params.lead_time_days} days of lead time)."
    )
    return Unmatched(need.id, need.buyer_id, UnmatchedReason.NEED_BY_TOO_SOON, message)


def _over_cap(need: NeedInput, value: Decimal, cap: Decimal) -> Unmatched:
    message = (
        f"At its ceiling price this need is worth {value:,.2f} {need.currency} with its "
        f"options, more than the {cap:,.2f} {need.currency} a lot may be worth; "
        f"it is best bought on its own."
    )
    return Unmatched(need.id, need.buyer_id, UnmatchedReason.OVER_VALUE_CAP, message)
