"""The supporting documents asked of a call's provisional winner before its award (directive
2014/24, art. 59(4)).

Decided here (README, "Lawful joint procurement", gives the overview):

- After the opening and before the award, the authority asks the provisional winner (the offer
  the award would retain now: procurement.calls.services.awarding.provisional_winner) for the
  documents supporting its self-declaration, with what is asked and a deadline. One request per
  offer; another offer is asked only once the request before it is rejected.
- The vendor uploads its documents until that deadline; the authority then accepts them or
  rejects them (a rejection is possible without documents once the deadline has passed), with a
  reason. Each step writes an audit entry; the vendor is told of the request and the decision.
- Once evidence has been asked on a call, the award is refused until the offer it would retain
  has evidence accepted. A rejected offer is excluded from the award (the compliance check
  gives the reason), so the next-ranked offer becomes the provisional winner.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from procurement.calls.access.models import WinnerEvidence, WinnerEvidenceDocument
from procurement.calls.limits import REASON_MAX, utc_stamp
from procurement.calls.models import CallStatus, JointCall, Offer, OfferStatus
from procurement.calls.notices import call_link, org_emails
from registry import audit
from registry.access import require_role, require_same_organisation
from registry.database import db, utcnow
from registry.dates import when
from registry.exceptions import RuleViolation
from registry.mail import send_mail
from registry.models import Role, User
from registry.uploads import CheckedFile, stored_file, stored_file_columns

ASKED = "asked"
SUBMITTED = "submitted"
ACCEPTED = "accepted"
REJECTED = "rejected"
STATUS_TEXT = {
    ASKED: "Asked, no document yet",
    SUBMITTED: "Documents uploaded, awaiting the authority's decision",
    ACCEPTED: "Accepted",
    REJECTED: "Rejected",
}


def requests_of(call: JointCall) -> list[WinnerEvidence]:
    """The call's evidence requests, oldest first."""
    return list(
        db.session.scalars(
            select(WinnerEvidence)
            .where(WinnerEvidence.call_id == call.id)
            .order_by(WinnerEvidence.id)
        )
    )


def request_of(offer: Offer) -> WinnerEvidence | None:
    """The evidence asked of the offer, if any."""
    return db.session.scalars(
        select(WinnerEvidence).where(WinnerEvidence.offer_id == offer.id)
    ).first()


def rejected(call: JointCall) -> dict[int, str]:
    """Offer id → the reason its evidence was rejected, for the call's rejected offers."""
    return {row.offer_id: row.reason for row in requests_of(call) if row.status == REJECTED}


def _require_awaiting_award(call: JointCall) -> None:
    if call.status is not CallStatus.OPEN or call.offers_opened_at is None:
        raise RuleViolation(
            "Evidence is asked after the opening and before the award; "
            f"{call.reference} is not awaiting its award. Nothing was recorded."
        )


