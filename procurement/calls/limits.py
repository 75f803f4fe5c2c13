"""The limits a joint call is held to: offer period, deadline hour, text lengths, ids, rounding."""

from __future__ import annotations

import datetime as dt

from flask import current_app

DEFAULT_MIN_OFFER_DAYS = 10
MAX_DEADLINE_DAYS = 366
DEADLINE_TIME = dt.time(12, 0, tzinfo=dt.UTC)
TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
REASON_MAX = 2_000


def min_offer_days() -> int:
    """The shortest offer period the authority may set (PROCUREMENT_MIN_OFFER_DAYS)."""
    return int(current_app.config.get("PROCUREMENT_MIN_OFFER_DAYS", DEFAULT_MIN_OFFER_DAYS))


def deadline_on(day: dt.date) -> dt.datetime:
    """The deadline of a call closing on this date: 12:00 UTC."""
    return dt.datetime.combine(day, DEADLINE_TIME)


def utc_stamp(moment: dt.datetime) -> str:
    """A moment as people read it: UTC, to the minute."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
