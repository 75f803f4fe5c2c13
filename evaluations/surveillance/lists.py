"""What the authority, vendors and evaluators find to do: activities and labels to suspend."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, or_, select

from evaluations.models import Label, LabelStatus
from evaluations.surveillance.models import (
    ActivityKind,
    ActivityResult,
    ActivityStatus,
    SurveillanceActivity,
)
from evaluations.surveillance.services import OPEN_STATUSES
from registry.database import db
from registry.models import Role, User
from registry.norms.models import NormVersion


def open_activities(
    *,
    kind: ActivityKind | None = None,
    status: ActivityStatus | None = None,
    norm_id: int | None = None,
) -> Select[SurveillanceActivity]:
    """Open and overdue activities, earliest due first, with the authority's filters."""
    statement = (
        select(SurveillanceActivity)
        .join(Label, SurveillanceActivity.label_id == Label.id)
        .where(SurveillanceActivity.status.in_(OPEN_STATUSES))
    )
    if kind is not None:
        statement = statement.where(SurveillanceActivity.kind == kind)
    if status is not None:
        statement = statement.where(SurveillanceActivity.status == status)
    if norm_id is not None:
        statement = statement.join(NormVersion, Label.norm_version_id == NormVersion.id).where(
            NormVersion.norm_id == norm_id
        )
    return statement.order_by(SurveillanceActivity.due_on, SurveillanceActivity.id)


def activities_of(user: User) -> Select[SurveillanceActivity]:
    """A vendor's open activities on its labels; an evaluator's re-tests (open first)."""
    statement = select(SurveillanceActivity).join(Label, SurveillanceActivity.label_id == Label.id)
    if user.role is Role.VENDOR:
        statement = statement.where(
            Label.vendor_id == user.organisation_id,
            SurveillanceActivity.status.in_(OPEN_STATUSES),
        )
    else:
        statement = statement.where(
            SurveillanceActivity.kind == ActivityKind.RETEST,
            SurveillanceActivity.evaluator_id == user.id,
        )
    return statement.order_by(
        SurveillanceActivity.status == ActivityStatus.DONE,
        SurveillanceActivity.due_on,
        SurveillanceActivity.id,
    )


@dataclass(frozen=True)
class ToSuspend:
    """A valid label and the activity that puts it on the list, with a prepared reason."""

    label: Label
    activity: SurveillanceActivity
    reason: str


def _reason(activity: SurveillanceActivity) -> str:
    kind = activity.kind.label.lower()
    if activity.status is ActivityStatus.OVERDUE:
        return f"Surveillance: the {kind} due on {activity.due_on.isoformat()} was not completed."
    return f"Surveillance: the {kind} found the solution nonconforming."


def labels_to_suspend() -> list[ToSuspend]:
    """Valid labels with an overdue activity, or a nonconforming result the authority has not
    acted on since (a reinstatement after it clears it); one row per label, oldest first."""
    activities = db.session.scalars(
        select(SurveillanceActivity)
        .join(Label, SurveillanceActivity.label_id == Label.id)
        .where(
            Label.status == LabelStatus.VALID,
            or_(
                SurveillanceActivity.status == ActivityStatus.OVERDUE,
                SurveillanceActivity.result == ActivityResult.NONCONFORMING,
            ),
        )
        .order_by(SurveillanceActivity.due_on, SurveillanceActivity.id)
    ).all()
    rows: dict[int, ToSuspend] = {}
    for activity in activities:
        label = activity.label
        if label.id in rows:
            continue
        if activity.status is ActivityStatus.DONE and (
            activity.completed_at is None or activity.completed_at < label.status_changed_at
        ):
            continue
        rows[label.id] = ToSuspend(label, activity, _reason(activity))
    return list(rows.values())


@dataclass(frozen=True)
class PublicLine:
    """One line of a label's public surveillance history: no internal notes."""

    kind: str
    on: str
    outcome: str


def _outcome(activity: SurveillanceActivity) -> str:
    if activity.status is ActivityStatus.OVERDUE:
        return "Overdue"
    if activity.kind is ActivityKind.ATTESTATION:
        return "Changes declared" if activity.changes_declared else "No relevant change attested"
    if activity.kind is ActivityKind.RETEST:
        return "Passed" if activity.result is ActivityResult.CONFORMING else "Failed"
    return "Conforming" if activity.result is ActivityResult.CONFORMING else "Nonconforming"


def public_history(label: Label) -> list[PublicLine]:
    """A label's finished and overdue activities, oldest first, as the public reads them."""
    activities = db.session.scalars(
        select(SurveillanceActivity)
        .where(
            SurveillanceActivity.label_id == label.id,
            SurveillanceActivity.status != ActivityStatus.OPEN,
        )
        .order_by(SurveillanceActivity.id)
    ).all()
    return [
        PublicLine(
            activity.kind.label,
            (
                activity.completed_at.date().isoformat()
                if activity.completed_at is not None
                else activity.due_on.isoformat()
            ),
            _outcome(activity),
        )
        for activity in activities
    ]
