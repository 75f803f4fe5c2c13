"""Award of a joint call: the re-pricing loop's properties, plus worked examples."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from procurement.calls.award import (
    MemberInput,
    OfferInput,
    Tier,
    counterfactual_value,
    decide,
    price_at,
    quantities_by_buyer,
    reprice,
)

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)


def member(need_id: int, firm: int, ceiling: str, buyer_id: int | None = None) -> MemberInput:
    return MemberInput(need_id, buyer_id or need_id, firm, 0, Decimal(ceiling))


def offer(
    offer_id: int, tiers: list[tuple[int, str]], lead: int = 30, minutes: int = 0
) -> OfferInput:
    return OfferInput(
        offer_id,
        tuple(Tier(q, Decimal(p)) for q, p in tiers),
        lead,
        T0 + dt.timedelta(minutes=minutes),
    )


# --- worked examples ---------------------------------------------------------------------


def test_price_is_the_highest_tier_reached() -> None:
    tiers = [Tier(1, Decimal("10")), Tier(50, Decimal("8")), Tier(100, Decimal("7"))]
    assert [price_at(tiers, q) for q in (1, 49, 50, 99, 100, 10_000)] == [
        Decimal("10"),
        Decimal("10"),
        Decimal("8"),
        Decimal("8"),
        Decimal("7"),
        Decimal("7"),
    ]
    assert price_at([Tier(5, Decimal("3"))], 4) is None


def test_a_buyer_above_its_ceiling_drops_out_and_the_rest_is_repriced_at_its_tier() -> None:
    members = [member(1, 60, "1000"), member(2, 30, "900"), member(3, 20, "700")]
    # 110 units → 750: buyer 3 (700) drops; 90 units → 800 (tier from 80): all others stay.
    result = reprice(offer(7, [(1, "1100"), (80, "800"), (100, "750")]), members)
    assert result.viable
    assert (result.unit_price, result.quantity) == (Decimal("800"), 90)
    assert [d.need_id for d in result.dropouts] == [3]
    assert result.dropouts[0].price_at_dropout == Decimal("750")
    assert [(s.quantity, s.unit_price) for s in result.steps] == [
        (110, Decimal("750")),
        (90, Decimal("800")),
    ]


def test_dropouts_can_cascade() -> None:
    members = [member(1, 50, "1000"), member(2, 30, "820"), member(3, 20, "760")]
    # 100 → 780: 3 drops; 80 → 830: 2 drops; 50 → 900: buyer 1 alone — not viable.
    result = reprice(offer(1, [(1, "900"), (80, "830"), (100, "780")]), members)
    assert [d.need_id for d in result.dropouts] == [3, 2]
    assert not result.viable
    assert "only 1 buyer" in result.reason


def test_the_lowest_final_price_wins_not_the_lowest_headline_price() -> None:
    members = [member(1, 60, "1000"), member(2, 30, "900"), member(3, 20, "680")]
    # 690 at 110 units, but buyer 3 drops and 90 units cost 850.
    cheap_headline = offer(1, [(1, "850"), (100, "690")])
    # 700 at 110; after the drop 90 units cost 1000: buyer 2 drops too, one buyer is left.
    collapsing = offer(2, [(1, "1000"), (100, "700")])
    # 800 flat: buyer 3 drops, 90 units still cost 800.
    flat = offer(3, [(1, "800")])
    decision = decide(members, [cheap_headline, collapsing, flat])
    outcomes = {outcome.offer_id: outcome for outcome in decision.outcomes}
    assert [outcomes[i].initial_price for i in (1, 2, 3)] == [
        Decimal("690"),
        Decimal("700"),
        Decimal("800"),
    ]
    assert outcomes[1].unit_price == Decimal("850") and not outcomes[2].viable
    assert decision.winner is not None and decision.winner.offer_id == 3
    assert (decision.winner.unit_price, decision.winner.quantity) == (Decimal("800"), 90)


def test_ties_go_to_the_shorter_lead_time_then_the_earlier_offer() -> None:
    members = [member(1, 10, "100"), member(2, 10, "100")]
    slow = offer(1, [(1, "90")], lead=60, minutes=0)
    fast_late = offer(2, [(1, "90")], lead=20, minutes=10)
    fast_early = offer(3, [(1, "90")], lead=20, minutes=5)
    decision = decide(members, [slow, fast_late, fast_early])
    assert decision.winner is not None and decision.winner.offer_id == 3


def test_no_offer_or_no_viable_offer_is_unsuccessful_with_a_reason() -> None:
    members = [member(1, 10, "100"), member(2, 10, "100")]
    assert decide(members, []).winner is None
    assert "No compliant offer was received" in decide(members, []).reason
    too_dear = decide(members, [offer(1, [(1, "150")])])
    assert too_dear.winner is None and "within their maximum unit prices" in too_dear.reason
    assert too_dear.outcomes[0].reason == "every buyer's ceiling is below its price"


def test_two_needs_of_one_buyer_are_one_buyer() -> None:
    members = [member(1, 10, "100", buyer_id=5), member(2, 10, "100", buyer_id=5)]
    assert not decide(members, [offer(1, [(1, "50")])]).winner


def test_counterfactual_is_what_each_buyer_pays_alone_on_the_curve() -> None:
    # β = -0.15; a buyer alone with the whole quantity pays exactly the awarded price.
    assert counterfactual_value([100], Decimal("10"), Decimal("-0.15")) == Decimal("1000")
    value = counterfactual_value([50, 50], Decimal("10"), Decimal("-0.15"))
    assert value > Decimal("1000")  # alone, each pays more per unit
    assert round(value, 2) == round(100 * Decimal("10") * Decimal(2) ** Decimal("0.15"), 2)
    members = [member(1, 5, "1", 2), member(2, 7, "1", 1), member(3, 3, "1", 2)]
    assert quantities_by_buyer(members) == [7, 8]


# --- properties ------------------------------------------------------------------------------

prices = st.integers(min_value=100, max_value=2000)


@st.composite
def members_strategy(draw: st.DrawFn) -> list[MemberInput]:
    count = draw(st.integers(min_value=0, max_value=8))
    buyers = draw(st.lists(st.integers(1, 5), min_size=count, max_size=count))
    return [
        MemberInput(
            need_id=index + 1,
            buyer_id=buyers[index],
            firm_quantity=draw(st.integers(1, 60)),
            optional_quantity=draw(st.integers(0, 10)),
            ceiling=Decimal(draw(prices)),
        )
        for index in range(count)
    ]


@st.composite
def offer_strategy(draw: st.DrawFn, offer_id: int) -> OfferInput:
    starts = sorted(draw(st.sets(st.integers(2, 300), max_size=4)))
    price_list = sorted(draw(st.lists(prices, min_size=len(starts) + 1, max_size=len(starts) + 1)))
    tiers = [Tier(1, Decimal(price_list[-1]))]
    tiers += [
        Tier(start, Decimal(price))
        for start, price in zip(starts, reversed(price_list[:-1]), strict=True)
    ]
    return OfferInput(
        offer_id,
        tuple(tiers),
        draw(st.integers(1, 90)),
        T0 + dt.timedelta(minutes=draw(st.integers(0, 5))),
    )


@st.composite
def offers_strategy(draw: st.DrawFn) -> list[OfferInput]:
    count = draw(st.integers(0, 4))
    return [draw(offer_strategy(index + 1)) for index in range(count)]


@PROPERTY_SETTINGS
@given(members_strategy(), offers_strategy())
def test_every_outcome_keeps_its_promises(
    members: list[MemberInput], offers: list[OfferInput]
) -> None:
    decision = decide(members, offers)
    by_id = {o.id: o for o in offers}
    for outcome in decision.outcomes:
        kept_ids = {m.need_id for m in outcome.kept}
        dropped_ids = {d.need_id for d in outcome.dropouts}
        # quantities add up: every member is kept or dropped, once
        assert kept_ids | dropped_ids == {m.need_id for m in members}
        assert not kept_ids & dropped_ids
        assert outcome.quantity == sum(m.firm_quantity for m in outcome.kept)
        assert outcome.maximum_quantity == sum(
            m.firm_quantity + m.optional_quantity for m in outcome.kept
        )
        # every dropout's ceiling is below the price of the step it dropped at
        for dropout in outcome.dropouts:
            assert dropout.ceiling < dropout.price_at_dropout
            assert outcome.steps[dropout.step - 1].unit_price == dropout.price_at_dropout
        if outcome.viable:
            assert outcome.unit_price is not None
            # every contracted buyer's ceiling meets the final price
            assert all(m.ceiling >= outcome.unit_price for m in outcome.kept)
            # the price is the offer's own tier price at the final quantity
            assert outcome.unit_price == price_at(by_id[outcome.offer_id].tiers, outcome.quantity)
            assert len({m.buyer_id for m in outcome.kept}) >= 2
    if decision.winner is not None:
        assert decision.winner.viable
        assert all(
            decision.winner.unit_price <= other.unit_price  # type: ignore[operator]
            for other in decision.outcomes
            if other.viable
        )
    else:
        assert decision.reason
        assert not any(outcome.viable for outcome in decision.outcomes)


@PROPERTY_SETTINGS
@given(members_strategy(), offers_strategy(), st.randoms(use_true_random=False))
def test_the_decision_does_not_depend_on_input_order(
    members: list[MemberInput], offers: list[OfferInput], random: Random
) -> None:
    shuffled_members, shuffled_offers = list(members), list(offers)
    random.shuffle(shuffled_members)
    random.shuffle(shuffled_offers)
    assert decide(members, offers) == decide(shuffled_members, shuffled_offers)
