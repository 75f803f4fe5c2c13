"""Helpers for the joint-call tests: a frozen lot with buyers, eligible and ineligible vendors,
calls on it, offers, and the clock (a call's deadline) moved past."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from catalog.models import Solution
from procurement.aggregation.parameters import AggregationParameters
from procurement.calls import limits
from procurement.calls.access.declarations import EXCLUSION_GROUNDS, no_grounds
from procurement.calls.legal.demo import opening_days, sign_all_mandates
from procurement.calls.models import ContractLine, JointCall, Offer
from procurement.calls.sealing.services import (
    officers_with_keys,
    opening_key_of,
    release_share,
    seal_of,
    set_up_opening_key,
)
from procurement.calls.services import lifecycle, offers
from procurement.calls.standstill.history import date_award
from procurement.calls.standstill.services import sign_contract, standstill_days
from procurement.models import Lot, LotStatus, NeedUnit
from procurement.services import confirmation, rounds
from registry.database import db, utcnow
from registry.dates import today
from registry.models import OrganisationKind, User
from registry.norms.models import NormVersion
from registry.passwords import hash_password
from tests.catalog import solution_builders
from tests.procurement.need_builders import certified_market, open_need
from tests.support import PASSWORD

NORM = "CALL-NORM"


@dataclass
class CallWorld:
    """A frozen lot and the people around it."""

    authority: User
    buyers: list[User]
    vendors: list[User]  # each with a published solution holding a valid label for the lot
    outsiders: list[User]  # each with a published solution of the category but no label
    version: NormVersion
    lot: Lot
    officers: list[User] = field(default_factory=list)  # authority users with opening keys


def frozen_lot(
    authority: User,
    buyers: Sequence[User],
    *,
    code: str = NORM,
    quantities: Sequence[int] | None = None,
    ceilings: Sequence[Decimal | str] | None = None,
    unit: NeedUnit = NeedUnit.LICENCE,
    title: str = "Pooled licences",
) -> Lot:
    """Open one need per buyer under the norm (level 1), pool, confirm and freeze them."""
    needs = []
    for index, buyer in enumerate(buyers):
        needs.append(
            open_need(
                buyer,
                title=title,
                norm_code=code,
                min_level_rank=1,
                unit=unit,
                firm_quantity=quantities[index] if quantities else 10 * (index + 1),
                max_unit_price=Decimal(ceilings[index]) if ceilings else Decimal("1000.00"),
            )
        )
    rounds.run_aggregation(
        authority,
        AggregationParameters(today=today(), region_level=1, min_vendors=0),
    )
    need_ids = {need.id for need in needs}
    lot = next(
        lot
        for lot in rounds.lots_in(LotStatus.PROPOSED)
        if {member.need_id for member in lot.members} == need_ids
    )
    confirmation.request_confirmation(authority, lot)
    by_org = {buyer.organisation_id: buyer for buyer in buyers}
    for member in lot.active_members:
        confirmation.confirm_membership(by_org[member.buyer_id], member)
    confirmation.freeze_lot(authority, lot)
    sign_all_mandates(lot, by_org)
    db.session.commit()
    return lot


def call_world(
    create_user: Callable[..., User],
    *,
    buyers: int = 3,
    vendors: int = 2,
    outsiders: int = 1,
    quantities: Sequence[int] | None = None,
    ceilings: Sequence[Decimal | str] | None = None,
) -> CallWorld:
    """A frozen lot of `buyers` buyers, `vendors` eligible vendors and `outsiders` without a
    label (their solution is published in the lot's category)."""
    authority = create_user(kind=OrganisationKind.AUTHORITY)
    eligible = [create_user(kind=OrganisationKind.VENDOR) for _ in range(vendors)]
    version = certified_market(authority, eligible, NORM)
    others = [create_user(kind=OrganisationKind.VENDOR) for _ in range(outsiders)]
    for index, outsider in enumerate(others):
        solution_builders.published(outsider, name=f"Uncertified {index}")
    people = [create_user(kind=OrganisationKind.BUYER) for _ in range(buyers)]
    lot = frozen_lot(authority, people, quantities=quantities, ceilings=ceilings)
    officers = opening_officers(authority)
    return CallWorld(authority, people, eligible, others, version, lot, officers)


def opening_officers(authority: User, count: int = 2) -> list[User]:
    """The authority user with an opening key and `count` - 1 colleagues with one (password
    PASSWORD), committed: enough officers to open a call's offers. Where the authority already
    has `count` officers with a key (this user first), those are returned and nothing is made."""
    with_keys = officers_with_keys(authority.organisation_id)
    if authority in with_keys and len(with_keys) >= count:
        return [authority] + [officer for officer in with_keys if officer != authority][: count - 1]
    officers = [authority]
    for index in range(count - 1):
        colleague = User(
            organisation_id=authority.organisation_id,
            email=f"officer-{secrets.token_hex(4)}@example.org",
            full_name=f"Opening Officer {index + 2}",
            password_hash=hash_password(PASSWORD),
            totp_secret=authority.totp_secret,
        )
        db.session.add(colleague)
        db.session.flush()
        officers.append(colleague)
    for officer in officers:
        if opening_key_of(officer) is None:
            set_up_opening_key(officer, PASSWORD)
    db.session.commit()
    return officers


def open_call(
    world: CallWorld,
    title: str = "Joint call for licences",
    *,
    award_criteria: dict[str, int | None] | None = None,
) -> JointCall:
    """A committed call on the world's lot, its deadline just past the minimum offer period;
    `award_criteria`: weights by criterion (none: price alone)."""
    call = lifecycle.open_call(
        world.authority,
        world.lot,
        title,
        "Licences for every buyer of the lot.",
        limits.deadline_on(today() + dt.timedelta(days=opening_days(world.lot) + 1)),
        24,
        award_criteria=award_criteria,
    )
    db.session.commit()
    return call


def solution_of(vendor: User) -> Solution:
    """The vendor's first published solution."""
    found = db.session.scalars(
        select(Solution).where(Solution.vendor_id == vendor.organisation_id).order_by(Solution.id)
    ).first()
    assert found is not None
    return found


def offer_data(
    vendor: User, tiers: Sequence[tuple[int, str]] = ((1, "900.00"),), lead: int = 30
) -> offers.OfferData:
    """Offer data on the vendor's first solution."""
    return offers.OfferData(
        solution_id=solution_of(vendor).id,
        lead_time_days=lead,
        tiers=[(quantity, Decimal(price)) for quantity, price in tiers],
        declaration=no_grounds(),
    )


def make_offer(
    vendor: User,
    call: JointCall,
    tiers: Sequence[tuple[int, str]] = ((1, "900.00"),),
    lead: int = 30,
) -> Offer:
    """A committed offer."""
    offer = offers.submit_offer(vendor, call, offer_data(vendor, tiers, lead))
    db.session.commit()
    return offer


def pass_deadline(call: JointCall, *, opened: bool = True) -> JointCall:
    """Move the clock: the call's deadline is now in the past; unless `opened` is False, its
    officers then open the offers (open_offers)."""
    call.deadline = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    if opened:
        open_offers(call)
    return call


def open_offers(call: JointCall) -> JointCall:
    """The call's first officers, as many as its threshold, release their shares (committed)."""
    if call.offers_opened_at is not None or call.status.value == "cancelled":
        return call
    seal = seal_of(call)
    if seal is None:
        release_share(call.opened_by, call, PASSWORD)
    else:
        for share in seal.shares[: seal.threshold]:
            if share.released_at is None:
                release_share(share.officer, call, PASSWORD)
    db.session.commit()
    return call


def pass_standstill(call: JointCall) -> JointCall:
    """Move the clock: the awarded call's standstill ended (the award dated long enough ago)."""
    assert call.award is not None
    date_award(call.award, utcnow() - dt.timedelta(days=standstill_days() + 2))
    db.session.commit()
    return call


def sign_contracts(call: JointCall, count: int | None = None) -> list[ContractLine]:
    """Pass the standstill and have the first `count` (all by default) contract lines signed,
    each by a user of its buyer."""
    pass_standstill(call)
    assert call.award is not None
    lines = call.award.lines[:count] if count is not None else list(call.award.lines)
    for line in lines:
        signer = db.session.scalars(
            select(User).where(User.organisation_id == line.buyer_id).order_by(User.id)
        ).first()
        assert signer is not None
        sign_contract(signer, line, signer.full_name or "Signatory", "Mayor", today())
    db.session.commit()
    return lines


def declaration_form() -> dict[str, str]:
    """The offer form's self-declaration fields: concerned by no exclusion ground, meeting the
    selection criteria."""
    fields = {f"ground_{code}": "no" for code, _ in EXCLUSION_GROUNDS}
    return {**fields, "measures": "", "meets_selection": "y"}
