"""Demand aggregation: the properties docs/PROCUREMENT.md states, plus worked examples."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal, localcontext
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procurement.aggregation.needs import NeedInput, Partition, Requirement, partition_of
from procurement.aggregation.parameters import AggregationParameters
from procurement.aggregation.pooling import aggregate
from procurement.aggregation.pricing import PriceCurve, estimated_saving, fit_price_curve
from procurement.aggregation.results import AggregationResult, Lot, UnmatchedReason

TODAY = date(2026, 3, 2)
# procedure 60 + lead time 30 days, the parameters' defaults
EARLIEST = TODAY + timedelta(days=90)
CATEGORIES = ("Video analysis", "Cybersecurity", "Access and ID control")
UNITS = ("camera", "licence-year")
REGIONS = (
    ("FR", "Bretagne", "Finistère"),
    ("FR", "Bretagne", "Morbihan"),
    ("FR", "Normandie", "Calvados"),
    ("BE", "Wallonie", "Namur"),
    ("FR",),
)
NORMS = (None, None, "VA-INTEROP", "CY-PERIM")
PROPERTY_SETTINGS = settings(max_examples=150, deadline=None)

Case = tuple[list[NeedInput], dict[int, int], AggregationParameters]


def make_need(need_id: int = 1, **overrides: Any) -> NeedInput:
    """A need pooled by default with any other default need of another buyer."""
    fields: dict[str, Any] = {
        "id": need_id,
        "buyer_id": need_id,
        "category": "Video analysis",
        "unit": "camera",
        "currency": "EUR",
        "region": ("FR", "Bretagne", "Finistère"),
        "norm_code": None,
        "min_level_rank": 0,
        "accepted_uplift": 0,
        "firm_quantity": 10,
        "optional_quantity": 0,
        "max_unit_price": Decimal("1000"),
        "need_by": EARLIEST + timedelta(days=30),
    }
    fields.update(overrides)
    return NeedInput(**fields)


def make_params(**overrides: Any) -> AggregationParameters:
    """Default parameters with a zero minimum saving, so examples isolate one rule."""
    return AggregationParameters(**{"today": TODAY, "min_saving": Decimal(0), **overrides})


def run(needs: Sequence[NeedInput], **overrides: Any) -> AggregationResult:
    """Aggregate needs that all have plenty of eligible solutions."""
    return aggregate(needs, {need.id: 5 for need in needs}, make_params(**overrides))


def lot_ids(result: AggregationResult) -> list[tuple[int, ...]]:
    """Each lot's need ids, sorted, in the result's order."""
    return [tuple(sorted(lot.need_ids)) for lot in result.lots]


def reasons(result: AggregationResult) -> dict[int, UnmatchedReason]:
    """Need id to reason code, for the unmatched needs."""
    return {item.need_id: item.reason for item in result.unmatched}


# --- strategies ------------------------------------------------------------------------------


@st.composite
def needs_and_counts(draw: st.DrawFn) -> tuple[list[NeedInput], dict[int, int]]:
    """Realistic open needs on a small grid, narrowed per case so that many are compatible."""

    def some(options: Sequence[Any]) -> st.SearchStrategy[Any]:
        return st.sampled_from(draw(st.lists(st.sampled_from(options), min_size=1, max_size=3)))

    categories, units, regions, norms = some(CATEGORIES), some(UNITS), some(REGIONS), some(NORMS)
    currencies = some(("EUR", "EUR", "SEK"))
    # An explicit size: lists drawn directly stay mostly too short to pool anything.
    size = draw(st.integers(0, 40))
    ids = draw(st.lists(st.integers(1, 100_000), unique=True, min_size=size, max_size=size))
    needs: list[NeedInput] = []
    counts: dict[int, int] = {}
    for need_id in ids:
        needs.append(
            NeedInput(
                id=need_id,
                buyer_id=draw(st.integers(1, 8)),
                category=draw(categories),
                unit=draw(units),
                currency=draw(currencies),
                region=draw(regions),
                norm_code=draw(norms),
                min_level_rank=draw(st.integers(0, 2)),
                accepted_uplift=draw(st.integers(0, 2)),
                firm_quantity=draw(st.integers(1, 500)),
                optional_quantity=draw(st.sampled_from((0, 0, 5, 50, 200))),
                max_unit_price=draw(st.decimals(1, 2000, places=2)),
                need_by=TODAY + timedelta(days=draw(st.integers(0, 400))),
            )
        )
        # Some needs are absent from the mapping: no solution at all.
        count = draw(st.sampled_from((None, 0, 1, 2, 3, 5, 8, 8, 8, 8, 8, 8)))
        if count is not None:
            counts[need_id] = count
    return needs, counts


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """Needs, their eligible-solution counts and the round's parameters."""
    needs, counts = draw(needs_and_counts())
    params = AggregationParameters(
        today=TODAY,
        region_level=draw(st.integers(0, 3)),
        min_buyers=draw(st.integers(1, 3)),
        min_saving=draw(st.sampled_from([Decimal(0), Decimal("0.02"), Decimal("0.05")])),
        lot_value_cap=draw(
            st.sampled_from([None, Decimal(50_000), Decimal(300_000), Decimal(2_000_000)])
        ),
        price_curve=PriceCurve(beta=draw(st.sampled_from([Decimal("-0.15"), Decimal("-0.3")]))),
    )
    return needs, counts, params


