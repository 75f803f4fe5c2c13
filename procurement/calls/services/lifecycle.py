"""Opening a joint call, its documents, and ending it cancelled or unsuccessful.

Decided here (docs/PROCUREMENT.md, "Flow" 4–6, gives the overview):

- A call is opened by the authority from a FROZEN lot only, with a deadline at least
  PROCUREMENT_MIN_OFFER_DAYS (default 10) days ahead and at most a year ahead. The form takes
  a date; offers close at 12:00 UTC that day. Opening marks the lot CALL_OPENED and its
  members' needs IN_CALL, and mails every active user of each vendor with an eligible
  solution.
- Unsuccessful (declared from the deadline on, or found by the award) and cancelled (before the
  deadline): the lot ends UNSUCCESSFUL or CANCELLED and its needs are OPEN again. Both need a
  reason, which buyers and vendors that offered receive by mail.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from typing import BinaryIO

from catalog.plain_text import check_length, multi_line, one_line
from procurement.calls.legal.models import LegalBasis
from procurement.calls.legal.services import check_opening, record_opening
from procurement.calls.limits import (
    DESCRIPTION_MAX,
    MAX_DEADLINE_DAYS,
    REASON_MAX,
    TITLE_MAX,
    min_offer_days,
)
from procurement.calls.models import MAX_CONTRACT_MONTHS, CallDocument, CallStatus, JointCall
from procurement.calls.notices import call_link, org_emails
from procurement.calls.scoring.services import checked_criteria, set_criteria, set_own_criteria
from procurement.calls.sealing.services import seal_call
from procurement.calls.services.eligibility import call_requirement_text, eligible_vendor_ids
from procurement.models import Lot, LotStatus, NeedStatus
from procurement.ocds.formats import call_ocid
from registry import audit, uploads
from registry.access import require_role
from registry.arguments import MAX_ID
from registry.database import db, utcnow
from registry.dates import when
from registry.exceptions import NotVisible, RuleViolation
from registry.mail import send_mail
from registry.models import Role, User
from registry.wording import counted
from vulnerabilities.models import Severity


def checked_text(value: str, field: str, label: str, limit: int, *, required: bool) -> str:
    """The text cleaned to one block, required if asked, within its limit; else refused."""
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


def _severity(value: Severity | str | None) -> Severity | None:
    """The call's vulnerability option, checked (None or "" excludes nobody)."""
    if value is None or value == "":
        return None
    try:
        return Severity(value)
    except ValueError:
        raise RuleViolation(
            "Choose a severity from the list.", "max_open_vulnerability_severity"
        ) from None


def open_call(
    actor: User | None,
    lot: Lot,
    title: str,
    description: str,
    deadline: dt.datetime,
    contract_months: int,
    *,
    requires_version_in_scope: bool = False,
    max_open_vulnerability_severity: Severity | str | None = None,
    award_criteria: Mapping[str, int | None] | None = None,
    legal_basis: LegalBasis | str = LegalBasis.CENTRAL_PURCHASING,
    opening_officers: Sequence[int] | None = None,
    opening_threshold: int | None = None,
    own_criteria: Sequence[tuple[str, int, str]] | None = None,
) -> JointCall:
    """Open a joint call from a frozen lot and tell the eligible vendors.

    `requires_version_in_scope`: offers must name a version in a valid label's certified scope
    (also when a buyer's need in the lot asks for it).
    `max_open_vulnerability_severity`: solutions with an open confirmed vulnerability at or
    above it are not eligible (None or "": no exclusion).
    `award_criteria`: weights in whole percent by criterion (procurement.calls.scoring);
    none: the call is awarded on price alone.
    `legal_basis`: whom the authority acts for; every buyer must have signed its mandate, and
    the deadline must respect the regime's offer period (procurement.calls.legal.services).
    `opening_officers` (user ids; None: every officer of the authority with an opening key) and
    `opening_threshold` (None: the configured default): who opens the sealed offers, k of n.
    `own_criteria`: criteria the authority defines itself, (name, weight, description); their
    weights and the others add up to 100 (procurement.calls.scoring).
    """
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
    text = checked_text(
        description, "description", "The description", DESCRIPTION_MAX, required=False
    )
    facts = check_opening(lot, legal_basis, deadline)
    closes = _deadline(deadline)
    months = contract_months
    if isinstance(months, bool) or not isinstance(months, int):
        raise RuleViolation("Give the contract duration in whole months.", "contract_months")
    if not 1 <= months <= MAX_CONTRACT_MONTHS:
        raise RuleViolation(
            f"A framework agreement lasts 1 to {MAX_CONTRACT_MONTHS} months.", "contract_months"
        )
    severity = _severity(max_open_vulnerability_severity)
    criteria, own = checked_criteria(award_criteria, own_criteria)
    call = JointCall(
        lot=lot,
        ocid=f"pending-{secrets.token_hex(8)}",
        title=clean_title,
        description=text,
        status=CallStatus.OPEN,
        deadline=closes,
        contract_months=months,
        requires_version_in_scope=bool(requires_version_in_scope)
        or any(member.need.requires_version_in_scope for member in lot.active_members),
        max_open_vulnerability_severity=severity,
        opened_at=utcnow(),
        opened_by_id=authority.id,
    )
    db.session.add(call)
    legal_data = record_opening(call, facts)
    db.session.flush()
    call.ocid = call_ocid(call.id)
    set_criteria(authority, call, criteria)
    set_own_criteria(authority, call, own)
    seal_call(authority, call, opening_officers, opening_threshold)
    lot.status = LotStatus.CALL_OPENED
    for member in lot.active_members:
        member.need.status = NeedStatus.IN_CALL
        member.need.updated_at = utcnow()
    vendors = eligible_vendor_ids(lot, call)
    emails = org_emails(vendors)
    for email in emails:
        send_mail(
            email,
            f"Joint call {call.reference} is open to your certified solutions",
            (
                f"The authority opened the joint call “{call.title}” ({call.reference}) for "
                f"{lot.buyers} public buyers: "
                f"{counted(lot.firm_quantity, lot.unit.label.lower())} estimated, up to "
                f"{lot.maximum_quantity}.\n"
                f"It requires {call_requirement_text(call)}; at least one of your solutions "
                f"meets it.\n\nOffers close on {when(closes)}.\n"
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
            "requires_version_in_scope": call.requires_version_in_scope,
            "max_open_vulnerability_severity": severity.value if severity else None,
            "vendors_notified": len(vendors),
            **legal_data,
        },
    )
    return call


