"""Surveillance of valid labels: programmes, activities and their steps.

Each step checks the actor's role, writes an audit entry, a line in the label's public history
(a "surveillance" label event whose reason says only the kind, the date and the outcome) and
mails the people concerned. Internal notes (the vendor's statement, the evaluator's report, a
complaint's reason) stay on the activity, for the authority and the people who wrote them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from evaluations.bodies.checks import evaluator_problem
from evaluations.labels.events import record_event
from evaluations.labels.status_changes import LIVE_STATUSES
from evaluations.models import Label
from evaluations.services.transitions import authority_staff
from evaluations.surveillance.models import (
    ActivityKind,
    ActivityResult,
    ActivityStatus,
    SurveillanceActivity,
    SurveillanceProgramme,
)
from registry import audit
from registry.access import require_role
from registry.database import db, utcnow
from registry.dates import today
from registry.exceptions import NotVisible, RuleViolation
from registry.mail import send_mail
from registry.models import Organisation, OrganisationKind, OrganisationStatus, Role, User
from registry.norms.models import Norm
from registry.public_address import public_url

NOTES_MAX = 4000
REFERENCE_MAX = 40
MAX_INTERVAL_MONTHS = 60
MAX_DAYS = 365
OPEN_STATUSES = (ActivityStatus.OPEN, ActivityStatus.OVERDUE)
STATUS_TEXT = {
    ActivityStatus.OPEN: "Open",
    ActivityStatus.DONE: "Done",
    ActivityStatus.OVERDUE: "Overdue",
}


@dataclass(frozen=True)
class Programme:
    """A norm's surveillance programme in force (its own, or the defaults)."""

    attestation_enabled: bool
    attestation_interval_months: int
    retest_percent: int
    days_to_complete: int
    own: bool


def default_programme() -> Programme:
    """The programme of a norm the authority has not set one for (``SURVEILLANCE_*``)."""
    config = current_app.config
    return Programme(
        attestation_enabled=bool(config["SURVEILLANCE_ATTESTATION"]),
        attestation_interval_months=int(config["SURVEILLANCE_ATTESTATION_MONTHS"]),
        retest_percent=int(config["SURVEILLANCE_RETEST_PERCENT"]),
        days_to_complete=int(config["SURVEILLANCE_DAYS"]),
        own=False,
    )


def programme_of(norm_id: int) -> Programme:
    """The programme in force for a norm's labels."""
    row = db.session.scalar(
        select(SurveillanceProgramme).where(SurveillanceProgramme.norm_id == norm_id)
    )
    if row is None:
        return default_programme()
    return Programme(
        attestation_enabled=row.attestation_enabled,
        attestation_interval_months=row.attestation_interval_months,
        retest_percent=row.retest_percent,
        days_to_complete=row.days_to_complete,
        own=True,
    )


def set_programme(
    actor: User | None,
    norm: Norm,
    *,
    attestation_enabled: bool,
    interval_months: int | None,
    retest_percent: int | None,
    days_to_complete: int | None,
) -> SurveillanceProgramme:
    """The authority sets a norm's programme (checked: interval 1–60 months, share 0–100 %,
    1–365 days)."""
    actor = require_role(actor, Role.AUTHORITY)
    if interval_months is None or not 1 <= interval_months <= MAX_INTERVAL_MONTHS:
        raise RuleViolation(
            f"The attestation interval is 1 to {MAX_INTERVAL_MONTHS} months.", "interval_months"
        )
    if retest_percent is None or not 0 <= retest_percent <= 100:
        raise RuleViolation("The share re-tested is 0 to 100 percent.", "retest_percent")
    if days_to_complete is None or not 1 <= days_to_complete <= MAX_DAYS:
        raise RuleViolation(f"The days allowed are 1 to {MAX_DAYS}.", "days_to_complete")
    row = db.session.scalar(
        select(SurveillanceProgramme).where(SurveillanceProgramme.norm_id == norm.id)
    )
    if row is None:
        row = SurveillanceProgramme(norm_id=norm.id)
        db.session.add(row)
    row.attestation_enabled = attestation_enabled
    row.attestation_interval_months = interval_months
    row.retest_percent = retest_percent
    row.days_to_complete = days_to_complete
    row.updated_at = utcnow()
    row.updated_by_id = actor.id
    db.session.flush()
    audit.record(
        actor,
        "surveillance.programme",
        row,
        summary=(
            f"Surveillance programme of {norm.code}: attestation "
            f"{'every ' + str(interval_months) + ' months' if attestation_enabled else 'off'}, "
            f"{retest_percent}% re-tested a year, {days_to_complete} days to complete"
        ),
        data={
            "norm": norm.code,
            "attestation_enabled": attestation_enabled,
            "interval_months": interval_months,
            "retest_percent": retest_percent,
            "days_to_complete": days_to_complete,
        },
    )
    return row


