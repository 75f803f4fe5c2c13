"""Buyers' mandates and the legal checks of opening a call.

Decided here:

- A buyer signs a mandate for its own need in a lot (any active member, from the lot's proposal
  until a call is opened from it): the signatory's name and capacity, and the firm and maximum
  quantities it covers — at least 1 firm, no more than the need's firm quantity; a maximum from
  the firm quantity up to the need's maximum. Signing again replaces the terms.
- It can be withdrawn until a call is opened from the lot; from then on it binds.
- A call opens only when every active member holds a mandate (the refusal names those who do
  not), with a legal basis chosen by the authority, and a deadline no shorter than the regime's
  offer period (procurement.calls.legal.regime). The regime, the call's value and its round's
  value for the same need are recorded on the call.
- The award contracts only the mandated quantities (``mandated_quantities``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select

from catalog.plain_text import check_length, one_line
from procurement.calls.legal import regime
from procurement.calls.legal.models import SIGNATORY_MAX, LegalBasis, Mandate, Regime
from procurement.models import Lot, LotMember, LotStatus
from procurement.services.needs import own_row, require_buyer
from registry import audit
from registry.database import db, utcnow
from registry.exceptions import NotVisible, RuleViolation
from registry.models import User
from registry.money import money_text

if TYPE_CHECKING:
    from procurement.calls.models import JointCall

# A mandate is signed or withdrawn while the lot has no call yet.
MANDATE_OPEN = (LotStatus.PROPOSED, LotStatus.CONFIRMED, LotStatus.FROZEN)


@dataclass(frozen=True)
class MandateTerms:
    """What the buyer's signatory signs."""

    signatory_name: str
    signatory_capacity: str
    firm_quantity: int
    maximum_quantity: int


def mandate_of(member: LotMember) -> Mandate | None:
    """The member's mandate row, active or withdrawn."""
    return db.session.scalar(select(Mandate).where(Mandate.member_id == member.id))


def active_mandate(member: LotMember) -> Mandate | None:
    """The member's mandate if signed and not withdrawn."""
    found = mandate_of(member)
    return found if found is not None and found.active else None


def get_own_member(actor: User | None, lot_id: int, member_id: int) -> LotMember:
    """The actor's own membership of the lot (buyers only); anything else answers 404."""
    member = own_row(require_buyer(actor), LotMember, member_id)
    if member.lot_id != lot_id:
        raise NotVisible()
    return member


def _require_signable(member: LotMember, doing: str) -> None:
    if member.declined_at is not None:
        raise RuleViolation(f"You left {member.lot.reference}: {doing} is closed.")
    if member.lot.status not in MANDATE_OPEN:
        raise RuleViolation(
            f"{member.lot.reference} is {member.lot.status.label.lower()}: {doing} was possible "
            "only until a call was opened from it."
        )


def _name(value: str, field: str, label: str) -> str:
    text = one_line(value or "")
    if not text:
        raise RuleViolation(f"Give {label.lower()}.", field)
    return check_length(text, SIGNATORY_MAX, field, label)


def _quantities(member: LotMember, firm: int, maximum: int) -> tuple[int, int]:
    need = member.need
    for value, field in ((firm, "firm_quantity"), (maximum, "maximum_quantity")):
        if isinstance(value, bool) or not isinstance(value, int):
            raise RuleViolation("Give a whole number.", field)
    if not 1 <= firm <= need.firm_quantity:
        raise RuleViolation(
            f"The firm quantity of a mandate is 1 to your need's {need.firm_quantity}.",
            "firm_quantity",
        )
    if not firm <= maximum <= need.maximum_quantity:
        raise RuleViolation(
            f"The maximum quantity is from the firm quantity ({firm}) up to your need's maximum "
            f"({need.maximum_quantity}).",
            "maximum_quantity",
        )
    return firm, maximum


