"""The catalog's work in the to-do queues: change requests to decide (the authority), unread
news of what a buyer follows, and everyone's count of unread notifications."""

from __future__ import annotations

from flask import Flask, url_for
from sqlalchemy import func, select

from catalog.lists.models import Notification
from catalog.lists.services import unread_count
from catalog.models import ChangeRequestStatus, Solution, SolutionChangeRequest
from registry.database import db
from registry.models import Role, User
from registry.navigation import AUTHORITY
from registry.queue import (
    ITEMS_PER_KIND,
    QueueGroup,
    QueueItem,
    register_queue_source,
    register_unread_counter,
)


def change_requests(user: User) -> QueueGroup:
    """Vendors' requests to change certified facts, waiting for the authority, oldest first."""
    del user  # every officer decides the same requests
    pending = SolutionChangeRequest.status == ChangeRequestStatus.PENDING
    count = db.session.scalar(
        select(func.count()).select_from(SolutionChangeRequest).where(pending)
    )
    rows = db.session.execute(
        select(SolutionChangeRequest.id, Solution.name, SolutionChangeRequest.requested_at)
        .join(Solution, Solution.id == SolutionChangeRequest.solution_id)
        .where(pending)
        .order_by(SolutionChangeRequest.requested_at, SolutionChangeRequest.id)
        .limit(ITEMS_PER_KIND)
    )
    kind = "Change requests to decide"
    items = [
        QueueItem(kind, f"Change of {name}", url_for("changes.detail", request_id=id_), since)
        for id_, name, since in rows
    ]
    return QueueGroup(kind, int(count or 0), items, url_for("changes.queue"), order=60)


def unread_watch_notices(user: User) -> QueueGroup:
    """News of what the user follows that they have not marked as read, oldest first."""
    kind = "Unread news of what you follow"
    unread = (Notification.user_id == user.id) & Notification.read_at.is_(None)
    count = db.session.scalar(select(func.count()).select_from(Notification).where(unread))
    rows = db.session.execute(
        select(Notification.text, Notification.link, Notification.created_at)
        .where(unread)
        .order_by(Notification.created_at, Notification.id)
        .limit(ITEMS_PER_KIND)
    )
    watchlist = url_for("lists.watchlist") + "#notifications"
    items = [QueueItem(kind, text, link or watchlist, since) for text, link, since in rows]
    return QueueGroup(kind, int(count or 0), items, watchlist, order=40)


def init_app(app: Flask) -> None:
    """Register the catalog's sources of work and its count of unread notifications."""
    register_queue_source(app, AUTHORITY, change_requests)
    register_queue_source(app, frozenset({Role.BUYER}), unread_watch_notices)
    register_unread_counter(app, unread_count)
