"""The standstill after an award, its letters, its review window and the buyers' signatures.

Decided here:

- The standstill ends at the end of the local day (TIMEZONE, default Europe/Paris) that is
  STANDSTILL_DAYS calendar days (default 11, the French délai; 10 allowed) after the day the
  letters are sent; the letters are sent with the award.
- Every submitted offer gets one letter: won, not retained (with the reason, and the winner's
  price and lead time compared with its own) or excluded (the compliance reason).
- During the standstill a bidder may file a review request. While one is open no contract is
  signed; the authority answers it: dismissed (the standstill's end still holds) or upheld (the
  award is to be reconsidered, and no contract can be signed under it).
- After the standstill, with no open or upheld review, each buyer records its own contract's
  signature (signatory name and capacity, date); never before, never for another buyer.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from sqlalchemy import select

from procurement.calls.award import AwardDecision
from procurement.calls.legal.regime import review_body
from procurement.calls.models import Award, ContractLine, JointCall, Offer
from procurement.calls.notices import call_link, org_emails
from procurement.calls.standstill.models import (
    AwardLetter,
    LetterOutcome,
    ReviewRequest,
    ReviewStatus,
)
from registry import audit
from registry.access import require_role
from registry.arguments import MAX_ID
from registry.database import db, utcnow
from registry.dates import local_zone, when
from registry.exceptions import NotVisible, RuleViolation
from registry.mail import send_mail
from registry.models import Role, User
from registry.money import money_text
from registry.wording import counted

DEFAULT_STANDSTILL_DAYS = 11
ALLOWED_STANDSTILL_DAYS = (10, 11)
GROUNDS_MAX = 5_000
SIGNATORY_MAX = 90


def standstill_days() -> int:
    """The configured standstill length in calendar days (10 or 11)."""
    days = int(current_app.config.get("STANDSTILL_DAYS", DEFAULT_STANDSTILL_DAYS))
    if days not in ALLOWED_STANDSTILL_DAYS:
        raise ValueError(f"SAFETECH_STANDSTILL_DAYS must be 10 or 11, not {days}")
    return days


def standstill_end(sent_at: dt.datetime, days: int, zone: ZoneInfo) -> dt.datetime:
    """The end of the local day `days` calendar days after the day the letters were sent."""
    last_day = sent_at.astimezone(zone).date() + dt.timedelta(days=days)
    next_midnight = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return (next_midnight - dt.timedelta(microseconds=1)).astimezone(dt.UTC)


def local_time(moment: dt.datetime) -> str:
    """A moment in local time with its zone, e.g. 2026-12-17 23:59 CET."""
    return when(moment)


def in_standstill(award: Award, now: dt.datetime | None = None) -> bool:
    """Whether the award's standstill is still running."""
    ends = award.standstill_ends_at
    return ends is not None and (now or utcnow()) <= ends


# --- letters -------------------------------------------------------------------------------


def _price_at(offer: Offer, quantity: int) -> Decimal | None:
    price = None
    for tier in offer.tiers:
        if tier.min_quantity <= quantity:
            price = tier.unit_price
    return price


def _advantages(award: Award, offer: Offer) -> str:
    """The winner's price and lead time against this offer's, at the awarded quantity."""
    currency = award.call.lot.currency
    winner = award.offer
    parts = []
    price = _price_at(offer, award.quantity)
    if price is not None:
        difference = price - award.unit_price
        if difference > 0:
            parts.append(
                f"the awarded unit price, {money_text(award.unit_price, currency)}, is "
                f"{money_text(difference, currency)} "
                f"({(difference / price * 100).quantize(Decimal('0.1'))} %) below "
                f"yours at the awarded quantity ({money_text(price, currency)})"
            )
        else:
            parts.append(
                f"the awarded unit price is {money_text(award.unit_price, currency)}; yours at the "
                f"awarded quantity was {money_text(price, currency)}"
            )
    parts.append(
        f"its lead time is {winner.lead_time_days} days against your {offer.lead_time_days}"
    )
    return "The awarded offer: " + "; ".join(parts) + "."


