"""Weighted award criteria: the best weighted score wins; price alone keeps the price rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from procurement.calls.award import MemberInput, OfferInput, Tier, decide
from procurement.calls.scoring.rules import (
    Candidate,
    CriterionKind,
    OwnWeight,
    Weight,
    abnormally_low,
    check_own_weights,
    check_weights,
    decide_weighted,
    lead_time_score,
    score_offers,
)

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
AWARD = dt.date(2026, 3, 10)
NEED_BY = dt.date(2026, 4, 30)
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)
PRICE, LEAD, QUALITY = CriterionKind.PRICE, CriterionKind.LEAD_TIME, CriterionKind.QUALITY


def candidate(offer_id: int, price: str, lead: int = 30, quality: str = "50") -> Candidate:
    return Candidate(offer_id, Decimal(price), lead, Decimal(quality), T0)


def test_a_better_quality_wins_over_a_lower_price_when_quality_weighs_enough() -> None:
    weights = [Weight(PRICE, 40), Weight(QUALITY, 60)]
    ranking = score_offers(
        weights,
        [candidate(1, "800", quality="50"), candidate(2, "1000", quality="90")],
        AWARD,
        NEED_BY,
    )
    # Offer 1: 40 + 30 = 70; offer 2: 40 × 0.8 + 54 = 86.
    assert [item.offer_id for item in ranking] == [2, 1]
    assert ranking[0].total == Fraction(86)
    assert ranking[1].total == Fraction(70)


def test_lead_time_is_full_before_the_need_by_date_and_falls_after() -> None:
    on_time = (NEED_BY - AWARD).days
    assert lead_time_score(on_time, AWARD, NEED_BY) == 100
    assert lead_time_score(on_time + 45, AWARD, NEED_BY) == 50
    assert lead_time_score(on_time + 200, AWARD, NEED_BY) == 0


def test_a_tie_goes_to_the_lower_price_then_the_heavier_criterion() -> None:
    weights = [Weight(PRICE, 50), Weight(QUALITY, 30), Weight(LEAD, 20)]
    same = [candidate(1, "900", quality="60"), candidate(2, "900", quality="60")]
    ranking = score_offers(weights, same, AWARD, NEED_BY)
    assert [item.offer_id for item in ranking] == [1, 2]  # then the lower offer number


def test_weights_must_add_up_to_100() -> None:
    assert check_weights([Weight(PRICE, 60), Weight(QUALITY, 30)])
    assert check_weights([Weight(PRICE, 60), Weight(PRICE, 40)])
    assert check_weights([Weight(PRICE, 60), Weight(QUALITY, 40)]) == ""
    assert check_weights([]) == ""


def test_an_offer_far_below_the_others_is_abnormally_low() -> None:
    prices = {1: Decimal("500"), 2: Decimal("900"), 3: Decimal("1000")}
    assert abnormally_low(prices, None, Decimal("0.8")) == {1: Decimal("950")}
    alone = abnormally_low({1: Decimal("500")}, Decimal("900"), Decimal("0.8"))
    assert alone == {1: Decimal("900")}
    assert abnormally_low({1: Decimal("800")}, Decimal("900"), Decimal("0.8")) == {}


# --- properties ------------------------------------------------------------------------------

prices = st.integers(min_value=100, max_value=2000).map(Decimal)
candidates = st.lists(
    st.tuples(prices, st.integers(1, 200), st.integers(0, 100), st.integers(0, 5)),
    min_size=1,
    max_size=6,
)
weightings = st.sampled_from(
    [
        [Weight(PRICE, 100)],
        [Weight(PRICE, 60), Weight(QUALITY, 40)],
        [Weight(PRICE, 50), Weight(LEAD, 25), Weight(QUALITY, 25)],
        [Weight(PRICE, 10), Weight(LEAD, 90)],
        [Weight(QUALITY, 100)],
    ]
)


@PROPERTY_SETTINGS
@given(candidates, weightings)
def test_the_winner_never_scores_below_another_offer(
    rows: list[tuple[Decimal, int, int, int]], weights: list[Weight]
) -> None:
    offers = [
        Candidate(i + 1, price, lead, Decimal(quality), T0 + dt.timedelta(minutes=minutes))
        for i, (price, lead, quality, minutes) in enumerate(rows)
    ]
    ranking = score_offers(weights, offers, AWARD, NEED_BY)
    assert all(ranking[0].total >= other.total for other in ranking)
    assert sorted(item.offer_id for item in ranking) == [o.offer_id for o in offers]


tiers = st.lists(
    st.tuples(st.integers(1, 120), st.integers(100, 1500)), min_size=1, max_size=3
).map(lambda rows: tuple(Tier(q, Decimal(p)) for q, p in rows))


@PROPERTY_SETTINGS
@given(
    st.lists(st.tuples(st.integers(1, 60), st.integers(300, 1600)), min_size=2, max_size=5),
    st.lists(st.tuples(tiers, st.integers(1, 90), st.integers(0, 3)), min_size=1, max_size=5),
    st.lists(st.integers(0, 100), min_size=5, max_size=5),
)
def test_with_price_at_100_the_winner_is_the_price_only_winner(
    members_rows: list[tuple[int, int]],
    offer_rows: list[tuple[tuple[Tier, ...], int, int]],
    qualities: list[int],
) -> None:
    members = [
        MemberInput(i + 1, i + 1, firm, 0, Decimal(ceiling))
        for i, (firm, ceiling) in enumerate(members_rows)
    ]
    offers = [
        OfferInput(i + 1, tier_set, lead, T0 + dt.timedelta(minutes=minutes))
        for i, (tier_set, lead, minutes) in enumerate(offer_rows)
    ]
    quality = {i + 1: Decimal(q) for i, q in enumerate(qualities)}
    weighted = decide_weighted(members, offers, [Weight(PRICE, 100)], quality, AWARD, NEED_BY)
    today = decide(members, offers)
    assert (weighted.decision.winner and weighted.decision.winner.offer_id) == (
        today.winner and today.winner.offer_id
    )


own_weightings = st.sampled_from(
    [
        ([Weight(PRICE, 80)], [OwnWeight("Support in French", 20)]),
        ([Weight(PRICE, 50), Weight(QUALITY, 20)], [OwnWeight("Training", 30)]),
        ([Weight(LEAD, 40)], [OwnWeight("Support", 30), OwnWeight("Training", 30)]),
        ([], [OwnWeight("Only our own", 100)]),
    ]
)


@PROPERTY_SETTINGS
@given(
    candidates,
    own_weightings,
    st.lists(st.tuples(st.integers(0, 100), st.integers(0, 100)), min_size=6, max_size=6),
)
def test_with_own_criteria_the_winner_never_scores_below_another_offer(
    rows: list[tuple[Decimal, int, int, int]],
    weighting: tuple[list[Weight], list[OwnWeight]],
    own_rows: list[tuple[int, int]],
) -> None:
    weights, own = weighting
    offers = [
        Candidate(
            i + 1,
            price,
            lead,
            Decimal(quality),
            T0 + dt.timedelta(minutes=minutes),
            tuple(
                (item.name, Fraction(score)) for item, score in zip(own, own_rows[i], strict=False)
            ),
        )
        for i, (price, lead, quality, minutes) in enumerate(rows)
    ]
    ranking = score_offers(weights, offers, AWARD, NEED_BY, own)
    assert all(ranking[0].total >= other.total for other in ranking)
    assert sorted(item.offer_id for item in ranking) == [o.offer_id for o in offers]
    # The own criteria count: the weighted score is the sum over every criterion.
    for item in ranking:
        assert item.total == sum(
            (Fraction(w.weight) * item.score(w.kind) / 100 for w in weights), Fraction(0)
        ) + sum((Fraction(w.weight) * item.own_score(w.name) / 100 for w in own), Fraction(0))


def test_own_criteria_weights_complete_the_others_to_100() -> None:
    assert check_own_weights([Weight(PRICE, 80)], [OwnWeight("Support", 20)]) == ""
    assert "add up to 100" in check_own_weights([Weight(PRICE, 100)], [OwnWeight("Support", 20)])
    assert "different name" in check_own_weights(
        [Weight(PRICE, 60)], [OwnWeight("Support", 20), OwnWeight("support", 20)]
    )
    assert "from 1 to 100" in check_own_weights([Weight(PRICE, 100)], [OwnWeight("Support", 0)])


def test_an_own_criterion_can_outweigh_a_lower_price() -> None:
    cheap = Candidate(1, Decimal("900"), 30, Decimal(50), T0, (("Support", Fraction(0)),))
    supported = Candidate(2, Decimal("950"), 30, Decimal(50), T0, (("Support", Fraction(100)),))
    ranking = score_offers(
        [Weight(PRICE, 70)], [cheap, supported], AWARD, NEED_BY, [OwnWeight("Support", 30)]
    )
    assert [item.offer_id for item in ranking] == [2, 1]
