"""Demo suspensions (after the demo labels): one waits for the officer's verification of the
vendor's response, one ended unresolved yesterday so that the daily job
(`flask --app app labels escalate-suspensions`) withdraws it. Idempotent: a second run finds the
demo response and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from evaluations.labels.status_changes import open_suspension, suspend_label
from evaluations.labels.suspension_models import LabelSuspension
from evaluations.labels.suspensions import respond_to_suspension
from evaluations.models import Label, LabelStatus
from registry.database import db, utcnow
from registry.dates import today
from registry.demo import AUTHORITY_EMAIL
from registry.models import Role, User

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
    if not records:
        return []
    waiting = records[0]
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
    _overdue_suspension(records[1] if len(records) > 1 else None)
    db.session.flush()
    return []


def _overdue_suspension(fallback: LabelSuspension | None) -> None:
    """Suspend the oldest valid label issued before yesterday and backdate the suspension so
    that it ended yesterday, unresolved; without such a label (every demo label issued today),
    backdate the `fallback` suspension instead."""
    yesterday = today() - dt.timedelta(days=1)
    label = db.session.scalars(
        select(Label)
        .where(Label.status == LabelStatus.VALID, Label.valid_from < yesterday)
        .order_by(Label.issued_at, Label.id)
        .limit(1)
    ).first()
    authority = db.session.scalar(select(User).where(User.email == AUTHORITY_EMAIL))
    if label is None or authority is None or label.issued_at.date() >= yesterday:
        if fallback is not None:
            fallback.suspended_at = utcnow() - dt.timedelta(days=43)
            fallback.ends_on = yesterday
            fallback.corrective_actions = "Send the test report of the latest firmware."
        return
    suspend_label(
        authority,
        label,
        "Demo: the vendor has not sent the test report of its latest firmware.",
        corrective_actions="Send the test report of the latest firmware.",
    )
    record = open_suspension(label)
    if record is not None:
        record.suspended_at = max(utcnow() - dt.timedelta(days=43), label.issued_at)
        record.ends_on = yesterday
