"""A label's status follows its basis: the vendor, the norm and the solution it was issued for.

The rules (README "Labels", docs/DESIGN.md "Label"):

- Vendor organisation suspended: each of its valid labels is suspended through
  `suspend_label`, reason "Vendor organisation suspended: <reason>". Reactivating the
  organisation reinstates nothing by itself: the authority reinstates each label
  (`labels_suspended_with_vendor` lists them).
- Norm withdrawn: its labels keep their status until their expiry date, but are due for
  re-certification at once (no version of the norm is left to renew them under), so they no
  longer make a solution eligible for a joint call.
- Norm version superseded: its labels are due for re-certification after the transition date.
- Certified versions: a valid label whose scope has no version released in the last
  RECERTIFICATION_RELEASE_MONTHS months, or whose versions are all past end of support, is due
  too (evaluations.labels.status_changes.versions_due_reason); an empty scope never is.
- Solution archived: its labels stay as certified; pages say the vendor no longer offers it.

The registry announces suspensions and withdrawals (registry.events); `register(app)`
subscribes, and the reactions run in the announcing transaction, so each label change and its
audit entry commit with their cause.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from sqlalchemy import select

from catalog.lists.watch import notify_label_event, site_path
from catalog.models import SolutionStatus
from catalog.search.index import enqueue_solution_change
from evaluations.labels.certified import certified_facts
from evaluations.labels.status_changes import (
    LIVE_STATUSES,
    MAX_REASON_LENGTH,
    newly_due_by_versions,
    recertification_due,
    suspend_label,
    versions_due_reason,
)
from evaluations.models import Label, LabelStatus
from registry import audit, events
from registry.database import db
from registry.dates import today
from registry.models import AuditEntry, Organisation, OrganisationStatus, User
from registry.norms.models import Norm, NormStatus, NormVersion, NormVersionStatus

VENDOR_SUSPENDED = "Vendor organisation suspended: "
# The daily job looks this far back for transition dates that passed, so a missed run or two
# still brings the catalog's "re-certification due" up to date.
CATCH_UP_DAYS = 7
NO_LONGER_OFFERED = "The vendor no longer offers this solution."


def suspend_labels_of_vendor(actor: User | None, organisation: Organisation, reason: str) -> None:
    """Suspend every valid label of a suspended vendor, naming the organisation's suspension."""
    text = f"{VENDOR_SUSPENDED}{reason.strip()}"[:MAX_REASON_LENGTH]
    for label in db.session.scalars(
        select(Label)
        .where(Label.vendor_id == organisation.id, Label.status == LabelStatus.VALID)
        .order_by(Label.id)
    ).all():
        suspend_label(actor, label, text)


def labels_suspended_with_vendor(organisation_id: int) -> list[Label]:
    """The vendor's labels still suspended because the organisation was, oldest first."""
    return list(
        db.session.scalars(
            select(Label)
            .where(
                Label.vendor_id == organisation_id,
                Label.status == LabelStatus.SUSPENDED,
                Label.status_reason.startswith(VENDOR_SUSPENDED, autoescape=True),
            )
            .order_by(Label.id)
        )
    )


def _log_solutions_of_norm(norm: Norm, reason: str) -> None:
    """The catalog shows "re-certification due": log each solution holding a live label."""
    solution_ids = db.session.scalars(
        select(Label.solution_id)
        .join(NormVersion, NormVersion.id == Label.norm_version_id)
        .where(NormVersion.norm_id == norm.id, Label.status.in_(LIVE_STATUSES))
        .distinct()
    ).all()
    for solution_id in sorted(solution_ids):
        enqueue_solution_change(solution_id, reason)


def log_newly_due(on: dt.date | None = None) -> int:
    """Log for the search index each solution whose label became due for re-certification in
    the last CATCH_UP_DAYS days (a transition date passed, its newest certified version grew
    too old, its last one reached end of support); returns how many (daily job)."""
    day = on or today()
    by_norm = db.session.scalars(
        select(Label.solution_id)
        .join(NormVersion, NormVersion.id == Label.norm_version_id)
        .where(
            Label.status.in_(LIVE_STATUSES),
            NormVersion.status == NormVersionStatus.SUPERSEDED,
            NormVersion.transition_date < day,
            NormVersion.transition_date >= day - dt.timedelta(days=CATCH_UP_DAYS),
        )
        .distinct()
    ).all()
    by_versions = newly_due_by_versions(day, day - dt.timedelta(days=CATCH_UP_DAYS + 1))
    solution_ids = sorted({*by_norm, *by_versions})
    for solution_id in solution_ids:
        enqueue_solution_change(solution_id, "label.recertification_due")
    return len(solution_ids)


