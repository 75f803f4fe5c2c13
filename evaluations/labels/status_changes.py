"""A label's status changes: suspension, reinstatement, revocation and expiry.

A suspension opens a record (`suspension_models.LabelSuspension`) with its end date and the
corrective actions; every change that takes the label out of the suspended status closes it with
its outcome, and a reinstatement needs the officer's verification, made after the vendor's
response or with the reason none was needed.

Also the expiry run at start-up, and whether a label is due for recertification: its norm
version was superseded past the transition date or its norm withdrawn, or (a valid label with a
certified scope) no version in its scope was released in the last RECERTIFICATION_RELEASE_MONTHS
months, or every version in its scope is past its end of support. A label issued before
versions existed has an empty scope and is never due by the version rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from flask import Flask, current_app
from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.exc import DBAPIError

from catalog.models import SolutionVersion
from evaluations.labels.dates import add_months
from evaluations.labels.events import record_event
from evaluations.labels.suspension_models import LabelSuspension, SuspensionOutcome
from evaluations.models import Label, LabelScope, LabelStatus
from registry.access import require_role
from registry.database import db, sqlite_begin, utcnow
from registry.dates import today
from registry.exceptions import RuleViolation
from registry.models import Role, User
from registry.norms.models import Norm, NormStatus, NormVersion, NormVersionStatus
from registry.wording import counted

MAX_REASON_LENGTH = 2000
# Labels that still count (or may count again) until their expiry date.
LIVE_STATUSES = (LabelStatus.VALID, LabelStatus.SUSPENDED)
# A certified scope whose newest version is older than this many months is due (app config).
DEFAULT_RELEASE_MONTHS = 24
# The scheme's longest suspension in days (SUSPENSION_MAX_DAYS; EUCC: 42).
DEFAULT_SUSPENSION_MAX_DAYS = 42
# How each action that ends a suspension closes its record.
SUSPENSION_OUTCOMES = {
    "reinstated": SuspensionOutcome.REINSTATED,
    "withdrawn": SuspensionOutcome.WITHDRAWN,
    "expired": SuspensionOutcome.EXPIRED,
}
ALL_PAST_END_OF_SUPPORT = "All certified versions are past end of support"


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise RuleViolation("Give a reason; it is published in the decision log.", "reason")
    if len(text) > MAX_REASON_LENGTH:
        raise RuleViolation(
            f"The reason is too long (at most {MAX_REASON_LENGTH} characters).", "reason"
        )
    return text


def _lock_label(label_id: int) -> Label:
    locked = db.session.scalars(
        select(Label)
        .where(Label.id == label_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if locked is None:
        raise RuleViolation("The label no longer exists.")
    return locked


def _change_status(
    actor: User | None,
    label: Label,
    action: str,
    allowed_from: Iterable[LabelStatus],
    to: LabelStatus,
    reason: str,
) -> Label:
    label = _lock_label(label.id)
    allowed = tuple(allowed_from)
    if label.status not in allowed:
        raise RuleViolation(
            f"Label {label.number} is {label.status.value}; it cannot be {action} "
            f"(only a {' or '.join(s.value for s in allowed)} label can)."
        )
    previous = label.status.value
    label.status = to
    label.status_reason = reason
    label.status_changed_at = utcnow()
    if to is not LabelStatus.SUSPENDED:
        close_suspension(label, SUSPENSION_OUTCOMES.get(action, SuspensionOutcome.REVOKED))
    record_event(actor, label, action, previous, reason)
    return label


def suspension_max_days() -> int:
    """SUSPENSION_MAX_DAYS: the longest suspension the scheme allows."""
    return int(current_app.config.get("SUSPENSION_MAX_DAYS", DEFAULT_SUSPENSION_MAX_DAYS))


def open_suspension(label: Label) -> LabelSuspension | None:
    """The label's open suspension record, if any (a label suspended before records were
    kept has none)."""
    return db.session.scalars(
        select(LabelSuspension)
        .where(LabelSuspension.label_id == label.id, LabelSuspension.outcome == "")
        .order_by(LabelSuspension.id.desc())
        .limit(1)
    ).first()


def close_suspension(
    label: Label, outcome: SuspensionOutcome, verified_by: User | None = None
) -> LabelSuspension | None:
    """Close the label's open suspension record with its outcome (no-op when none is open)."""
    record = open_suspension(label)
    if record is None:
        return None
    record.outcome = outcome.value
    record.ended_at = utcnow()
    if verified_by is not None:
        record.verified_by_id = verified_by.id
    db.session.flush()
    return record


