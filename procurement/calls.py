"""Joint calls, sealed offers and awards: the checks that guard each change, and the audit.

Decided here (PROCUREMENT.md, "Flow" 4–6, leaves them open):

- A call is opened by the authority from a FROZEN lot only, with a deadline at least
  PROCUREMENT_MIN_OFFER_DAYS (default 10) days ahead and at most a year ahead. The form takes
  a date; offers close at 12:00 UTC that day. Opening marks the lot CALL_OPENED and its
  members' needs IN_CALL, and mails every active user of each vendor with an eligible
  solution.
- Eligible solution: a published solution of the vendor whose primary category is the lot's,
  holding a VALID, unexpired label under any version of the lot's norm at a level rank at least
  the lot's (a lot without a norm: any valid label). Every vendor sees open calls; a vendor
  without an eligible solution sees why and has no offer form, and a posted offer is refused.
- Offers: one per vendor per call. A second "new offer" is refused (the edit form changes the
  existing one); creating, editing and withdrawing are refused from the deadline on, with
  nothing changed. Tiers: 1 to MAX_TIERS rows, the first from quantity 1, minimum quantities
  strictly increasing, unit prices to the cent and never rising with the quantity. Eligibility
  is checked again on every save and at award.
- Sealed: before the deadline an offer is visible to its own vendor only; other vendors get
  404 on it at any time. The authority sees offers from the deadline on; nobody sees how many
  offers there are before the deadline. Buyers of the lot see the outcome and their own
  contract line (or why they dropped out), never the other offers.
- Award (pure rules in procurement.award): every offer still compliant at award time goes
  through the drop-out loop; the winner is the lowest final unit price leaving at least
  max(2, the round's minimum buyers) buyers. Nothing viable: the call ends unsuccessful with
  the reason. A buyer that dropped out gets its need back to OPEN (it may pool again at the
  next round); contracted needs become CONTRACTED.
- Counterfactual value: Σ qᵢ·p(qᵢ) per remaining buyer on the round's price curve anchored at
  the awarded unit price for the awarded quantity (a round stores only its slope β);
  realised saving = 1 − total value / counterfactual value.
- Unsuccessful (declared from the deadline on, or found by the award) and cancelled (before the
  deadline): the lot ends UNSUCCESSFUL or CANCELLED and its needs are OPEN again. Both need a
  reason, which buyers and vendors that offered receive by mail.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO

from flask import current_app, has_request_context, url_for
from sqlalchemy import Select, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from catalog.plain_text import check_length, multi_line, one_line
from evaluations import evidence as files
from evaluations.labels import add_months
from procurement import award as award_rules
from procurement import ocds, services
from procurement.call_models import (
    MAX_CONTRACT_MONTHS,
    MAX_LEAD_TIME_DAYS,
    MAX_TIERS,
    Award,
    AwardDropout,
    CallDocument,
    CallStatus,
    ContractLine,
    JointCall,
    Offer,
    OfferTier,
)
from procurement.models import NOTES_MAX, Lot, LotMember, LotStatus, NeedStatus
from procurement.services import Certified
from registry import audit
from registry.access import require_role, require_same_organisation
from registry.database import db, utcnow
from registry.exceptions import NotVisible, RuleViolation
from registry.mail import send_mail
from registry.models import Organisation, Role, User

DEFAULT_MIN_OFFER_DAYS = 10
MAX_DEADLINE_DAYS = 366
DEADLINE_TIME = dt.time(12, 0, tzinfo=dt.UTC)
TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
REASON_MAX = 2_000
MAX_ID = services.MAX_ID
_CENT = Decimal("0.01")
_SAVING_STEP = Decimal("0.000001")


def min_offer_days() -> int:
    """The shortest offer period the authority may set (PROCUREMENT_MIN_OFFER_DAYS)."""
    return int(current_app.config.get("PROCUREMENT_MIN_OFFER_DAYS", DEFAULT_MIN_OFFER_DAYS))


def deadline_on(day: dt.date) -> dt.datetime:
    """The deadline of a call closing on this date: 12:00 UTC."""
    return dt.datetime.combine(day, DEADLINE_TIME)


def _link(endpoint: str, path: str, **values: Any) -> str:
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    return current_app.config["BASE_URL"].rstrip("/") + path


def call_link(call: JointCall) -> str:
    """The call's page as an absolute URL."""
    return _link("calls.call", f"/procurement/calls/{call.id}", call_id=call.id)


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _org_emails(organisation_ids: Iterable[int]) -> list[str]:
    wanted = sorted(set(organisation_ids))
    if not wanted:
        return []
    return list(
        db.session.scalars(
            select(User.email)
            .join(Organisation, Organisation.id == User.organisation_id)
            .where(User.organisation_id.in_(wanted), User.is_active.is_(True))
            .order_by(User.email)
        )
    )