# --- who sees what ------------------------------------------------------------------------


def can_see(user: User | None, activity: SurveillanceActivity) -> bool:
    """The authority, the label's vendor and the assigned evaluator see an activity."""
    if user is None:
        return False
    if user.role is Role.AUTHORITY:
        return True
    if user.role is Role.VENDOR:
        return user.organisation_id == activity.label.vendor_id
    if user.role is Role.EVALUATOR:
        return activity.evaluator_id == user.id
    return False


def visible_activity(user: User | None, activity_id: int) -> SurveillanceActivity:
    """The activity for someone who may see it; anyone else finds nothing (404)."""
    activity = db.session.get(SurveillanceActivity, activity_id)
    if activity is None or not can_see(user, activity):
        raise NotVisible()
    return activity


# --- mail and history ---------------------------------------------------------------------


def activity_url(activity: SurveillanceActivity) -> str:
    """The activity's page for the people who work on it."""
    return public_url(f"/surveillance/activities/{activity.id}")


def _vendor_members(label: Label) -> list[User]:
    vendor = db.session.get(Organisation, label.vendor_id)
    return [u for u in (vendor.users if vendor else []) if u.is_active]


def _mail(people: list[User], activity: SurveillanceActivity, subject: str, body: str) -> None:
    link = activity_url(activity)
    seen: set[int] = set()
    for user in people:
        if user.id in seen:
            continue
        seen.add(user.id)
        send_mail(user.email, subject, f"Hello {user.full_name},\n\n{body}\n\n{link}")


def _history(
    actor: User | None, activity: SurveillanceActivity, public_text: str, summary: str
) -> None:
    """The label's public history line and the (internal) audit entry of one step."""
    label = activity.label
    record_event(actor, label, "surveillance", label.status.value, public_text)
    audit.record(
        actor,
        "surveillance.activity",
        activity,
        summary=summary[:2000],
        data={
            "label": label.number,
            "kind": activity.kind.value,
            "status": activity.status.value,
            "result": activity.result.value if activity.result else None,
            "due_on": activity.due_on.isoformat(),
        },
        organisation_id=label.vendor_id,
    )


def _kind_text(activity: SurveillanceActivity) -> str:
    return activity.kind.label


def _new_activity(
    actor: User | None,
    label: Label,
    kind: ActivityKind,
    cycle: int | None,
    due: dt.date,
    **fields: object,
) -> SurveillanceActivity:
    activity = SurveillanceActivity(
        label_id=label.id,
        kind=kind,
        cycle=cycle,
        status=ActivityStatus.OPEN,
        due_on=due,
        opened_at=utcnow(),
        opened_by_id=actor.id if actor is not None else None,
        **fields,
    )
    db.session.add(activity)
    db.session.flush()
    activity.label = label
    return activity


def days_allowed(label: Label) -> int:
    """The days the label's norm gives to complete an activity."""
    return programme_of(label.norm_version.norm_id).days_to_complete


