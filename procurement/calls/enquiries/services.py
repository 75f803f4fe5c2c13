"""Questions, answers and corrigenda of a joint call: the rules and the audit.

- Vendors ask questions while the enquiry period is open: until SAFETECH_ENQUIRY_CLOSE_DAYS
  (default 10) days before the deadline. The authority answers until the deadline; an answer
  is published at once to every vendor and on the public call page, without the asker.
- An answer published fewer than SAFETECH_LATE_ANSWER_DAYS (default 6, art. 47(3) of
  Directive 2014/24/EU) days before the deadline extends it so that at least
  SAFETECH_CORRIGENDUM_MIN_EXTENSION_DAYS (default 6) days remain, recorded as a corrigendum.
- A corrigendum says what changes and moves the deadline by at least that minimum (the
  authority may choose a later date). Vendors with an offer or a question are told by mail;
  those with an offer are told it stands unless they change it.
- Nothing changes after the deadline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from flask import current_app
from sqlalchemy import select

from procurement.calls.enquiries.models import CallQuestion, Corrigendum
from procurement.calls.limits import DESCRIPTION_MAX, deadline_on
from procurement.calls.models import JointCall
from procurement.calls.notices import call_link, org_emails
from procurement.calls.services.lifecycle import checked_text, require_taking_offers
from registry import audit
from registry.access import require_role
from registry.arguments import MAX_ID
from registry.database import db, utcnow
from registry.dates import when
from registry.exceptions import NotVisible, RuleViolation
from registry.mail import send_mail
from registry.models import Role, User

QUESTION_MAX = 4_000
ANSWER_MAX = DESCRIPTION_MAX


def _days(name: str, default: int) -> int:
    return int(current_app.config.get(name, default))


def enquiry_close_days() -> int:
    """Days before the deadline at which questions close (ENQUIRY_CLOSE_DAYS)."""
    return _days("ENQUIRY_CLOSE_DAYS", 10)


def late_answer_days() -> int:
    """An answer published fewer days than this before the deadline extends it."""
    return _days("LATE_ANSWER_DAYS", 6)


def min_extension_days() -> int:
    """The least extension a corrigendum brings, and what a late answer leaves."""
    return _days("CORRIGENDUM_MIN_EXTENSION_DAYS", 6)


def enquiries_close_at(call: JointCall) -> dt.datetime:
    """When the enquiry period of the call ends."""
    return call.deadline - dt.timedelta(days=enquiry_close_days())


def enquiries_open(call: JointCall, now: dt.datetime | None = None) -> bool:
    """Whether vendors may still ask questions on the call."""
    return (now or utcnow()) < enquiries_close_at(call) and not call.deadline_passed(now)


def questions_of(call: JointCall) -> Sequence[CallQuestion]:
    """Every question on the call, oldest first (the authority's list)."""
    return db.session.scalars(
        select(CallQuestion).where(CallQuestion.call_id == call.id).order_by(CallQuestion.id)
    ).all()


def answered_questions(call: JointCall) -> Sequence[CallQuestion]:
    """The published questions and answers of the call, in the order they were answered."""
    return db.session.scalars(
        select(CallQuestion)
        .where(CallQuestion.call_id == call.id, CallQuestion.answered_at.is_not(None))
        .order_by(CallQuestion.answered_at, CallQuestion.id)
    ).all()


def own_questions(actor: User, call: JointCall) -> Sequence[CallQuestion]:
    """The questions the actor's organisation asked on the call."""
    return db.session.scalars(
        select(CallQuestion)
        .where(
            CallQuestion.call_id == call.id,
            CallQuestion.asked_by_org_id == actor.organisation_id,
        )
        .order_by(CallQuestion.id)
    ).all()


def corrigenda_of(call: JointCall) -> Sequence[Corrigendum]:
    """The call's corrigenda, oldest first."""
    return db.session.scalars(
        select(Corrigendum).where(Corrigendum.call_id == call.id).order_by(Corrigendum.id)
    ).all()


def ask_question(actor: User | None, call: JointCall, text: str) -> CallQuestion:
    """A vendor's question during the enquiry period; the authority is told."""
    vendor = require_role(actor, Role.VENDOR)
    require_taking_offers(call, "asking questions")
    if not enquiries_open(call):
        raise RuleViolation(
            f"Questions closed on {when(enquiries_close_at(call))}, "
            f"{enquiry_close_days()} days before the deadline; read the published answers."
        )
    clean = checked_text(text, "question", "Your question", QUESTION_MAX, required=True)
    question = CallQuestion(
        call=call,
        asked_by_org_id=vendor.organisation_id,
        asked_by_id=vendor.id,
        question=clean,
        asked_at=utcnow(),
    )
    db.session.add(question)
    db.session.flush()
    if call.opened_by is not None:
        send_mail(
            call.opened_by.email,
            f"A question on {call.reference}",
            f"A vendor asked a question on “{call.title}” ({call.reference}):\n\n{clean}\n\n"
            f"Answer it on the call's page; the answer is published to every vendor without "
            f"the asker: {call_link(call)}\n",
        )
    audit.record(
        vendor,
        "call.question",
        question,
        summary=f"{question.reference} asked on {call.reference}",
        data={"call": call.id},
    )
    return question


def get_question(call: JointCall, question_id: int) -> CallQuestion:
    """A question of the call (the caller checked the actor may see the call)."""
    question = db.session.get(CallQuestion, question_id) if 0 < question_id <= MAX_ID else None
    if question is None or question.call_id != call.id:
        raise NotVisible()
    return question


def _deadline_leaving(now: dt.datetime, days: int) -> dt.datetime:
    """The first deadline (12:00 UTC) that leaves at least `days` days from now."""
    wanted = now + dt.timedelta(days=days)
    found = deadline_on(wanted.date())
    return found if found >= wanted else found + dt.timedelta(days=1)


def _notified_vendors(call: JointCall) -> tuple[set[int], set[int]]:
    """The vendors with a submitted offer, and those with a question but no offer."""
    offering = {offer.vendor_id for offer in call.offers}
    asking = set(
        db.session.scalars(
            select(CallQuestion.asked_by_org_id).where(CallQuestion.call_id == call.id)
        )
    )
    return offering, asking - offering


def _record_corrigendum(
    actor: User | None,
    call: JointCall,
    description: str,
    new_deadline: dt.datetime,
    question: CallQuestion | None = None,
) -> Corrigendum:
    previous = call.deadline
    corrigendum = Corrigendum(
        call=call,
        description=description,
        previous_deadline=previous,
        new_deadline=new_deadline,
        published_at=utcnow(),
        published_by_id=actor.id if actor is not None else None,
        question=question,
    )
    call.deadline = new_deadline
    db.session.add(corrigendum)
    db.session.flush()
    offering, asking = _notified_vendors(call)
    subject = f"Corrigendum to joint call {call.reference}: offers now close {when(new_deadline)}"
    body = (
        f"The authority published {corrigendum.reference} to the joint call “{call.title}” "
        f"({call.reference}):\n\n{description}\n\n"
        f"Offers now close on {when(new_deadline)} (before: {when(previous)}).\n"
    )
    stands = (
        "\nYour organisation's offer stands as submitted unless you change it before the new "
        "deadline.\n"
    )
    for email in org_emails(offering):
        send_mail(email, subject, body + stands + f"\n{call_link(call)}\n")
    for email in org_emails(asking):
        send_mail(email, subject, body + f"\n{call_link(call)}\n")
    audit.record(
        actor,
        "call.corrigendum",
        corrigendum,
        summary=f"{corrigendum.reference} to {call.reference}",
        data={
            "call": call.id,
            "previous_deadline": previous.isoformat(),
            "new_deadline": new_deadline.isoformat(),
            "question": question.id if question is not None else None,
            "vendors_notified": len(offering | asking),
        },
    )
    return corrigendum


def answer_question(actor: User | None, question: CallQuestion, text: str) -> CallQuestion:
    """Publish the authority's answer; a late answer extends the deadline (a corrigendum)."""
    authority = require_role(actor, Role.AUTHORITY)
    call = question.call
    require_taking_offers(call, "answering questions")
    if question.answered_at is not None:
        raise RuleViolation(
            f"{question.reference} is already answered; publish a corrigendum to change it."
        )
    clean = checked_text(text, "answer", "The answer", ANSWER_MAX, required=True)
    now = utcnow()
    question.answer = clean
    question.answered_at = now
    question.answered_by_id = authority.id
    audit.record(
        authority,
        "call.answer",
        question,
        summary=f"{question.reference} on {call.reference} answered",
        data={"call": call.id},
    )
    vendors = set(_notified_vendors(call)[0]) | {question.asked_by_org_id}
    for email in org_emails(vendors):
        send_mail(
            email,
            f"An answer is published on {call.reference}",
            f"The authority answered a question on “{call.title}” ({call.reference}).\n\n"
            f"Question: {question.question}\n\nAnswer: {clean}\n\n{call_link(call)}\n",
        )
    if call.deadline - now < dt.timedelta(days=late_answer_days()):
        new_deadline = _deadline_leaving(now, min_extension_days())
        if new_deadline > call.deadline:
            _record_corrigendum(
                authority,
                call,
                f"The answer to {question.reference} was published fewer than "
                f"{late_answer_days()} days before the deadline; the deadline is extended so "
                f"that at least {min_extension_days()} days remain.",
                new_deadline,
                question,
            )
    return question


def earliest_corrigendum_deadline(call: JointCall) -> dt.datetime:
    """The earliest deadline a corrigendum may set: the current one plus the minimum."""
    return call.deadline + dt.timedelta(days=min_extension_days())


def publish_corrigendum(
    actor: User | None,
    call: JointCall,
    description: str,
    new_deadline: dt.datetime | None = None,
) -> Corrigendum:
    """Publish what changes in the call; the deadline moves by at least the minimum.

    Without `new_deadline`, the deadline moves by exactly the minimum.
    """
    authority = require_role(actor, Role.AUTHORITY)
    require_taking_offers(call, "publishing a corrigendum")
    text = checked_text(description, "description", "What changes", DESCRIPTION_MAX, required=True)
    earliest = earliest_corrigendum_deadline(call)
    closes = earliest if new_deadline is None else new_deadline
    if closes < earliest:
        raise RuleViolation(
            f"A corrigendum extends the deadline by at least {min_extension_days()} days: "
            f"choose a deadline on or after {earliest.date().isoformat()}.",
            "deadline",
        )
    return _record_corrigendum(authority, call, text, closes)
