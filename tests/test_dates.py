"""Moments are shown in the portal's zone with the zone's name, never as a bare or UTC time."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from flask import Flask

from registry.dates import local_zone, when

ROOT = Path(__file__).resolve().parent.parent
TIME_OF_DAY = re.compile(r"strftime\([^)]*%H")


def test_a_moment_is_shown_in_the_portal_zone_with_its_name(app: Flask) -> None:
    winter = dt.datetime(2027, 1, 15, 11, 0, tzinfo=dt.UTC)
    summer = dt.datetime(2027, 7, 15, 11, 0, tzinfo=dt.UTC)
    assert when(winter) == "2027-01-15 12:00 CET"
    assert when(summer) == "2027-07-15 13:00 CEST"
    # SQLite gives back naive moments: they were stored in UTC.
    assert when(winter.replace(tzinfo=None), seconds=True) == "2027-01-15 12:00:00 CET"
    assert when(None) == "—"
    app.config["TIMEZONE"] = "America/Cayenne"
    assert local_zone().key == "America/Cayenne" and when(winter) == "2027-01-15 08:00 -03"


def test_a_day_crossing_midnight_is_the_local_day() -> None:
    late = dt.datetime(2027, 3, 31, 23, 30, tzinfo=dt.UTC)
    assert when(late) == "2027-04-01 01:30 CEST"


def test_no_template_formats_a_time_of_day_itself() -> None:
    """Every time of day on a page goes through `when`, so none is shown in UTC or zoneless."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if TIME_OF_DAY.search(line)
    ]
    assert not offenders, "use the `when` filter:\n" + "\n".join(offenders)
