"""Eligibility frozen at the deadline: recorded at the opening, read by the award.

Decided here (README, "Lawful joint procurement", gives the overview):

- At the opening (the first moment after the deadline) every submitted offer's eligibility is
  recorded with its basis: the label that made it eligible, or why it was not (the same checks
  as on every save: label, version in scope, open vulnerabilities).
- The award's compliance check reads that record: a label suspended or revoked, a version
  leaving the scope or a vulnerability confirmed after the deadline changes nothing, unless the
  authority records an eligibility decision (eligible or not, with a reason). The latest
  decision wins; the vendor is told and the audit chain records it.
- Decisions are taken on an opened call awaiting its award only; before the deadline (or for an
  offer made before records existed) the check is made now, as before.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from procurement.calls.access import evidence
from procurement.calls.access.models import EligibilityDecision, FrozenEligibility
from procurement.calls.limits import REASON_MAX
from procurement.calls.models import CallStatus, JointCall, Offer, OfferStatus
from procurement.calls.notices import call_link, org_emails
from procurement.calls.services.eligibility import (
    call_requirement_text,
    excluding,
    exclusion_text,
    label_for_version,
    meets_lot,
)
from procurement.services.eligibility import certified_labels
from registry import audit
from registry.access import require_role
from registry.database import db, utcnow
from registry.dates import when
from registry.exceptions import RuleViolation
from registry.mail import send_mail
from registry.models import Role, User


def checks_now(call: JointCall, offers: Sequence[Offer]) -> dict[int, str]:
    """Offer id → why it is not compliant now ("" when it is)."""
    certified = [
        item for item in certified_labels([call.lot.category_id]) if meets_lot(item, call.lot)
    ]
    by_solution = {(item.vendor_id, item.solution_id) for item in certified}
    excluded = excluding(call, [offer.solution_id for offer in offers])
    result = {}
    for offer in offers:
        if offer.solution_id in excluded:
            result[offer.id] = exclusion_text(offer.solution.name, excluded[offer.solution_id])
        elif (offer.vendor_id, offer.solution_id) in by_solution and _version_holds(call, offer):
            result[offer.id] = ""
        else:
            result[offer.id] = (
                f"{offer.solution.name} no longer holds {call_requirement_text(call)}"
            )
    return result


def _version_holds(call: JointCall, offer: Offer) -> bool:
    """On a call requiring it: the offered version is still in a qualifying label's scope."""
    if not call.requires_version_in_scope:
        return True
    return offer.version_id is not None and (
        label_for_version(offer.vendor_id, call.lot, offer.solution_id, offer.version_id)
        is not None
    )


def freeze(call: JointCall, offers: Sequence[Offer]) -> None:
    """Record the eligibility of the call's submitted offers, at its opening."""
    submitted = [offer for offer in offers if offer.status is OfferStatus.SUBMITTED]
    checks = checks_now(call, submitted)
    now = utcnow()
    for offer in submitted:
        reason = checks[offer.id]
        label = offer.label
        db.session.add(
            FrozenEligibility(
                offer_id=offer.id,
                call_id=call.id,
                eligible=not reason,
                label_id=None if reason else offer.label_id,
                basis="" if reason else f"label {label.number} ({label.level})",
                reason=reason,
                recorded_at=now,
            )
        )
    db.session.flush()


def records(call: JointCall) -> dict[int, FrozenEligibility]:
    """Offer id → its eligibility recorded at the call's opening."""
    rows = db.session.scalars(
        select(FrozenEligibility).where(FrozenEligibility.call_id == call.id)
    ).all()
    return {row.offer_id: row for row in rows}


def decisions(offer_ids: Sequence[int]) -> dict[int, list[EligibilityDecision]]:
    """Offer id → the authority's eligibility decisions on it, oldest first."""
    result: dict[int, list[EligibilityDecision]] = {offer_id: [] for offer_id in offer_ids}
    if not offer_ids:
        return result
    rows = db.session.scalars(
        select(EligibilityDecision)
        .where(EligibilityDecision.offer_id.in_(offer_ids))
        .order_by(EligibilityDecision.id)
    ).all()
    for row in rows:
        result[row.offer_id].append(row)
    return result


def compliance(call: JointCall) -> dict[int, str]:
    """Offer id → why it is not compliant ("" when it is): the latest decision, else the record
    made at the deadline, else (not opened yet) the check made now; an offer whose supporting
    evidence was rejected is out whatever else holds (procurement.calls.access.evidence)."""
    offers = list(call.offers)
    frozen = records(call)
    decided = decisions([offer.id for offer in offers])
    unrecorded = [offer for offer in offers if offer.id not in frozen]
    result = checks_now(call, unrecorded) if unrecorded else {}
    for offer in offers:
        if decided[offer.id]:
            latest = decided[offer.id][-1]
            result[offer.id] = "" if latest.eligible else f"not eligible: {latest.reason}"
        elif offer.id in frozen:
            result[offer.id] = frozen[offer.id].reason
    for offer_id, reason in evidence.rejected(call).items():
        if offer_id in result:
            result[offer_id] = f"supporting evidence rejected: {reason}"
    return result


def record_decision(
    actor: User | None, offer: Offer, eligible: bool, reason: str
) -> EligibilityDecision:
    """The authority decides, after the deadline and before the award, on an offer's
    eligibility, with a reason; the vendor is told and the audit chain records it."""
    authority = require_role(actor, Role.AUTHORITY)
    call = offer.call
    if call.status is not CallStatus.OPEN or call.offers_opened_at is None:
        raise RuleViolation(
            "An eligibility decision is taken after the deadline and before the award; "
            f"{call.reference} is not awaiting its award. Nothing was recorded."
        )
    if offer.status is not OfferStatus.SUBMITTED:
        raise RuleViolation("This offer was withdrawn; it does not count. Nothing was recorded.")
    text = (reason or "").strip()
    if not text:
        raise RuleViolation("Give the reason for the decision.", "reason")
    if len(text) > REASON_MAX:
        raise RuleViolation(f"Give the reason in at most {REASON_MAX} characters.", "reason")
    decision = EligibilityDecision(
        offer_id=offer.id,
        eligible=eligible,
        reason=text,
        decided_at=utcnow(),
        decided_by_id=authority.id,
    )
    db.session.add(decision)
    db.session.flush()
    verdict = "eligible" if eligible else "not eligible"
    audit.record(
        authority,
        "offer.eligibility_decision",
        offer,
        summary=f"{offer.reference} on {call.reference} decided {verdict}",
        data={"call": call.id, "eligible": eligible, "reason": text},
    )
    for email in org_emails([offer.vendor_id]):
        send_mail(
            email,
            f"Joint call {call.reference}: your offer {offer.reference} is {verdict}",
            (
                f"On {when(decision.decided_at)} the authority decided that your offer "
                f"{offer.reference} on “{call.title}” is {verdict} for the award.\n\n"
                f"Reason: {text}\n\nIts eligibility at the deadline was recorded when the "
                "offers were opened; this decision replaces it for the award. You may contest "
                f"it with the authority.\n{call_link(call)}\n"
            ),
        )
    return decision
