"""Demo surveillance on demo labels (idempotent).

- A programme on the norms of the first two valid labels.
- A done attestation (nothing changed) on the first valid label.
- An open re-test of the second one, assigned to the first demo evaluation body's evaluator.
- An attestation of the third one, overdue: the authority's list of labels to suspend has it.

Runs after the labels' and maintenance demos; does nothing once any programme or activity
exists, or without three valid labels with a vendor member.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from evaluations.models import Label, LabelStatus
from evaluations.surveillance import services
from evaluations.surveillance.daily import attestation_cycle
from evaluations.surveillance.models import SurveillanceActivity, SurveillanceProgramme
from registry.database import db, utcnow
from registry.dates import today
from registry.demo import AUTHORITY_EMAIL, DEMO_DOMAIN, EVALUATION_BODIES
from registry.models import User


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _vendor_user(label: Label) -> User | None:
    return db.session.scalar(
        select(User)
        .where(User.organisation_id == label.vendor_id, User.is_active.is_(True))
        .order_by(User.id)
        .limit(1)
    )


def _cycle(label: Label) -> int:
    months = services.programme_of(label.norm_version.norm_id).attestation_interval_months
    return max(1, attestation_cycle(label, months, today()))


def seed_demo_surveillance() -> list[Any]:
    """Programmes, a done attestation, an assigned re-test, an overdue attestation (no new
    accounts)."""
    authority = _user(AUTHORITY_EMAIL)
    evaluator = _user(f"{EVALUATION_BODIES[0][1]}@{DEMO_DOMAIN}")
    if authority is None or evaluator is None:
        return []
    if db.session.scalar(select(SurveillanceActivity.id).limit(1)) is not None:
        return []
    if db.session.scalar(select(SurveillanceProgramme.id).limit(1)) is not None:
        return []
    labels = [
        label
        for label in db.session.scalars(
            select(Label).where(Label.status == LabelStatus.VALID).order_by(Label.id)
        )
        if _vendor_user(label) is not None
    ]
    if len(labels) < 3:
        return []
    first, second, third = labels[:3]
    norms = {first.norm_version.norm_id: first.norm_version.norm}
    norms.setdefault(second.norm_version.norm_id, second.norm_version.norm)
    for position, norm in enumerate(norms.values()):
        services.set_programme(
            authority,
            norm,
            attestation_enabled=True,
            interval_months=12,
            retest_percent=20 if position == 0 else 10,
            days_to_complete=30 if position == 0 else 21,
        )
    day = today()
    done = services.open_attestation(first, _cycle(first), day + dt.timedelta(days=30))
    vendor = _vendor_user(first)
    services.attest(
        vendor,
        done,
        changed=False,
        statement="Demo: no change to the firmware, the hosting or the processes since "
        "certification.",
    )
    retest = services.open_retest(second, day.year, day + dt.timedelta(days=30))
    services.assign_retest(authority, retest, evaluator)
    late = services.open_attestation(third, _cycle(third), day - dt.timedelta(days=5))
    late.opened_at = utcnow() - dt.timedelta(days=40)
    services.mark_overdue(late)
    db.session.flush()
    return []