RECERTIFICATION_NOTICE = "label.recertification_due"


def notify_due_by_versions(on: dt.date | None = None) -> list[Label]:
    """Tell the followers of each valid label that became due by its certified versions in the
    last CATCH_UP_DAYS days, once a label (an audit entry records each notice; daily job)."""
    day = on or today()
    solution_ids = newly_due_by_versions(day, day - dt.timedelta(days=CATCH_UP_DAYS + 1))
    if not solution_ids:
        return []
    told = set(
        db.session.scalars(
            select(AuditEntry.object_id).where(AuditEntry.action == RECERTIFICATION_NOTICE)
        )
    )
    noticed = []
    labels = db.session.scalars(
        select(Label)
        .where(Label.solution_id.in_(solution_ids), Label.status == LabelStatus.VALID)
        .order_by(Label.id)
    )
    for label in labels:
        reason = versions_due_reason(label, day)
        if not reason or str(label.id) in told:
            continue
        version = label.norm_version
        notify_label_event(
            number=label.number,
            action="recertification_due",
            solution_id=label.solution_id,
            solution_name=certified_facts(label)["name"],
            vendor_id=label.vendor_id,
            norm_id=version.norm_id,
            norm_label=version.label,
            level=label.level,
            reason=reason,
            link=site_path("labels.label_page", number=label.number),
        )
        audit.record(
            None,
            RECERTIFICATION_NOTICE,
            label,
            summary=f"Label {label.number} due for re-certification: {reason}",
            data={"reason": reason},
            organisation_id=label.vendor_id,
        )
        noticed.append(label)
    return noticed


def basis_notice(label: Label, on: dt.date | None = None) -> str:
    """Why the label is due for re-certification, in words ("" when it is not)."""
    if not recertification_due(label, on):
        return ""
    versions = versions_due_reason(label, on)
    norm = _norm_notice(label, on)
    if versions:
        versions += ": the label stays in force until its expiry date, but re-certification is due."
    return " ".join(text for text in (norm, versions) if text)


def _norm_notice(label: Label, on: dt.date | None) -> str:
    version = label.norm_version
    norm = version.norm
    if norm.status is NormStatus.WITHDRAWN:
        when = f" on {norm.withdrawn_at:%Y-%m-%d}" if norm.withdrawn_at else ""
        why = f": {norm.withdrawal_reason}" if norm.withdrawal_reason else ""
        return (
            f"{norm.code} was withdrawn{when}{why}. The label stays in force until its expiry "
            "date but cannot be renewed under this norm: re-certification is due."
        )
    if version.status is not NormVersionStatus.SUPERSEDED or version.transition_date is None:
        return ""
    if version.transition_date >= (on or today()):
        return ""
    successor = version.superseded_by
    replaced = f" by version {successor.number}" if successor is not None else ""
    return (
        f"{version.label} was superseded{replaced} and its transition date "
        f"({version.transition_date}) has passed: re-certification is due."
    )


def solution_offered(label: Label) -> bool:
    """Whether the vendor still offers the labelled solution (published by an active vendor)."""
    solution = label.solution
    return (
        solution.status is SolutionStatus.PUBLISHED
        and solution.vendor.status is OrganisationStatus.ACTIVE
    )


def _on_organisation_suspended(actor: User, organisation: Organisation, reason: str) -> None:
    suspend_labels_of_vendor(actor, organisation, reason)


def _on_norm_withdrawn(norm: Norm, **_: Any) -> None:
    _log_solutions_of_norm(norm, "norm.withdrawn")


def register(app: Flask) -> None:
    """Make labels follow their vendor's suspension and their norm's withdrawal."""
    events.subscribe(app, "organisation.suspended", _on_organisation_suspended)
    events.subscribe(app, "norm.withdrawn", _on_norm_withdrawn)
