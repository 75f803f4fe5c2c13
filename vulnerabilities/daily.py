"""The daily run: label marks once embargoes end, and deadline reminders, each sent once.

Reminders go to the vendor's members and the authority, ``VULN_REMINDER_DAYS`` days before a
case's analysis deadline (while reported or under analysis) and its remediation deadline (while
confirmed), and once the day after a deadline was missed. A `CaseReminder` row per (case,
deadline, days) makes each one go once, however often the job runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import click
from flask import current_app
from sqlalchemy import select

from registry.database import db
from registry.dates import today
from registry.wording import counted
from vulnerabilities.cases import tell
from vulnerabilities.labels import apply_label_effects
from vulnerabilities.models import CaseReminder, CaseStatus, VulnerabilityCase

DEFAULT_REMINDER_DAYS = "7,1"
# days_before of the reminder sent once a deadline has passed.
MISSED = 0
ANALYSIS = "analysis"
REMEDIATION = "remediation"
DEADLINE_TEXT = {ANALYSIS: "analysis", REMEDIATION: "remediation"}


def reminder_days() -> list[int]:
    """How many days before a deadline reminders go (``VULN_REMINDER_DAYS``, e.g. "7,1")."""
    raw = str(current_app.config.get("VULN_REMINDER_DAYS") or DEFAULT_REMINDER_DAYS)
    days = {int(part) for part in raw.split(",") if part.strip().isdigit() and int(part) > 0}
    return sorted(days)


@dataclass(frozen=True)
class Reminder:
    """One reminder sent: which case, which deadline, how many days before (0: missed)."""

    case: VulnerabilityCase
    deadline: str
    days_before: int


def _due(case: VulnerabilityCase) -> tuple[str, dt.date] | None:
    """The deadline that is running for the case now, if any."""
    if case.status in (CaseStatus.REPORTED, CaseStatus.UNDER_ANALYSIS) and case.analysis_due:
        return ANALYSIS, case.analysis_due
    if case.status is CaseStatus.CONFIRMED and case.remediation_due:
        return REMEDIATION, case.remediation_due
    return None


def _which(due: dt.date, day: dt.date, days: list[int]) -> int | None:
    """The reminder due on ``day``: the nearest one whose time has come, or the missed one."""
    if day > due:
        return MISSED
    left = (due - day).days
    reached = [d for d in days if left <= d]
    return min(reached) if reached else None


def _mail(case: VulnerabilityCase, deadline: str, due: dt.date, days_before: int) -> None:
    what = DEADLINE_TEXT[deadline]
    if days_before == MISSED:
        subject = f"Vulnerability case {case.reference}: {what} deadline missed"
        body = (
            f"The {what} deadline of the vulnerability case {case.reference} ({case.title}) "
            f"was {due.isoformat()} and has passed."
        )
        if deadline == REMEDIATION:
            body += (
                " The labels certifying an affected version are now on the authority's list "
                "to suspend."
            )
    else:
        subject = f"Vulnerability case {case.reference}: {what} due on {due.isoformat()}"
        body = (
            f"The {what} deadline of the vulnerability case {case.reference} ({case.title}) "
            f"is {due.isoformat()}, in {counted((due - today()).days, 'day')}."
        )
    tell(case, subject, body)


def send_reminders(on: dt.date | None = None) -> list[Reminder]:
    """Send the deadline reminders due ``on`` (today) that were not sent yet; return them."""
    day = on or today()
    days = reminder_days()
    cases = db.session.scalars(
        select(VulnerabilityCase)
        .where(
            VulnerabilityCase.status.in_(
                (CaseStatus.REPORTED, CaseStatus.UNDER_ANALYSIS, CaseStatus.CONFIRMED)
            )
        )
        .order_by(VulnerabilityCase.id)
    ).all()
    sent_before = {
        (case_id, deadline, days_before)
        for case_id, deadline, days_before in db.session.execute(
            select(CaseReminder.case_id, CaseReminder.deadline, CaseReminder.days_before).where(
                CaseReminder.case_id.in_([case.id for case in cases])
            )
        )
    }
    sent = []
    for case in cases:
        running = _due(case)
        if running is None:
            continue
        deadline, due = running
        days_before = _which(due, day, days)
        if days_before is None or (case.id, deadline, days_before) in sent_before:
            continue
        db.session.add(CaseReminder(case_id=case.id, deadline=deadline, days_before=days_before))
        _mail(case, deadline, due, days_before)
        sent.append(Reminder(case, deadline, days_before))
    db.session.flush()
    return sent


@click.command("daily")
def daily_command() -> None:
    """Mark the labels of cases whose embargo ended and send the deadline reminders, each once
    (run daily; idempotent)."""
    marked = apply_label_effects()
    reminders = send_reminders()
    db.session.commit()
    click.echo(f"{counted(len(marked), 'case')} marked their labels.")
    for case in marked:
        click.echo(f"  {case.reference}: labels marked under remediation")
    click.echo(f"{counted(len(reminders), 'reminder')} sent.")
    for reminder in reminders:
        when = (
            "missed"
            if reminder.days_before == MISSED
            else f"{counted(reminder.days_before, 'day')} before"
        )
        click.echo(f"  {reminder.case.reference}: {reminder.deadline} deadline, {when}")