# --- attestations -------------------------------------------------------------------------


def open_attestation(label: Label, cycle: int, due: dt.date) -> SurveillanceActivity:
    """The daily job asks the vendor for the attestation of ``cycle`` (once per cycle)."""
    activity = _new_activity(None, label, ActivityKind.ATTESTATION, cycle, due)
    _history(
        None,
        activity,
        f"Surveillance: annual attestation requested, due {due.isoformat()}.",
        f"Attestation {cycle} of label {label.number} requested, due {due.isoformat()}",
    )
    _mail(
        _vendor_members(label),
        activity,
        f"Label {label.number}: attestation due by {due.isoformat()}",
        f"The surveillance of label {label.number} asks you to attest, by {due.isoformat()}, "
        "that nothing relevant to its certification has changed since it was certified, or to "
        "declare what changed (a change then goes through a maintenance request).",
    )
    return activity


def attest(
    actor: User | None, activity: SurveillanceActivity, *, changed: bool, statement: str
) -> SurveillanceActivity:
    """The label's vendor attests that nothing changed, or declares what changed."""
    actor = require_role(actor, Role.VENDOR)
    if actor.organisation_id != activity.label.vendor_id:
        raise NotVisible()
    if activity.kind is not ActivityKind.ATTESTATION:
        raise RuleViolation("Only an attestation is answered by the vendor.")
    _require_open(activity)
    statement = statement.strip()
    if changed and not statement:
        raise RuleViolation("Say what changed since the certification.", "statement")
    if len(statement) > NOTES_MAX:
        raise RuleViolation(f"At most {NOTES_MAX} characters.", "statement")
    _complete(actor, activity, ActivityResult.CONFORMING, statement)
    activity.changes_declared = changed
    outcome = "changes declared" if changed else "no relevant change"
    _history(
        actor,
        activity,
        f"Surveillance: annual attestation received ({outcome}).",
        f"Attestation of label {activity.label.number} by {actor.email}: {outcome}",
    )
    body = f"The vendor attested for label {activity.label.number}: {outcome}." + (
        " The changes go through a maintenance request the vendor declares on the label."
        if changed
        else ""
    )
    _mail(
        authority_staff() + _vendor_members(activity.label),
        activity,
        f"Label {activity.label.number}: attestation received",
        body,
    )
    return activity


# --- re-tests -----------------------------------------------------------------------------


def open_retest(label: Label, year: int, due: dt.date) -> SurveillanceActivity:
    """A label drawn for the year's re-test (the authority assigns an evaluator next)."""
    activity = _new_activity(None, label, ActivityKind.RETEST, year, due)
    _history(
        None,
        activity,
        f"Surveillance: drawn for the {year} sampled re-test.",
        f"Label {label.number} drawn for the {year} re-test, due {due.isoformat()}",
    )
    _mail(
        authority_staff() + _vendor_members(label),
        activity,
        f"Label {label.number}: drawn for a re-test",
        f"Label {label.number} is in the {year} re-test sample of its norm. The authority "
        f"assigns an evaluator; the re-test is due by {due.isoformat()}.",
    )
    return activity


def eligible_evaluator(user: User | None) -> bool:
    """An active member of an active evaluation body."""
    return (
        user is not None
        and user.is_active
        and user.organisation is not None
        and user.organisation.kind is OrganisationKind.EVALUATION_BODY
        and user.organisation.status is OrganisationStatus.ACTIVE
    )


def evaluators() -> list[User]:
    """The people a re-test can be assigned to."""
    people = db.session.scalars(
        select(User)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(
            Organisation.kind == OrganisationKind.EVALUATION_BODY,
            Organisation.status == OrganisationStatus.ACTIVE,
            User.is_active.is_(True),
        )
        .order_by(Organisation.name, User.email)
    ).all()
    return list(people)


