"""A complaint or an appeal from its receipt to its outcome.

received → acknowledged → under handling (a handler is assigned) → decided (upheld, partly
upheld or dismissed, with reasons and effects); withdrawn at any open step. Anyone files a
complaint (no account needed: a contact address and a secret token follow the case); a vendor
appeals a decision, a suspension or a revocation of its own within APPEAL_DAYS. The handler is
an authority officer who took no part in what is contested (`independence.involved_users`).
Every step writes a case event and an audit entry, and tells the party by mail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from complaints import effects
from complaints.independence import involved_users
from complaints.models import (
    CONTACT_MAX,
    CaseKind,
    CaseStatus,
    ComplaintCase,
    ComplaintCounter,
    ComplaintEvent,
    Outcome,
    Subject,
)
from evaluations.models import (
    Evaluation,
    EvaluationStatus,
    Label,
    LabelEvent,
    LabelStatus,
)
from evaluations.services.transitions import authority_staff
from registry import audit
from registry.access import require_role
from registry.database import db, utcnow
from registry.dates import today
from registry.exceptions import NotVisible, RuleViolation
from registry.mail import send_mail
from registry.models import OrganisationKind, Role, User
from registry.public_address import public_url
from registry.text import clean_name, clean_text

COMPLAINT_SUBJECTS = (Subject.LABEL_HOLDER, Subject.MARK_USE, Subject.AUTHORITY)
LABEL_SUBJECTS = (Subject.LABEL_HOLDER, Subject.MARK_USE)
OPEN = (CaseStatus.RECEIVED, CaseStatus.ACKNOWLEDGED, CaseStatus.UNDER_HANDLING)
PREFIX = {CaseKind.COMPLAINT: "CMP", CaseKind.APPEAL: "APL"}
DESCRIPTION_MIN = 10
DESCRIPTION_MAX = 10_000
REASONS_MAX = 10_000
NAME_MAX = 200


# --- settings -----------------------------------------------------------------------------


def acknowledge_days() -> int:
    """Days to acknowledge a case from its receipt (COMPLAINT_ACK_DAYS)."""
    return int(current_app.config["COMPLAINT_ACK_DAYS"])


def decision_days() -> int:
    """Days to decide a case from its receipt (COMPLAINT_DECISION_DAYS)."""
    return int(current_app.config["COMPLAINT_DECISION_DAYS"])


def appeal_days() -> int:
    """Days a vendor has to appeal from the contested decision (APPEAL_DAYS)."""
    return int(current_app.config["APPEAL_DAYS"])


# --- references and tokens ----------------------------------------------------------------


def next_reference(kind: CaseKind, year: int) -> str:
    """The next reference of ``kind`` in ``year`` (CMP-2026-00001), from a counter row.

    The row is incremented with UPDATE … RETURNING inside the current transaction: concurrent
    filers queue on its lock and a rolled-back filing gives its number back.
    """
    bind = db.session.get_bind()
    insert = postgresql_insert if bind.dialect.name == "postgresql" else sqlite_insert
    db.session.execute(
        insert(ComplaintCounter)
        .values(kind=kind.value, year=year, last_value=0)
        .on_conflict_do_nothing()
    )
    value = db.session.execute(
        update(ComplaintCounter)
        .where(ComplaintCounter.kind == kind.value, ComplaintCounter.year == year)
        .values(last_value=ComplaintCounter.last_value + 1)
        .returning(ComplaintCounter.last_value)
    ).scalar_one()
    return f"{PREFIX[kind]}-{year:04d}-{int(value):05d}"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# --- reading ------------------------------------------------------------------------------


def is_overdue(case: ComplaintCase, on: dt.date | None = None) -> str:
    """The deadline an open case has missed ("acknowledgement", "decision"), or ""."""
    day = on or today()
    if case.status not in OPEN:
        return ""
    if case.decision_due < day:
        return "decision"
    if case.status is CaseStatus.RECEIVED and case.acknowledge_due < day:
        return "acknowledgement"
    return ""


def can_see(user: User | None, case: ComplaintCase) -> bool:
    """The authority; the filer; for an appeal, the appellant vendor's members."""
    if user is None:
        return False
    if user.role is Role.AUTHORITY:
        return True
    if case.filed_by_id == user.id:
        return True
    return (
        case.kind is CaseKind.APPEAL
        and user.role is Role.VENDOR
        and user.organisation_id == case.vendor_id
    )