# --- eligibility -------------------------------------------------------------------------


def _meets(item: Certified, lot: Lot) -> bool:
    if item.category_id != lot.category_id:
        return False
    return lot.norm_id is None or (item.norm_id == lot.norm_id and item.rank >= lot.level_rank)


def eligible_solutions(vendor_id: int, lot: Lot) -> list[Certified]:
    """The vendor's solutions able to meet the lot, each with its best qualifying label."""
    seen: dict[int, Certified] = {}
    for item in services.certified_labels([lot.category_id], vendor_id):
        if _meets(item, lot) and item.solution_id not in seen:
            seen[item.solution_id] = item
    return list(seen.values())


def eligible_vendor_ids(lot: Lot) -> set[int]:
    """Vendors with at least one solution able to meet the lot."""
    return {
        item.vendor_id for item in services.certified_labels([lot.category_id]) if _meets(item, lot)
    }


def requirement_text(lot: Lot) -> str:
    """The lot's requirement in words."""
    if lot.norm is None:
        return f"a valid label (any norm) on a published solution in {lot.category.name}"
    level = services.level_name(lot.norm, lot.level_rank)
    return (
        f"a valid label under {lot.norm.code} at level {level} or above on a published "
        f"solution in {lot.category.name}"
    )


def ineligibility_reason(vendor_id: int, lot: Lot) -> str:
    """Why the vendor cannot offer ("" when it can)."""
    if eligible_solutions(vendor_id, lot):
        return ""
    if lot.norm is None:
        return f"None of your published solutions in {lot.category.name} holds a valid label."
    level = services.level_name(lot.norm, lot.level_rank)
    return (
        f"None of your published solutions in {lot.category.name} holds a valid label "
        f"under {lot.norm.code} at level {level} or above."
    )


def vendor_eligibility(vendor_id: int, calls: Sequence[JointCall]) -> dict[int, str]:
    """Call id → why the vendor cannot offer ("" when it can), in one query."""
    certified = services.certified_labels({call.lot.category_id for call in calls}, vendor_id)
    result = {}
    for call in calls:
        can = any(_meets(item, call.lot) for item in certified)
        result[call.id] = "" if can else ineligibility_reason(vendor_id, call.lot)
    return result


# --- reading calls ---------------------------------------------------------------------


def _buyer_member_clause(organisation_id: int) -> Any:
    return exists().where(
        LotMember.lot_id == JointCall.lot_id,
        LotMember.buyer_id == organisation_id,
        LotMember.declined_at.is_(None),
    )


def calls_for(actor: User | None, phase: str = "") -> Select[JointCall]:
    """The calls the actor may list, newest first (authority: all; vendor: all; buyer: its)."""
    user = require_role(actor, Role.AUTHORITY, Role.VENDOR, Role.BUYER)
    statement = (
        select(JointCall)
        .options(
            selectinload(JointCall.lot).selectinload(Lot.category),
            selectinload(JointCall.lot).selectinload(Lot.norm),
        )
        .order_by(JointCall.opened_at.desc(), JointCall.id.desc())
    )
    if user.role is Role.BUYER:
        statement = statement.where(_buyer_member_clause(user.organisation_id))
    now = utcnow()
    if phase == "taking_offers":
        statement = statement.where(JointCall.status == CallStatus.OPEN, JointCall.deadline > now)
    elif phase == "awaiting_award":
        statement = statement.where(JointCall.status == CallStatus.OPEN, JointCall.deadline <= now)
    elif phase in {status.value for status in CallStatus if status is not CallStatus.OPEN}:
        statement = statement.where(JointCall.status == CallStatus(phase))
    return statement


def get_call(actor: User | None, call_id: int) -> JointCall:
    """A call the actor may see: the authority and vendors any, a buyer those of its lots."""
    user = require_role(actor, Role.AUTHORITY, Role.VENDOR, Role.BUYER)
    call = db.session.get(JointCall, call_id) if 0 < call_id <= MAX_ID else None
    if call is None:
        raise NotVisible()
    if user.role is Role.BUYER and not any(
        member.buyer_id == user.organisation_id for member in call.lot.active_members
    ):
        raise NotVisible()
    return call


