"""Suspension with consequences, reduction and voluntary termination of a label.

- The vendor responds to a suspension's corrective actions on the label page.
- `escalate_suspensions` (the daily job) withdraws every suspended label whose suspension ended
  unresolved: the label is revoked under the scheme's rule (no officer acts).
- `reduce_label`: instead of suspending, the authority lowers the label's level (to a lower
  level of its norm version) or narrows its certified scope (at least one version stays); the
  credential is re-signed under the same number, and the change is published.
- `terminate_label`: the vendor's organisation administrator ends the certification; the label
  is revoked with the vendor's reason.

Status changes go through `status_changes._change_status` (history, decision log, mail).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from evaluations.labels import status_changes
from evaluations.labels.events import record_event
from evaluations.labels.facts import sign_label
from evaluations.labels.suspension_models import LabelSuspension
from evaluations.models import Label, LabelScope, LabelStatus
from registry import audit
from registry.access import require_role, require_same_organisation
from registry.database import db, utcnow
from registry.dates import today
from registry.exceptions import AccessDenied, RuleViolation
from registry.models import Role, User
from registry.norms.models import NormLevel

ESCALATED = "Suspension ended on {day} without the corrective actions verified"


def _text(value: str | None, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise RuleViolation(message, field)
    if len(text) > status_changes.MAX_REASON_LENGTH:
        raise RuleViolation(
            f"The text is too long (at most {status_changes.MAX_REASON_LENGTH} characters).",
            field,
        )
    return text


def suspensions_of(label: Label) -> list[LabelSuspension]:
    """Every suspension record of the label, newest first."""
    return list(
        db.session.scalars(
            select(LabelSuspension)
            .where(LabelSuspension.label_id == label.id)
            .options(
                selectinload(LabelSuspension.vendor_responded_by),
                selectinload(LabelSuspension.verified_by),
            )
            .order_by(LabelSuspension.id.desc())
        )
    )


def _vendor_member(actor: User | None, label: Label) -> User:
    actor = require_role(actor, Role.VENDOR)
    return require_same_organisation(actor, label.vendor_id)


def respond_to_suspension(actor: User | None, label: Label, response: str) -> LabelSuspension:
    """The vendor says what it did about the corrective actions; the officer verifies it."""
    actor = _vendor_member(actor, label)
    response = _text(response, "response", "Say what you did about the corrective actions.")
    locked = status_changes._lock_label(label.id)
    record = status_changes.open_suspension(locked)
    if locked.status is not LabelStatus.SUSPENDED or record is None:
        raise RuleViolation(f"Label {locked.number} has no open suspension to respond to.")
    record.vendor_response = response
    record.vendor_responded_at = utcnow()
    record.vendor_responded_by_id = actor.id
    db.session.flush()
    audit.record(
        actor,
        "label.suspension.respond",
        record,
        summary=f"Vendor response to the suspension of label {locked.number}"[:2000],
        data={"number": locked.number, "suspension_id": record.id, "response": response},
        organisation_id=locked.vendor_id,
    )
    return record


def overdue_suspension_ids(on: dt.date | None = None) -> list[int]:
    """Labels still suspended under a suspension whose end date is before `on`."""
    day = on or today()
    return list(
        db.session.scalars(
            select(Label.id)
            .join(LabelSuspension, LabelSuspension.label_id == Label.id)
            .where(
                Label.status == LabelStatus.SUSPENDED,
                LabelSuspension.outcome == "",
                LabelSuspension.ends_on < day,
            )
            .order_by(Label.id)
        ).all()
    )


def escalate_suspension(label_id: int, on: dt.date | None = None) -> Label | None:
    """Withdraw one label whose suspension ended unresolved (None when it no longer is)."""
    day = on or today()
    label = status_changes._lock_label(label_id)
    record = status_changes.open_suspension(label)
    if label.status is not LabelStatus.SUSPENDED or record is None or record.ends_on >= day:
        return None  # reinstated, revoked or changed meanwhile
    return status_changes._change_status(
        None,
        label,
        "withdrawn",
        [LabelStatus.SUSPENDED],
        LabelStatus.REVOKED,
        ESCALATED.format(day=record.ends_on.isoformat()),
    )


def escalate_suspensions(on: dt.date | None = None) -> list[Label]:
    """Withdraw every label whose suspension ended before `on` unresolved (idempotent)."""
    withdrawn = []
    for label_id in overdue_suspension_ids(on):
        label = escalate_suspension(label_id, on)
        if label is not None:
            withdrawn.append(label)
    return withdrawn


def lower_levels(label: Label) -> list[NormLevel]:
    """The levels of the label's norm version below its own, highest first."""
    levels = list(label.norm_version.levels)
    current = next((level for level in levels if level.name == label.level), None)
    if current is None:
        return []
    lower = [level for level in levels if level.minimum_percent < current.minimum_percent]
    return sorted(lower, key=lambda level: level.minimum_percent, reverse=True)


def reduce_label(
    actor: User | None,
    label: Label,
    reason: str,
    level: str | None = None,
    remove_version_ids: Iterable[int] = (),
) -> Label:
    """Lower the label's level and/or take versions out of its certified scope, with a public
    reason; the label keeps its status and number, and its credential is re-signed."""
    actor = require_role(actor, Role.AUTHORITY)
    reason = status_changes._reason(reason)
    label = status_changes._lock_label(label.id)
    if label.status not in status_changes.LIVE_STATUSES:
        raise RuleViolation(
            f"Label {label.number} is {label.status.value}; only a valid or suspended label "
            "can be reduced."
        )
    changes = []
    if level:
        allowed = {item.name for item in lower_levels(label)}
        if level not in allowed:
            raise RuleViolation(
                f"{level} is not a lower level of {label.norm_version.label} than {label.level}.",
                "level",
            )
        changes.append(f"level {label.level} → {level}")
        label.level = level
    removed = set(remove_version_ids)
    if removed:
        scope = {entry.version_id: entry for entry in label.scope}
        unknown = removed - set(scope)
        if unknown:
            raise RuleViolation("Only versions in the certified scope can be removed.", "versions")
        if len(removed) >= len(scope):
            raise RuleViolation(
                "At least one version must stay in the scope; revoke the label instead.",
                "versions",
            )
        names = sorted(scope[version_id].version.version for version_id in removed)
        db.session.execute(
            delete(LabelScope).where(
                LabelScope.label_id == label.id, LabelScope.version_id.in_(removed)
            )
        )
        db.session.expire(label, ["scope"])
        changes.append(f"versions {', '.join(names)} removed from the scope")
    if not changes:
        raise RuleViolation("Choose a lower level or versions to remove from the scope.", "level")
    label.facts_revision += 1
    sign_label(label, created=utcnow())
    text = f"Reduced ({'; '.join(changes)}): {reason}"[: status_changes.MAX_REASON_LENGTH]
    label.status_reason = text
    record_event(actor, label, "reduced", label.status.value, text)
    return label


def terminate_label(actor: User | None, label: Label, reason: str) -> Label:
    """The vendor's organisation administrator ends the label's certification: revoked."""
    actor = _vendor_member(actor, label)
    if not actor.is_org_admin:
        raise AccessDenied("Only an administrator of your organisation can end a certification.")
    reason = _text(reason, "reason", "Give a reason; it is published in the decision log.")
    return status_changes._change_status(
        actor,
        label,
        "terminated",
        status_changes.LIVE_STATUSES,
        LabelStatus.REVOKED,
        f"Certification ended by the vendor: {reason}"[: status_changes.MAX_REASON_LENGTH],
    )
