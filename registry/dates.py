"""The calendar day the registry reads dates by: today in UTC.

Transition dates of norms, label expiry dates, the day a label PDF states its status for and
the dates of buyers' needs are all read against the same UTC day.
"""

from __future__ import annotations

import datetime as dt

from registry.database import utcnow


def today() -> dt.date:
    """Today's date in UTC."""
    return utcnow().date()