def call_of_lot(lot_id: int) -> JointCall | None:
    """The call opened from a lot, if any."""
    return db.session.scalar(select(JointCall).where(JointCall.lot_id == lot_id))


def own_offer(actor: User, call: JointCall) -> Offer | None:
    """The actor's organisation's offer on the call, if any."""
    return db.session.scalar(
        select(Offer).where(Offer.call_id == call.id, Offer.vendor_id == actor.organisation_id)
    )


def offer_count(call: JointCall) -> int | None:
    """How many offers the call has; None while sealed (before the deadline)."""
    if not call.deadline_passed():
        return None
    return len(call.offers)


def unsealed_offers(actor: User | None, call: JointCall) -> list[Offer]:
    """Every offer, for the authority, from the deadline on; [] before."""
    require_role(actor, Role.AUTHORITY)
    if not call.deadline_passed():
        return []
    return list(
        db.session.scalars(
            select(Offer)
            .where(Offer.call_id == call.id)
            .options(selectinload(Offer.tiers), selectinload(Offer.vendor))
            .order_by(Offer.id)
        )
    )


def get_offer(actor: User | None, call: JointCall, offer_id: int) -> Offer:
    """An offer: its own vendor always; the authority from the deadline on; nobody else."""
    user = require_role(actor, Role.AUTHORITY, Role.VENDOR)
    offer = db.session.get(Offer, offer_id) if 0 < offer_id <= MAX_ID else None
    if offer is None or offer.call_id != call.id:
        raise NotVisible()
    if user.role is Role.VENDOR:
        require_same_organisation(user, offer.vendor_id)
    elif not call.deadline_passed():
        raise NotVisible()
    return offer


def buyer_outcomes(actor: User, call_ids: Sequence[int]) -> dict[int, str]:
    """Call id → the buyer organisation's outcome in words (awarded calls only), one query each."""
    if not call_ids:
        return {}
    outcome: dict[int, list[str]] = {}
    lines = db.session.execute(
        select(Award.call_id, ContractLine)
        .join(ContractLine, ContractLine.award_id == Award.id)
        .where(Award.call_id.in_(call_ids), ContractLine.buyer_id == actor.organisation_id)
        .order_by(ContractLine.id)
    ).all()
    for call_id, line in lines:
        outcome.setdefault(call_id, []).append(
            f"Contract {line.reference}: {line.quantity} at {line.unit_price} per unit"
        )
    dropped = db.session.execute(
        select(Award.call_id, AwardDropout.price_at_dropout)
        .join(AwardDropout, AwardDropout.award_id == Award.id)
        .where(Award.call_id.in_(call_ids), AwardDropout.buyer_id == actor.organisation_id)
        .order_by(AwardDropout.id)
    ).all()
    for call_id, price in dropped:
        outcome.setdefault(call_id, []).append(f"Dropped out: {price} was above your maximum")
    return {call_id: "; ".join(texts) for call_id, texts in outcome.items()}


def buyer_outcome(actor: User, call: JointCall) -> tuple[list[ContractLine], list[AwardDropout]]:
    """The buyer's contract lines and dropouts under the call's award."""
    if call.award is None:
        return [], []
    lines = [line for line in call.award.lines if line.buyer_id == actor.organisation_id]
    dropouts = [d for d in call.award.dropouts if d.buyer_id == actor.organisation_id]
    return lines, dropouts


# --- opening, documents, cancelling ------------------------------------------------------


def _text(value: str, field: str, label: str, limit: int, *, required: bool) -> str:
    text = multi_line(value or "")
    if required and not text:
        raise RuleViolation(f"Give {label.lower()}.", field)
    return check_length(text, limit, field, label)


def _deadline(deadline: dt.datetime) -> dt.datetime:
    if not isinstance(deadline, dt.datetime) or deadline.tzinfo is None:
        raise RuleViolation("Give a valid date.", "deadline")
    days = min_offer_days()
    now = utcnow()
    if deadline < now + dt.timedelta(days=days):
        raise RuleViolation(
            f"Vendors need at least {days} days to offer: choose a deadline on or after "
            f"{(now + dt.timedelta(days=days)).date().isoformat()}.",
            "deadline",
        )
    if deadline > now + dt.timedelta(days=MAX_DEADLINE_DAYS):
        raise RuleViolation("Choose a deadline within a year.", "deadline")
    return deadline


