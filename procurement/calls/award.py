"""Award of a joint call: pick the best compliant offer and re-price as buyers drop out.

Pure and deterministic, like procurement.aggregation: plain frozen data in, plain frozen data
out; no Flask, no database. The rules (docs/PROCUREMENT.md, "Flow" 6), as decided here:

- An offer's unit price for a total quantity Q is the price of its highest tier whose minimum
  quantity is at most Q. Q below the smallest tier has no price.
- Re-pricing one offer: start with every member; Q = Σ firm quantities of the members still
  in; read the price at Q; every member whose ceiling is below that price drops out (all of
  them at once, each recording the price of that step); repeat with the smaller Q until no one
  drops out. The loop ends: each step removes at least one member.
- The offer is *viable* when at least ``min_buyers`` distinct buyers remain.
- Every compliant offer goes through the loop; the winner is the viable offer with the lowest
  final unit price, then the shortest lead time, then the earliest submission, then the lowest
  id. No viable offer: the call is unsuccessful, with the reason.
- Nothing depends on the order of the input.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from procurement.aggregation.pricing import PriceCurve
from registry.wording import counted

MIN_BUYERS = 2


@dataclass(frozen=True)
class MemberInput:
    """A lot member as the award sees it."""

    need_id: int
    buyer_id: int
    firm_quantity: int
    optional_quantity: int
    ceiling: Decimal


@dataclass(frozen=True)
class Tier:
    """The unit price from a total quantity on."""

    min_quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class OfferInput:
    """A compliant offer: its tiers, lead time and submission time."""

    id: int
    tiers: tuple[Tier, ...]
    lead_time_days: int
    submitted_at: dt.datetime


@dataclass(frozen=True)
class Dropout:
    """A member left out because the price at a step was above its ceiling."""

    need_id: int
    buyer_id: int
    ceiling: Decimal
    price_at_dropout: Decimal
    step: int


@dataclass(frozen=True)
class Step:
    """One pass of the loop: the quantity and the price read at it."""

    quantity: int
    unit_price: Decimal | None


@dataclass(frozen=True)
class OfferOutcome:
    """Where re-pricing one offer ends."""

    offer_id: int
    viable: bool
    reason: str
    # Price at the full lot quantity (the first step), for the record.
    initial_price: Decimal | None
    unit_price: Decimal | None
    quantity: int
    maximum_quantity: int
    kept: tuple[MemberInput, ...]
    dropouts: tuple[Dropout, ...]
    steps: tuple[Step, ...]

    @property
    def total_value(self) -> Decimal:
        """Final quantity at the final unit price."""
        return self.quantity * (self.unit_price or Decimal(0))


@dataclass(frozen=True)
class AwardDecision:
    """The winning outcome (None: unsuccessful), every offer's outcome, and why."""

    winner: OfferOutcome | None
    outcomes: tuple[OfferOutcome, ...]
    reason: str


def price_at(tiers: Sequence[Tier], quantity: int) -> Decimal | None:
    """The unit price for a total quantity, or None below the smallest tier."""
    found: Tier | None = None
    for tier in sorted(tiers, key=lambda t: t.min_quantity):
        if tier.min_quantity <= quantity:
            found = tier
    return found.unit_price if found is not None else None


def _buyers(members: Sequence[MemberInput]) -> int:
    return len({member.buyer_id for member in members})


def reprice(
    offer: OfferInput, members: Sequence[MemberInput], min_buyers: int = MIN_BUYERS
) -> OfferOutcome:
    """Run the drop-out loop for one offer (see the module docstring)."""
    kept = sorted(members, key=lambda m: m.need_id)
    dropouts: list[Dropout] = []
    steps: list[Step] = []
    price: Decimal | None = None
    while kept:
        quantity = sum(member.firm_quantity for member in kept)
        price = price_at(offer.tiers, quantity)
        steps.append(Step(quantity, price))
        if price is None:
            break
        out = [member for member in kept if member.ceiling < price]
        if not out:
            break
        dropouts.extend(Dropout(m.need_id, m.buyer_id, m.ceiling, price, len(steps)) for m in out)
        kept = [member for member in kept if member.ceiling >= price]
    quantity = sum(member.firm_quantity for member in kept)
    initial = steps[0].unit_price if steps else None
    if not kept:
        reason = "every buyer's ceiling is below its price"
    elif price is None:
        reason = f"it has no price for {quantity} units"
    elif _buyers(kept) < min_buyers:
        reason = (
            f"only {counted(_buyers(kept), 'buyer')} would remain at {price}, "
            f"fewer than the {min_buyers} a joint contract needs"
        )
    else:
        reason = ""
    return OfferOutcome(
        offer_id=offer.id,
        viable=not reason,
        reason=reason,
        initial_price=initial,
        unit_price=price if kept else None,
        quantity=quantity,
        maximum_quantity=sum(m.firm_quantity + m.optional_quantity for m in kept),
        kept=tuple(kept),
        dropouts=tuple(sorted(dropouts, key=lambda d: (d.step, d.need_id))),
        steps=tuple(steps),
    )


def decide(
    members: Sequence[MemberInput], offers: Sequence[OfferInput], min_buyers: int = MIN_BUYERS
) -> AwardDecision:
    """Re-price every offer and pick the winner; None when no offer is viable."""
    ordered = sorted(offers, key=lambda o: o.id)
    outcomes = tuple(reprice(offer, members, min_buyers) for offer in ordered)
    if not ordered:
        return AwardDecision(None, outcomes, "No compliant offer was received.")
    by_id = {offer.id: offer for offer in ordered}
    viable = [outcome for outcome in outcomes if outcome.viable]
    if not viable:
        return AwardDecision(
            None,
            outcomes,
            "No compliant offer can serve at least "
            f"{min_buyers} buyers within their maximum unit prices.",
        )

    def rank(outcome: OfferOutcome) -> tuple[Decimal, int, dt.datetime, int]:
        offer = by_id[outcome.offer_id]
        return (
            outcome.unit_price or Decimal(0),
            offer.lead_time_days,
            offer.submitted_at,
            offer.id,
        )

    return AwardDecision(min(viable, key=rank), outcomes, "")


