"""Joint calls: the releases of a call at a moment (tender, bids, outcome, contracts)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from procurement.calls.access import evidence
from procurement.calls.award import ObservedSavings
from procurement.calls.models import Award, CallStatus, JointCall, Offer, OfferStatus
from procurement.calls.modifications.releases import with_modifications
from procurement.calls.savings import award_savings
from procurement.calls.scoring.ocds import single_offer_note
from procurement.calls.standstill.releases import with_signatures
from procurement.ocds.formats import amount, dated_period, parse_stamp, stamp
from procurement.ocds.items import classification
from procurement.ocds.parties import SME_SIZES, Parties, organisation_reference
from procurement.ocds.tender import related_needs, tender_section
from procurement.publication.framework import set_framework_value
from registry.database import utcnow
from registry.wording import counted


def unit_price_at(offer: Offer, quantity: int) -> Decimal | None:
    """The offer's unit price for a total quantity: the highest tier starting at or below it."""
    price = None
    for tier in offer.tiers:
        if tier.min_quantity <= quantity:
            price = tier.unit_price
    return price


def _release(
    call: JointCall, suffix: str, date: dt.datetime, tag: list[str], tender_status: str
) -> tuple[dict[str, Any], Parties]:
    parties = Parties()
    release: dict[str, Any] = {
        "ocid": call.ocid,
        "id": f"{call.ocid}-{suffix}",
        "date": stamp(date),
        "tag": tag,
        "initiationType": "tender",
        "language": "en",
        "tender": tender_section(call, tender_status, parties),
        "relatedProcesses": related_needs(call),
    }
    return release, parties


def _sorted_offers(call: JointCall) -> list[Offer]:
    return sorted(call.offers, key=lambda offer: offer.id)


def _withdrawn_bids(call: JointCall, parties: Parties) -> list[dict[str, Any]]:
    """Withdrawn offers, kept: bid status "withdrawn" (bidStatus codelist), no value."""
    return [
        {
            "id": offer.reference,
            "date": stamp(offer.withdrawn_at or offer.updated_at),
            "status": "withdrawn",
            "tenderers": [parties.add(offer.vendor, "tenderer")],
            "relatedLots": [call.lot.reference],
        }
        for offer in sorted(call.all_offers, key=lambda offer: offer.id)
        if offer.status is OfferStatus.WITHDRAWN
    ]


def _bids(call: JointCall, parties: Parties, evaluated: bool) -> dict[str, Any]:
    lot = call.lot
    quantity = lot.firm_quantity
    offers = _sorted_offers(call)
    details = []
    totals = []
    # Offers whose supporting evidence was rejected before the award (art. 59(4)).
    disqualified = evidence.rejected(call) if evaluated else {}
    for offer in offers:
        tenderer = parties.add(offer.vendor, "tenderer")
        price = unit_price_at(offer, quantity)
        bid: dict[str, Any] = {
            "id": offer.reference,
            "date": stamp(offer.updated_at),
            "status": "valid" if evaluated else "pending",
            "tenderers": [tenderer],
            "relatedLots": [lot.reference],
        }
        if offer.id in disqualified:
            bid["status"] = "disqualified"
        if price is not None:
            total = price * quantity
            if offer.id not in disqualified:  # the statistics count valid bids only
                totals.append(total)
            bid["value"] = amount(total, lot.currency)
        details.append(bid)
    details += _withdrawn_bids(call, parties)
    sme = sum(1 for offer in offers if offer.vendor.vendor_size in SME_SIZES)
    statistics: list[dict[str, Any]] = [
        {"id": "bids", "measure": "bids", "value": len(offers), "relatedLot": lot.reference},
        {"id": "smeBids", "measure": "smeBids", "value": sme, "relatedLot": lot.reference},
    ]
    if totals:
        statistics += [
            {
                "id": "lowestValidBidValue",
                "measure": "lowestValidBidValue",
                "value": float(min(totals)),
                "currency": lot.currency,
                "relatedLot": lot.reference,
            },
            {
                "id": "highestValidBidValue",
                "measure": "highestValidBidValue",
                "value": float(max(totals)),
                "currency": lot.currency,
                "relatedLot": lot.reference,
            },
        ]
    for statistic in statistics:
        statistic["date"] = stamp(call.deadline)
    bids: dict[str, Any] = {"statistics": statistics}
    if details:  # OCDS: no empty array (a call without offers has statistics only)
        bids["details"] = details
    return bids


def _with_bids(release: dict[str, Any], call: JointCall, parties: Parties) -> None:
    evaluated = call.status is not CallStatus.OPEN
    release["bids"] = _bids(call, parties, evaluated)
    tenderers = {offer.vendor_id: offer.vendor for offer in call.offers}
    release["tender"]["numberOfTenderers"] = len(tenderers)
    if tenderers:
        release["tender"]["tenderers"] = [
            organisation_reference(tenderers[k]) for k in sorted(tenderers)
        ]


def _against(fraction: Decimal) -> str:
    percent = abs(fraction) * 100
    return f"{percent:.1f} % saved" if fraction >= 0 else f"{percent:.1f} % more paid"


def _savings_text(savings: ObservedSavings, currency: str) -> str:
    """The award's savings against observed prices, with the number of offers; for a single
    offer, only that no saving is claimed."""
    if not savings.claimed:
        return f"Offers received: {savings.offers}; {savings.reason}."
    parts = []
    if savings.vs_estimate is not None:
        parts.append(
            f"{_against(savings.vs_estimate)} against the published estimate "
            f"({savings.estimate_total:.2f} {currency})"
        )
    if savings.vs_standalone is not None:
        parts.append(
            f"{_against(savings.vs_standalone)} against each buyer buying its own quantity "
            f"alone from the same bidders ({savings.standalone_total:.2f} {currency})"
        )
    if savings.vs_previous is not None:
        parts.append(f"{_against(savings.vs_previous)} against what the buyers paid before")
    text = f"Offers received: {savings.offers}."
    if parts:
        text += " " + "; ".join(parts) + "."
    return text