def _letter_for(
    award: Award, offer: Offer, checks: dict[int, str], decision: AwardDecision
) -> AwardLetter:
    outcomes = {outcome.offer_id: outcome for outcome in decision.outcomes}
    if offer.id == award.offer_id:
        outcome = LetterOutcome.WON
        reasons = award.rationale
        advantages = ""
    elif checks.get(offer.id):
        outcome = LetterOutcome.EXCLUDED
        reasons = f"Your offer was excluded: {checks[offer.id]}."
        advantages = _advantages(award, offer)
    else:
        outcome = LetterOutcome.NOT_RETAINED
        found = outcomes.get(offer.id)
        reasons = (
            f"Your offer was not retained: {found.reason}"
            if found is not None and not found.viable and found.reason
            else "Your offer was not retained: its final unit price was not the lowest."
        )
        advantages = _advantages(award, offer)
    return AwardLetter(
        award_id=award.id,
        offer_id=offer.id,
        vendor_id=offer.vendor_id,
        outcome=outcome,
        reasons=reasons,
        advantages=advantages,
        standstill_ends_at=award.standstill_ends_at,
        sent_at=award.decided_at,
    )


def letter_text(letter: AwardLetter) -> str:
    """The letter's body, as mailed and as shown in the portal."""
    award = letter.award
    call = award.call
    lines = [
        f"Joint call “{call.title}” ({call.reference}), your offer {letter.offer.reference}: "
        f"{letter.outcome.label.lower()}.",
        letter.reasons,
    ]
    if letter.advantages:
        lines.append(letter.advantages)
    lines.append(
        f"The standstill ends on {local_time(letter.standstill_ends_at)}: no contract is signed "
        "before then. Until then you may file a review request on the call's page, and you may "
        f"bring the award before the review body: {review_body()}"
    )
    return "\n\n".join(line for line in lines if line)


def send_letters(
    authority: User, award: Award, checks: dict[int, str], decision: AwardDecision
) -> list[AwardLetter]:
    """Start the standstill and send every bidder its letter (called by award_call)."""
    award.standstill_ends_at = standstill_end(award.decided_at, standstill_days(), local_zone())
    call = award.call
    letters = [_letter_for(award, offer, checks, decision) for offer in call.offers]
    db.session.add_all(letters)
    db.session.flush()
    link = url_for("standstill.letters", call_id=call.id, _external=True)
    for letter in letters:
        for email in org_emails([letter.vendor_id]):
            send_mail(
                email,
                f"Award letter for joint call {call.reference}: {letter.outcome.label.lower()}",
                f"{letter_text(letter)}\n\n{link}\n",
            )
    audit.record(
        authority,
        "call.letters_sent",
        call,
        summary=(
            f"{counted(len(letters), 'award letter')} sent for {call.reference}; standstill until "
            f"{local_time(award.standstill_ends_at)}"
        ),
        data={
            "award": award.id,
            "letters": {str(letter.offer_id): letter.outcome.value for letter in letters},
            "standstill_ends_at": award.standstill_ends_at.isoformat(),
        },
    )
    return letters


def letters_for(actor: User | None, call: JointCall) -> list[AwardLetter]:
    """The authority: every letter of the call's award; a vendor: its own (none for buyers)."""
    user = require_role(actor, Role.AUTHORITY, Role.VENDOR)
    if call.award is None:
        return []
    statement = (
        select(AwardLetter).where(AwardLetter.award_id == call.award.id).order_by(AwardLetter.id)
    )
    if user.role is Role.VENDOR:
        statement = statement.where(AwardLetter.vendor_id == user.organisation_id)
    return list(db.session.scalars(statement))


# --- review requests -----------------------------------------------------------------------


def reviews_of(award: Award) -> list[ReviewRequest]:
    """The review requests against an award, oldest first."""
    return list(
        db.session.scalars(
            select(ReviewRequest)
            .where(ReviewRequest.award_id == award.id)
            .order_by(ReviewRequest.id)
        )
    )