def open_call(
    actor: User | None,
    lot: Lot,
    title: str,
    description: str,
    deadline: dt.datetime,
    contract_months: int,
) -> JointCall:
    """Open a joint call from a frozen lot and tell the eligible vendors."""
    authority = require_role(actor, Role.AUTHORITY)
    if lot.status is not LotStatus.FROZEN:
        raise RuleViolation(
            f"A joint call is opened from a frozen lot; {lot.reference} is "
            f"{lot.status.label.lower()}."
        )
    clean_title = one_line(title or "")
    if not clean_title:
        raise RuleViolation("Give the call a title.", "title")
    check_length(clean_title, TITLE_MAX, "title", "The title")
    text = _text(description, "description", "The description", DESCRIPTION_MAX, required=False)
    closes = _deadline(deadline)
    months = contract_months
    if isinstance(months, bool) or not isinstance(months, int):
        raise RuleViolation("Give the contract duration in whole months.", "contract_months")
    if not 1 <= months <= MAX_CONTRACT_MONTHS:
        raise RuleViolation(
            f"A framework agreement lasts 1 to {MAX_CONTRACT_MONTHS} months.", "contract_months"
        )
    call = JointCall(
        lot=lot,
        ocid=f"pending-{secrets.token_hex(8)}",
        title=clean_title,
        description=text,
        status=CallStatus.OPEN,
        deadline=closes,
        contract_months=months,
        opened_at=utcnow(),
        opened_by_id=authority.id,
    )
    db.session.add(call)
    db.session.flush()
    call.ocid = ocds.call_ocid(call.id)
    lot.status = LotStatus.CALL_OPENED
    for member in lot.active_members:
        member.need.status = NeedStatus.IN_CALL
        member.need.updated_at = utcnow()
    vendors = eligible_vendor_ids(lot)
    emails = _org_emails(vendors)
    for email in emails:
        send_mail(
            email,
            f"Joint call {call.reference} is open to your certified solutions",
            (
                f"The authority opened the joint call “{call.title}” ({call.reference}) for "
                f"{lot.buyers} public buyers: {lot.firm_quantity} "
                f"{lot.unit.label.lower()}(s) estimated, up to {lot.maximum_quantity}.\n"
                f"It requires {requirement_text(lot)}; at least one of your solutions "
                f"meets it.\n\nOffers close on {_stamp(closes)}.\n"
                f"Read the call and make your offer: {call_link(call)}\n"
            ),
        )
    audit.record(
        authority,
        "call.open",
        call,
        summary=f"{call.reference} opened from {lot.reference}",
        data={
            "lot": lot.id,
            "ocid": call.ocid,
            "deadline": closes.isoformat(),
            "contract_months": months,
            "vendors_notified": len(vendors),
        },
    )
    return call


def _require_taking_offers(call: JointCall, doing: str) -> None:
    if call.status is not CallStatus.OPEN:
        raise RuleViolation(f"This call is {call.status.label.lower()}: {doing} is closed.")
    if call.deadline_passed():
        raise RuleViolation(
            f"The deadline for offers passed on {_stamp(call.deadline)}; {doing} is closed."
        )


def add_document(
    actor: User | None, call: JointCall, title: str, filename: str | None, stream: BinaryIO
) -> CallDocument:
    """Attach a tender document while the call takes offers (checked like evidence files)."""
    authority = require_role(actor, Role.AUTHORITY)
    _require_taking_offers(call, "adding documents")
    clean = one_line(title or "")
    if not clean:
        raise RuleViolation("Give the document a title.", "title")
    check_length(clean, TITLE_MAX, "title", "The title")
    checked = files.check_upload(filename, stream)
    with files.stored_file(checked) as stored_name:
        document = CallDocument(
            call=call,
            title=clean,
            original_name=checked.display_name[:255],
            stored_name=stored_name,
            content_type=checked.content_type,
            size_bytes=len(checked.data),
            sha256=checked.sha256,
            uploaded_at=utcnow(),
            uploaded_by_id=authority.id,
        )
        db.session.add(document)
        db.session.flush()
        audit.record(
            authority,
            "call.document",
            document,
            summary=f"{checked.display_name} attached to {call.reference}",
            data={"sha256": checked.sha256, "call": call.id},
        )
    return document