# --- the spec's greedy, literally ------------------------------------------------------------


def merged_requirement(members: Sequence[NeedInput]) -> Requirement | None:
    """The strictest requirement of the members; None when two norms conflict."""
    norms = {need.norm_code for need in members} - {None}
    if len(norms) > 1:
        return None
    return Requirement(next(iter(norms), None), max(need.min_level_rank for need in members))


def _eligible_partitions(
    needs: Sequence[NeedInput], counts: Mapping[int, int], params: AggregationParameters
) -> dict[Partition, list[NeedInput]]:
    """The needs a round may pool, by partition, in (need-by date, id) order."""
    cap = params.lot_value_cap
    earliest = params.today + timedelta(days=params.procedure_days + params.lead_time_days)
    partitions: dict[Partition, list[NeedInput]] = defaultdict(list)
    for need in sorted(needs, key=lambda need: (need.need_by, need.id)):
        if counts.get(need.id, 0) < params.min_vendors or need.need_by < earliest:
            continue
        if cap is not None and need.maximum_value > cap:
            continue
        partitions[partition_of(need, params.region_level)].append(need)
    return partitions


def _firm_quantity_if_joined(
    lot: Sequence[NeedInput], need: NeedInput, cap: Decimal | None
) -> int | None:
    """The lot's firm quantity with the need added; None when the need cannot join it."""
    members = [*lot, need]
    requirement = merged_requirement(members)
    if requirement is None or not all(m.accepts(requirement) for m in members):
        return None
    if cap is not None and sum(m.maximum_value for m in members) > cap:
        return None
    return sum(m.firm_quantity for m in members)


def _greedy_lots(needs: Sequence[NeedInput], cap: Decimal | None) -> list[list[NeedInput]]:
    """Each need joins the lot it makes largest, or starts a lot of its own."""
    lots: list[list[NeedInput]] = []
    for need in needs:
        best: tuple[int, int] | None = None  # (resulting firm quantity, lot position)
        for position, lot in enumerate(lots):
            size = _firm_quantity_if_joined(lot, need, cap)
            if size is not None and (best is None or size > best[0]):
                best = (size, position)
        if best is None:
            lots.append([need])
        else:
            lots[best[1]].append(need)
    return lots


def _lot_is_kept(lot: Sequence[NeedInput], beta: Decimal, params: AggregationParameters) -> bool:
    """Enough distinct buyers, and a large enough estimated saving."""
    by_buyer: dict[int, int] = defaultdict(int)
    for need in lot:
        by_buyer[need.buyer_id] += need.firm_quantity
    return (
        len(by_buyer) >= params.min_buyers
        and estimated_saving(list(by_buyer.values()), beta) >= params.min_saving
    )


def reference_lots(
    needs: Sequence[NeedInput], counts: Mapping[int, int], params: AggregationParameters
) -> list[tuple[int, ...]]:
    """docs/PROCUREMENT.md's algorithm in the plainest O(n · lots) form, without any index."""
    partitions = _eligible_partitions(needs, counts, params)
    kept: list[tuple[int, ...]] = []
    for partition in sorted(partitions):
        beta = params.curve_for(partition).beta
        for lot in _greedy_lots(partitions[partition], params.lot_value_cap):
            if _lot_is_kept(lot, beta, params):
                kept.append(tuple(need.id for need in lot))
    return kept


