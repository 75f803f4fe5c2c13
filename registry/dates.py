"""The calendar day the registry reads dates by, and the zone it shows moments in.

Transition dates of norms, label expiry dates, the day a label PDF states its status for and
the dates of buyers' needs are all read against the same UTC day. Moments (a time of day) are
stored in UTC and shown to people in the portal's zone (TIMEZONE, default Europe/Paris) with
the zone's abbreviation, through the `when` template filter: no page shows a bare or UTC time.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, current_app, has_app_context

from registry.database import utcnow


def today() -> dt.date:
    """Today's date in UTC."""
    return utcnow().date()


DEFAULT_TIMEZONE = "Europe/Paris"


def local_zone() -> ZoneInfo:
    """The zone moments are shown in (TIMEZONE, default Europe/Paris)."""
    name = DEFAULT_TIMEZONE
    if has_app_context():
        name = str(current_app.config.get("TIMEZONE") or DEFAULT_TIMEZONE)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def when(moment: dt.datetime | None, seconds: bool = False) -> str:
    """A stored moment in the portal's zone with the zone's name, e.g. 2026-12-17 23:59 CET.

    A naive moment (SQLite returns them) is read as UTC, as it was stored.
    """
    if moment is None:
        return "—"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    shape = "%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M %Z"
    return moment.astimezone(local_zone()).strftime(shape)


def init_app(app: Flask) -> None:
    """Make `when` a template filter."""
    app.jinja_env.filters["when"] = when