def _ends_on(ends_on: dt.date | None) -> dt.date:
    last = today() + dt.timedelta(days=suspension_max_days())
    if ends_on is None:
        return last
    if ends_on <= today():
        raise RuleViolation("The suspension must end after today.", "ends_on")
    if ends_on > last:
        raise RuleViolation(
            f"A suspension lasts at most {suspension_max_days()} days: end it on {last} "
            "at the latest.",
            "ends_on",
        )
    return ends_on


def suspend_label(
    actor: User | None,
    label: Label,
    reason: str,
    ends_on: dt.date | None = None,
    corrective_actions: str | None = None,
) -> Label:
    """Suspend a valid label (it can be reinstated) until `ends_on` (at most
    SUSPENSION_MAX_DAYS from today, the default), requiring `corrective_actions` (by default
    the reason): unresolved at its end, the daily job withdraws the label."""
    actor = require_role(actor, Role.AUTHORITY)
    reason = _reason(reason)
    end = _ends_on(ends_on)
    actions = reason if corrective_actions is None else corrective_actions.strip()
    if not actions:
        raise RuleViolation("Say which corrective actions the vendor must take.", "actions")
    if len(actions) > MAX_REASON_LENGTH:
        raise RuleViolation(
            f"The corrective actions are too long (at most {MAX_REASON_LENGTH} characters).",
            "actions",
        )
    label = _change_status(
        actor,
        label,
        "suspended",
        [LabelStatus.VALID],
        LabelStatus.SUSPENDED,
        reason,
    )
    db.session.add(
        LabelSuspension(
            label_id=label.id,
            suspended_at=label.status_changed_at,
            suspended_by_id=actor.id,
            ends_on=end,
            corrective_actions=actions,
        )
    )
    db.session.flush()
    return label


def reinstate_label(
    actor: User | None, label: Label, reason: str, no_response_reason: str = ""
) -> Label:
    """Make a suspended label valid again, unless it has expired meanwhile.

    `reason` is the verification the officer made (recorded on the suspension and published).
    When the vendor has not responded to the suspension, `no_response_reason` must say why no
    response was needed; a verification is never made before the vendor's response."""
    actor = require_role(actor, Role.AUTHORITY)
    reason = _reason(reason)
    waived = (no_response_reason or "").strip()
    if label.expires_on < today():
        raise RuleViolation(f"Label {label.number} expired on {label.expires_on}; it stays so.")
    record = open_suspension(label)
    if record is not None:
        if record.vendor_responded_at is None and not waived:
            raise RuleViolation(
                "The vendor has not responded to the corrective actions: wait for the "
                "response, or say why none is needed.",
                "no_response_reason",
            )
        record.verification = reason
        record.no_response_reason = "" if record.vendor_responded_at else waived
        record.verified_by_id = actor.id
    if record is not None and record.vendor_responded_at is None:
        reason = f"{reason} (no vendor response needed: {waived})"[:MAX_REASON_LENGTH]
    return _change_status(
        actor, label, "reinstated", [LabelStatus.SUSPENDED], LabelStatus.VALID, reason
    )


def revoke_label(actor: User | None, label: Label, reason: str) -> Label:
    """Revoke a valid or suspended label, for good."""
    actor = require_role(actor, Role.AUTHORITY)
    return _change_status(
        actor, label, "revoked", LIVE_STATUSES, LabelStatus.REVOKED, _reason(reason)
    )


def expire_labels(on: dt.date | None = None) -> list[Label]:
    """Expire every valid or suspended label whose expiry date is before `on` (idempotent)."""
    day = on or today()
    expired = []
    candidates = db.session.scalars(
        select(Label.id).where(Label.status.in_(LIVE_STATUSES), Label.expires_on < day)
    ).all()
    for label_id in candidates:
        label = _lock_label(label_id)
        if label.status not in LIVE_STATUSES or label.expires_on >= day:
            continue  # another process expired (or changed) it meanwhile
        previous = label.status.value
        label.status = LabelStatus.EXPIRED
        label.status_reason = f"Validity ended on {label.expires_on.isoformat()}"
        label.status_changed_at = utcnow()
        close_suspension(label, SuspensionOutcome.EXPIRED)
        record_event(None, label, "expired", previous, label.status_reason)
        expired.append(label)
    return expired