# --- properties ------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(cases())
def test_every_lot_requirement_meets_every_member(case: Case) -> None:
    needs, counts, params = case
    for lot in aggregate(needs, counts, params).lots:
        for need in lot.needs:
            assert need.norm_code in (None, lot.requirement.norm_code)
            assert lot.requirement.level_rank >= need.min_level_rank


@PROPERTY_SETTINGS
@given(cases())
def test_no_member_is_pushed_past_what_it_accepted(case: Case) -> None:
    needs, counts, params = case
    for lot in aggregate(needs, counts, params).lots:
        for need in lot.needs:
            assert lot.requirement.level_rank <= need.min_level_rank + need.accepted_uplift
            if need.norm_code is None and lot.requirement.norm_code is not None:
                assert need.accepted_uplift > 0


@PROPERTY_SETTINGS
@given(cases(), st.data())
def test_result_does_not_depend_on_input_order(case: Case, data: st.DataObject) -> None:
    needs, counts, params = case
    shuffled = data.draw(st.permutations(needs))
    assert aggregate(shuffled, counts, params) == aggregate(needs, counts, params)


@PROPERTY_SETTINGS
@given(cases())
def test_every_need_is_in_one_lot_or_unmatched_exactly_once(case: Case) -> None:
    needs, counts, params = case
    result = aggregate(needs, counts, params)
    pooled = [need.id for lot in result.lots for need in lot.needs]
    unmatched = [item.need_id for item in result.unmatched]
    assert len(pooled) == len(set(pooled))
    assert len(unmatched) == len(set(unmatched))
    assert sorted(pooled + unmatched) == sorted(need.id for need in needs)


@PROPERTY_SETTINGS
@given(cases())
def test_quantities_add_up(case: Case) -> None:
    needs, counts, params = case
    result = aggregate(needs, counts, params)
    by_id = {need.id: need for need in needs}
    unmatched_firm = sum(by_id[item.need_id].firm_quantity for item in result.unmatched)
    pooled_firm = sum(lot.firm_quantity for lot in result.lots)
    assert pooled_firm + unmatched_firm == sum(need.firm_quantity for need in needs)
    for lot in result.lots:
        assert lot.firm_quantity == sum(need.firm_quantity for need in lot.needs)
        assert lot.maximum_quantity == sum(need.maximum_quantity for need in lot.needs)
        assert lot.total_budget == sum(need.firm_value for need in lot.needs)
        assert lot.maximum_budget == sum(need.maximum_value for need in lot.needs)
        assert lot.buyer_ids == tuple(sorted({need.buyer_id for need in lot.needs}))


@PROPERTY_SETTINGS
@given(cases())
def test_every_lot_passes_the_gate_and_the_cap(case: Case) -> None:
    needs, counts, params = case
    for lot in aggregate(needs, counts, params).lots:
        assert len(lot.buyer_ids) >= params.min_buyers
        assert lot.estimated_saving >= params.min_saving
        if params.lot_value_cap is not None:
            assert lot.maximum_budget <= params.lot_value_cap


@PROPERTY_SETTINGS
@given(cases())
def test_lot_members_share_a_partition_and_are_eligible(case: Case) -> None:
    needs, counts, params = case
    for lot in aggregate(needs, counts, params).lots:
        for need in lot.needs:
            assert partition_of(need, params.region_level) == lot.partition
            assert counts.get(need.id, 0) >= params.min_vendors
            assert need.need_by >= params.earliest_delivery


@PROPERTY_SETTINGS
@given(cases())
def test_unmatched_reasons_are_true(case: Case) -> None:
    needs, counts, params = case
    by_id = {need.id: need for need in needs}
    for item in aggregate(needs, counts, params).unmatched:
        need = by_id[item.need_id]
        assert item.buyer_id == need.buyer_id
        assert item.message
        if item.reason is UnmatchedReason.TOO_FEW_VENDORS:
            assert counts.get(need.id, 0) < params.min_vendors
        elif item.reason is UnmatchedReason.NEED_BY_TOO_SOON:
            assert need.need_by < params.earliest_delivery
        elif item.reason is UnmatchedReason.OVER_VALUE_CAP:
            assert params.lot_value_cap is not None
            assert need.maximum_value > params.lot_value_cap


