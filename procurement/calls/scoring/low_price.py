"""Abnormally low offers (Directive 2014/24/EU, art. 69): the explanation procedure.

- Once the offers are opened and until the award, the authority asks a vendor to explain its
  price (``request_explanation``): the vendor has LOW_PRICE_EXPLANATION_DAYS days (10 by
  default, SAFETECH_LOW_PRICE_EXPLANATION_DAYS) to answer on its offer's page.
- The vendor answers once, before the due time (``answer_request``).
- The authority accepts the explanation (the offer stays in the ranking) or rejects the offer
  (it is excluded from the ranking and named with the reason under "Not retained"), with a
  reason (``decide_request``); it may decide once the vendor answered or the due time passed.
- The award is refused while a request is pending (asked and not decided).
Each step is audited and the other side is told by mail.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, url_for
from sqlalchemy import select

from procurement.calls.limits import utc_stamp
from procurement.calls.models import CallStatus, JointCall, Offer
from procurement.calls.notices import org_emails
from procurement.calls.scoring.models import LowPriceDecision, LowPriceRequest
from registry import audit
from registry.access import require_role, require_same_organisation
from registry.database import db, utcnow
from registry.dates import when
from registry.exceptions import RuleViolation
from registry.mail import send_mail
from registry.models import Role, User

# Days a vendor has to explain an abnormally low price (SAFETECH_LOW_PRICE_EXPLANATION_DAYS).
DEFAULT_EXPLANATION_DAYS = 10
TEXT_MAX = 5000


def explanation_days() -> int:
    """Days a vendor has to explain its price, from the request."""
    days = int(current_app.config.get("LOW_PRICE_EXPLANATION_DAYS", DEFAULT_EXPLANATION_DAYS))
    if days < 1:
        raise ValueError(f"SAFETECH_LOW_PRICE_EXPLANATION_DAYS must be 1 or more, not {days}")
    return days


def request_of(offer: Offer) -> LowPriceRequest | None:
    """The explanation request on an offer, if any."""
    return db.session.scalar(select(LowPriceRequest).where(LowPriceRequest.offer_id == offer.id))


def requests_of(call: JointCall) -> dict[int, LowPriceRequest]:
    """Offer id → its explanation request, for the call."""
    rows = db.session.scalars(select(LowPriceRequest).where(LowPriceRequest.call_id == call.id))
    return {row.offer_id: row for row in rows}


def _text(value: str, field: str, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise RuleViolation(f"Write {what}.", field)
    if len(text) > TEXT_MAX:
        raise RuleViolation(f"Keep {what} within {TEXT_MAX} characters.", field)
    return text


def _require_before_award(call: JointCall) -> None:
    if call.status is not CallStatus.OPEN:
        raise RuleViolation(f"This call is already {call.status.label.lower()}.")
    if call.offers_opened_at is None:
        raise RuleViolation("The offers are still sealed: nothing can be asked before the opening.")


def past_due(row: LowPriceRequest) -> bool:
    """Whether the vendor's time to answer is over."""
    return utcnow() > row.due_at


def _page(offer: Offer) -> str:
    return url_for(
        "calls_scoring.low_price_page", call_id=offer.call_id, offer_id=offer.id, _external=True
    )


def request_explanation(actor: User | None, offer: Offer, question: str) -> LowPriceRequest:
    """The authority asks the offer's vendor to explain its price; the vendor is told."""
    authority = require_role(actor, Role.AUTHORITY)
    call = offer.call
    _require_before_award(call)
    text = _text(question, "question", "what the vendor must explain")
    if request_of(offer) is not None:
        raise RuleViolation(f"{offer.reference} was already asked to explain its price.")
    now = utcnow()
    row = LowPriceRequest(
        call_id=call.id,
        offer_id=offer.id,
        question=text,
        requested_at=now,
        requested_by_id=authority.id,
        due_at=now + dt.timedelta(days=explanation_days()),
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        authority,
        "offer.low_price_request",
        offer,
        summary=f"{offer.reference} asked to explain an abnormally low price",
        data={"call": call.id, "question": text, "due_at": utc_stamp(row.due_at)},
    )
    for email in org_emails([offer.vendor_id]):
        send_mail(
            email,
            f"Joint call {call.reference}: explain the price of {offer.reference}",
            (
                f"The authority finds the price of your offer {offer.reference} on "
                f"“{call.title}” abnormally low and asks you to explain it:\n\n{text}\n\n"
                f"Answer on your offer's page by {when(row.due_at)}: {_page(offer)}\n"
                "Without a convincing explanation the offer may be rejected.\n"
            ),
        )
    return row


