"""How ocids, dates and amounts are written in the releases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from flask import current_app

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


def amount(value: Decimal, currency: str) -> dict[str, Any]:
    """An OCDS Value."""
    return {"amount": float(value), "currency": currency}