def reviews_for(actor: User | None, call: JointCall) -> list[ReviewRequest]:
    """The authority: every review request of the call; a vendor: its own."""
    user = require_role(actor, Role.AUTHORITY, Role.VENDOR)
    if call.award is None:
        return []
    found = reviews_of(call.award)
    if user.role is Role.VENDOR:
        found = [item for item in found if item.vendor_id == user.organisation_id]
    return found


def may_file_review(actor: User, call: JointCall) -> bool:
    """Whether the vendor's organisation bid on the awarded call and its standstill runs."""
    award = call.award
    return (
        award is not None
        and in_standstill(award)
        and any(offer.vendor_id == actor.organisation_id for offer in call.offers)
    )


def file_review(actor: User | None, call: JointCall, grounds: str) -> ReviewRequest:
    """A bidder asks for the award to be reviewed, during the standstill."""
    user = require_role(actor, Role.VENDOR)
    award = call.award
    if award is None or not any(o.vendor_id == user.organisation_id for o in call.offers):
        raise RuleViolation("Only a vendor that offered on an awarded call can ask for a review.")
    if not in_standstill(award):
        raise RuleViolation(
            "The standstill has ended: a review request can no longer be filed here. "
            f"You may still turn to the review body: {review_body()}"
        )
    grounds = grounds.strip()
    if not grounds:
        raise RuleViolation("Give the grounds of your request.", "grounds")
    if len(grounds) > GROUNDS_MAX:
        raise RuleViolation(f"Keep the grounds under {GROUNDS_MAX} characters.", "grounds")
    item = ReviewRequest(
        award_id=award.id,
        vendor_id=user.organisation_id,
        grounds=grounds,
        filed_at=utcnow(),
        filed_by_id=user.id,
        status=ReviewStatus.OPEN,
    )
    db.session.add(item)
    db.session.flush()
    audit.record(
        user,
        "call.review_filed",
        call,
        summary=f"{item.reference} filed against the award of {call.reference}",
        data={"review": item.id, "award": award.id},
        organisation_id=user.organisation_id,
    )
    decider = award.decided_by
    for email in org_emails([decider.organisation_id] if decider is not None else []):
        send_mail(
            email,
            f"Review request {item.reference} on joint call {call.reference}",
            f"{user.organisation.name} asks for a review of the award. No contract can be "
            f"signed until you answer it.\n\n{grounds}\n\n{call_link(call)}\n",
        )
    return item


def get_review(actor: User | None, call: JointCall, review_id: int) -> ReviewRequest:
    """A review request of the call, for the authority."""
    require_role(actor, Role.AUTHORITY)
    item = db.session.get(ReviewRequest, review_id) if 0 < review_id <= MAX_ID else None
    if item is None or call.award is None or item.award_id != call.award.id:
        raise NotVisible()
    return item


def answer_review(
    actor: User | None, item: ReviewRequest, upheld: bool, answer: str
) -> ReviewRequest:
    """The authority upholds (the award is to be reconsidered) or dismisses a review request."""
    authority = require_role(actor, Role.AUTHORITY)
    if item.status is not ReviewStatus.OPEN:
        raise RuleViolation(f"{item.reference} is already answered ({item.status.label}).")
    answer = answer.strip()
    if not answer:
        raise RuleViolation("Give the reasons of your answer.", "answer")
    if len(answer) > GROUNDS_MAX:
        raise RuleViolation(f"Keep the answer under {GROUNDS_MAX} characters.", "answer")
    item.status = ReviewStatus.UPHELD if upheld else ReviewStatus.DISMISSED
    item.answer = answer
    item.answered_at = utcnow()
    item.answered_by_id = authority.id
    call = item.award.call
    audit.record(
        authority,
        "call.review_answered",
        call,
        summary=f"{item.reference} {item.status.value}",
        data={"review": item.id, "status": item.status.value},
    )
    outcome = (
        "upheld: the award is to be reconsidered and no contract is signed under it"
        if upheld
        else "dismissed"
    )
    for email in org_emails([item.vendor_id]):
        send_mail(
            email,
            f"Your review request {item.reference} on joint call {call.reference}: "
            f"{item.status.label.lower()}",
            f"Your review request is {outcome}.\n\n{answer}\n\nThe review body: {review_body()}"
            f"\n{call_link(call)}\n",
        )
    return item


