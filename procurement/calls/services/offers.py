"""Vendors' sealed offers on a call: their price tiers, and making, changing, withdrawing them.

Decided here (docs/PROCUREMENT.md, "Flow" 4–6, gives the overview):

- Offers: one per vendor per call. A second "new offer" is refused (the edit form changes the
  existing one); creating, editing and withdrawing are refused from the deadline on, with
  nothing changed. A withdrawn offer is kept (status withdrawn); a new offer from the same
  vendor on the same call makes that row submitted again, its history in the audit chain.
- Sealed: the tiers, lead time and notes are encrypted to the call's key at each save
  (procurement.calls.sealing); the database keeps the ciphertext only. Each submit and edit
  stores its SHA-256 on the offer (the receipt) and mails it, with the time, to the user who
  saved it. Audit entries of offers record that hash, never a price; they are sealed until the
  opening. An edit enters the whole offer again.
- Tiers: 1 to MAX_TIERS rows, the first from quantity 1, minimum quantities strictly
  increasing, unit prices to the cent and never rising with the quantity. Eligibility is
  checked again on every save and at award.
- Version: an offer may name the version of its solution offered (one the vendor declared);
  on a call that requires the version in scope it must, and only a qualifying label whose
  certified scope holds that version makes the offer eligible (that label is the offer's).
- Self-declaration: every submit and edit carries the vendor's declaration on the exclusion
  grounds and the selection criteria (procurement.calls.access.declarations); without it the
  offer is refused and nothing is saved.
- Vulnerabilities: on a call excluding open vulnerabilities at or above a severity, an offer of
  a solution with such a case is refused, naming the case and its severity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.exc import IntegrityError

from catalog.versions import version_of
from procurement.calls.access import declarations
from procurement.calls.access.declarations import SelfDeclaration
from procurement.calls.models import (
    MAX_LEAD_TIME_DAYS,
    MAX_TIERS,
    CallStatus,
    JointCall,
    Offer,
    OfferStatus,
)
from procurement.calls.notices import call_link
from procurement.calls.sealing.services import SEALED_LEAD_TIME, seal_offer, sealed_content
from procurement.calls.services.eligibility import (
    call_requirement_text,
    eligible_solutions,
    excluding,
    exclusion_text,
    ineligibility_reason,
    label_for_version,
    requirement_text,
)
from procurement.calls.services.lifecycle import checked_text, require_taking_offers
from procurement.calls.services.opening import content_hash
from procurement.calls.services.reading import own_offer
from procurement.models import NOTES_MAX
from procurement.services.eligibility import Certified
from procurement.services.needs import MAX_QUANTITY, MAX_UNIT_PRICE
from registry import audit
from registry.access import require_role, require_same_organisation
from registry.arguments import MAX_ID
from registry.database import db, utcnow
from registry.dates import when
from registry.exceptions import RuleViolation
from registry.mail import send_mail
from registry.models import Role, User
from registry.money import CENT


@dataclass(frozen=True)
class OfferData:
    """Everything a vendor sets on an offer; tiers as (min quantity, unit price) pairs."""

    solution_id: int
    lead_time_days: int
    tiers: Sequence[tuple[int, Decimal | str]]
    notes: str = ""
    version_id: int | None = None  # a SolutionVersion of the solution offered
    # The self-declaration on exclusion grounds and selection criteria; required to save.
    declaration: SelfDeclaration | None = None


def _tier_price(value: Decimal | str, field: str) -> Decimal:
    try:
        price = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise RuleViolation("Give the unit price as a number.", field) from None
    if not price.is_finite() or price <= 0:
        raise RuleViolation("The unit price must be more than zero.", field)
    if price > MAX_UNIT_PRICE:
        raise RuleViolation(f"The unit price must be at most {MAX_UNIT_PRICE:,}.", field)
    if price != price.quantize(CENT):
        raise RuleViolation("Give the price to the cent at most.", field)
    return price.quantize(CENT)


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
        if quantity < 1 or quantity > MAX_QUANTITY:
            raise RuleViolation(f"The quantity must be between 1 and {MAX_QUANTITY:,}.", q_field)
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


def _offered_version(
    vendor_id: int, call: JointCall, chosen: Certified, version_id: int | None
) -> Certified:
    """The label the offer stands on, once its version is checked against the call's rule."""
    if version_id is None:
        if call.requires_version_in_scope:
            raise RuleViolation(
                "This call requires the version offered: choose a version in the certified "
                "scope of your solution's label.",
                "version",
            )
        return chosen
    # An id beyond the column's range (a tampered form) is simply not a version of it.
    version = version_of(chosen.solution_id, version_id) if 0 < version_id <= MAX_ID else None
    if version is None:
        raise RuleViolation("Choose a version of the solution offered.", "version")
    if not call.requires_version_in_scope:
        return chosen
    holding = label_for_version(vendor_id, call.lot, chosen.solution_id, version.id)
    if holding is None:
        raise RuleViolation(
            f"Version {version.version} of {chosen.solution_name} is not in the certified scope "
            f"of a label meeting the call: it requires {call_requirement_text(call)}.",
            "version",
        )
    return holding


