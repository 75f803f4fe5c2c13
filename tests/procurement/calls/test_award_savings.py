"""Observed savings of an award: they depend on what was paid and on the offers received,
and a single offer claims none."""

from __future__ import annotations

from decimal import Decimal
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from procurement.calls.award import (
    PREVIOUS_PRICES_NOT_KNOWN,
    SINGLE_OFFER,
    MemberInput,
    OfferInput,
    Tier,
    decide,
    observed_savings,
    price_at,
    quantities_by_buyer,
    standalone_unit_price,
)
from tests.procurement.calls.test_award import members_strategy, offer_strategy, offers_strategy

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)


def tiers(*pairs: tuple[int, str]) -> tuple[Tier, ...]:
    return tuple(Tier(q, Decimal(p)) for q, p in pairs)


# --- worked examples ---------------------------------------------------------------------


def test_two_offers_give_savings_against_the_estimate_and_each_buyer_alone() -> None:
    # Buyers of 10 and 30 units; the awarded price 80 at 40 units; estimate 100.
    a = tiers((1, "120"), (20, "90"), (40, "80"))
    b = tiers((1, "110"), (30, "95"))
    result = observed_savings([10, 30], Decimal("80"), Decimal("100"), [a, b])
    assert result.claimed and result.offers == 2
    assert result.paid_total == Decimal("3200")
    assert result.estimate_total == Decimal("4000")
    assert result.vs_estimate == Decimal("0.2")
    # Alone: 10 units at min(120, 110) = 110; 30 units at min(90, 95) = 90 → 1100 + 2700.
    assert result.standalone_total == Decimal("3800")
    assert result.vs_standalone == 1 - Decimal("3200") / Decimal("3800")
    assert result.vs_previous is None and result.previous_reason == PREVIOUS_PRICES_NOT_KNOWN


def test_an_award_above_the_estimate_shows_a_negative_saving() -> None:
    # The shape of the demo before: awarded 19.7 % above the published estimate.
    result = observed_savings(
        [50, 50], Decimal("119.70"), Decimal("100"), [tiers((1, "119.70")), tiers((1, "130"))]
    )
    assert result.vs_estimate is not None and result.vs_estimate < 0
    assert result.vs_estimate == Decimal("-0.197")


def test_a_single_offer_claims_no_saving_whatever_the_prices() -> None:
    result = observed_savings([10, 30], Decimal("50"), Decimal("100"), [tiers((1, "50"))])
    assert not result.claimed and result.reason == SINGLE_OFFER and result.offers == 1
    assert (result.vs_estimate, result.vs_standalone, result.vs_previous) == (None, None, None)
    assert result.estimate_total is None and result.standalone_total is None


def test_previous_prices_count_only_when_every_buyer_s_is_known() -> None:
    two = [tiers((1, "100")), tiers((1, "110"))]
    known = observed_savings([10, 30], Decimal("80"), None, two, [Decimal("100"), Decimal("90")])
    assert known.previous_total == Decimal("3700") and known.previous_reason == ""
    assert known.vs_previous == 1 - Decimal("3200") / Decimal("3700")
    partial = observed_savings([10, 30], Decimal("80"), None, two, [Decimal("100"), None])
    assert partial.vs_previous is None and partial.previous_reason == PREVIOUS_PRICES_NOT_KNOWN
    assert known.vs_estimate is None  # no published estimate, no figure


# --- properties ----------------------------------------------------------------------------

prices = st.decimals(min_value=1, max_value=2000, places=2)
quantities = st.lists(st.integers(1, 200), min_size=1, max_size=8)


@PROPERTY_SETTINGS
@given(quantities, prices, prices, prices, st.lists(offer_strategy(1), min_size=2, max_size=4))
def test_every_figure_moves_with_the_price_paid(
    qs: list[int], estimate: Decimal, low: Decimal, high: Decimal, offers: list[OfferInput]
) -> None:
    """The savings are not a function of the quantities alone: pay more, save less."""
    if low == high:
        return
    low, high = min(low, high), max(low, high)
    all_tiers = [offer.tiers for offer in offers]
    previous = [estimate] * len(qs)
    cheap = observed_savings(qs, low, estimate, all_tiers, previous)
    dear = observed_savings(qs, high, estimate, all_tiers, previous)
    for figure in ("vs_estimate", "vs_standalone", "vs_previous"):
        assert getattr(cheap, figure) > getattr(dear, figure)
    assert cheap.vs_estimate == 1 - low / estimate


@PROPERTY_SETTINGS
@given(quantities, prices, st.lists(offer_strategy(1), min_size=2, max_size=4))
def test_standalone_is_the_best_price_any_bidder_gives_each_buyer_alone(
    qs: list[int], paid: Decimal, offers: list[OfferInput]
) -> None:
    all_tiers = [offer.tiers for offer in offers]
    result = observed_savings(qs, paid, None, all_tiers)
    expected = sum(q * min(price_at(t, q) or Decimal(10**9) for t in all_tiers) for q in qs)
    assert result.standalone_total == expected
    # An offer added can only lower what a buyer could have had alone.
    fewer = observed_savings(qs, paid, None, all_tiers[:-1] + all_tiers[-1:] * 2)
    assert fewer.standalone_total == expected
    for q in qs:
        assert standalone_unit_price(all_tiers, q) == standalone_unit_price(all_tiers[::-1], q)
        best = standalone_unit_price(all_tiers, q)
        assert best is not None
        assert best <= (standalone_unit_price(all_tiers[:1], q) or Decimal(10**9))


@PROPERTY_SETTINGS
@given(members_strategy(), offers_strategy(), prices, st.randoms(use_true_random=False))
def test_an_award_s_savings_are_claimed_exactly_when_two_offers_competed(
    members: list[MemberInput], offers: list[OfferInput], estimate: Decimal, rng: Random
) -> None:
    decision = decide(members, offers)
    winner = decision.winner
    if winner is None or winner.unit_price is None:
        return
    qs = quantities_by_buyer(winner.kept)
    all_tiers = [offer.tiers for offer in offers]
    result = observed_savings(qs, winner.unit_price, estimate, all_tiers)
    assert result.offers == len(offers)
    assert result.claimed == (len(offers) >= 2)
    if not result.claimed:
        assert result.vs_estimate is None and result.vs_standalone is None
        return
    # The winner's own tiers are among the offers and never rise with quantity: no buyer
    # could have had more than the winner's price for its quantity alone.
    winning = next(o for o in offers if o.id == winner.offer_id)
    assert result.standalone_total is not None
    assert result.standalone_total <= sum(q * (price_at(winning.tiers, q) or 0) for q in qs)
    shuffled = list(all_tiers)
    rng.shuffle(shuffled)
    assert observed_savings(qs, winner.unit_price, estimate, shuffled) == result