def get_document(actor: User | None, call: JointCall, document_id: int) -> CallDocument:
    """A document of a call the actor may see (get_call checked the call)."""
    require_role(actor, Role.AUTHORITY, Role.VENDOR, Role.BUYER)
    document = db.session.get(CallDocument, document_id) if 0 < document_id <= MAX_ID else None
    if document is None or document.call_id != call.id:
        raise NotVisible()
    return document


def _member_needs_open(lot: Lot) -> None:
    for member in lot.active_members:
        if member.need.status in (NeedStatus.IN_CALL, NeedStatus.POOLED):
            member.need.status = NeedStatus.OPEN
            member.need.updated_at = utcnow()


def _notify_end(call: JointCall, subject: str, body: str) -> None:
    organisations = {member.buyer_id for member in call.lot.active_members}
    organisations |= {offer.vendor_id for offer in call.offers}
    for email in _org_emails(organisations):
        send_mail(email, subject, body)


def _reason(reason: str) -> str:
    return _text(reason, "reason", "The reason", REASON_MAX, required=True)


def _close(call: JointCall, actor: User | None, status: CallStatus, reason: str) -> None:
    call.status = status
    call.closed_at = utcnow()
    call.closed_by_id = actor.id if actor is not None else None
    call.outcome_reason = reason


def cancel_call(actor: User | None, call: JointCall, reason: str) -> JointCall:
    """Cancel a call before its deadline; the lot is cancelled and its needs open again."""
    authority = require_role(actor, Role.AUTHORITY)
    text = _reason(reason)
    _require_taking_offers(call, "cancelling")
    _close(call, authority, CallStatus.CANCELLED, text)
    call.lot.status = LotStatus.CANCELLED
    _member_needs_open(call.lot)
    _notify_end(
        call,
        f"Joint call {call.reference} is cancelled",
        f"The joint call “{call.title}” ({call.reference}) is cancelled.\n\nReason: {text}\n\n"
        f"Buyers' needs are open again for the next aggregation round. {call_link(call)}\n",
    )
    audit.record(
        authority,
        "call.cancel",
        call,
        summary=f"{call.reference} cancelled",
        data={"reason": text, "lot": call.lot_id},
    )
    return call


def _require_awaiting_award(call: JointCall, doing: str) -> None:
    if call.status is not CallStatus.OPEN:
        raise RuleViolation(f"This call is already {call.status.label.lower()}.")
    if not call.deadline_passed():
        raise RuleViolation(
            f"Offers are sealed until {_stamp(call.deadline)}; {doing} waits until then."
        )


def _end_unsuccessful(actor: User | None, call: JointCall, reason: str, action: str) -> None:
    _close(call, actor, CallStatus.UNSUCCESSFUL, reason)
    call.lot.status = LotStatus.UNSUCCESSFUL
    _member_needs_open(call.lot)
    _notify_end(
        call,
        f"Joint call {call.reference} ended without an award",
        f"The joint call “{call.title}” ({call.reference}) ended without an award.\n\n"
        f"Reason: {reason}\n\nBuyers' needs are open again for the next aggregation round. "
        f"{call_link(call)}\n",
    )
    audit.record(
        actor,
        action,
        call,
        summary=f"{call.reference} unsuccessful",
        data={"reason": reason, "lot": call.lot_id},
    )


def declare_unsuccessful(actor: User | None, call: JointCall, reason: str) -> JointCall:
    """End a call without award, after its deadline, with a reason."""
    authority = require_role(actor, Role.AUTHORITY)
    text = _reason(reason)
    _require_awaiting_award(call, "declaring it unsuccessful")
    _end_unsuccessful(authority, call, text, "call.unsuccessful")
    return call


# --- offers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferData:
    """Everything a vendor sets on an offer; tiers as (min quantity, unit price) pairs."""

    solution_id: int
    lead_time_days: int
    tiers: Sequence[tuple[int, Decimal | str]]
    notes: str = ""


def _tier_price(value: Decimal | str, field: str) -> Decimal:
    try:
        price = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise RuleViolation("Give the unit price as a number.", field) from None
    if not price.is_finite() or price <= 0:
        raise RuleViolation("The unit price must be more than zero.", field)
    if price > services.MAX_UNIT_PRICE:
        raise RuleViolation(f"The unit price must be at most {services.MAX_UNIT_PRICE:,}.", field)
    if price != price.quantize(_CENT):
        raise RuleViolation("Give the price to the cent at most.", field)
    return price.quantize(_CENT)