def require_taking_offers(call: JointCall, doing: str) -> None:
    """Refuse what is done (``doing``) unless the call is open and before its deadline."""
    if call.status is not CallStatus.OPEN:
        raise RuleViolation(f"This call is {call.status.label.lower()}: {doing} is closed.")
    if call.deadline_passed():
        raise RuleViolation(
            f"The deadline for offers passed on {when(call.deadline)}; {doing} is closed."
        )


def add_document(
    actor: User | None, call: JointCall, title: str, filename: str | None, stream: BinaryIO
) -> CallDocument:
    """Attach a tender document while the call takes offers (checked like evidence files)."""
    authority = require_role(actor, Role.AUTHORITY)
    require_taking_offers(call, "adding documents")
    clean = one_line(title or "")
    if not clean:
        raise RuleViolation("Give the document a title.", "title")
    check_length(clean, TITLE_MAX, "title", "The title")
    checked = uploads.check_upload(filename, stream)
    with uploads.stored_file(checked) as stored_name:
        document = CallDocument(
            call=call,
            title=clean,
            **uploads.stored_file_columns(checked, stored_name, authority.id),
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
    for email in org_emails(organisations):
        send_mail(email, subject, body)


def _reason(reason: str) -> str:
    return checked_text(reason, "reason", "The reason", REASON_MAX, required=True)


def close_call(call: JointCall, actor: User | None, status: CallStatus, reason: str) -> None:
    """End the call with the status and reason, by the actor, now."""
    call.status = status
    call.closed_at = utcnow()
    call.closed_by_id = actor.id if actor is not None else None
    call.outcome_reason = reason


def cancel_call(actor: User | None, call: JointCall, reason: str) -> JointCall:
    """Cancel a call before its deadline; the lot is cancelled and its needs open again."""
    authority = require_role(actor, Role.AUTHORITY)
    text = _reason(reason)
    require_taking_offers(call, "cancelling")
    close_call(call, authority, CallStatus.CANCELLED, text)
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


def require_awaiting_award(call: JointCall, doing: str) -> None:
    """Refuse what is done (``doing``) unless the call is open and past its deadline."""
    if call.status is not CallStatus.OPEN:
        raise RuleViolation(f"This call is already {call.status.label.lower()}.")
    if not call.deadline_passed():
        raise RuleViolation(
            f"Offers are sealed until {when(call.deadline)}; {doing} waits until then."
        )


def end_unsuccessful(actor: User | None, call: JointCall, reason: str, action: str) -> None:
    """End the call without award: its lot's needs open again, buyers and vendors told, audited."""
    close_call(call, actor, CallStatus.UNSUCCESSFUL, reason)
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
    require_awaiting_award(call, "declaring it unsuccessful")
    end_unsuccessful(authority, call, text, "call.unsuccessful")
    return call