def sign_mandate(actor: User | None, member: LotMember, terms: MandateTerms) -> Mandate:
    """Record the buyer's signed mandate for its need in the lot (again: new terms)."""
    buyer = require_buyer(actor)
    own_row(buyer, LotMember, member.id)
    _require_signable(member, "signing a mandate")
    name = _name(terms.signatory_name, "signatory_name", "The signatory's name")
    capacity = _name(terms.signatory_capacity, "signatory_capacity", "The signatory's capacity")
    firm, maximum = _quantities(member, terms.firm_quantity, terms.maximum_quantity)
    mandate = mandate_of(member)
    if mandate is None:
        mandate = Mandate(member=member, lot=member.lot, buyer_id=member.buyer_id)
        db.session.add(mandate)
    mandate.signatory_name = name
    mandate.signatory_capacity = capacity
    mandate.firm_quantity = firm
    mandate.maximum_quantity = maximum
    mandate.signed_at = utcnow()
    mandate.signed_by_id = buyer.id
    mandate.withdrawn_at = None
    mandate.withdrawn_by_id = None
    db.session.flush()
    audit.record(
        buyer,
        "lot.mandate_sign",
        member.lot,
        summary=(
            f"{buyer.organisation.name} mandated the authority for “{member.need.title}” in "
            f"{member.lot.reference}"
        ),
        data={
            "mandate": mandate.id,
            "need": member.need_id,
            "signatory_name": name,
            "signatory_capacity": capacity,
            "firm_quantity": firm,
            "maximum_quantity": maximum,
        },
    )
    return mandate


def withdraw_mandate(actor: User | None, member: LotMember) -> Mandate:
    """Withdraw the buyer's mandate before a call is opened from the lot."""
    buyer = require_buyer(actor)
    own_row(buyer, LotMember, member.id)
    mandate = active_mandate(member)
    if mandate is None:
        raise RuleViolation("There is no signed mandate to withdraw.")
    _require_signable(member, "withdrawing a mandate")
    mandate.withdrawn_at = utcnow()
    mandate.withdrawn_by_id = buyer.id
    audit.record(
        buyer,
        "lot.mandate_withdraw",
        member.lot,
        summary=(
            f"{buyer.organisation.name} withdrew its mandate for “{member.need.title}” in "
            f"{member.lot.reference}"
        ),
        data={"mandate": mandate.id, "need": member.need_id, "by": mandate.withdrawn_by_id},
    )
    return mandate


def mandate_rows(lot: Lot) -> list[tuple[LotMember, Mandate | None]]:
    """Each active member of the lot with its active mandate (None: none signed)."""
    return [(member, active_mandate(member)) for member in lot.active_members]


def missing_mandates(lot: Lot) -> list[LotMember]:
    """Active members without an active mandate."""
    return [member for member, mandate in mandate_rows(lot) if mandate is None]


def mandated_quantities(member: LotMember) -> tuple[int, int]:
    """The firm and optional quantities the award may contract for the member: its mandate's,
    or its need's when the call was opened before mandates existed."""
    mandate = active_mandate(member)
    if mandate is None:
        return member.need.firm_quantity, member.need.optional_quantity
    return mandate.firm_quantity, mandate.maximum_quantity - mandate.firm_quantity


def legal_basis(value: LegalBasis | str | None) -> LegalBasis:
    """The chosen legal basis, checked."""
    try:
        return LegalBasis(value or "")
    except ValueError:
        raise RuleViolation("Choose the legal basis from the list.", "legal_basis") from None


@dataclass(frozen=True)
class OpeningFacts:
    """What the opening records: basis, regime, values, and the shortest offer period."""

    legal_basis: LegalBasis
    regime: Regime
    estimated_value: Decimal
    round_need_value: Decimal
    min_offer_days: int