def _checked_text(value: str, field: str, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise RuleViolation(f"Give the {what}.", field)
    if len(text) > REASON_MAX:
        raise RuleViolation(f"Give the {what} in at most {REASON_MAX} characters.", field)
    return text


def ask(
    actor: User | None, call: JointCall, offer: Offer, asked_for: str, due_at: dt.datetime
) -> WinnerEvidence:
    """Ask the provisional winner's vendor for its supporting documents, by ``due_at``."""
    authority = require_role(actor, Role.AUTHORITY)
    _require_awaiting_award(call)
    if offer.call_id != call.id or offer.status is not OfferStatus.SUBMITTED:
        raise RuleViolation("Only a submitted offer on this call is asked for evidence.")
    text = _checked_text(asked_for, "asked_for", "documents asked")
    if due_at <= utcnow():
        raise RuleViolation("Give a deadline in the future.", "due_on")
    if request_of(offer) is not None:
        raise RuleViolation(
            f"Evidence was already asked of {offer.reference}. Nothing was recorded."
        )
    pending = [row for row in requests_of(call) if row.status != REJECTED]
    if pending:
        raise RuleViolation(
            f"Evidence asked of {pending[0].offer.reference} is not rejected; another offer is "
            "asked only after that. Nothing was recorded."
        )
    row = WinnerEvidence(
        call_id=call.id,
        offer_id=offer.id,
        asked_for=text,
        asked_at=utcnow(),
        due_at=due_at,
        asked_by_id=authority.id,
        status=ASKED,
        reason="",
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        authority,
        "offer.evidence_asked",
        offer,
        summary=f"Supporting evidence asked of {offer.reference} on {call.reference}",
        data={"call": call.id, "asked_for": text, "due_at": utc_stamp(due_at)},
    )
    for email in org_emails([offer.vendor_id]):
        send_mail(
            email,
            f"Joint call {call.reference}: send your supporting documents by {when(due_at)}",
            (
                f"Your offer {offer.reference} on “{call.title}” is the provisional winner. "
                "Before the award the authority asks for the documents supporting your "
                f"self-declaration:\n\n{text}\n\nUpload them on the offer's page by "
                f"{when(due_at)}. Without accepted evidence the offer cannot be awarded "
                f"and the next-ranked offer is asked instead.\n{call_link(call)}\n"
            ),
        )
    return row


def upload(actor: User | None, row: WinnerEvidence, checked: CheckedFile) -> WinnerEvidenceDocument:
    """The vendor adds one supporting document, before the request's deadline."""
    vendor = require_role(actor, Role.VENDOR)
    offer = row.offer
    require_same_organisation(vendor, offer.vendor_id)
    _require_awaiting_award(offer.call)
    if row.status not in (ASKED, SUBMITTED):
        raise RuleViolation(
            f"The authority already decided on this evidence ({row.status}); nothing was added."
        )
    if utcnow() >= row.due_at:
        raise RuleViolation(
            f"The deadline for the evidence passed on {when(row.due_at)}; "
            "nothing was added. Contact the authority."
        )
    with stored_file(checked) as stored_name:
        document = WinnerEvidenceDocument(
            evidence_id=row.id, **stored_file_columns(checked, stored_name, vendor.id)
        )
        db.session.add(document)
        row.status = SUBMITTED
        db.session.flush()
    db.session.expire(row, ["documents"])
    audit.record(
        vendor,
        "offer.evidence_uploaded",
        offer,
        summary=f"Supporting document {document.original_name} added to {offer.reference}",
        data={"call": offer.call_id, "document": document.id, "sha256": document.sha256},
    )
    return document


def decide(actor: User | None, row: WinnerEvidence, accepted: bool, reason: str) -> WinnerEvidence:
    """The authority accepts or rejects the evidence, with a reason; the vendor is told."""
    authority = require_role(actor, Role.AUTHORITY)
    offer = row.offer
    call = offer.call
    _require_awaiting_award(call)
    if row.status in (ACCEPTED, REJECTED):
        raise RuleViolation(f"This evidence is already {row.status}. Nothing was recorded.")
    if row.status == ASKED and (accepted or utcnow() < row.due_at):
        raise RuleViolation(
            "No document is uploaded yet: the evidence is accepted only with documents, and "
            f"rejected without them only after its deadline ({when(row.due_at)}). "
            "Nothing was recorded."
        )
    text = _checked_text(reason, "reason", "reason for the decision")
    row.status = ACCEPTED if accepted else REJECTED
    row.reason = text
    row.decided_at = utcnow()
    row.decided_by_id = authority.id
    db.session.flush()
    audit.record(
        authority,
        "offer.evidence_decided",
        offer,
        summary=f"Supporting evidence of {offer.reference} {row.status}",
        data={"call": call.id, "accepted": accepted, "reason": text},
    )
    outcome = (
        "accepted"
        if accepted
        else "rejected: the offer is excluded from the award and the next-ranked offer is asked"
    )
    for email in org_emails([offer.vendor_id]):
        send_mail(
            email,
            f"Joint call {call.reference}: your supporting documents are {row.status}",
            (
                f"The authority decided on the supporting documents of your offer "
                f"{offer.reference} on “{call.title}”: {outcome}.\n\nReason: {text}\n\n"
                f"You may contest the decision with the authority.\n{call_link(call)}\n"
            ),
        )
    return row


def award_block(call: JointCall, offer: Offer) -> str:
    """Why the award to ``offer`` must wait for evidence ("" when it may go on): once evidence
    has been asked on the call, the offer retained needs evidence accepted."""
    if not requests_of(call):
        return ""
    row = request_of(offer)
    if row is not None and row.status == ACCEPTED:
        return ""
    if row is None:
        state = "not asked yet: ask it for its supporting documents"
    elif row.status == ASKED:
        state = f"asked, no document uploaded yet (due {when(row.due_at)})"
    else:
        state = "uploaded and awaiting your decision"
    return (
        f"The award waits for the supporting evidence of the provisional winner "
        f"{offer.reference}: {state}. Nothing was awarded."
    )
