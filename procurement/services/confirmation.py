"""Lots before a call: buyers confirming or declining their place, and freezing.

Decided here (docs/PROCUREMENT.md gives the overview):

- A buyer that declines leaves the lot at once and its need is open again; at freezing, the
  figures (and the requirement, which a strict decliner may have set) are recomputed from the
  remaining members with the pure functions of procurement.aggregation.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from procurement.aggregation.parameters import AggregationParameters
from procurement.aggregation.pooling import aggregate
from procurement.models import Lot, LotMember, LotStatus, NeedStatus
from procurement.services.needs import own_row, require_buyer
from procurement.services.rounds import need_input, round_parameters, set_lot_figures
from registry import audit
from registry.access import require_role, require_same_organisation
from registry.database import db, utcnow
from registry.exceptions import RuleViolation
from registry.mail import send_mail
from registry.models import Role, User
from registry.money import money_text
from registry.wording import counted


def _needs_link() -> str:
    """The buyers' needs page as an absolute URL (on BASE_URL, also outside a request)."""
    return url_for("procurement.needs", _external=True)


def request_confirmation(actor: User | None, lot: Lot) -> Lot:
    """Ask every member buyer to confirm its need's place in the lot (by mail)."""
    authority = require_role(actor, Role.AUTHORITY)
    if lot.status is not LotStatus.PROPOSED:
        raise RuleViolation("Only a proposed lot can be sent to its buyers for confirmation.")
    lot.confirmation_requested_at = utcnow()
    link = _needs_link()
    notified: set[str] = set()
    for member in lot.active_members:
        for user in member.buyer.users:
            if user.is_active and user.email not in notified:
                notified.add(user.email)
                send_mail(
                    user.email,
                    f"Please confirm your need in joint-procurement lot {lot.reference}",
                    (
                        f"Your need “{member.need.title}” has been pooled with the needs of "
                        f"{counted(lot.buyers - 1, 'other buyer')} in lot {lot.reference} "
                        f"({lot.category.name}, "
                        f"{counted(lot.firm_quantity, lot.unit.label.lower())}, "
                        "estimated unit price "
                        f"{money_text(lot.estimated_unit_price, lot.currency)}).\n\n"
                        f"Confirm or decline it on your needs page: {link}\n"
                    ),
                )
    audit.record(
        authority,
        "lot.request_confirmation",
        lot,
        summary=f"Buyers of {lot.reference} asked to confirm",
        data={"notified": len(notified)},
    )
    return lot


def buyer_memberships(actor: User | None) -> list[LotMember]:
    """The actor's organisation's lot memberships still awaiting or past an answer."""
    buyer = require_buyer(actor)
    return list(
        db.session.scalars(
            select(LotMember)
            .join(Lot)
            .where(LotMember.buyer_id == buyer.organisation_id)
            .options(selectinload(LotMember.lot), selectinload(LotMember.need))
            .order_by(LotMember.id.desc())
        )
    )


def current_places(memberships: list[LotMember]) -> dict[int, LotMember]:
    """Each need's place in a lot it has not declined (the newest), by need id."""
    return {
        member.need_id: member
        for member in sorted(memberships, key=lambda each: each.id)
        if member.declined_at is None
    }


def get_own_membership(actor: User | None, member_id: int) -> LotMember:
    """One of the actor's organisation's lot memberships; another buyer's answers 404."""
    return own_row(require_buyer(actor), LotMember, member_id)


def _require_answerable(member: LotMember) -> None:
    if member.lot.status not in (LotStatus.PROPOSED, LotStatus.CONFIRMED):
        raise RuleViolation("This lot is frozen: its members can no longer change.")
    if member.lot.confirmation_requested_at is None:
        raise RuleViolation("The authority has not asked for confirmations yet.")
    if member.declined_at is not None:
        raise RuleViolation("Your organisation has already declined this lot.")