@PROPERTY_SETTINGS
@given(cases())
def test_matches_the_plain_greedy_of_the_spec(case: Case) -> None:
    needs, counts, params = case
    result = aggregate(needs, counts, params)
    assert [lot.need_ids for lot in result.lots] == reference_lots(needs, counts, params)


@PROPERTY_SETTINGS
@given(cases())
def test_flags_exactly_the_ceilings_below_the_estimate(case: Case) -> None:
    needs, counts, params = case
    for lot in aggregate(needs, counts, params).lots:
        below = [need for need in lot.needs if need.max_unit_price < lot.estimated_unit_price]
        assert lot.needs_below_estimate == tuple(sorted(need.id for need in below))
        assert lot.buyers_below_estimate == tuple(sorted({need.buyer_id for need in below}))


# --- eligibility and gate, by example --------------------------------------------------------


def test_too_few_eligible_solutions_leaves_the_need_unmatched() -> None:
    needs = [make_need(1), make_need(2), make_need(3)]
    result = aggregate(needs, {1: 1, 2: 2, 3: 2}, make_params())
    assert reasons(result) == {1: UnmatchedReason.TOO_FEW_VENDORS}
    assert "Only 1 certified solution" in result.unmatched[0].message
    assert lot_ids(result) == [(2, 3)]


def test_a_need_missing_from_the_counts_has_no_eligible_solution() -> None:
    result = aggregate([make_need(1), make_need(2)], {1: 3}, make_params())
    assert reasons(result) == {
        1: UnmatchedReason.TOO_FEW_BUYERS,
        2: UnmatchedReason.TOO_FEW_VENDORS,
    }


def test_need_by_before_procedure_and_lead_time_is_too_soon() -> None:
    needs = [
        make_need(1, need_by=EARLIEST - timedelta(days=1)),
        make_need(2, need_by=EARLIEST),
        make_need(3, need_by=EARLIEST),
    ]
    result = run(needs)
    assert reasons(result) == {1: UnmatchedReason.NEED_BY_TOO_SOON}
    assert EARLIEST.isoformat() in result.unmatched[0].message
    assert lot_ids(result) == [(2, 3)]


def test_need_worth_more_than_the_cap_on_its_own_is_unmatched() -> None:
    # 100 firm + 50 optional at 1 000 = 150 000, above a 120 000 cap.
    needs = [make_need(1, firm_quantity=100, optional_quantity=50), make_need(2), make_need(3)]
    result = run(needs, lot_value_cap=Decimal(120_000))
    assert reasons(result) == {1: UnmatchedReason.OVER_VALUE_CAP}
    assert "worth 150,000.00 EUR with its options, more than the 120,000.00 EUR" in (
        result.unmatched[0].message
    )
    assert lot_ids(result) == [(2, 3)]


def test_cap_counts_optional_quantities_and_opens_a_new_lot() -> None:
    # Each need is worth 40 000 with its options; a 100 000 cap takes two of them.
    needs = [make_need(i, firm_quantity=30, optional_quantity=10) for i in (1, 2, 3, 4)]
    result = run(needs, lot_value_cap=Decimal(100_000))
    assert lot_ids(result) == [(1, 2), (3, 4)]
    assert all(lot.maximum_budget == Decimal(80_000) for lot in result.lots)
    assert all(lot.total_budget == Decimal(60_000) for lot in result.lots)


def test_a_lot_value_exactly_at_the_cap_is_allowed() -> None:
    result = run([make_need(1), make_need(2)], lot_value_cap=Decimal(20_000))
    assert lot_ids(result) == [(1, 2)]


def test_one_buyer_alone_is_not_a_lot() -> None:
    needs = [make_need(1, buyer_id=7), make_need(2, buyer_id=7)]
    result = run(needs, min_saving=Decimal("0.05"))
    assert result.lots == ()
    assert reasons(result) == {1: UnmatchedReason.TOO_FEW_BUYERS, 2: UnmatchedReason.TOO_FEW_BUYERS}