def get_case(user: User | None, reference: str) -> ComplaintCase:
    """The case by reference if ``user`` may see it, else NotVisible."""
    case = db.session.scalar(select(ComplaintCase).where(ComplaintCase.reference == reference))
    if case is None or not can_see(user, case):
        raise NotVisible()
    return case


def tracked_case(reference: str, token: str) -> ComplaintCase | None:
    """The case the reference and the acknowledgement's secret token name, or None."""
    case = db.session.scalar(
        select(ComplaintCase).where(ComplaintCase.reference == reference.strip().upper())
    )
    if case is None or not token:
        return None
    if not hmac.compare_digest(case.token_hash, _token_hash(token.strip())):
        return None
    return case


def find_label(number: str) -> Label | None:
    """A label by its number (any status: a revoked label's mark can still be misused)."""
    text = (number or "").strip().upper()
    if not text:
        return None
    return db.session.scalar(select(Label).where(Label.number == text))


# --- history, audit, mail ------------------------------------------------------------------


def _event(actor: User | None, case: ComplaintCase, action: str, note: str = "") -> ComplaintEvent:
    event = ComplaintEvent(action=action, to_status=case.status.value, note=note, actor=actor)
    case.events.append(event)
    audit.record(
        actor,
        f"complaint.{action}",
        case,
        summary=f"{case.kind.value.capitalize()} {case.reference}: {action}"[:2000],
        data={"reference": case.reference, "status": case.status.value, "note": note[:500]},
        organisation_id=case.vendor_id,
    )
    return event


def case_url(case: ComplaintCase) -> str:
    """The case's page for those who manage it."""
    return public_url(f"/complaints/{case.reference}")


def track_url(case: ComplaintCase, token: str) -> str:
    """Where the filer follows the case without an account."""
    return public_url(f"/complaints/track?reference={case.reference}&token={token}")


def _party_addresses(case: ComplaintCase) -> list[tuple[str, str]]:
    """(name, address) of the party: the filer's account or contact, the appellant's members."""
    people: dict[str, str] = {}
    if case.filed_by is not None and case.filed_by.is_active:
        people[case.filed_by.email] = case.filed_by.full_name
    elif case.contact_email:
        people[case.contact_email] = case.contact_name or "there"
    if case.kind is CaseKind.APPEAL and case.vendor is not None:
        for member in case.vendor.users:
            if member.is_active:
                people.setdefault(member.email, member.full_name)
    return [(name, email) for email, name in people.items()]


def tell_party(case: ComplaintCase, subject: str, body: str, link: str = "") -> None:
    """Mail the party (for an anonymous filer, the contact address given)."""
    for name, email in _party_addresses(case):
        text = f"Hello {name},\n\n{body}"
        if link:
            text += f"\n\n{link}"
        send_mail(email, subject, text)


def _tell_authority(case: ComplaintCase, subject: str, body: str) -> None:
    link = case_url(case)
    for user in authority_staff():
        send_mail(user.email, subject, f"Hello {user.full_name},\n\n{body}\n\n{link}")


# --- filing -------------------------------------------------------------------------------


def _description(text: str | None) -> str:
    value = clean_text(text, multiline=True).strip()
    if len(value) < DESCRIPTION_MIN:
        raise RuleViolation(
            f"Describe the matter in at least {DESCRIPTION_MIN} characters.", "description"
        )
    if len(value) > DESCRIPTION_MAX:
        raise RuleViolation(
            f"The description must be at most {DESCRIPTION_MAX} characters.", "description"
        )
    return value


def _new_case(
    actor: User | None,
    kind: CaseKind,
    subject: Subject,
    description: str,
    *,
    label: Label | None = None,
    label_event: LabelEvent | None = None,
    evaluation: Evaluation | None = None,
    vendor_id: int | None = None,
    contact_name: str = "",
    contact_email: str = "",
) -> tuple[ComplaintCase, str]:
    day = today()
    token = secrets.token_urlsafe(18)
    case = ComplaintCase(
        reference=next_reference(kind, day.year),
        kind=kind,
        subject=subject,
        status=CaseStatus.RECEIVED,
        status_changed_at=utcnow(),
        label=label,
        label_event=label_event,
        evaluation=evaluation,
        vendor_id=vendor_id,
        filed_by=actor,
        contact_name=contact_name,
        contact_email=contact_email,
        description=description,
        token_hash=_token_hash(token),
        acknowledge_due=day + dt.timedelta(days=acknowledge_days()),
        decision_due=day + dt.timedelta(days=decision_days()),
    )
    db.session.add(case)
    db.session.flush()
    _event(actor, case, "received", subject.text)
    what = "complaint" if kind is CaseKind.COMPLAINT else "appeal"
    tell_party(
        case,
        f"Your {what} {case.reference} was received",
        f"We received your {what} and filed it as {case.reference} ({subject.text.lower()}). "
        f"We acknowledge it by {case.acknowledge_due} and decide by {case.decision_due}.\n\n"
        "Follow it, without an account, with this reference and this secret code:\n"
        f"Reference: {case.reference}\nCode: {token}",
        track_url(case, token),
    )
    _tell_authority(
        case,
        f"New {what} {case.reference}",
        f"A new {what} ({subject.text.lower()}) was received. It must be acknowledged by "
        f"{case.acknowledge_due} and decided by {case.decision_due}.",
    )
    return case, token