def check_opening(lot: Lot, basis: LegalBasis | str | None, deadline: dt.datetime) -> OpeningFacts:
    """Refuse opening a call on the lot without every mandate, a legal basis, or with a deadline
    shorter than its regime allows; else the facts the call records."""
    chosen = legal_basis(basis)
    missing = missing_mandates(lot)
    if missing:
        names = ", ".join(sorted({member.buyer.name for member in missing}))
        raise RuleViolation(
            f"Every buyer of {lot.reference} must sign a mandate before the call opens; still "
            f"missing: {names}. Ask them to sign it from their need's page."
        )
    value, total, decided = regime.lot_regime(lot)
    days = regime.regime_min_offer_days(decided)
    earliest = utcnow() + dt.timedelta(days=days)
    # Below the threshold the general offer period applies (lifecycle checks it).
    if (
        decided is Regime.EU_OPEN
        and isinstance(deadline, dt.datetime)
        and deadline.tzinfo is not None
        and deadline < earliest
    ):
        raise RuleViolation(
            f"{lot.reference} is estimated at {money_text(total, lot.currency)} with the other "
            f"lots of its round for the same need, so the call follows the regime "
            f"“{decided.label}”: "
            f"vendors need at least {days} days to offer. Choose a deadline on or after "
            f"{earliest.date().isoformat()}.",
            "deadline",
        )
    return OpeningFacts(chosen, decided, value, total, days)


def record_opening(call: JointCall, facts: OpeningFacts) -> dict[str, object]:
    """Write the facts on the call; the data the opening's audit entry adds."""
    call.legal_basis = facts.legal_basis
    call.regime = facts.regime
    call.estimated_value = facts.estimated_value
    call.round_need_value = facts.round_need_value
    return {
        "legal_basis": facts.legal_basis.value,
        "regime": facts.regime.value,
        "estimated_value": str(facts.estimated_value),
        "round_need_value": str(facts.round_need_value),
        "mandates": [mandate.id for _, mandate in mandate_rows(call.lot) if mandate is not None],
    }


@dataclass(frozen=True)
class Notice:
    """What a call's notice states beyond the call itself."""

    legal_basis: str
    regime: str
    estimated_value: Decimal
    round_need_value: Decimal
    threshold: Decimal
    cpv_codes: tuple[str, ...]
    review_body: str
    deadline: str
    opened: str


def notice(call: JointCall) -> Notice:
    """The notice facts of a call, its times in local time with the zone."""
    return Notice(
        legal_basis=call.legal_basis.label,
        regime=call.regime.label,
        estimated_value=call.estimated_value,
        round_need_value=call.round_need_value,
        threshold=regime.threshold(),
        cpv_codes=regime.cpv_codes(call.lot.category.code),
        review_body=regime.review_body(),
        deadline=regime.local_stamp(call.deadline),
        opened=regime.local_stamp(call.opened_at),
    )


def ocds_tender_fields(call: JointCall) -> dict[str, object]:
    """The legal basis and regime as OCDS tender fields (core procurementMethodRationale)."""
    facts = notice(call)
    return {
        "procurementMethodRationale": (
            f"{facts.legal_basis}. {facts.regime}; estimated value of the need "
            f"{facts.round_need_value} {call.lot.currency} over every lot of its aggregation "
            f"round, threshold {facts.threshold} EUR. CPV: {', '.join(facts.cpv_codes)}. "
            f"Review body: {facts.review_body}."
        )
    }


def api_fields(call: JointCall) -> dict[str, object]:
    """The legal facts of a call for the calls API."""
    facts = notice(call)
    return {
        "legal_basis": call.legal_basis.value,
        "regime": call.regime.value,
        "estimated_value": str(call.estimated_value),
        "round_need_value": str(call.round_need_value),
        "cpv_codes": list(facts.cpv_codes),
        "review_body": facts.review_body,
    }


# The calls API's schema of api_fields.
API_PROPERTIES: dict[str, object] = {
    "legal_basis": {"enum": [basis.value for basis in LegalBasis]},
    "regime": {"enum": [each.value for each in Regime]},
    "estimated_value": {"type": "string", "description": "Maximum quantity × estimated price."},
    "round_need_value": {
        "type": "string",
        "description": "Sum over the round's lots for the same need: it decides the regime.",
    },
    "cpv_codes": {"type": "array", "items": {"type": "string"}},
    "review_body": {"type": "string"},
}
