"""Reading calls and offers: who may list and see what, sealed until the deadline.

Decided here (docs/PROCUREMENT.md, "Flow" 4–6, gives the overview):

- Sealed: before the deadline an offer is visible to its own vendor only; other vendors get
  404 on it at any time. The authority sees offers from the deadline on; nobody sees how many
  offers there are before the deadline, and not before the opening entry is written (the views
  open the call on their first read after the deadline: procurement.calls.services.opening).
  Withdrawn offers are kept and shown to the authority as withdrawn; they never count. Buyers of the
  lot see the outcome and their own contract line (or why they dropped out), never the
  other offers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import selectinload

from procurement.calls.models import Award, AwardDropout, CallStatus, ContractLine, JointCall, Offer
from procurement.models import Lot, LotMember
from registry.access import require_role, require_same_organisation
from registry.arguments import MAX_ID
from registry.database import db, utcnow
from registry.exceptions import NotVisible
from registry.models import Role, User
from registry.money import money_text


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
    """How many submitted offers the call has; None while sealed (before the opening)."""
    if call.offers_opened_at is None:
        return None
    return len(call.offers)


def unsealed_offers(actor: User | None, call: JointCall) -> list[Offer]:
    """Every offer (withdrawn ones too), for the authority, once opened; [] before."""
    require_role(actor, Role.AUTHORITY)
    if call.offers_opened_at is None:
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
    """An offer: its own vendor always; the authority once opened; nobody else."""
    user = require_role(actor, Role.AUTHORITY, Role.VENDOR)
    offer = db.session.get(Offer, offer_id) if 0 < offer_id <= MAX_ID else None
    if offer is None or offer.call_id != call.id:
        raise NotVisible()
    if user.role is Role.VENDOR:
        require_same_organisation(user, offer.vendor_id)
    elif call.offers_opened_at is None:
        raise NotVisible()
    return offer


def buyer_outcomes(actor: User, call_ids: Sequence[int]) -> dict[int, str]:
    """Call id → the buyer organisation's outcome in words (awarded calls only), one query each."""
    if not call_ids:
        return {}
    outcome: dict[int, list[str]] = {}
    lines = db.session.execute(
        select(Award.call_id, ContractLine, Lot.currency)
        .join(ContractLine, ContractLine.award_id == Award.id)
        .join(JointCall, JointCall.id == Award.call_id)
        .join(Lot, Lot.id == JointCall.lot_id)
        .where(Award.call_id.in_(call_ids), ContractLine.buyer_id == actor.organisation_id)
        .order_by(ContractLine.id)
    ).all()
    for call_id, line, currency in lines:
        outcome.setdefault(call_id, []).append(
            f"Contract {line.reference}: {line.quantity} at "
            f"{money_text(line.unit_price, currency)} per unit"
        )
    dropped = db.session.execute(
        select(Award.call_id, AwardDropout.price_at_dropout, Lot.currency)
        .join(AwardDropout, AwardDropout.award_id == Award.id)
        .join(JointCall, JointCall.id == Award.call_id)
        .join(Lot, Lot.id == JointCall.lot_id)
        .where(Award.call_id.in_(call_ids), AwardDropout.buyer_id == actor.organisation_id)
        .order_by(AwardDropout.id)
    ).all()
    for call_id, price, currency in dropped:
        outcome.setdefault(call_id, []).append(
            f"Dropped out: {money_text(price, currency)} was above your maximum"
        )
    return {call_id: "; ".join(texts) for call_id, texts in outcome.items()}


def buyer_outcome(actor: User, call: JointCall) -> tuple[list[ContractLine], list[AwardDropout]]:
    """The buyer's contract lines and dropouts under the call's award."""
    if call.award is None:
        return [], []
    lines = [line for line in call.award.lines if line.buyer_id == actor.organisation_id]
    dropouts = [d for d in call.award.dropouts if d.buyer_id == actor.organisation_id]
    return lines, dropouts