def file_complaint(
    actor: User | None,
    *,
    subject: Subject,
    description: str,
    label_number: str = "",
    contact_name: str = "",
    contact_email: str = "",
    consent: bool = False,
) -> tuple[ComplaintCase, str]:
    """File a complaint; returns the case and the secret token that follows it."""
    if subject not in COMPLAINT_SUBJECTS:
        raise RuleViolation("Choose what the complaint is about.", "subject")
    if not consent:
        raise RuleViolation(
            "Agree that we keep your contact details to handle the complaint.", "consent"
        )
    label = find_label(label_number)
    if subject in LABEL_SUBJECTS and label is None:
        raise RuleViolation(
            "Enter the number of the label concerned, as printed (e.g. STR-2026-00042).",
            "label",
        )
    if subject is Subject.AUTHORITY:
        label = None
    name = clean_name(contact_name)[:NAME_MAX]
    email = (contact_email or "").strip()
    if actor is None:
        if not email or "@" not in email or len(email) > CONTACT_MAX:
            raise RuleViolation(
                "Give an e-mail address: the acknowledgement and the outcome are sent there.",
                "contact_email",
            )
    else:
        email = ""
        name = ""
    return _new_case(
        actor,
        CaseKind.COMPLAINT,
        subject,
        _description(description),
        label=label,
        vendor_id=label.vendor_id if label is not None else None,
        contact_name=name,
        contact_email=email,
    )


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def contested_label_event(label: Label) -> LabelEvent | None:
    """The label's latest suspension or revocation, if that is its current status."""
    action = {LabelStatus.SUSPENDED: "suspended", LabelStatus.REVOKED: "revoked"}.get(label.status)
    if action is None:
        return None
    return db.session.scalar(
        select(LabelEvent)
        .where(LabelEvent.label_id == label.id, LabelEvent.action == action)
        .order_by(LabelEvent.id.desc())
        .limit(1)
    )


def appeal_deadline_for_label(label: Label) -> dt.date | None:
    """The last day the vendor may appeal the label's suspension or revocation."""
    event = contested_label_event(label)
    if event is None:
        return None
    return _aware(event.at).date() + dt.timedelta(days=appeal_days())


def appeal_deadline_for_evaluation(evaluation: Evaluation) -> dt.date | None:
    """The last day the vendor may appeal the evaluation's decision."""
    if evaluation.status is not EvaluationStatus.DECIDED or evaluation.decided_at is None:
        return None
    return _aware(evaluation.decided_at).date() + dt.timedelta(days=appeal_days())


def _open_appeal(**where: object) -> ComplaintCase | None:
    statement = select(ComplaintCase).where(
        ComplaintCase.kind == CaseKind.APPEAL, ComplaintCase.status.in_(OPEN)
    )
    for name, value in where.items():
        statement = statement.where(getattr(ComplaintCase, name) == value)
    return db.session.scalar(statement.limit(1))


def can_appeal_label(user: User | None, label: Label) -> bool:
    """Whether ``user`` (of the label's vendor) may appeal its suspension or revocation now."""
    if user is None or user.role is not Role.VENDOR or user.organisation_id != label.vendor_id:
        return False
    deadline = appeal_deadline_for_label(label)
    event = contested_label_event(label)
    return (
        deadline is not None
        and event is not None
        and today() <= deadline
        and _open_appeal(label_event_id=event.id) is None
    )


def can_appeal_evaluation(user: User | None, evaluation: Evaluation) -> bool:
    """Whether ``user`` (of the evaluation's vendor) may appeal its decision now."""
    if user is None or user.role is not Role.VENDOR or user.organisation_id != evaluation.vendor_id:
        return False
    deadline = appeal_deadline_for_evaluation(evaluation)
    return (
        deadline is not None
        and today() <= deadline
        and _open_appeal(evaluation_id=evaluation.id, subject=Subject.DECISION) is None
    )