def answer_request(actor: User | None, offer: Offer, answer: str) -> LowPriceRequest:
    """The offer's vendor explains its price, once, before the due time; the authority is told."""
    user = require_role(actor, Role.VENDOR)
    require_same_organisation(user, offer.vendor_id)
    call = offer.call
    _require_before_award(call)
    row = request_of(offer)
    if row is None:
        raise RuleViolation("Nobody asked you to explain the price of this offer.")
    if row.answered_at is not None:
        raise RuleViolation("You already explained the price of this offer.")
    if row.decision is not None:
        raise RuleViolation("The authority already decided on this offer's price.")
    if utcnow() > row.due_at:
        raise RuleViolation(
            f"The explanation was due by {when(row.due_at)}; it can no longer be given."
        )
    row.answer = _text(answer, "answer", "your explanation")
    row.answered_at, row.answered_by_id = utcnow(), user.id
    db.session.flush()
    audit.record(
        user,
        "offer.low_price_answer",
        offer,
        summary=f"{offer.reference}: the vendor explained its price",
        data={"call": call.id, "answer": row.answer},
    )
    for email in _authority_emails(call):
        send_mail(
            email,
            f"Joint call {call.reference}: {offer.reference} explained its price",
            f"The vendor of {offer.reference} answered your request:\n\n{row.answer}\n\n"
            f"Accept the explanation or reject the offer: {_page(offer)}\n",
        )
    return row


def _authority_emails(call: JointCall) -> list[str]:
    opener = db.session.get(User, call.opened_by_id) if call.opened_by_id else None
    return org_emails([opener.organisation_id]) if opener else []


def decide_request(
    actor: User | None, offer: Offer, decision: LowPriceDecision | str, reason: str
) -> LowPriceRequest:
    """The authority accepts the explanation (the offer stays) or rejects the offer (excluded
    from the ranking), with a reason, once the vendor answered or the due time passed."""
    authority = require_role(actor, Role.AUTHORITY)
    call = offer.call
    _require_before_award(call)
    row = request_of(offer)
    if row is None:
        raise RuleViolation(f"{offer.reference} was not asked to explain its price.")
    if row.decision is not None:
        raise RuleViolation(f"The decision on {offer.reference} was already taken.")
    try:
        chosen = LowPriceDecision(decision)
    except ValueError:
        raise RuleViolation("Accept the explanation or reject the offer.", "decision") from None
    if row.answered_at is None and utcnow() <= row.due_at:
        raise RuleViolation(
            f"The vendor has until {when(row.due_at)} to explain its price; decide after "
            "its answer or once that time has passed."
        )
    row.decision = chosen
    row.decision_reason = _text(reason, "reason", "the reason for the decision")
    row.decided_at, row.decided_by_id = utcnow(), authority.id
    db.session.flush()
    audit.record(
        authority,
        "offer.low_price_decision",
        offer,
        summary=f"{offer.reference}: {chosen.label.lower()}",
        data={"call": call.id, "decision": chosen.value, "reason": row.decision_reason},
    )
    outcome = (
        "Your explanation is accepted: the offer stays in the ranking."
        if chosen is LowPriceDecision.ACCEPTED
        else "Your offer is rejected as abnormally low: it is excluded from the ranking."
    )
    for email in org_emails([offer.vendor_id]):
        send_mail(
            email,
            f"Joint call {call.reference}: decision on the price of {offer.reference}",
            f"{outcome}\nReason: {row.decision_reason}\n{_page(offer)}\n",
        )
    return row


def rejected_offers(call: JointCall) -> dict[int, str]:
    """Offer id → why it is out, for each offer rejected as abnormally low."""
    return {
        offer_id: f"rejected as abnormally low after its explanation: {row.decision_reason}"
        for offer_id, row in requests_of(call).items()
        if row.decision is LowPriceDecision.REJECTED
    }


def require_no_pending_request(call: JointCall) -> None:
    """Refuse the award while a vendor's explanation of its price waits for a decision."""
    pending = sorted(
        f"OFFER-{offer_id:05d}"
        for offer_id, row in requests_of(call).items()
        if row.decision is None
    )
    if pending:
        raise RuleViolation(
            "An explanation of an abnormally low price is pending for "
            + ", ".join(pending)
            + ": accept it or reject the offer first. Nothing was awarded."
        )