def assign_retest(
    actor: User | None, activity: SurveillanceActivity, evaluator: User | None
) -> SurveillanceActivity:
    """The authority assigns the re-test to an evaluator; the days allowed start again."""
    actor = require_role(actor, Role.AUTHORITY)
    if activity.kind is not ActivityKind.RETEST:
        raise RuleViolation("Only a re-test is assigned to an evaluator.")
    _require_open(activity)
    if evaluator is None or not eligible_evaluator(evaluator):
        raise RuleViolation("Choose an active member of an active evaluation body.", "evaluator")
    # A re-test is an evaluation: the same register and impartiality gates as an assignment.
    day = today()
    problem = evaluator_problem(
        evaluator, activity.label.norm_version.norm, activity.label.vendor, day
    )
    if problem:
        raise RuleViolation(problem, "evaluator")
    previous = activity.evaluator
    activity.evaluator_id = evaluator.id
    activity.evaluator = evaluator
    activity.assigned_at = utcnow()
    activity.due_on = today() + dt.timedelta(days=days_allowed(activity.label))
    activity.status = ActivityStatus.OPEN
    _history(
        actor,
        activity,
        f"Surveillance: re-test assigned to an evaluation body, due {activity.due_on}.",
        f"Re-test of label {activity.label.number} assigned to {evaluator.email} by "
        f"{actor.email}, due {activity.due_on}",
    )
    people = [evaluator] + ([previous] if previous is not None else [])
    _mail(
        people + authority_staff(),
        activity,
        f"Label {activity.label.number}: re-test assigned",
        f"The surveillance re-test of label {activity.label.number} is assigned to "
        f"{evaluator.full_name}; the result is due by {activity.due_on.isoformat()}.",
    )
    return activity


def record_retest(
    actor: User | None, activity: SurveillanceActivity, *, passed: bool | None, report: str
) -> SurveillanceActivity:
    """The assigned evaluator records the re-test's result (pass or fail) with a report."""
    actor = require_role(actor, Role.EVALUATOR)
    if activity.kind is not ActivityKind.RETEST or activity.evaluator_id != actor.id:
        raise NotVisible()
    _require_open(activity)
    if passed is None:
        raise RuleViolation("Say whether the re-test passed.", "passed")
    report = report.strip()
    if not report:
        raise RuleViolation("Write the re-test report.", "report")
    if len(report) > NOTES_MAX:
        raise RuleViolation(f"At most {NOTES_MAX} characters.", "report")
    result = ActivityResult.CONFORMING if passed else ActivityResult.NONCONFORMING
    _complete(actor, activity, result, report)
    _history(
        actor,
        activity,
        f"Surveillance: sampled re-test {'passed' if passed else 'failed'} ({result.value}).",
        f"Re-test of label {activity.label.number} by {actor.email}: {result.value}",
    )
    _mail(
        authority_staff() + _vendor_members(activity.label),
        activity,
        f"Label {activity.label.number}: re-test {'passed' if passed else 'failed'}",
        f"The surveillance re-test of label {activity.label.number} is {result.value}."
        + (
            ""
            if passed
            else " The label is on the authority's list of labels to suspend until it decides."
        ),
    )
    return activity


# --- complaint reviews --------------------------------------------------------------------


