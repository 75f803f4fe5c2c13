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
- *Modelled saving of pooling*: 1 − Q·p(Q) / Σ qᵢ·p(qᵢ) on the round's price–volume curve — a
  model of the pooled cost against each buyer buying its firm quantity alone, computed when the
  lot is formed; it depends only on the quantities and the curve's slope.
- *Observed savings* of an award (``procurement.calls.award.observed_savings``): 1 − paid total /
  the awarded quantity at the published estimated unit price, and 1 − paid total / each buyer's
  quantity at the lowest price any offer gives for it alone. A single-offer award claims none:
  it is counted apart and left out of the overall figures. Overall savings weigh each lot by
  its cost (1 − Σ costs / Σ costs compared).
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

from procurement.aggregation.results import UnmatchedReason
from procurement.calls.award import ObservedSavings
from procurement.calls.models import CallStatus, JointCall
from procurement.calls.savings import award_savings
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
    savings: ObservedSavings | None = None


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
    # The award's observed savings (None before an award); its figures are None when not claimed.
    savings: ObservedSavings | None

    @property
    def saving_vs_estimate(self) -> Decimal | None:
        """Saving against the published estimate, None without a claimed figure."""
        return self.savings.vs_estimate if self.savings else None

    @property
    def saving_vs_standalone(self) -> Decimal | None:
        """Saving against each buyer alone from the same bidders, None without a claim."""
        return self.savings.vs_standalone if self.savings else None


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
    saving_vs_estimate: Decimal | None
    saving_vs_standalone: Decimal | None
    awarded_lots: int
    # Awarded lots whose savings are claimed (two offers or more), and those with one offer.
    compared_lots: int
    single_offer_lots: int
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
    awarded = call is not None and call.awarded and call.savings is not None
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
        savings=call.savings if awarded and call else None,
    )


def _pooled_saving(savings: Sequence[ObservedSavings], compared_to: str) -> Decimal | None:
    """1 − Σ paid / Σ compared totals over the awards that have that comparison."""
    if not savings:
        return None
    paid = sum((s.paid_total for s in savings), Decimal(0))
    other = sum((getattr(s, compared_to) or Decimal(0) for s in savings), Decimal(0))
    return saving(paid, other)


def overview(lots: Sequence[LotInput], demand: Sequence[DemandInput]) -> Overview:
    """The overall figures; cancelled lots count nowhere."""
    counted = [lot_figures(lot) for lot in lots if lot.status != LotStatus.CANCELLED.value]
    eligible = sum(d.quantity for d in demand if d.eligible)
    pooled = sum(d.quantity for d in demand if d.eligible and d.pooled)
    awarded = [f.savings for f in counted if f.savings is not None]
    compared = [s for s in awarded if s.claimed]
    against_estimate = [s for s in compared if s.estimate_total]
    against_alone = [s for s in compared if s.standalone_total]
    calls = [lot.call for lot in lots if lot.call is not None and lot.call.deadline_passed]
    bidder_sizes = [size for call in calls for size in call.bidder_sizes]
    winners = [call.winner_size for call in calls if call.awarded]
    estimated_cost = sum((f.estimated_cost for f in counted), Decimal(0))
    estimated_alone = sum((f.estimated_cost_alone for f in counted), Decimal(0))
    return Overview(
        lots=len(counted),
        buyers_per_lot=mean([f.buyers for f in counted]),
        scale=mean([f.scale for f in counted]),
        eligible_quantity=eligible,
        pooled_quantity=pooled,
        pooled_share=share(pooled, eligible),
        estimated_saving=saving(estimated_cost, estimated_alone) if counted else None,
        saving_vs_estimate=_pooled_saving(against_estimate, "estimate_total"),
        saving_vs_standalone=_pooled_saving(against_alone, "standalone_total"),
        awarded_lots=len(awarded),
        compared_lots=len(compared),
        single_offer_lots=len(awarded) - len(compared),
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
        savings=award_savings(award) if award else None,
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