def file_appeal(
    actor: User | None,
    *,
    description: str,
    label: Label | None = None,
    evaluation: Evaluation | None = None,
) -> tuple[ComplaintCase, str]:
    """A vendor appeals its label's suspension or revocation, or its evaluation's decision."""
    actor = require_role(actor, Role.VENDOR)
    text = _description(description)
    if label is not None and evaluation is None:
        return _appeal_label(actor, label, text)
    if evaluation is not None and label is None:
        return _appeal_decision(actor, evaluation, text)
    raise RuleViolation("Appeal either a label's status or an evaluation's decision.")


def _appeal_label(actor: User, label: Label, text: str) -> tuple[ComplaintCase, str]:
    if label.vendor_id != actor.organisation_id:
        raise NotVisible()
    event = contested_label_event(label)
    deadline = appeal_deadline_for_label(label)
    if event is None or deadline is None:
        raise RuleViolation(
            f"Label {label.number} is {label.status.value}: only a suspension or a "
            "revocation can be appealed."
        )
    if today() > deadline:
        what = "suspension" if event.action == "suspended" else "revocation"
        raise RuleViolation(
            f"The period to appeal this {what} ended on {deadline} "
            f"({appeal_days()} days after {_aware(event.at).date()})."
        )
    if _open_appeal(label_event_id=event.id) is not None:
        raise RuleViolation(f"An appeal against this {event.action} label is already open.")
    subject = Subject.SUSPENSION if label.status is LabelStatus.SUSPENDED else Subject.REVOCATION
    return _new_case(
        actor,
        CaseKind.APPEAL,
        subject,
        text,
        label=label,
        label_event=event,
        evaluation=label.evaluation,
        vendor_id=label.vendor_id,
    )


def _appeal_decision(actor: User, evaluation: Evaluation, text: str) -> tuple[ComplaintCase, str]:
    if evaluation.vendor_id != actor.organisation_id:
        raise NotVisible()
    deadline = appeal_deadline_for_evaluation(evaluation)
    if deadline is None or evaluation.decided_at is None:
        raise RuleViolation("Only a decided evaluation can be appealed.")
    if today() > deadline:
        raise RuleViolation(
            f"The period to appeal this decision ended on {deadline} "
            f"({appeal_days()} days after {_aware(evaluation.decided_at).date()})."
        )
    if _open_appeal(evaluation_id=evaluation.id, subject=Subject.DECISION) is not None:
        raise RuleViolation("An appeal against this decision is already open.")
    return _new_case(
        actor,
        CaseKind.APPEAL,
        Subject.DECISION,
        text,
        evaluation=evaluation,
        vendor_id=evaluation.vendor_id,
    )


# --- handling -----------------------------------------------------------------------------


def _note(value: str | None, field: str, message: str, limit: int = REASONS_MAX) -> str:
    text = clean_text(value, multiline=True).strip()
    if not text:
        raise RuleViolation(message, field)
    if len(text) > limit:
        raise RuleViolation(f"The text must be at most {limit} characters.", field)
    return text