def counterfactual_value(
    quantities_by_buyer: Sequence[int], unit_price: Decimal, beta: Decimal
) -> Decimal:
    """Σ qᵢ·p(qᵢ): what the buyers would have paid alone, on the curve anchored at the award.

    The curve p(q) = p_ref·(q/q_ref)^β passes through the awarded price at the total quantity,
    with the slope β of the lot's round (fitted on past awards where it could be).
    """
    total = sum(quantities_by_buyer)
    curve = PriceCurve(p_ref=unit_price, q_ref=Decimal(total), beta=beta)
    return sum((q * curve.unit_price(q) for q in quantities_by_buyer), Decimal(0))


def quantities_by_buyer(members: Sequence[MemberInput]) -> list[int]:
    """Firm quantity per buyer, buyers by id."""
    totals: dict[int, int] = defaultdict(int)
    for member in members:
        totals[member.buyer_id] += member.firm_quantity
    return [totals[buyer] for buyer in sorted(totals)]


# --- observed savings ----------------------------------------------------------------------

SINGLE_OFFER = "single offer: no saving is claimed"
PREVIOUS_PRICES_NOT_KNOWN = "not known: no price the buyers paid before is recorded"


@dataclass(frozen=True)
class ObservedSavings:
    """What an award saves against prices someone stated, beside the number of offers.

    Each saving is 1 − paid total / comparison total, a fraction (negative: paid more). None
    when the comparison is missing, and every figure None when fewer than two offers competed
    (``reason`` then says why; it is "" when the figures are claimed).
    """

    offers: int
    paid_total: Decimal
    estimate_total: Decimal | None
    vs_estimate: Decimal | None
    standalone_total: Decimal | None
    vs_standalone: Decimal | None
    previous_total: Decimal | None
    vs_previous: Decimal | None
    previous_reason: str
    reason: str

    @property
    def claimed(self) -> bool:
        """True when the figures are shown: at least two offers competed."""
        return not self.reason


def _saving_against(paid: Decimal, other: Decimal | None) -> Decimal | None:
    return 1 - paid / other if other else None


def standalone_unit_price(offer_tiers: Sequence[Sequence[Tier]], quantity: int) -> Decimal | None:
    """The lowest price any offer gives for ``quantity`` alone; None if none prices it."""
    prices = [p for tiers in offer_tiers if (p := price_at(tiers, quantity)) is not None]
    return min(prices) if prices else None


def observed_savings(
    quantities: Sequence[int],
    unit_price: Decimal,
    estimated_unit_price: Decimal | None,
    offer_tiers: Sequence[Sequence[Tier]],
    previous_unit_prices: Sequence[Decimal | None] | None = None,
) -> ObservedSavings:
    """The award's savings against observed prices (docs/PROCUREMENT.md, "Savings").

    ``quantities``: firm quantity of each buyer that stayed; ``unit_price``: the awarded price;
    ``estimated_unit_price``: the unit price the notice published; ``offer_tiers``: the tiers
    of every offer received; ``previous_unit_prices``: per buyer (same order as
    ``quantities``), what it paid before, None where not known.

    - against the estimate: paid Q·P against Q·estimate;
    - against each buyer alone: paid Q·P against Σ qᵢ·sᵢ, sᵢ the lowest price any offer's
      tiers give for qᵢ alone — what buyer i could have had from the same bidders;
    - against what buyers paid before: Σ qᵢ·P against Σ qᵢ·previousᵢ, only when every buyer's
      previous price is known.

    Fewer than two offers: no figure (one bidder's price is no market test).
    """
    quantity = sum(quantities)
    paid = quantity * unit_price
    previous_total: Decimal | None = None
    previous_reason = PREVIOUS_PRICES_NOT_KNOWN
    if previous_unit_prices is not None and len(previous_unit_prices) == len(quantities):
        known = [price for price in previous_unit_prices if price is not None]
        if len(known) == len(quantities) and quantities:
            pairs = zip(quantities, known, strict=True)
            previous_total = sum((q * p for q, p in pairs), Decimal(0))
            previous_reason = ""
    if len(offer_tiers) < 2:
        return ObservedSavings(
            offers=len(offer_tiers),
            paid_total=paid,
            estimate_total=None,
            vs_estimate=None,
            standalone_total=None,
            vs_standalone=None,
            previous_total=None,
            vs_previous=None,
            previous_reason=previous_reason,
            reason=SINGLE_OFFER if offer_tiers else "no offer",
        )
    estimate = quantity * estimated_unit_price if estimated_unit_price else None
    alone = [standalone_unit_price(offer_tiers, q) for q in quantities]
    standalone = (
        sum((q * p for q, p in zip(quantities, alone, strict=True) if p is not None), Decimal(0))
        if quantities and all(p is not None for p in alone)
        else None
    )
    return ObservedSavings(
        offers=len(offer_tiers),
        paid_total=paid,
        estimate_total=estimate,
        vs_estimate=_saving_against(paid, estimate),
        standalone_total=standalone,
        vs_standalone=_saving_against(paid, standalone),
        previous_total=previous_total,
        vs_previous=_saving_against(paid, previous_total),
        previous_reason=previous_reason,
        reason="",
    )