def test_lot_below_the_minimum_saving_goes_back_to_unmatched() -> None:
    # Two buyers of 10: saving 1 − 2^-0.15 ≈ 9.9 %.
    needs = [make_need(1), make_need(2)]
    assert lot_ids(run(needs, min_saving=Decimal("0.09"))) == [(1, 2)]
    result = run(needs, min_saving=Decimal("0.10"))
    assert result.lots == ()
    assert reasons(result) == {
        1: UnmatchedReason.SAVING_TOO_SMALL,
        2: UnmatchedReason.SAVING_TOO_SMALL,
    }
    assert "9.9%" in result.unmatched[0].message


def test_min_buyers_is_configurable() -> None:
    needs = [make_need(1), make_need(2)]
    assert lot_ids(run(needs, min_buyers=3)) == []
    assert lot_ids(run(needs, min_buyers=2)) == [(1, 2)]


# --- compatibility, by example ---------------------------------------------------------------


def test_different_norms_never_share_a_lot() -> None:
    needs = [
        make_need(1, norm_code="VA-INTEROP", accepted_uplift=2),
        make_need(2, norm_code="VA-INTEROP"),
        make_need(3, norm_code="VA-PRIVACY", accepted_uplift=2),
        make_need(4, norm_code="VA-PRIVACY"),
    ]
    result = run(needs)
    assert lot_ids(result) == [(1, 2), (3, 4)]
    assert [lot.requirement.norm_code for lot in result.lots] == ["VA-INTEROP", "VA-PRIVACY"]


def test_strictest_level_wins_only_within_the_accepted_uplift() -> None:
    certified = {"min_level_rank": 1}
    advanced = {"min_level_rank": 2}
    refused = run([make_need(1, **certified), make_need(2, **advanced)])
    assert lot_ids(refused) == []
    accepted = run([make_need(1, accepted_uplift=1, **certified), make_need(2, **advanced)])
    assert lot_ids(accepted) == [(1, 2)]
    assert accepted.lots[0].requirement == Requirement(None, 2)


def test_an_uplift_of_one_rank_does_not_reach_two_ranks() -> None:
    needs = [make_need(1, accepted_uplift=1), make_need(2, min_level_rank=2)]
    assert lot_ids(run(needs)) == []


def test_a_norm_is_imposed_only_on_needs_that_accept_an_uplift() -> None:
    with_norm = make_need(2, norm_code="VA-INTEROP")
    assert lot_ids(run([make_need(1), with_norm])) == []
    result = run([make_need(1, accepted_uplift=1), with_norm])
    assert lot_ids(result) == [(1, 2)]
    assert result.lots[0].requirement == Requirement("VA-INTEROP", 0)


def test_a_rigid_member_keeps_a_norm_out_of_its_lot() -> None:
    # Need 1 named no norm and accepts no uplift: need 3's norm cannot join them.
    needs = [
        make_need(1),
        make_need(2, accepted_uplift=1),
        make_need(3, norm_code="VA-INTEROP"),
        make_need(4, norm_code="VA-INTEROP"),
    ]
    assert lot_ids(run(needs)) == [(1, 2), (3, 4)]


def test_needs_without_a_label_share_a_lot_without_one() -> None:
    result = run([make_need(1), make_need(2)])
    assert result.lots[0].requirement == Requirement(None, 0)


def test_a_need_joins_the_lot_it_grows_most() -> None:
    needs = [
        make_need(1, norm_code="A", firm_quantity=10, need_by=EARLIEST),
        make_need(2, norm_code="B", firm_quantity=50, need_by=EARLIEST),
        make_need(3, accepted_uplift=1),
    ]
    result = run(needs, min_buyers=1)
    assert lot_ids(result) == [(1,), (2, 3)]


def test_on_equal_growth_the_older_lot_wins() -> None:
    # Need 2 founded its lot first: its need-by date is earlier, whatever the ids.
    needs = [
        make_need(1, norm_code="A", need_by=EARLIEST + timedelta(days=1)),
        make_need(2, norm_code="B", need_by=EARLIEST),
        make_need(3, accepted_uplift=1, need_by=EARLIEST + timedelta(days=2)),
    ]
    result = run(needs, min_buyers=1)
    assert lot_ids(result) == [(2, 3), (1,)]


def test_partition_keeps_categories_units_and_currencies_apart() -> None:
    needs = [
        make_need(1),
        make_need(2, category="Cybersecurity"),
        make_need(3, unit="licence-year"),
        make_need(4, currency="SEK"),
        make_need(5),
    ]
    result = run(needs)
    assert lot_ids(result) == [(1, 5)]
    assert result.lots[0].partition == Partition(
        "Video analysis", "camera", "EUR", ("FR", "Bretagne")
    )


