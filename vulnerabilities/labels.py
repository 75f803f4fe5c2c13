"""What a case does to labels: marks after embargo, the fixed version, the list to suspend.

The system prepares and records; a person decides. A disclosed confirmed case at or above the
configured severity marks the labels that certify an affected version ("vulnerability under
remediation", `evaluations.labels.remediation`). A missed remediation deadline puts those labels
on the authority's list to suspend; suspending goes through the ordinary status change, with
the case as its reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import select

from evaluations.labels import remediation
from evaluations.models import Label, LabelScope, LabelStatus
from registry.database import db
from registry.dates import today
from registry.models import User
from vulnerabilities.cases import (
    FIXED_CALLBACKS,
    STEP_CALLBACKS,
    disclosed_clause,
    label_threshold,
)
from vulnerabilities.models import CaseStatus, ProductStatus, VulnerabilityCase
from vulnerabilities.scoring import severities_from

BINDING = (LabelStatus.VALID, LabelStatus.SUSPENDED)


def affected_labels(case: VulnerabilityCase) -> list[Label]:
    """Valid or suspended labels whose certified scope holds a version known to be affected."""
    version_ids = [
        row.version_id for row in case.versions if row.status is ProductStatus.KNOWN_AFFECTED
    ]
    if not version_ids:
        return []
    return list(
        db.session.scalars(
            select(Label)
            .where(
                Label.status.in_(BINDING),
                Label.id.in_(
                    select(LabelScope.label_id).where(LabelScope.version_id.in_(version_ids))
                ),
            )
            .order_by(Label.id)
        )
    )


def apply_label_effects(
    actor: User | None = None, on: dt.date | None = None
) -> list[VulnerabilityCase]:
    """Mark the labels of every case that now should and has not yet (run after each step and
    daily); return the cases that marked labels."""
    day = on or today()
    pending = db.session.scalars(
        select(VulnerabilityCase)
        .where(
            VulnerabilityCase.labels_marked_on.is_(None),
            VulnerabilityCase.status.in_((CaseStatus.CONFIRMED, CaseStatus.FIXED)),
            VulnerabilityCase.severity.in_(severities_from(label_threshold())),
            disclosed_clause(day),
        )
        .order_by(VulnerabilityCase.id)
    ).all()
    for case in pending:
        for label in affected_labels(case):
            remediation.mark(
                actor,
                label,
                case.reference,
                case.title,
                case.severity.value if case.severity else "",
            )
        if case.fixed_version_id is not None:
            remediation.set_fixed_version(case.reference, case.fixed_version_id)
        case.labels_marked_on = day
    return list(pending)


@dataclass(frozen=True)
class ToSuspend:
    """A label past a case's remediation deadline, for the authority to decide on."""

    label: Label
    case: VulnerabilityCase

    @property
    def reason(self) -> str:
        """The suspension reason the form proposes."""
        return (
            f"Vulnerability {self.case.reference} ({self.case.title}): the remediation deadline "
            f"{self.case.remediation_due} passed without a fix."
        )


def labels_to_suspend(on: dt.date | None = None) -> list[ToSuspend]:
    """Valid labels certifying an affected version of a confirmed case past its deadline."""
    day = on or today()
    overdue = db.session.scalars(
        select(VulnerabilityCase)
        .where(
            VulnerabilityCase.status == CaseStatus.CONFIRMED,
            VulnerabilityCase.remediation_due < day,
        )
        .order_by(VulnerabilityCase.remediation_due, VulnerabilityCase.id)
    ).all()
    found = []
    for case in overdue:
        for label in affected_labels(case):
            if label.status is LabelStatus.VALID:
                found.append(ToSuspend(label, case))
    return found


def _after_fixed(actor: User, case: VulnerabilityCase) -> None:
    if case.fixed_version_id is not None:
        remediation.set_fixed_version(case.reference, case.fixed_version_id)


def _after_step(actor: User | None, case: VulnerabilityCase) -> None:
    apply_label_effects(actor)


def register(app: Flask) -> None:
    """Labels learn the fixed version of a case as soon as it is known, and a step that
    discloses a severe confirmed case marks its labels at once (not at the next daily run)."""
    app.extensions.setdefault(FIXED_CALLBACKS, []).append(_after_fixed)
    app.extensions.setdefault(STEP_CALLBACKS, []).append(_after_step)