def open_complaint_review(
    actor: User | None, label: Label, reason: str, reference: str
) -> SurveillanceActivity:
    """Open a review of a live label because of a complaint (the authority; the complaints
    package calls this). ``reason`` stays internal; ``reference`` names the complaint."""
    actor = require_role(actor, Role.AUTHORITY)
    if label.status not in LIVE_STATUSES:
        raise RuleViolation(
            f"Label {label.number} is {label.status.value}: there is nothing to review."
        )
    reason, reference = reason.strip(), reference.strip()
    if not reason:
        raise RuleViolation("Give the reason for the review.", "reason")
    if len(reason) > NOTES_MAX:
        raise RuleViolation(f"At most {NOTES_MAX} characters.", "reason")
    if not reference or len(reference) > REFERENCE_MAX:
        raise RuleViolation(
            f"Give the complaint's reference (at most {REFERENCE_MAX} characters).", "reference"
        )
    due = today() + dt.timedelta(days=days_allowed(label))
    activity = _new_activity(
        actor, label, ActivityKind.COMPLAINT_REVIEW, None, due, reason=reason, reference=reference
    )
    _history(
        actor,
        activity,
        f"Surveillance: review opened after a complaint, due {due.isoformat()}.",
        f"Complaint review of label {label.number} opened by {actor.email} ({reference})",
    )
    _mail(
        authority_staff() + _vendor_members(label),
        activity,
        f"Label {label.number}: review opened after a complaint",
        f"The authority opened a review of label {label.number} after the complaint "
        f"{reference}. It is due by {due.isoformat()}.",
    )
    return activity


def conclude_review(
    actor: User | None, activity: SurveillanceActivity, *, conforming: bool | None, notes: str
) -> SurveillanceActivity:
    """The authority records a complaint review's result with its notes."""
    actor = require_role(actor, Role.AUTHORITY)
    if activity.kind is not ActivityKind.COMPLAINT_REVIEW:
        raise RuleViolation("Only a complaint review is concluded by the authority.")
    _require_open(activity)
    if conforming is None:
        raise RuleViolation("Choose the result.", "result")
    notes = notes.strip()
    if not notes:
        raise RuleViolation("Write what the review found.", "notes")
    if len(notes) > NOTES_MAX:
        raise RuleViolation(f"At most {NOTES_MAX} characters.", "notes")
    result = ActivityResult.CONFORMING if conforming else ActivityResult.NONCONFORMING
    _complete(actor, activity, result, notes)
    _history(
        actor,
        activity,
        f"Surveillance: complaint review concluded ({result.value}).",
        f"Complaint review of label {activity.label.number} ({activity.reference}) by "
        f"{actor.email}: {result.value}",
    )
    _mail(
        authority_staff() + _vendor_members(activity.label),
        activity,
        f"Label {activity.label.number}: complaint review concluded",
        f"The review of label {activity.label.number} after the complaint "
        f"{activity.reference} is concluded: {result.value}.",
    )
    return activity


# --- common -------------------------------------------------------------------------------


def _require_open(activity: SurveillanceActivity) -> None:
    if activity.status not in OPEN_STATUSES:
        raise RuleViolation("This activity is already done.")
    if activity.label.status not in LIVE_STATUSES:
        raise RuleViolation(f"Label {activity.label.number} is {activity.label.status.value}.")


def _complete(
    actor: User, activity: SurveillanceActivity, result: ActivityResult, notes: str
) -> None:
    activity.status = ActivityStatus.DONE
    activity.result = result
    activity.notes = notes
    activity.completed_at = utcnow()
    activity.completed_by_id = actor.id


def mark_overdue(activity: SurveillanceActivity) -> None:
    """An open activity past its due date: overdue, told to whoever must act and the
    authority (the label joins the list of labels to suspend)."""
    activity.status = ActivityStatus.OVERDUE
    activity.overdue_at = utcnow()
    label = activity.label
    _history(
        None,
        activity,
        f"Surveillance: {_kind_text(activity).lower()} overdue (due {activity.due_on}).",
        f"{_kind_text(activity)} of label {label.number} overdue (due {activity.due_on})",
    )
    people = list(authority_staff())
    if activity.kind is ActivityKind.ATTESTATION:
        people += _vendor_members(label)
    if activity.evaluator is not None:
        people.append(activity.evaluator)
    _mail(
        people,
        activity,
        f"Label {label.number}: {_kind_text(activity).lower()} overdue",
        f"The {_kind_text(activity).lower()} of label {label.number} was due on "
        f"{activity.due_on.isoformat()} and is not done. The label is on the authority's "
        "list of labels to suspend until it is.",
    )