def release_months() -> int:
    """RECERTIFICATION_RELEASE_MONTHS: how recent the newest certified version must be."""
    return int(current_app.config.get("RECERTIFICATION_RELEASE_MONTHS", DEFAULT_RELEASE_MONTHS))


def _norm_due(label: Label, day: dt.date) -> bool:
    version = label.norm_version
    if version.norm.status is NormStatus.WITHDRAWN:
        return True
    return (
        version.status is NormVersionStatus.SUPERSEDED
        and version.transition_date is not None
        and version.transition_date < day
    )


def versions_due_reason(label: Label, on: dt.date | None = None) -> str:
    """Why a valid label's certified versions make it due ("" when they do not, or when its
    scope is empty): none released in the last N months, or all past end of support."""
    if label.status is not LabelStatus.VALID or label.id is None:
        return ""
    versions = db.session.scalars(
        select(SolutionVersion)
        .join(LabelScope, LabelScope.version_id == SolutionVersion.id)
        .where(LabelScope.label_id == label.id)
    ).all()
    if not versions:
        return ""
    day = on or today()
    if all(v.end_of_support_on is not None and v.end_of_support_on <= day for v in versions):
        return ALL_PAST_END_OF_SUPPORT
    months = release_months()
    if max(v.released_on for v in versions) < add_months(day, -months):
        return f"No certified version released in the last {months} months"
    return ""


def recertification_due(label: Label, on: dt.date | None = None) -> bool:
    """Whether a live label's basis has gone: its norm version was superseded and the
    transition date has passed, or its norm was withdrawn (no version left to hold it); or,
    for a valid label, its certified versions are too old or all past end of support."""
    if label.status not in LIVE_STATUSES:
        return False
    return _norm_due(label, on or today()) or bool(versions_due_reason(label, on))


def _versions_due_clause(day: dt.date) -> ColumnElement[bool]:
    """`versions_due_reason` is not empty, as SQL correlated with Label."""
    scope = (
        select(LabelScope.id)
        .join(SolutionVersion, SolutionVersion.id == LabelScope.version_id)
        .where(LabelScope.label_id == Label.id)
    )
    recent = scope.where(SolutionVersion.released_on >= add_months(day, -release_months()))
    supported = scope.where(
        or_(SolutionVersion.end_of_support_on.is_(None), SolutionVersion.end_of_support_on > day)
    )
    return and_(
        Label.status == LabelStatus.VALID,
        exists(scope),
        or_(~exists(recent), ~exists(supported)),
    )


def recertification_due_clause(on: dt.date | None = None) -> ColumnElement[bool]:
    """`recertification_due` as SQL, for a query of Label that joins NormVersion and Norm."""
    day = on or today()
    return or_(
        Norm.status == NormStatus.WITHDRAWN,
        and_(
            NormVersion.status == NormVersionStatus.SUPERSEDED,
            NormVersion.transition_date.is_not(None),
            NormVersion.transition_date < day,
        ),
        _versions_due_clause(day),
    )


def newly_due_by_versions(day: dt.date, since: dt.date) -> list[int]:
    """Solutions with a valid label due by its versions on `day` but not on `since`."""
    return sorted(
        set(
            db.session.scalars(
                select(Label.solution_id).where(
                    _versions_due_clause(day), ~_versions_due_clause(since)
                )
            ).all()
        )
    )


def expire_at_start_up(app: Flask) -> None:
    """Run the expiry job once as the app starts; skip quietly before the tables exist."""
    with app.app_context():
        try:
            # A deferred (read) transaction for the check: starting workers must not queue
            # for SQLite's write lock when, as on most days, nothing has to expire.
            with sqlite_begin("DEFERRED"):
                due = db.session.scalar(
                    select(Label.id)
                    .where(Label.status.in_(LIVE_STATUSES), Label.expires_on < today())
                    .limit(1)
                )
            db.session.rollback()
            if due is None:
                return
            with sqlite_begin("IMMEDIATE"):
                expired = expire_labels()
                db.session.commit()
            if expired:
                app.logger.info("expired %s at start-up", counted(len(expired), "label"))
        except DBAPIError as error:
            # No label table yet (before `flask db upgrade`) or the database is busy: the daily
            # `flask --app app labels expire` will do it.
            db.session.rollback()
            app.logger.debug("label expiry skipped at start-up: %s", error)
        finally:
            db.session.remove()
