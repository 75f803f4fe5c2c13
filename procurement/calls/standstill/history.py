"""Moving an award's standstill into the past, for demo history and test worlds: the award,
its letters and the standstill's end are dated as if the call had been awarded then."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from procurement.calls.models import Award
from procurement.calls.standstill.models import AwardLetter
from procurement.calls.standstill.services import standstill_days, standstill_end
from registry.database import db
from registry.dates import local_zone


def date_award(award: Award, decided_at: dt.datetime) -> None:
    """Date the award, its contract lines and letters at `decided_at`; its standstill follows."""
    award.decided_at = decided_at
    for line in award.lines:
        line.created_at = decided_at
    award.standstill_ends_at = standstill_end(decided_at, standstill_days(), local_zone())
    for letter in db.session.scalars(select(AwardLetter).where(AwardLetter.award_id == award.id)):
        letter.sent_at = decided_at
        letter.standstill_ends_at = award.standstill_ends_at
    db.session.flush()