def check_tiers(tiers: Sequence[tuple[int, Decimal | str]]) -> list[tuple[int, Decimal]]:
    """Validated tiers, or RuleViolation on the row at fault (fields tier_quantity_N…)."""
    if not tiers:
        raise RuleViolation("Give at least one price tier, from quantity 1.", "tier_quantity_1")
    if len(tiers) > MAX_TIERS:
        raise RuleViolation(f"Give at most {MAX_TIERS} price tiers.", "tier_quantity_1")
    result: list[tuple[int, Decimal]] = []
    for index, (quantity, raw_price) in enumerate(tiers, start=1):
        q_field, p_field = f"tier_quantity_{index}", f"tier_price_{index}"
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            raise RuleViolation("Give the quantity as a whole number.", q_field)
        if index == 1 and quantity != 1:
            raise RuleViolation("The first tier starts at quantity 1.", q_field)
        if quantity < 1 or quantity > services.MAX_QUANTITY:
            raise RuleViolation(
                f"The quantity must be between 1 and {services.MAX_QUANTITY:,}.", q_field
            )
        price = _tier_price(raw_price, p_field)
        if result and quantity <= result[-1][0]:
            raise RuleViolation(
                "Each tier starts at a larger quantity than the one before.", q_field
            )
        if result and price > result[-1][1]:
            raise RuleViolation(
                "A larger quantity cannot cost more per unit than a smaller one.", p_field
            )
        result.append((quantity, price))
    return result


def _apply_offer(
    vendor: User, call: JointCall, offer: Offer, data: OfferData
) -> list[tuple[int, Decimal]]:
    certified = {
        item.solution_id: item for item in eligible_solutions(vendor.organisation_id, call.lot)
    }
    if not certified:
        raise RuleViolation(ineligibility_reason(vendor.organisation_id, call.lot))
    chosen = certified.get(data.solution_id)
    if chosen is None:
        raise RuleViolation(
            f"Choose one of your solutions holding {requirement_text(call.lot)}.", "solution"
        )
    lead = data.lead_time_days
    if isinstance(lead, bool) or not isinstance(lead, int) or not 1 <= lead <= MAX_LEAD_TIME_DAYS:
        raise RuleViolation(f"The lead time is 1 to {MAX_LEAD_TIME_DAYS} days.", "lead_time_days")
    tiers = check_tiers(data.tiers)
    notes = _text(data.notes, "notes", "The notes", NOTES_MAX, required=False)
    offer.solution_id = chosen.solution_id
    offer.label_id = chosen.label_id
    offer.lead_time_days = lead
    offer.notes = notes
    offer.updated_at = utcnow()
    offer.tiers.clear()
    db.session.flush()
    for quantity, price in tiers:
        offer.tiers.append(OfferTier(min_quantity=quantity, unit_price=price))
    return tiers


def _require_vendor(actor: User | None) -> User:
    return require_role(actor, Role.VENDOR)


def submit_offer(actor: User | None, call: JointCall, data: OfferData) -> Offer:
    """Make the vendor's one offer on the call, before the deadline."""
    vendor = _require_vendor(actor)
    _require_taking_offers(call, "making offers")
    existing = own_offer(vendor, call)
    if existing is not None:
        raise RuleViolation(
            f"Your organisation has already made an offer on this call ({existing.reference}); "
            "change it with “Edit your offer”. Nothing was changed."
        )
    offer = Offer(
        call_id=call.id,
        vendor_id=vendor.organisation_id,
        submitted_at=utcnow(),
        submitted_by_id=vendor.id,
    )
    tiers = _apply_offer(vendor, call, offer, data)
    db.session.add(offer)
    try:
        db.session.flush()
    except IntegrityError:
        raise RuleViolation(
            "Your organisation has already made an offer on this call. Nothing was changed."
        ) from None
    db.session.expire(call, ["offers"])
    audit.record(
        vendor,
        "offer.submit",
        offer,
        summary=f"{offer.reference} made on {call.reference}",
        data={"call": call.id, "tiers": len(tiers), "lead_time_days": offer.lead_time_days},
    )
    return offer


def update_offer(actor: User | None, offer: Offer, data: OfferData) -> Offer:
    """Change one's own offer before the deadline."""
    vendor = _require_vendor(actor)
    require_same_organisation(vendor, offer.vendor_id)
    call = offer.call
    if call.status is not CallStatus.OPEN or call.deadline_passed():
        raise RuleViolation(
            f"The deadline for offers passed on {_stamp(call.deadline)}; "
            "your offer was not changed."
        )
    tiers = _apply_offer(vendor, call, offer, data)
    offer.submitted_by_id = vendor.id
    audit.record(
        vendor,
        "offer.update",
        offer,
        summary=f"{offer.reference} changed",
        data={"call": call.id, "tiers": len(tiers), "lead_time_days": offer.lead_time_days},
    )
    return offer


