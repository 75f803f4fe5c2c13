"""How ocids, dates and amounts are written in the releases."""

from __future__ import annotations

import datetime as dt
import functools
import math
from decimal import Decimal
from typing import Any

from flask import current_app

from evaluations.labels.dates import add_months
from procurement.models import Need

DEFAULT_PREFIX = "ocds-sfreg1"


def prefix() -> str:
    """The publisher's ocid prefix."""
    return str(current_app.config.get("OCDS_PREFIX", DEFAULT_PREFIX))


def need_ocid(need: Need) -> str:
    """The ocid of a need's planning process, e.g. ocds-sfreg1-NEED-00042."""
    return f"{prefix()}-NEED-{need.id:05d}"


def call_ocid(reference_id: int) -> str:
    """The ocid a call opened with this id gets: <prefix>-CALL-00042."""
    return f"{prefix()}-CALL-{reference_id:05d}"


def stamp(moment: dt.datetime | dt.date) -> str:
    """RFC 3339 in UTC, to the second; a date is its midnight UTC."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time(), tzinfo=dt.UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def end_stamp(day: dt.date) -> str:
    """The last second of a day, UTC: the end of a period that runs through that day."""
    return stamp(dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=dt.UTC))


def days_spanned(start: dt.datetime, end: dt.datetime) -> int:
    """The days a period covers, a last part-day counting whole (1 Jan 00:00 to 1 Jan 23:59:59
    is one day): how durationInDays is kept equal to the period's own start and end."""
    return math.ceil((end - start).total_seconds() / 86400)


def dated_period(first_day: dt.date, last_day: dt.date) -> dict[str, Any]:
    """A Period running from the start of its first day through its last day."""
    start = stamp(first_day)
    end = end_stamp(last_day)
    return {
        "startDate": start,
        "endDate": end,
        "durationInDays": days_spanned(parse_stamp(start), parse_stamp(end)),
    }


@functools.cache
def longest_months(months: int) -> int:
    """The most days ``months`` calendar months can span, over every day they may start on (four
    years of first days cover every order of month lengths and leap Februaries)."""
    first = dt.date(2000, 1, 1)
    days = (first + dt.timedelta(days=n) for n in range(4 * 366))
    return max((add_months(day, months) - day).days for day in days)


def parse_stamp(value: str) -> dt.datetime:
    """The moment a stamp() string stands for."""
    return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)


def amount(value: Decimal, currency: str) -> dict[str, Any]:
    """An OCDS Value."""
    return {"amount": float(value), "currency": currency}