def test_region_level_sets_how_far_needs_pool() -> None:
    needs = [
        make_need(1, region=("FR", "Bretagne", "Finistère")),
        make_need(2, region=("FR", "Bretagne", "Morbihan")),
        make_need(3, region=("FR", "Normandie", "Calvados")),
        make_need(4, region=("FR",)),
    ]
    assert lot_ids(run(needs, region_level=3, min_buyers=1)) == [(4,), (1,), (2,), (3,)]
    assert lot_ids(run(needs, region_level=2)) == [(1, 2)]
    assert lot_ids(run(needs, region_level=1)) == [(1, 2, 3, 4)]
    assert lot_ids(run(needs, region_level=0)) == [(1, 2, 3, 4)]


def test_duplicate_need_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="appears twice"):
        run([make_need(1), make_need(1, buyer_id=2)])


@pytest.mark.parametrize(
    "overrides",
    [
        {"firm_quantity": 0},
        {"optional_quantity": -1},
        {"accepted_uplift": -1},
        {"max_unit_price": Decimal(0)},
    ],
)
def test_impossible_needs_are_refused(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="need 1"):
        make_need(1, **overrides)


def test_result_ignores_the_callers_decimal_context() -> None:
    needs = [make_need(i, firm_quantity=i * 7, max_unit_price=Decimal("99.99")) for i in (1, 2, 3)]
    expected = run(needs)
    with localcontext(prec=4):
        assert run(needs) == expected


# --- price curve and saving ------------------------------------------------------------------


def test_saving_of_ten_buyers_of_ten_units() -> None:
    beta = Decimal("-0.15")
    expected = 1 - Decimal(10) ** beta
    assert abs(estimated_saving([10] * 10, beta) - expected) < Decimal("1e-25")
    result = run([make_need(i, firm_quantity=10) for i in range(1, 11)])
    (lot,) = result.lots
    assert abs(lot.estimated_saving - expected) < Decimal("1e-25")
    assert round(lot.estimated_saving, 4) == Decimal("0.2921")


def test_saving_treats_one_buyer_s_needs_as_one_purchase() -> None:
    needs = [make_need(1, buyer_id=1), make_need(2, buyer_id=1), make_need(3, buyer_id=2)]
    (lot,) = run(needs).lots
    assert lot.estimated_saving == estimated_saving([20, 10], Decimal("-0.15"))
    assert estimated_saving([30], Decimal("-0.15")) == 0


def test_saving_follows_the_formula_with_any_reference_point() -> None:
    curve = PriceCurve(Decimal("80"), Decimal("25"), Decimal("-0.2"))
    quantities = [3, 40, 120]
    total = sum(quantities)
    standalone = sum(q * curve.unit_price(q) for q in quantities)
    formula = 1 - total * curve.unit_price(total) / standalone
    assert abs(estimated_saving(quantities, curve.beta) - formula) < Decimal("1e-24")


def test_unit_price_follows_the_curve() -> None:
    curve = PriceCurve(Decimal(100), Decimal(10), Decimal("-0.15"))
    assert curve.unit_price(10) == 100
    assert abs(curve.unit_price(1000) - 100 * Decimal(100) ** Decimal("-0.15")) < Decimal("1e-24")
    with pytest.raises(ValueError, match="reference point"):
        PriceCurve().unit_price(10)


def test_lot_uses_the_curve_of_its_category() -> None:
    curve = PriceCurve(Decimal(500), Decimal(10), Decimal("-0.3"))
    needs = [make_need(1, firm_quantity=30), make_need(2, firm_quantity=50)]
    (lot,) = run(needs, price_curves={("Video analysis", "camera", "EUR"): curve}).lots
    assert abs(lot.estimated_unit_price - curve.unit_price(80)) < Decimal("1e-20")
    assert lot.estimated_saving == estimated_saving([30, 50], Decimal("-0.3"))