def withdraw_offer(actor: User | None, offer: Offer) -> None:
    """Withdraw one's own offer before the deadline (it is deleted)."""
    vendor = _require_vendor(actor)
    require_same_organisation(vendor, offer.vendor_id)
    call = offer.call
    if call.status is not CallStatus.OPEN or call.deadline_passed():
        raise RuleViolation(
            f"The deadline for offers passed on {_stamp(call.deadline)}; "
            "your offer was not withdrawn."
        )
    audit.record(
        vendor,
        "offer.withdraw",
        offer,
        summary=f"{offer.reference} withdrawn from {call.reference}",
        data={"call": call.id},
    )
    db.session.delete(offer)
    db.session.flush()
    db.session.expire(call, ["offers"])


# --- award --------------------------------------------------------------------------------


def _member_input(member: LotMember) -> award_rules.MemberInput:
    need = member.need
    return award_rules.MemberInput(
        need_id=need.id,
        buyer_id=member.buyer_id,
        firm_quantity=need.firm_quantity,
        optional_quantity=need.optional_quantity,
        ceiling=need.max_unit_price,
    )


def _offer_input(offer: Offer) -> award_rules.OfferInput:
    return award_rules.OfferInput(
        id=offer.id,
        tiers=tuple(award_rules.Tier(t.min_quantity, t.unit_price) for t in offer.tiers),
        lead_time_days=offer.lead_time_days,
        submitted_at=offer.submitted_at,
    )


def compliance(call: JointCall) -> dict[int, str]:
    """Offer id → why it is no longer compliant ("" when it is), checked now."""
    certified = [
        item for item in services.certified_labels([call.lot.category_id]) if _meets(item, call.lot)
    ]
    by_solution = {(item.vendor_id, item.solution_id) for item in certified}
    return {
        offer.id: ""
        if (offer.vendor_id, offer.solution_id) in by_solution
        else f"{offer.solution.name} no longer holds {requirement_text(call.lot)}"
        for offer in call.offers
    }


def min_buyers(lot: Lot) -> int:
    """Buyers an award must keep: the round's minimum, and never fewer than two."""
    return max(award_rules.MIN_BUYERS, services.round_parameters(lot.round).min_buyers)


