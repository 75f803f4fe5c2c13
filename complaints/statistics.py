"""Public statistics of complaints and appeals: counts per year, no personal data."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from sqlalchemy import select

from complaints.models import CaseKind, CaseStatus, ComplaintCase, Outcome
from registry.database import db


@dataclass
class YearRow:
    """One year's figures for one kind of case."""

    year: int
    received: int = 0
    decided: int = 0
    upheld: int = 0
    dismissed: int = 0
    median_days: float | None = None


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def yearly(kind: CaseKind) -> list[YearRow]:
    """Per year of receipt, newest first: received, decided, upheld (fully or partly),
    dismissed, and the median number of days from receipt to decision."""
    rows: dict[int, YearRow] = {}
    durations: dict[int, list[int]] = {}
    for received_at, status, outcome, decided_at in db.session.execute(
        select(
            ComplaintCase.received_at,
            ComplaintCase.status,
            ComplaintCase.outcome,
            ComplaintCase.decided_at,
        ).where(ComplaintCase.kind == kind)
    ):
        year = received_at.year
        row = rows.setdefault(year, YearRow(year))
        row.received += 1
        if status is CaseStatus.DECIDED and decided_at is not None:
            row.decided += 1
            if outcome is Outcome.DISMISSED:
                row.dismissed += 1
            else:
                row.upheld += 1
            days = (_aware(decided_at) - _aware(received_at)).days
            durations.setdefault(year, []).append(days)
    for year, values in durations.items():
        rows[year].median_days = float(statistics.median(values))
    return [rows[year] for year in sorted(rows, reverse=True)]
