"""The sentence an unmatched need's buyer reads, one builder per reason."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from procurement.aggregation.needs import NeedInput
from procurement.aggregation.parameters import AggregationParameters
from procurement.aggregation.results import Lot, Unmatched, UnmatchedReason
from registry.money import money_text
from registry.wording import counted


def too_few_vendors(need: NeedInput, vendors: int, minimum: int) -> Unmatched:
    """Unmatched: too few certified solutions can meet the need."""
    message = (
        f"Only {counted(vendors, 'certified solution')} can meet this need; "
        f"a competitive call needs at least {minimum}."
    )
    return Unmatched(need.id, need.buyer_id, UnmatchedReason.TOO_FEW_VENDORS, message)


def too_soon(need: NeedInput, earliest: date, params: AggregationParameters) -> Unmatched:
    """Unmatched: a call opened today cannot deliver by the need-by date."""
    message = (
        f"Needed by {need.need_by.isoformat()}, but a joint call opened today delivers "
        f"{earliest.isoformat()} at the earliest ({params.procedure_days} days of procedure "
        f"and {params.lead_time_days} days of lead time)."
    )
    return Unmatched(need.id, need.buyer_id, UnmatchedReason.NEED_BY_TOO_SOON, message)


def over_cap_reason(need: NeedInput, value: Decimal, cap: Decimal) -> Unmatched:
    """Unmatched: at its ceiling price the need alone is worth more than a lot may be."""
    message = (
        f"At its ceiling price this need is worth {money_text(value, need.currency)} with its "
        f"options, more than the {money_text(cap, need.currency)} a lot may be worth; "
        f"it is best bought on its own."
    )
    return Unmatched(need.id, need.buyer_id, UnmatchedReason.OVER_VALUE_CAP, message)


def too_few_buyers(needs: list[NeedInput], buyers: int, minimum: int) -> list[Unmatched]:
    """Unmatched, each need: its partition has too few buyers to make a lot."""
    message = (
        f"No compatible need from other buyers could be pooled with this one "
        f"({counted(buyers, 'buyer')}; a lot needs at least {minimum})."
    )
    return [
        Unmatched(need.id, need.buyer_id, UnmatchedReason.TOO_FEW_BUYERS, message) for need in needs
    ]


def saving_too_small(lot: Lot, minimum: Decimal) -> list[Unmatched]:
    """Unmatched, each need of the lot: pooling it saves less than the minimum."""
    message = (
        f"Pooling the lot this need would join saves {lot.estimated_saving:.1%} on the "
        f"price–volume curve (a model of the buyers' quantities), less than the {minimum:.1%} "
        "that justifies a joint call."
    )
    return [
        Unmatched(need.id, need.buyer_id, UnmatchedReason.SAVING_TOO_SMALL, message)
        for need in lot.needs
    ]
