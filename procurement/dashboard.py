"""The scale figures of pooled procurement (docs/PROCUREMENT.md, "Scale shown to users").

The figures are pure functions over plain inputs (`LotInput`, `CallInput`, `DemandInput`);
`load_inputs` reads them from the tables. Definitions, as the dashboard states them:

- *Buyers per lot*: distinct buyers among the lot's members that did not decline.
- *Scale*: the lot's firm quantity ÷ the median firm quantity of its buyers — how many times
  larger than a typical member's own purchase the lot is.
- *Eligible demand*: the firm quantity of every need its buyer opened and did not withdraw,
  except the needs the last round left out as ineligible (fewer certified solutions than
  required, or needed too soon for a call to deliver). *Pooled*: eligible needs that are in a
  lot, in a call or contracted. Shares are of quantities, all units together.
- *Estimated saving*: 1 − Q·p(Q) / Σ qᵢ·p(qᵢ) on the round's price–volume curve — the pooled
  cost against each buyer buying its firm quantity alone. *Realised saving*: 1 − awarded total /
  what the buyers that stayed would have paid alone on the same curve. Overall savings weigh
  each lot by its cost (1 − Σ costs / Σ costs alone).
- *Offers per call*: offers received by calls whose deadline has passed (sealed before).
- *Startups and SMEs*: the share of those offers made, and of the awards won, by vendors whose
  size is startup or SME.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from procurement.aggregation import UnmatchedReason
from procurement.call_models import CallStatus, JointCall
from procurement.models import Lot, LotStatus, Need, NeedStatus
from registry.database import db, utcnow
from registry.models import VendorSize

SME_SIZES = frozenset({VendorSize.STARTUP.value, VendorSize.SME.value})
INELIGIBLE_REASONS = frozenset(
    {UnmatchedReason.TOO_FEW_VENDORS.value, UnmatchedReason.NEED_BY_TOO_SOON.value}
)
OPENED_STATUSES = frozenset(
    {
        NeedStatus.OPEN,
        NeedStatus.POOLED,
        NeedStatus.IN_CALL,
        NeedStatus.CONTRACTED,
        NeedStatus.UNMATCHED,
    }
)
POOLED_STATUSES = frozenset({NeedStatus.POOLED, NeedStatus.IN_CALL, NeedStatus.CONTRACTED})
ONE = Decimal(1)


@dataclass(frozen=True)
class CallInput:
    """What the figures need of a call; offers only once the deadline has passed."""

    reference: str
    deadline_passed: bool
    # The size of each offer's vendor ("startup", "sme", "large" or None when unknown).
    bidder_sizes: tuple[str | None, ...] = ()
    awarded: bool = False
    winner_size: str | None = None
    total_value: Decimal | None = None
    counterfactual_value: Decimal | None = None


@dataclass(frozen=True)
class LotInput:
    """What the figures need of a lot."""

    reference: str
    title: str
    status: str
    currency: str
    # Firm quantity per buyer that did not decline (one entry per buyer).
    buyer_quantities: tuple[int, ...]
    estimated_unit_price: Decimal
    estimated_saving: Decimal
    call: CallInput | None = None


@dataclass(frozen=True)
class DemandInput:
    """One opened need: its firm quantity, whether it could be pooled, whether it was."""

    quantity: int
    eligible: bool
    pooled: bool


@dataclass(frozen=True)
class LotFigures:
    """The figures of one lot."""

    reference: str
    title: str
    status: str
    currency: str
    buyers: int
    quantity: int
    median_buyer_quantity: Decimal
    scale: Decimal
    estimated_saving: Decimal
    estimated_cost: Decimal
    estimated_cost_alone: Decimal
    call_reference: str | None
    offers: int | None
    realised_saving: Decimal | None
    total_value: Decimal | None
    counterfactual_value: Decimal | None


@dataclass(frozen=True)
class Overview:
    """The figures over every lot (cancelled lots aside) and every opened need."""

    lots: int
    buyers_per_lot: Decimal | None
    scale: Decimal | None
    eligible_quantity: int
    pooled_quantity: int
    pooled_share: Decimal | None
    estimated_saving: Decimal | None
    realised_saving: Decimal | None
    awarded_lots: int
    calls_past_deadline: int
    offers_per_call: Decimal | None
    offers: int
    sme_offer_share: Decimal | None
    awards: int
    sme_award_share: Decimal | None


def median(values: Sequence[int | Decimal]) -> Decimal:
    """The median (the mean of the two middle values for an even count)."""
    if not values:
        raise ValueError("the median of nothing")
    ordered = sorted(Decimal(v) for v in values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def mean(values: Sequence[int | Decimal]) -> Decimal | None:
    """The arithmetic mean, None for no values."""
    if not values:
        return None
    return sum((Decimal(v) for v in values), Decimal(0)) / len(values)


def scale(buyer_quantities: Sequence[int]) -> Decimal:
    """Lot quantity ÷ median buyer quantity."""
    return Decimal(sum(buyer_quantities)) / median(buyer_quantities)


def share(part: int, whole: int) -> Decimal | None:
    """part ÷ whole as a fraction, None when whole is 0."""
    return Decimal(part) / whole if whole else None


def sme_share(sizes: Sequence[str | None]) -> Decimal | None:
    """The share of startups and SMEs among some vendors (unknown size counts as not)."""
    return share(sum(1 for size in sizes if size in SME_SIZES), len(sizes))


def saving(cost: Decimal, cost_alone: Decimal) -> Decimal | None:
    """1 − cost ÷ cost alone, None without a cost alone."""
    return ONE - cost / cost_alone if cost_alone else None


def lot_figures(lot: LotInput) -> LotFigures:
    """The figures of one lot."""
    quantity = sum(lot.buyer_quantities)
    cost = quantity * lot.estimated_unit_price
    alone = cost / (ONE - lot.estimated_saving) if lot.estimated_saving < 1 else cost
    call = lot.call
    offers = len(call.bidder_sizes) if call and call.deadline_passed else None
    awarded = call is not None and call.awarded and call.total_value is not None
    return LotFigures(
        reference=lot.reference,
        title=lot.title,
        status=lot.status,
        currency=lot.currency,
        buyers=len(lot.buyer_quantities),
        quantity=quantity,
        median_buyer_quantity=median(lot.buyer_quantities),
        scale=scale(lot.buyer_quantities),
        estimated_saving=lot.estimated_saving,
        estimated_cost=cost,
        estimated_cost_alone=alone,
        call_reference=call.reference if call else None,
        offers=offers,
        realised_saving=(
            saving(call.total_value, call.counterfactual_value)
            if awarded and call and call.total_value is not None and call.counterfactual_value
            else None
        ),
        total_value=call.total_value if awarded and call else None,
        counterfactual_value=call.counterfactual_value if awarded and call else None,
    )


def overview(lots: Sequence[LotInput], demand: Sequence[DemandInput]) -> Overview:
    """The overall figures; cancelled lots count nowhere."""
    counted = [lot_figures(lot) for lot in lots if lot.status != LotStatus.CANCELLED.value]
    eligible = sum(d.quantity for d in demand if d.eligible)
    pooled = sum(d.quantity for d in demand if d.eligible and d.pooled)
    awarded = [f for f in counted if f.total_value is not None and f.counterfactual_value]
    calls = [lot.call for lot in lots if lot.call is not None and lot.call.deadline_passed]
    bidder_sizes = [size for call in calls for size in call.bidder_sizes]
    winners = [call.winner_size for call in calls if call.awarded]
    estimated_cost = sum((f.estimated_cost for f in counted), Decimal(0))
    estimated_alone = sum((f.estimated_cost_alone for f in counted), Decimal(0))
    realised_cost = sum((f.total_value or Decimal(0) for f in awarded), Decimal(0))
    realised_alone = sum((f.counterfactual_value or Decimal(0) for f in awarded), Decimal(0))
    return Overview(
        lots=len(counted),
        buyers_per_lot=mean([f.buyers for f in counted]),
        scale=mean([f.scale for f in counted]),
        eligible_quantity=eligible,
        pooled_quantity=pooled,
        pooled_share=share(pooled, eligible),
        estimated_saving=saving(estimated_cost, estimated_alone) if counted else None,
        realised_saving=saving(realised_cost, realised_alone) if awarded else None,
        awarded_lots=len(awarded),
        calls_past_deadline=len(calls),
        offers_per_call=mean([len(call.bidder_sizes) for call in calls]),
        offers=len(bidder_sizes),
        sme_offer_share=sme_share(bidder_sizes),
        awards=len(winners),
        sme_award_share=sme_share(winners),
    )


# --- reading the tables -----------------------------------------------------------------------


def _size(value: VendorSize | None) -> str | None:
    return value.value if value is not None else None


def call_input(call: JointCall) -> CallInput:
    """A call as the figures see it (offers only after the deadline)."""
    passed = call.deadline_passed(utcnow())
    award = call.award if call.status is CallStatus.AWARDED else None
    return CallInput(
        reference=call.reference,
        deadline_passed=passed,
        bidder_sizes=tuple(_size(o.vendor.vendor_size) for o in call.offers) if passed else (),
        awarded=award is not None,
        winner_size=_size(award.offer.vendor.vendor_size) if award else None,
        total_value=award.total_value if award else None,
        counterfactual_value=award.counterfactual_value if award else None,
    )


def lot_input(lot: Lot, call: JointCall | None) -> LotInput:
    """A lot as the figures see it."""
    per_buyer: dict[int, int] = {}
    for member in lot.active_members:
        per_buyer[member.buyer_id] = per_buyer.get(member.buyer_id, 0) + member.need.firm_quantity
    return LotInput(
        reference=lot.reference,
        title=lot.category.name,
        status=lot.status.value,
        currency=lot.currency,
        buyer_quantities=tuple(per_buyer[key] for key in sorted(per_buyer)),
        estimated_unit_price=lot.estimated_unit_price,
        estimated_saving=lot.estimated_saving,
        call=call_input(call) if call is not None else None,
    )


def demand_input(need: Need) -> DemandInput:
    """An opened need as the pooled-share figure sees it."""
    ineligible = (
        need.status is NeedStatus.UNMATCHED and (need.unmatched_reason or "") in INELIGIBLE_REASONS
    )
    return DemandInput(
        quantity=need.firm_quantity,
        eligible=not ineligible,
        pooled=need.status in POOLED_STATUSES,
    )


def load_inputs() -> tuple[list[LotInput], list[DemandInput]]:
    """Every lot that has members, and every opened need."""
    calls = {call.lot_id: call for call in db.session.scalars(select(JointCall))}
    lots = db.session.scalars(
        select(Lot).options(selectinload(Lot.members), selectinload(Lot.category)).order_by(Lot.id)
    ).all()
    needs = db.session.scalars(select(Need).where(Need.status.in_(OPENED_STATUSES))).all()
    return (
        [lot_input(lot, calls.get(lot.id)) for lot in lots if lot.active_members],
        [demand_input(need) for need in needs],
    )
