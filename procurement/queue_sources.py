"""The joint-procurement work in the to-do queues.

The authority: confirmed lots to freeze, calls past their deadline to award. A buyer: lots
whose confirmation it was asked for, contracts it may sign now. A vendor: open calls it has not
offered on yet, award letters whose standstill still runs (its time to ask for a review).
"""

from __future__ import annotations

from flask import Flask, url_for
from sqlalchemy import select

from procurement.calls.models import Award, CallStatus, ContractLine, JointCall, Offer, OfferStatus
from procurement.calls.standstill.models import AwardLetter, ReviewRequest, ReviewStatus
from procurement.models import Lot, LotMember, LotStatus, Need
from registry.database import utcnow
from registry.models import Role, User
from registry.navigation import AUTHORITY
from registry.queue import QueueGroup, QueueItem, count_and_first, register_queue_source


def lots_to_freeze(user: User) -> QueueGroup:
    """Lots every remaining buyer confirmed: freeze them so that a call can be opened."""
    del user
    kind = "Lots to freeze"
    statement = select(Lot.id, Lot.confirmed_at).order_by(Lot.confirmed_at, Lot.id)
    count, rows = count_and_first(statement, Lot.status == LotStatus.CONFIRMED)
    items = [
        QueueItem(kind, f"LOT-{id_:05d}", url_for("procurement.lot", lot_id=id_), since)
        for id_, since in rows
    ]
    return QueueGroup(kind, count, items, url_for("procurement.aggregation"), order=40)


def calls_to_award(user: User) -> QueueGroup:
    """Open calls whose deadline has passed: open the offers and award."""
    del user
    kind = "Calls past their deadline to award"
    statement = select(JointCall.id, JointCall.title, JointCall.deadline).order_by(
        JointCall.deadline, JointCall.id
    )
    where = (JointCall.status == CallStatus.OPEN) & (JointCall.deadline <= utcnow())
    count, rows = count_and_first(statement, where)
    items = [
        QueueItem(kind, title, url_for("calls.call", call_id=id_), since)
        for id_, title, since in rows
    ]
    return QueueGroup(kind, count, items, url_for("calls.index"), order=50)


def lots_to_confirm(user: User) -> QueueGroup:
    """The buyer's needs pooled into a lot whose confirmation the authority asked for."""
    kind = "Lots to confirm"
    statement = (
        select(LotMember.need_id, Need.title, Lot.id, Lot.confirmation_requested_at)
        .join(Lot, Lot.id == LotMember.lot_id)
        .join(Need, Need.id == LotMember.need_id)
        .order_by(Lot.confirmation_requested_at, LotMember.id)
    )
    where = (
        (LotMember.buyer_id == user.organisation_id)
        & LotMember.confirmed_at.is_(None)
        & LotMember.declined_at.is_(None)
        & Lot.status.in_((LotStatus.PROPOSED, LotStatus.CONFIRMED))
        & Lot.confirmation_requested_at.is_not(None)
    )
    count, rows = count_and_first(statement, where)
    items = [
        QueueItem(
            kind,
            f"{title} in LOT-{lot_id:05d}",
            url_for("procurement.need", need_id=need_id),
            since,
        )
        for need_id, title, lot_id, since in rows
    ]
    return QueueGroup(kind, count, items, url_for("procurement.needs"), order=10)


def open_calls(user: User) -> QueueGroup:
    """Calls taking offers on which the vendor has no offer yet, nearest deadline first."""
    kind = "Open calls you may offer on"
    offered = select(Offer.id).where(
        Offer.call_id == JointCall.id,
        Offer.vendor_id == user.organisation_id,
        Offer.status == OfferStatus.SUBMITTED,
    )
    statement = select(JointCall.id, JointCall.title, JointCall.opened_at, JointCall.deadline)
    where = (
        (JointCall.status == CallStatus.OPEN) & (JointCall.deadline > utcnow()) & ~offered.exists()
    )
    count, rows = count_and_first(statement.order_by(JointCall.deadline, JointCall.id), where)
    items = [
        QueueItem(kind, title, url_for("calls.call", call_id=id_), since, deadline.date())
        for id_, title, since, deadline in rows
    ]
    return QueueGroup(kind, count, items, url_for("calls.index"), order=30)


def contracts_to_sign(user: User) -> QueueGroup:
    """The buyer's contract lines past the standstill with no review pending: sign them."""
    kind = "Contracts to sign"
    now = utcnow()
    pending_review = select(ReviewRequest.id).where(
        ReviewRequest.award_id == Award.id,
        ReviewRequest.status.in_((ReviewStatus.OPEN, ReviewStatus.UPHELD)),
    )
    statement = (
        select(ContractLine.id, JointCall.title, Award.standstill_ends_at, Award.decided_at)
        .join(Award, Award.id == ContractLine.award_id)
        .join(JointCall, JointCall.id == Award.call_id)
        .order_by(Award.decided_at, ContractLine.id)
    )
    where = (
        (ContractLine.buyer_id == user.organisation_id)
        & ContractLine.signed_at.is_(None)
        & (Award.standstill_ends_at.is_(None) | (Award.standstill_ends_at < now))
        & ~pending_review.exists()
    )
    count, rows = count_and_first(statement, where)
    items = [
        QueueItem(
            kind,
            f"CONTRACT-{id_:05d}: {title}",
            url_for("standstill.sign", line_id=id_),
            ends or decided,
        )
        for id_, title, ends, decided in rows
    ]
    return QueueGroup(kind, count, items, url_for("standstill.contracts"), order=20)


def award_letters(user: User) -> QueueGroup:
    """The vendor's award letters while the standstill runs: the result, and time to react."""
    kind = "Award results to read"
    statement = (
        select(AwardLetter.id, JointCall.id, JointCall.title, AwardLetter.sent_at)
        .add_columns(AwardLetter.standstill_ends_at)
        .join(Award, Award.id == AwardLetter.award_id)
        .join(JointCall, JointCall.id == Award.call_id)
        .order_by(AwardLetter.standstill_ends_at, AwardLetter.id)
    )
    where = (AwardLetter.vendor_id == user.organisation_id) & (
        AwardLetter.standstill_ends_at > utcnow()
    )
    count, rows = count_and_first(statement, where)
    items = [
        QueueItem(
            kind,
            f"The result of {title}",
            url_for("standstill.letters", call_id=call_id),
            sent,
            ends.date(),
        )
        for _, call_id, title, sent, ends in rows
    ]
    return QueueGroup(kind, count, items, url_for("calls.index"), order=20)


def init_app(app: Flask) -> None:
    """Register the procurement work of each role."""
    register_queue_source(app, AUTHORITY, lots_to_freeze)
    register_queue_source(app, AUTHORITY, calls_to_award)
    register_queue_source(app, frozenset({Role.BUYER}), lots_to_confirm)
    register_queue_source(app, frozenset({Role.BUYER}), contracts_to_sign)
    register_queue_source(app, frozenset({Role.VENDOR}), open_calls)
    register_queue_source(app, frozenset({Role.VENDOR}), award_letters)
