"""Each role's to-do queue on the dashboard and the header's badge.

The registry knows only the shape of a queue; each package registers, at start-up, the
sources of work it owns (rule 16: a lower layer asks, a higher one registers). A source is one
or two queries: a count of everything waiting and the first few items, never a query per row.
The notification counter is registered the same way by the package that stores notifications.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import ColumnElement, Row, Select, func

from registry.database import db
from registry.dates import today
from registry.models import Role, User

# How many items of one kind the dashboard lists; "See all" leads to the full list page.
ITEMS_PER_KIND = 10

_SOURCES = "queue_sources"
_COUNTS_ONLY = "queue_counts_only"
_UNREAD = "unread_notification_counter"


@dataclass(frozen=True)
class QueueItem:
    """One thing to do: what, where it is done, since when it waits and when it is due."""

    kind: str
    title: str
    url: str
    since: dt.datetime | None = None
    due: dt.date | None = None

    def is_overdue(self, on: dt.date) -> bool:
        """Whether its due date has passed."""
        return self.due is not None and self.due < on

    def age_days(self, now: dt.datetime) -> int | None:
        """Whole days it has waited, when it is known since when."""
        return None if self.since is None else max((now - self.since).days, 0)


@dataclass(frozen=True)
class QueueGroup:
    """One kind of work: how many items wait, the first of them and the page listing all."""

    kind: str
    count: int
    items: list[QueueItem]
    see_all_url: str
    order: int = 50


@dataclass(frozen=True)
class Queue:
    """Everything a user has to do, kinds with overdue work first."""

    groups: list[QueueGroup] = field(default_factory=list)

    @property
    def total(self) -> int:
        """How many items wait, all kinds together (the header's badge)."""
        return sum(group.count for group in self.groups)


QueueSource = Callable[[User], QueueGroup | None]
RowsStatement = Select[*tuple[Any, ...]]


def count_and_first(
    statement: RowsStatement, where: ColumnElement[bool]
) -> tuple[int, list[Row[*tuple[Any, ...]]]]:
    """How many rows `where` selects, and the first ITEMS_PER_KIND of them: two queries."""
    count_statement = statement.with_only_columns(func.count()).order_by(None)
    count = db.session.scalar(count_statement.where(where))
    if g.get(_COUNTS_ONLY):
        return int(count or 0), []
    rows = db.session.execute(statement.where(where).limit(ITEMS_PER_KIND)).all()
    return int(count or 0), list(rows)


@dataclass(frozen=True)
class _Registration:
    roles: frozenset[Role]
    source: QueueSource


def register_queue_source(app: Flask, roles: frozenset[Role], source: QueueSource) -> None:
    """Add a source of work for users of these roles; it returns None when it has nothing."""
    app.extensions.setdefault(_SOURCES, []).append(_Registration(roles, source))


def register_unread_counter(app: Flask, counter: Callable[[User], int]) -> None:
    """Name the function that counts a user's unread notifications."""
    app.extensions[_UNREAD] = counter


def by_urgency(items: list[QueueItem], on: dt.date) -> list[QueueItem]:
    """Overdue first, then by due date, then the longest waiting."""
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)

    def key(item: QueueItem) -> tuple[bool, dt.date, dt.datetime]:
        return (not item.is_overdue(on), item.due or dt.date.max, item.since or oldest)

    return sorted(items, key=key)


def queue_for(user: User) -> Queue:
    """The user's queue for their role."""
    role = user.role
    on = today()
    groups = []
    registrations: list[_Registration] = current_app.extensions.get(_SOURCES, [])
    for registration in registrations:
        if role not in registration.roles:
            continue
        group = registration.source(user)
        if group is not None and group.count > 0:
            items = by_urgency(group.items, on)[:ITEMS_PER_KIND]
            groups.append(
                QueueGroup(group.kind, group.count, items, group.see_all_url, group.order)
            )
    groups.sort(key=lambda gr: (not any(i.is_overdue(on) for i in gr.items), gr.order, gr.kind))
    return Queue(groups)


def queue_total(user: User) -> int:
    """How many items wait for the user, all kinds together: the header's badge on every page.

    Counts only: the sources skip the query that lists their first items.
    """
    setattr(g, _COUNTS_ONLY, True)
    try:
        return queue_for(user).total
    finally:
        g.pop(_COUNTS_ONLY, None)


def unread_notifications(user: User) -> int:
    """How many notifications the user has not marked as read."""
    counter: Callable[[User], int] | None = current_app.extensions.get(_UNREAD)
    return 0 if counter is None else counter(user)


def init_app(app: Flask) -> None:
    """Make the queue and the unread count available to templates; the registry's source."""
    from registry import queue_sources

    app.jinja_env.globals.update(todo_total=queue_total, unread_notifications=unread_notifications)
    queue_sources.init_app(app)