def test_without_awards_the_estimate_starts_from_the_mean_ceiling() -> None:
    # Firm-weighted mean ceiling 1 000, two buyers: 1 000 × 2^-0.15 ≈ 901.25.
    needs = [
        make_need(1, firm_quantity=10, max_unit_price=Decimal(1200)),
        make_need(2, firm_quantity=10, max_unit_price=Decimal(800)),
    ]
    (lot,) = run(needs).lots
    expected = 1000 * Decimal(2) ** Decimal("-0.15")
    assert abs(lot.estimated_unit_price - expected) < Decimal("1e-22")
    assert lot.needs_below_estimate == (2,)
    assert lot.buyers_below_estimate == (2,)


def test_figures_of_a_lot() -> None:
    needs = [
        make_need(1, buyer_id=4, firm_quantity=10, optional_quantity=5),
        make_need(2, buyer_id=3, firm_quantity=20, max_unit_price=Decimal("900.50")),
        make_need(3, buyer_id=4, firm_quantity=5, need_by=EARLIEST),
    ]
    (lot,) = run(needs).lots
    assert isinstance(lot, Lot)
    assert lot.need_ids == (3, 1, 2)
    assert lot.buyer_ids == (3, 4)
    assert lot.firm_quantity == 35
    assert lot.maximum_quantity == 40
    assert lot.total_budget == Decimal("33010.00")
    assert lot.maximum_budget == Decimal("38010.00")
    assert lot.earliest_need_by == EARLIEST


def test_fit_recovers_a_known_slope() -> None:
    truth = PriceCurve(Decimal(200), Decimal(50), Decimal("-0.2"))
    awards = [(q, truth.unit_price(q)) for q in (5, 20, 50, 300, 2000)]
    curve = fit_price_curve(awards)
    assert abs(curve.beta - truth.beta) < Decimal("1e-20")
    assert abs(curve.unit_price(50) - 200) < Decimal("1e-18")
    p_ref, q_ref, beta = curve
    assert p_ref is not None and q_ref is not None and beta == curve.beta


def test_fit_recovers_a_slope_through_noise() -> None:
    truth = PriceCurve(Decimal(120), Decimal(1), Decimal("-0.12"))
    noise = [Decimal("1.03"), Decimal("0.97"), Decimal("1.01"), Decimal("0.99")] * 5
    quantities = [1 + 37 * i for i in range(20)]
    awards = [(q, truth.unit_price(q) * n) for q, n in zip(quantities, noise, strict=True)]
    assert abs(fit_price_curve(awards).beta - truth.beta) < Decimal("0.02")


def test_fit_falls_back_with_fewer_than_three_awards() -> None:
    assert fit_price_curve([]) == PriceCurve(None, None, Decimal("-0.15"))
    curve = fit_price_curve([(10, Decimal(100)), (1000, Decimal(10))])
    assert curve.beta == Decimal("-0.15")
    # Anchored at the geometric means: (100, 31.62...).
    assert curve.q_ref is not None and abs(curve.q_ref - 100) < Decimal("1e-20")
    assert curve.p_ref is not None and abs(curve.p_ref - Decimal(1000).sqrt()) < Decimal("1e-20")


@pytest.mark.parametrize(
    "awards",
    [
        [(10, Decimal(50)), (100, Decimal(60)), (1000, Decimal(70))],  # rising prices
        [(10, Decimal(50)), (10, Decimal(60)), (10, Decimal(70))],  # one quantity only
        [(10, Decimal(1000)), (100, Decimal(10)), (1000, Decimal("0.1"))],  # β = -2
    ],
)
def test_fit_falls_back_when_the_slope_is_not_a_volume_discount(
    awards: list[tuple[int, Decimal]],
) -> None:
    assert fit_price_curve(awards).beta == Decimal("-0.15")
    assert fit_price_curve(awards, default_beta=Decimal("-0.1")).beta == Decimal("-0.1")


def test_fit_ignores_awards_it_cannot_take_the_log_of() -> None:
    good = [(10, Decimal(100)), (100, Decimal(70)), (1000, Decimal(49))]
    assert fit_price_curve([*good, (0, Decimal(5)), (10, Decimal(0))]) == fit_price_curve(good)


def test_parameters_refuse_impossible_settings() -> None:
    with pytest.raises(ValueError, match="lot_value_cap"):
        make_params(lot_value_cap=Decimal(0))
    with pytest.raises(ValueError, match="region_level"):
        make_params(region_level=-1)
    params = make_params()
    assert replace(params, procedure_days=0, lead_time_days=0).earliest_delivery == TODAY