def award_call(actor: User | None, call: JointCall) -> JointCall:
    """Award the call to the best compliant offer, or end it unsuccessful (see the docstring)."""
    authority = require_role(actor, Role.AUTHORITY)
    _require_awaiting_award(call, "the award")
    lot = call.lot
    checks = compliance(call)
    compliant = [offer for offer in call.offers if not checks[offer.id]]
    members = [_member_input(member) for member in lot.active_members]
    decision = award_rules.decide(members, [_offer_input(o) for o in compliant], min_buyers(lot))
    excluded = [f"{o.reference}: {checks[o.id]}" for o in call.offers if checks[o.id]]
    refused = [
        f"OFFER-{outcome.offer_id:05d}: {outcome.reason}"
        for outcome in decision.outcomes
        if not outcome.viable
    ]
    winner = decision.winner
    if winner is None or winner.unit_price is None:
        reason = decision.reason
        if excluded or refused:
            reason += " " + "; ".join(excluded + refused) + "."
        _end_unsuccessful(authority, call, reason, "call.award_unsuccessful")
        return call
    offer = next(o for o in compliant if o.id == winner.offer_id)
    price = winner.unit_price
    total = (winner.quantity * price).quantize(_CENT)
    beta = (
        services.round_parameters(lot.round)
        .curve_for_key(lot.category.code, lot.unit.value, lot.currency)
        .beta
    )
    counterfactual = award_rules.counterfactual_value(
        award_rules.quantities_by_buyer(winner.kept), price, beta
    ).quantize(_CENT)
    saving = (1 - total / counterfactual).quantize(_SAVING_STEP) if counterfactual else Decimal(0)
    start = services.today()
    rationale = (
        f"{offer.reference} ({offer.vendor.name}, {offer.solution.name}) at {price} "
        f"{lot.currency} per unit for {winner.quantity} units, lead time "
        f"{offer.lead_time_days} days: the lowest final unit price of "
        f"{len(decision.outcomes)} compliant offer(s)."
    )
    if winner.dropouts:
        rationale += (
            f" {len(winner.dropouts)} buyer need(s) dropped out above their maximum unit price"
            f" and the rest was re-priced in {len(winner.steps)} step(s)."
        )
    if excluded or refused:
        rationale += " Not retained: " + "; ".join(excluded + refused) + "."
    decided = Award(
        call=call,
        offer_id=offer.id,
        quantity=winner.quantity,
        maximum_quantity=winner.maximum_quantity,
        unit_price=price,
        total_value=total,
        counterfactual_value=counterfactual,
        realised_saving=saving,
        rationale=rationale,
        decided_at=utcnow(),
        decided_by_id=authority.id,
        contract_start=start,
        contract_end=add_months(start, call.contract_months) - dt.timedelta(days=1),
    )
    db.session.add(decided)
    members_by_need = {member.need_id: member for member in lot.active_members}
    for kept in winner.kept:
        member = members_by_need[kept.need_id]
        decided.lines.append(
            ContractLine(
                member_id=member.id,
                need_id=kept.need_id,
                buyer_id=kept.buyer_id,
                quantity=kept.firm_quantity,
                maximum_quantity=kept.firm_quantity + kept.optional_quantity,
                unit_price=price,
                value=(kept.firm_quantity * price).quantize(_CENT),
                created_at=utcnow(),
            )
        )
        member.need.status = NeedStatus.CONTRACTED
        member.need.updated_at = utcnow()
    for dropout in winner.dropouts:
        member = members_by_need[dropout.need_id]
        decided.dropouts.append(
            AwardDropout(
                member_id=member.id,
                need_id=dropout.need_id,
                buyer_id=dropout.buyer_id,
                ceiling=dropout.ceiling,
                price_at_dropout=dropout.price_at_dropout,
            )
        )
        member.need.status = NeedStatus.OPEN
        member.need.updated_at = utcnow()
    _close(call, authority, CallStatus.AWARDED, "")
    lot.status = LotStatus.AWARDED
    db.session.flush()
    _notify_award(call, decided)
    audit.record(
        authority,
        "call.award",
        call,
        summary=f"{call.reference} awarded to {offer.reference}",
        data={
            "award": decided.id,
            "offer": offer.id,
            "unit_price": str(price),
            "quantity": winner.quantity,
            "contract_lines": len(decided.lines),
            "dropouts": [d.need_id for d in decided.dropouts],
            "realised_saving": str(saving),
        },
    )
    return call


def _notify_award(call: JointCall, decided: Award) -> None:
    link = call_link(call)
    currency = call.lot.currency
    for line in decided.lines:
        for email in _org_emails([line.buyer_id]):
            send_mail(
                email,
                f"Joint call {call.reference} awarded: your contract {line.reference}",
                (
                    f"The joint call “{call.title}” is awarded. Your need "
                    f"“{line.need.title}” is contracted: {line.quantity} unit(s) (up to "
                    f"{line.maximum_quantity}) at {line.unit_price} {currency} per unit, "
                    f"from {decided.contract_start} to {decided.contract_end}.\n{link}\n"
                ),
            )
    for dropout in decided.dropouts:
        for email in _org_emails([dropout.buyer_id]):
            send_mail(
                email,
                f"Joint call {call.reference} awarded above your maximum price",
                (
                    f"The joint call “{call.title}” is awarded, but the unit price "
                    f"({dropout.price_at_dropout} {currency}) was above your maximum unit price "
                    f"({dropout.ceiling} {currency}) for “{dropout.need.title}”. Your need is "
                    f"open again for the next aggregation round.\n{link}\n"
                ),
            )
    for offer in call.offers:
        won = offer.id == decided.offer_id
        for email in _org_emails([offer.vendor_id]):
            send_mail(
                email,
                f"Joint call {call.reference}: your offer "
                + ("is awarded" if won else "was not retained"),
                (
                    f"Your offer {offer.reference} on “{call.title}” "
                    + (
                        f"is awarded: {decided.quantity} unit(s) at {decided.unit_price} "
                        f"{currency} for {len(decided.lines)} buyer(s)."
                        if won
                        else f"was not retained; the call was awarded at {decided.unit_price} "
                        f"{currency} per unit."
                    )
                    + f"\n{link}\n"
                ),
            )