# --- signature -----------------------------------------------------------------------------


def signature_refusal(line: ContractLine, now: dt.datetime | None = None) -> str:
    """Why the line cannot be signed now ("" when it can)."""
    award = line.award
    if line.signed_at is not None:
        return f"{line.reference} is already signed."
    ends = award.standstill_ends_at
    if ends is not None and in_standstill(award, now):
        return f"The standstill runs until {local_time(ends)}: the contract can be signed after it."
    statuses = {item.status for item in reviews_of(award)}
    if ReviewStatus.OPEN in statuses:
        return "A review request is open: the contract can be signed once the authority answers it."
    if ReviewStatus.UPHELD in statuses:
        return "A review request was upheld: the award is to be reconsidered, nothing is signed."
    return ""


def get_line(actor: User | None, line_id: int) -> ContractLine:
    """The buyer's own contract line (another organisation's is not found)."""
    user = require_role(actor, Role.BUYER)
    line = db.session.get(ContractLine, line_id) if 0 < line_id <= MAX_ID else None
    if line is None or line.buyer_id != user.organisation_id:
        raise NotVisible()
    return line


def sign_contract(
    actor: User | None, line: ContractLine, name: str, capacity: str, signed_on: dt.date
) -> ContractLine:
    """Record the buyer's signature of its contract line, after the standstill."""
    user = require_role(actor, Role.BUYER)
    if line.buyer_id != user.organisation_id:
        raise RuleViolation("Only the buyer of a contract records its signature.")
    now = utcnow()
    refusal = signature_refusal(line, now)
    if refusal:
        raise RuleViolation(refusal)
    name, capacity = name.strip(), capacity.strip()
    if not name or not capacity:
        raise RuleViolation("Give the signatory's name and capacity.", "name")
    if len(name) > SIGNATORY_MAX or len(capacity) > SIGNATORY_MAX:
        raise RuleViolation(
            f"Keep the name and the capacity under {SIGNATORY_MAX} characters each.", "name"
        )
    zone = local_zone()
    local_today = now.astimezone(zone).date()
    if signed_on > local_today:
        raise RuleViolation("The signature date cannot be in the future.", "signed_on")
    signed_at = (
        now
        if signed_on == local_today
        else dt.datetime.combine(signed_on, dt.time(12), tzinfo=zone).astimezone(dt.UTC)
    )
    ends = line.award.standstill_ends_at
    if ends is not None and signed_at <= ends:
        raise RuleViolation(
            f"The contract cannot be dated before the end of the standstill ({local_time(ends)}).",
            "signed_on",
        )
    line.signed_at = signed_at
    line.signed_by_id = user.id
    line.signatory = f"{name}, {capacity}"
    call = line.award.call
    audit.record(
        user,
        "call.contract_signed",
        call,
        summary=f"{line.reference} signed by {line.signatory} for {line.buyer.name}",
        data={"line": line.id, "signed_at": signed_at.isoformat(), "signatory": line.signatory},
        organisation_id=user.organisation_id,
    )
    return line


# --- the buyer's contracts -----------------------------------------------------------------


def buyer_contracts(actor: User | None) -> tuple[list[ContractLine], list[ContractLine]]:
    """The buyer's contract lines awaiting its signature (the standstill's end first), and
    those signed (the latest signature first)."""
    user = require_role(actor, Role.BUYER)
    lines = list(
        db.session.scalars(
            select(ContractLine)
            .join(Award, ContractLine.award_id == Award.id)
            .where(ContractLine.buyer_id == user.organisation_id)
            .order_by(Award.standstill_ends_at, ContractLine.id)
        )
    )
    pending = [line for line in lines if line.signed_at is None]
    signed = sorted(
        (line for line in lines if line.signed_at is not None),
        key=lambda line: (line.signed_at, line.id),
        reverse=True,
    )
    return pending, signed