def _award(award: Award, parties: Parties) -> dict[str, Any]:
    call = award.call
    lot = call.lot
    offer = award.offer
    supplier = parties.add(offer.vendor, "supplier")
    buyers = []
    seen: set[int] = set()
    for line in award.lines:
        if line.buyer_id not in seen:
            seen.add(line.buyer_id)
            buyers.append(organisation_reference(line.buyer))
    description = (
        f"{offer.solution.name} at {award.unit_price} {lot.currency} per "
        f"{lot.unit.label.lower()} for {award.quantity} (maximum {award.maximum_quantity}). "
        + _savings_text(award_savings(award), lot.currency)
    )
    if award.dropouts:
        description += (
            f" {counted(len(award.dropouts), 'buyer')} left the award: their ceiling was below the "
            "awarded unit price."
        )
    description += single_offer_note(award)
    result: dict[str, Any] = {
        "id": f"{call.ocid}-award",
        "title": f"Award of {call.reference}",
        "description": description,
        "status": "active",
        "date": stamp(award.decided_at),
        "value": amount(award.total_value, lot.currency),
        "suppliers": [supplier],
        "items": [
            {
                "id": f"SOLUTION-{offer.solution_id}",
                "description": offer.solution.name,
                "classification": classification(lot),
                "quantity": award.quantity,
                "unit": {"name": lot.unit.label, "value": amount(award.unit_price, lot.currency)},
                "relatedLot": lot.reference,
            }
        ],
        "contractPeriod": dated_period(award.contract_start, award.contract_end),
        "relatedLots": [lot.reference],
        "relatedBid": offer.reference,
    }
    if buyers:
        result["buyers"] = buyers
    return result


def _dated_in_order(releases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Release dates strictly increase along the ocid's releases: a release recorded in the same
    second as the one before it (the contracts are recorded with their award) is dated one
    second after it."""
    previous: dt.datetime | None = None
    for release in releases:
        moment = parse_stamp(release["date"])
        if previous is not None and moment <= previous:
            moment = previous + dt.timedelta(seconds=1)
            release["date"] = stamp(moment)
        previous = moment
    return releases


def call_releases(call: JointCall, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The releases of a joint call at this moment, oldest first (sealed before the deadline)."""
    now = now or utcnow()
    after_deadline = call.deadline_passed(now)
    releases = []
    opened, parties = _release(call, "tender", call.opened_at, ["tender"], "active")
    opened["parties"] = parties.as_list()
    releases.append(opened)
    if call.status is CallStatus.CANCELLED:
        cancelled, parties = _release(
            call, "cancellation", call.closed_at or now, ["tenderCancellation"], "cancelled"
        )
        cancelled["parties"] = parties.as_list()
        if call.outcome_reason:
            cancelled["tender"]["description"] += f" Cancelled: {call.outcome_reason}"
        releases.append(cancelled)
        return _dated_in_order(releases)
    if not after_deadline:
        return _dated_in_order(releases)
    bids, parties = _release(call, "bids", call.deadline, ["tenderUpdate"], "active")
    _with_bids(bids, call, parties)
    bids["parties"] = parties.as_list()
    releases.append(bids)
    if call.status is CallStatus.UNSUCCESSFUL:
        closed, parties = _release(
            call, "unsuccessful", call.closed_at or now, ["tenderUpdate", "award"], "unsuccessful"
        )
        _with_bids(closed, call, parties)
        closed["awards"] = [
            {
                "id": f"{call.ocid}-award",
                "title": f"No award of {call.reference}",
                "description": call.outcome_reason or "No offer could be awarded.",
                "status": "unsuccessful",
                "date": stamp(call.closed_at or now),
                "relatedLots": [call.lot.reference],
            }
        ]
        closed["parties"] = parties.as_list()
        releases.append(closed)
    award = call.award
    if call.status is CallStatus.AWARDED and award is not None:
        awarded, parties = _release(call, "award", award.decided_at, ["award"], "complete")
        _with_bids(awarded, call, parties)
        awarded["awards"] = [_award(award, parties)]
        set_framework_value(awarded, award)
        awarded["parties"] = parties.as_list()
        releases.append(awarded)
        for line in award.lines:
            signed, parties = _release(
                call, f"contract-{line.id}", line.created_at, ["contract"], "complete"
            )
            _with_bids(signed, call, parties)
            award_entry = _award(award, parties)
            signed["awards"] = [award_entry]
            set_framework_value(signed, award)
            signed["contracts"] = [
                {
                    "id": line.reference,
                    "awardID": award_entry["id"],
                    "title": f"{call.reference}: contract of {line.buyer.name}",
                    "status": "active",
                    "buyer": parties.add(line.buyer, "buyer"),
                    "period": dated_period(award.contract_start, award.contract_end),
                    "value": amount(line.value, call.lot.currency),
                    "dateSigned": stamp(line.created_at),
                    "items": [
                        {
                            "id": f"NEED-{line.need_id:05d}",
                            "description": (
                                f"{award.offer.solution.name} for {line.buyer.name}: "
                                f"{line.quantity} firm, up to {line.maximum_quantity}"
                            ),
                            "classification": classification(call.lot),
                            "quantity": line.quantity,
                            "unit": {
                                "name": call.lot.unit.label,
                                "value": amount(line.unit_price, call.lot.currency),
                            },
                        }
                    ],
                }
            ]
            signed["parties"] = parties.as_list()
            releases.append(signed)
    return _dated_in_order(with_modifications(call, with_signatures(call, releases)))