def confirm_membership(actor: User | None, member: LotMember) -> LotMember:
    """Confirm one's need in a lot; the lot is confirmed when every remaining member has."""
    buyer = require_buyer(actor)
    require_same_organisation(buyer, member.buyer_id)
    _require_answerable(member)
    if member.confirmed_at is None:
        member.confirmed_at = utcnow()
        member.answered_by_id = buyer.id
    lot = member.lot
    if all(each.confirmed_at is not None for each in lot.active_members):
        lot.status = LotStatus.CONFIRMED
        lot.confirmed_at = utcnow()
    audit.record(
        buyer,
        "lot.confirm",
        lot,
        summary=f"{buyer.organisation.name} confirmed “{member.need.title}” in {lot.reference}",
        data={"need": member.need_id},
    )
    return member


def decline_membership(actor: User | None, member: LotMember) -> LotMember:
    """Leave a lot that is not frozen yet; the need is open again for the next round."""
    buyer = require_buyer(actor)
    require_same_organisation(buyer, member.buyer_id)
    _require_answerable(member)
    member.declined_at = utcnow()
    member.confirmed_at = None
    member.answered_by_id = buyer.id
    member.need.status = NeedStatus.OPEN
    lot = member.lot
    remaining = lot.active_members
    if remaining and all(each.confirmed_at is not None for each in remaining):
        lot.status = LotStatus.CONFIRMED
        lot.confirmed_at = lot.confirmed_at or utcnow()
    else:
        lot.status = LotStatus.PROPOSED
        lot.confirmed_at = None
    audit.record(
        buyer,
        "lot.decline",
        lot,
        summary=f"{buyer.organisation.name} declined “{member.need.title}” in {lot.reference}",
        data={"need": member.need_id},
    )
    return member


def _recompute(lot: Lot) -> None:
    """Figures of the remaining members, with the pure functions and the round's settings."""
    params = round_parameters(lot.round)
    needs = [member.need for member in lot.active_members]
    # Only the figures are wanted: no eligibility, date, buyer or saving gate.
    result = aggregate(
        [need_input(need) for need in needs],
        {},
        AggregationParameters(
            today=dt.date(1970, 1, 1),
            region_level=params.region_level,
            min_buyers=1,
            min_vendors=0,
            min_saving=Decimal(-1),
            procedure_days=0,
            lead_time_days=0,
            price_curve=params.price_curve,
            price_curves=params.price_curves,
        ),
    )
    if len(result.lots) != 1 or len(result.lots[0].needs) != len(needs):
        raise RuleViolation("The remaining needs no longer form one lot; run a new round.")
    computed = result.lots[0]
    set_lot_figures(lot, computed, {need.norm.code: need.norm.id for need in needs if need.norm})
    below = set(computed.needs_below_estimate)
    for member in lot.active_members:
        member.below_estimate = member.need_id in below


def freeze_lot(actor: User | None, lot: Lot) -> Lot:
    """Freeze a lot every remaining buyer confirmed; a joint call can then be opened from it."""
    authority = require_role(actor, Role.AUTHORITY)
    if lot.status is not LotStatus.CONFIRMED:
        raise RuleViolation("A lot can be frozen only once every remaining buyer has confirmed.")
    params = round_parameters(lot.round)
    buyers = {member.buyer_id for member in lot.active_members}
    if len(buyers) < params.min_buyers:
        raise RuleViolation(
            f"Only {counted(len(buyers), 'buyer')} remain; "
            f"a lot needs at least {params.min_buyers}."
        )
    declined = [member for member in lot.members if member.declined_at is not None]
    if declined:
        _recompute(lot)
    lot.status = LotStatus.FROZEN
    lot.frozen_at = utcnow()
    lot.frozen_by_id = authority.id
    audit.record(
        authority,
        "lot.freeze",
        lot,
        summary=f"{lot.reference} frozen with {lot.buyers} buyers",
        data={
            "buyers": lot.buyers,
            "firm_quantity": lot.firm_quantity,
            "maximum_quantity": lot.maximum_quantity,
            "estimated_unit_price": str(lot.estimated_unit_price),
            "estimated_saving": str(lot.estimated_saving),
            "declined_needs": [member.need_id for member in declined],
        },
    )
    return lot