def _apply_offer(vendor: User, call: JointCall, offer: Offer, data: OfferData) -> dict[str, Any]:
    """Check the data and set the offer's open facts; the price-revealing content, returned,
    is sealed by ``_seal`` once the offer has its id."""
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
    excluded = excluding(call, [chosen.solution_id]).get(chosen.solution_id)
    if excluded is not None:
        raise RuleViolation(exclusion_text(chosen.solution_name, excluded), "solution")
    chosen = _offered_version(vendor.organisation_id, call, chosen, data.version_id)
    lead = data.lead_time_days
    if isinstance(lead, bool) or not isinstance(lead, int) or not 1 <= lead <= MAX_LEAD_TIME_DAYS:
        raise RuleViolation(f"The lead time is 1 to {MAX_LEAD_TIME_DAYS} days.", "lead_time_days")
    tiers = check_tiers(data.tiers)
    notes = checked_text(data.notes, "notes", "The notes", NOTES_MAX, required=False)
    offer.solution_id = chosen.solution_id
    offer.label_id = chosen.label_id
    offer.version_id = data.version_id
    offer.lead_time_days = SEALED_LEAD_TIME
    offer.notes = ""
    offer.updated_at = utcnow()
    offer.tiers.clear()
    return sealed_content(tiers, lead, notes)


def _require_vendor(actor: User | None) -> User:
    return require_role(actor, Role.VENDOR)


def _seal(vendor: User, offer: Offer, content: dict[str, Any], saved: str) -> None:
    """Seal the content, store the receipt hash and mail the receipt to the user who saved it."""
    db.session.flush()
    seal_offer(offer, content)
    db.session.flush()
    db.session.refresh(offer, ["tiers"])
    offer.content_hash = offer.sealed_hash or content_hash(offer)
    call = offer.call
    send_mail(
        vendor.email,
        f"Receipt for your offer {offer.reference} on {call.reference}",
        (
            f"Your offer {offer.reference} on “{call.title}” was {saved} on "
            f"{when(offer.updated_at)}.\n\nReceipt (SHA-256 of the sealed offer): "
            f"{offer.content_hash}\n\nThe offer is sealed until {when(call.deadline)}: "
            "nobody else, the authority included, can read it or learn that it exists. "
            "At the opening its hash is recorded in the audit log's opening entry; keep this "
            f"receipt to compare.\n{call_link(call)}\n"
        ),
    )


def _entry_data(call: JointCall, offer: Offer) -> dict[str, object]:
    return {"call": call.id, "content_hash": offer.content_hash}


def submit_offer(actor: User | None, call: JointCall, data: OfferData) -> Offer:
    """Make the vendor's one offer on the call, before the deadline (again, if withdrawn)."""
    vendor = _require_vendor(actor)
    require_taking_offers(call, "making offers")
    declared = declarations.check(data.declaration)
    existing = own_offer(vendor, call)
    if existing is not None and existing.status is OfferStatus.SUBMITTED:
        raise RuleViolation(
            f"Your organisation has already made an offer on this call ({existing.reference}); "
            "change it with “Edit your offer”. Nothing was changed."
        )
    now = utcnow()
    offer = existing or Offer(call_id=call.id, vendor_id=vendor.organisation_id)
    offer.submitted_at = now
    offer.submitted_by_id = vendor.id
    offer.status = OfferStatus.SUBMITTED
    offer.withdrawn_at = None
    content = _apply_offer(vendor, call, offer, data)
    db.session.add(offer)
    try:
        db.session.flush()
    except IntegrityError:
        raise RuleViolation(
            "Your organisation has already made an offer on this call. Nothing was changed."
        ) from None
    db.session.expire(call, ["offers", "all_offers"])
    _seal(vendor, offer, content, "submitted")
    declarations.record(vendor, offer, declared)
    audit.record(
        vendor,
        "offer.submit",
        offer,
        summary=f"{offer.reference} made on {call.reference}",
        data=_entry_data(call, offer),
    )
    return offer


def _own_offer_before_deadline(
    actor: User | None, offer: Offer, not_done: str
) -> tuple[User, JointCall]:
    """The vendor owning the offer and its call, while the call takes offers; else refused.

    ``not_done`` says what did not happen to the offer ("changed", "withdrawn").
    """
    vendor = _require_vendor(actor)
    require_same_organisation(vendor, offer.vendor_id)
    call = offer.call
    if call.status is not CallStatus.OPEN or call.deadline_passed():
        raise RuleViolation(
            f"The deadline for offers passed on {when(call.deadline)}; "
            f"your offer was not {not_done}."
        )
    return vendor, call


def update_offer(actor: User | None, offer: Offer, data: OfferData) -> Offer:
    """Change one's own offer before the deadline."""
    vendor, call = _own_offer_before_deadline(actor, offer, "changed")
    if offer.status is OfferStatus.WITHDRAWN:
        raise RuleViolation(
            "This offer is withdrawn; make a new offer on the call instead. Nothing was changed."
        )
    declared = declarations.check(data.declaration)
    content = _apply_offer(vendor, call, offer, data)
    offer.submitted_by_id = vendor.id
    _seal(vendor, offer, content, "changed")
    declarations.record(vendor, offer, declared)
    audit.record(
        vendor,
        "offer.update",
        offer,
        summary=f"{offer.reference} changed",
        data=_entry_data(call, offer),
    )
    return offer


def withdraw_offer(actor: User | None, offer: Offer) -> None:
    """Withdraw one's own offer before the deadline (it is kept, as withdrawn)."""
    vendor, call = _own_offer_before_deadline(actor, offer, "withdrawn")
    if offer.status is OfferStatus.WITHDRAWN:
        raise RuleViolation("This offer is already withdrawn.")
    now = utcnow()
    offer.status = OfferStatus.WITHDRAWN
    offer.withdrawn_at = now
    offer.updated_at = now
    offer.content_hash = offer.sealed_hash or content_hash(offer)
    db.session.flush()
    db.session.expire(call, ["offers", "all_offers"])
    audit.record(
        vendor,
        "offer.withdraw",
        offer,
        summary=f"{offer.reference} withdrawn from {call.reference}",
        data=_entry_data(call, offer),
    )
