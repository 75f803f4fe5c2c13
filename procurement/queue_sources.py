"""The joint-procurement work in the to-do queues.

The authority: confirmed lots to freeze, calls past their deadline to award. A buyer: lots
whose confirmation it was asked for. A vendor: open calls it has not offered on yet.
"""

from __future__ import annotations

from flask import Flask, url_for
from sqlalchemy import select

from procurement.calls.models import CallStatus, JointCall, Offer, OfferStatus
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


def init_app(app: Flask) -> None:
    """Register the procurement work of each role."""
    register_queue_source(app, AUTHORITY, lots_to_freeze)
    register_queue_source(app, AUTHORITY, calls_to_award)
    register_queue_source(app, frozenset({Role.BUYER}), lots_to_confirm)
    register_queue_source(app, frozenset({Role.VENDOR}), open_calls)
