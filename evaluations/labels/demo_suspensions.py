"""Demo suspensions (after the demo labels): one waits for the officer's verification of the
vendor's response, one ended unresolved yesterday so that the daily job
(`flask --app app labels escalate-suspensions`) withdraws it. Idempotent: a second run finds the
demo response and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from evaluations.labels.suspension_models import LabelSuspension
from evaluations.labels.suspensions import respond_to_suspension
from evaluations.models import Label, LabelStatus
from registry.database import db, utcnow
from registry.dates import today
from registry.models import Role

DEMO_RESPONSE = (
    "Demo: firmware 2.4.1 fixes the audit-trail defect; the test report of the fix and the "
    "release notes are attached to the maintenance declaration."
)


def seed_demo_suspensions() -> list[Any]:
    """A suspension waiting for verification and one past its end date; twice changes nothing."""
    if db.session.scalar(
        select(LabelSuspension.id).where(LabelSuspension.vendor_response == DEMO_RESPONSE)
    ):
        return []
    records = list(
        db.session.scalars(
            select(LabelSuspension)
            .join(Label, Label.id == LabelSuspension.label_id)
            .where(
                Label.status == LabelStatus.SUSPENDED,
                LabelSuspension.outcome == "",
                Label.status_reason.startswith("Demo:"),
            )
            .order_by(Label.id)
        )
    )
    if len(records) < 2:
        return []
    waiting, overdue = records[0], records[1]
    waiting.corrective_actions = (
        "Fix the audit-trail defect, have the fix tested, and send the test report and the "
        "release notes of the fixed firmware."
    )
    vendor = next(
        (u for u in waiting.label.vendor.users if u.is_active and u.role is Role.VENDOR), None
    )
    if vendor is None:
        return []
    respond_to_suspension(vendor, waiting.label, DEMO_RESPONSE)
    # The scheme's maximum has passed: suspended 43 days ago, ended yesterday, unresolved.
    overdue.suspended_at = utcnow() - dt.timedelta(days=43)
    overdue.ends_on = today() - dt.timedelta(days=1)
    overdue.corrective_actions = "Send the test report of the latest firmware."
    db.session.flush()
    return []