def _lock(case: ComplaintCase) -> ComplaintCase:
    return db.session.scalars(
        select(ComplaintCase)
        .where(ComplaintCase.id == case.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _require_open(case: ComplaintCase, *allowed: CaseStatus) -> None:
    if case.status not in (allowed or OPEN):
        raise RuleViolation(
            f"{case.reference} is {case.status.text.lower()}; this step is not possible now."
        )


def acknowledge(actor: User | None, case: ComplaintCase, note: str = "") -> ComplaintCase:
    """The authority acknowledges a received case; the party is told."""
    actor = require_role(actor, Role.AUTHORITY)
    case = _lock(case)
    _require_open(case, CaseStatus.RECEIVED)
    case.status = CaseStatus.ACKNOWLEDGED
    case.status_changed_at = case.acknowledged_at = utcnow()
    text = clean_text(note, multiline=True).strip()[:REASONS_MAX]
    _event(actor, case, "acknowledged", text)
    tell_party(
        case,
        f"{case.reference}: acknowledged",
        f"Your case {case.reference} was acknowledged. A decision is due by "
        f"{case.decision_due}." + (f"\n\n{text}" if text else ""),
    )
    return case


def authority_officers() -> list[User]:
    """The active authority users, by name."""
    return sorted(authority_staff(), key=lambda u: (u.full_name.lower(), u.id))


def eligible_handlers(case: ComplaintCase) -> list[User]:
    """The authority officers who took no part in what the case contests."""
    excluded = involved_users(case)
    return [user for user in authority_officers() if user.id not in excluded]


def assign_handler(actor: User | None, case: ComplaintCase, handler: User) -> ComplaintCase:
    """The authority assigns (or replaces) the handler; refused for anyone involved."""
    actor = require_role(actor, Role.AUTHORITY)
    case = _lock(case)
    _require_open(case)
    if handler.organisation is None or handler.organisation.kind is not OrganisationKind.AUTHORITY:
        raise RuleViolation("The handler must be an officer of the authority.", "handler")
    if not handler.is_active:
        raise RuleViolation("The handler's account is not active.", "handler")
    if handler.id in involved_users(case):
        raise RuleViolation(
            f"{handler.full_name} took part in what this case contests, or declared an interest "
            "in the vendor: choose an independent handler.",
            "handler",
        )
    if case.acknowledged_at is None:
        case.acknowledged_at = utcnow()
    case.status = CaseStatus.UNDER_HANDLING
    case.status_changed_at = utcnow()
    case.handler = handler
    _event(actor, case, "handler_assigned", f"Handler: {handler.full_name}")
    send_mail(
        handler.email,
        f"{case.reference}: you handle this case",
        f"Hello {handler.full_name},\n\nYou were assigned {case.reference} "
        f"({case.subject.text.lower()}). It must be decided by {case.decision_due}.\n\n"
        f"{case_url(case)}",
    )
    tell_party(
        case,
        f"{case.reference}: under handling",
        f"Your case {case.reference} is being handled by an officer who took no part in the "
        f"matter it concerns. A decision is due by {case.decision_due}.",
    )
    return case


def decide(
    actor: User | None,
    case: ComplaintCase,
    outcome: Outcome,
    reasons: str,
    effect_names: Iterable[str] = (),
) -> ComplaintCase:
    """The handler decides with reasons; the chosen effects apply in the same transaction."""
    actor = require_role(actor, Role.AUTHORITY)
    case = _lock(case)
    _require_open(case, CaseStatus.UNDER_HANDLING)
    if case.handler_id != actor.id:
        raise RuleViolation("Only the case's handler decides it.")
    if actor.id in involved_users(case):
        raise RuleViolation(
            "You took part in what this case contests, or declared an interest in the vendor: "
            "the case needs another handler."
        )
    text = _note(reasons, "reasons", "Give the reasons for the outcome; the party reads them.")
    chosen = list(dict.fromkeys(effect_names))
    if chosen and outcome is Outcome.DISMISSED:
        raise RuleViolation("A dismissed case has no effects.", "effects")
    for effect in chosen:
        problem = effects.refusal(case, effect)
        if problem:
            raise RuleViolation(problem, "effects")
    case.status = CaseStatus.DECIDED
    case.status_changed_at = case.decided_at = utcnow()
    case.decided_by = actor
    case.outcome = outcome
    case.reasons = text
    case.effects = ",".join(chosen)
    _event(actor, case, "decided", f"{outcome.text}: {text}")
    for effect in chosen:
        note = effects.apply(actor, case, effect, text)
        _event(actor, case, f"effect_{effect}", note)
    effect_text = "".join(f"\n- {effects.EFFECT_TEXT[e]}" for e in chosen)
    tell_party(
        case,
        f"{case.reference}: {outcome.text.lower()}",
        f"Your case {case.reference} was decided: {outcome.text.lower()}.\n\nReasons:\n{text}"
        + (f"\n\nEffects:{effect_text}" if chosen else ""),
    )
    return case


def withdraw(actor: User | None, case: ComplaintCase, note: str = "") -> ComplaintCase:
    """The filer, the appellant's members or the authority withdraw an open case."""
    if not can_see(actor, case):
        raise NotVisible()
    return _withdraw(actor, case, note)


def withdraw_tracked(case: ComplaintCase, token: str, note: str = "") -> ComplaintCase:
    """The filer withdraws with the secret token of the acknowledgement."""
    if tracked_case(case.reference, token) is None:
        raise NotVisible()
    return _withdraw(None, case, note)


def _withdraw(actor: User | None, case: ComplaintCase, note: str) -> ComplaintCase:
    case = _lock(case)
    _require_open(case)
    case.status = CaseStatus.WITHDRAWN
    case.status_changed_at = utcnow()
    text = clean_text(note, multiline=True).strip()[:REASONS_MAX]
    _event(actor, case, "withdrawn", text)
    tell_party(case, f"{case.reference}: withdrawn", f"The case {case.reference} was withdrawn.")
    return case
