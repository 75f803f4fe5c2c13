"""Demo joint calls (idempotent): one awarded, with a buyer dropping out, one taking offers, and
one past its deadline with its offers still sealed, waiting for the authority to open and award it.

The needs demo (order 60) leaves one frozen lot; the awarded call is opened on it. Two offers
compete for it, so that its savings are measured (a single offer claims none): when only one
vendor holds a label meeting the lot, a second published solution in its category is certified
first, as the label demo certifies its own. A second lot is confirmed by its buyers and frozen
here, the proposed lot with the most vendors able to offer after the call awaiting award took
its own, and its call takes offers from each of them until its deadline.

Demo history: the awarded call is opened and offered on through the services like any other,
then its deadline, opening and offer times are moved back by direct assignment (the clock is
the deadline), and it is awarded through the service, which first writes the opening entry
that fingerprints its offers. In the awarded call and the one taking offers, with offers from
two vendors or more, the dearest is withdrawn before the deadline: it stays on record as
withdrawn and is not counted. The award is dated the day after the deadline, long enough ago
for its standstill to have ended; the first buyer has signed its contract, the others' are
pending.

The call awaiting award is opened before the one taking offers, on the proposed lot with the most
vendors able to offer, confirmed and frozen here; published solutions of other vendors in its
category, startups first, are certified until three vendors (a startup among them) can offer.
Each offers through the service, sealed to the call's opening key, then the deadline is moved
back to two days ago. Nothing is opened: the two demo officers release their shares on the
call's opening page, and the authority awards it there.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select

from catalog.models import Solution, SolutionStatus
from evaluations.labels.demo import certify_for_demo
from evaluations.models import Label
from procurement.calls.access.declarations import no_grounds
from procurement.calls.legal.demo import opening_days, sign_all_mandates
from procurement.calls.limits import deadline_on, min_offer_days
from procurement.calls.models import JointCall, Offer
from procurement.calls.sealing.services import (
    opening_key_of,
    release_share,
    seal_of,
    set_up_opening_key,
)
from procurement.calls.services.awarding import award_call
from procurement.calls.services.eligibility import eligible_solutions, eligible_vendor_ids
from procurement.calls.services.lifecycle import add_document, open_call
from procurement.calls.services.offers import OfferData, submit_offer, withdraw_offer
from procurement.calls.services.reading import own_offer
from procurement.calls.standstill.history import date_award
from procurement.calls.standstill.services import sign_contract, standstill_days
from procurement.demo.seeding import demo_buyers
from procurement.models import Lot, LotStatus
from procurement.services.confirmation import confirm_membership, freeze_lot, request_confirmation
from procurement.services.rounds import lots_in
from registry.database import db, utcnow
from registry.dates import today
from registry.demo import AUTHORITY_EMAIL, DEMO_PASSWORD, DEPUTY_EMAIL
from registry.models import Organisation, User, VendorSize
from registry.money import CENT

AWARDED_TITLE = "Video analytics licences for six cities (demo)"
OPEN_TITLE_SUFFIX = "pooled purchase (demo)"
AWAITING_TITLE_SUFFIX = "offers closed, awaiting award (demo)"
AWAITING_BIDDERS = 3
SPECIFICATION = (
    "Technical specification (demo)\n\n"
    "Delivery in one or several batches per buyer, within the offered lead time.\n"
    "Each buyer orders under its own contract line; prices are per unit, excluding VAT.\n"
)


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _vendor_user(organisation_id: int) -> User | None:
    return db.session.scalar(
        select(User)
        .where(User.organisation_id == organisation_id, User.is_active.is_(True))
        .order_by(User.id)
        .limit(1)
    )


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _offer(
    vendor_id: int, call: JointCall, tiers: list[tuple[int, Decimal]], lead: int
) -> Offer | None:
    vendor = _vendor_user(vendor_id)
    if vendor is None or own_offer(vendor, call) is not None:
        return None
    solutions = eligible_solutions(vendor_id, call.lot)
    if not solutions:
        return None
    return submit_offer(
        vendor,
        call,
        OfferData(
            solution_id=solutions[0].solution_id,
            lead_time_days=lead,
            tiers=[(quantity, _cents(price)) for quantity, price in tiers],
            notes="Demo offer.",
            declaration=no_grounds(),
        ),
    )


def _withdraw_dearest(offers: list[Offer]) -> None:
    """With two offers or more, the last (dearest) vendor withdraws: kept, as withdrawn."""
    if len(offers) >= 2:
        withdraw_offer(_vendor_user(offers[-1].vendor_id), offers[-1])


def _open(authority: User, lot: Lot, title: str, days: int) -> JointCall:
    sign_all_mandates(lot)
    days = max(days, opening_days(lot) + 1)
    call = open_call(
        authority,
        lot,
        title,
        f"Framework agreement for the {lot.buyers} buyers of {lot.reference}. "
        "Each buyer orders its own quantity at the awarded unit price.",
        deadline_on(today() + dt.timedelta(days=days)),
        24,
    )
    add_document(
        authority,
        call,
        "Technical specification",
        "specification.txt",
        io.BytesIO(SPECIFICATION.encode()),
    )
    return call


def _second_bidder(authority: User, lot: Lot) -> None:
    """Certify one more vendor's published solution for the lot when fewer than two can offer."""
    eligible = eligible_vendor_ids(lot)
    if len(eligible) >= 2 or lot.norm is None:
        return
    version = lot.norm.published_version
    solution = db.session.scalar(
        select(Solution)
        .where(
            Solution.status == SolutionStatus.PUBLISHED,
            Solution.primary_category_id == lot.category_id,
            Solution.vendor_id.not_in(eligible or {0}),
            Solution.id.not_in(select(Label.solution_id)),
        )
        .order_by(Solution.id)
        .limit(1)
    )
    if version is None or solution is None:
        return
    certify_for_demo(authority, solution, version)
    db.session.flush()


def _tiers(index: int, top: Decimal, full: Decimal, start: int) -> list[tuple[int, Decimal]]:
    """The first vendor prices one unit at 1.25 × the highest ceiling and the lot from `start`
    units just above the lowest ceiling; the others also price half of `start`, at the highest
    ceiling, and the lot 15 more per vendor: buyers alone get different prices from each."""
    if index == 0:
        return [(1, top * Decimal("1.25")), (start, full)]
    return [(1, top * Decimal("1.15")), (max(2, start // 2), top), (start, full + 15 * index)]


def _awarded(authority: User) -> None:
    """The demo's frozen lot: one call, offers, deadline moved back, awarded."""
    lot = db.session.scalar(
        select(Lot).where(Lot.status == LotStatus.FROZEN).order_by(Lot.id).limit(1)
    )
    if lot is None:
        return
    _second_bidder(authority, lot)
    vendors = sorted(eligible_vendor_ids(lot))
    if not vendors:
        return
    call = _open(authority, lot, AWARDED_TITLE, min_offer_days() + 1)
    members = lot.active_members
    ceilings = sorted({member.need.max_unit_price for member in members})
    quantity = sum(member.need.firm_quantity for member in members)
    lowest = [m for m in members if m.need.max_unit_price == ceilings[0]]
    remaining = quantity - sum(member.need.firm_quantity for member in lowest)
    # At the full quantity the price sits just above the lowest ceiling: that buyer drops out
    # and the rest is re-priced in the same tier.
    full = (ceilings[0] + ceilings[1]) / 2 if len(ceilings) > 1 else ceilings[0]
    start = max(2, remaining // 2)
    for index, vendor_id in enumerate(vendors):
        _offer(vendor_id, call, _tiers(index, ceilings[-1], full, start), 30 + 15 * index)
    db.session.flush()
    # Demo history: the call ran for its offer period a while ago.
    now = utcnow()
    # Long enough ago for the standstill to have ended since the award.
    past = standstill_days() + 4
    call.deadline = deadline_on(today() - dt.timedelta(days=past))
    call.opened_at = call.deadline - dt.timedelta(days=37)
    for offer in call.all_offers:
        offer.submitted_at = offer.updated_at = now - dt.timedelta(days=past + 17)
        if offer.withdrawn_at is not None:
            offer.withdrawn_at = offer.updated_at = now - dt.timedelta(days=past + 9)
    db.session.flush()
    # The two demo officers open the offers with their passwords (real sealing).
    seal = seal_of(call)
    for share in seal.shares[: seal.threshold] if seal is not None else []:
        release_share(share.officer, call, DEMO_PASSWORD)
    award_call(authority, call)
    if call.award is not None:
        date_award(call.award, call.deadline + dt.timedelta(days=1))
    _sign_first(call)


def _sign_first(call: JointCall) -> None:
    """The standstill has ended: the first buyer signed its contract, the others are pending."""
    if call.award is None or not call.award.lines:
        return
    line = call.award.lines[0]
    signer = _vendor_user(line.buyer_id)
    if signer is not None:
        sign_contract(signer, line, signer.full_name, "Mayor, by delegation", today())


def _freeze_next(authority: User) -> Lot | None:
    """Confirm and freeze the proposed lot with the most vendors able to offer (two or more)."""
    buyers = demo_buyers()
    users_by_org = {user.organisation_id: user for user in buyers.values()}
    ranked = []
    for lot in lots_in(LotStatus.PROPOSED):
        vendors = len(eligible_vendor_ids(lot))
        if vendors >= 2 and all(m.buyer_id in users_by_org for m in lot.active_members):
            ranked.append((-vendors, -lot.buyers, lot.id, lot))
    if not ranked:
        return None
    lot = min(ranked, key=lambda item: item[:3])[3]
    request_confirmation(authority, lot)
    for member in lot.active_members:
        confirm_membership(users_by_org[member.buyer_id], member)
    freeze_lot(authority, lot)
    return lot


def _taking_offers(authority: User) -> None:
    lot = _freeze_next(authority)
    if lot is None:
        return
    call = _open(authority, lot, f"{lot.category.name}: {OPEN_TITLE_SUFFIX}", min_offer_days() + 20)
    estimate = lot.estimated_unit_price
    middle = max(2, lot.firm_quantity // 2)
    made = []
    for index, vendor_id in enumerate(sorted(eligible_vendor_ids(lot))):
        factor = Decimal("0.96") + Decimal("0.03") * index
        made.append(
            _offer(
                vendor_id,
                call,
                [(1, estimate * Decimal("1.2")), (middle, estimate * factor)],
                45 + 10 * index,
            )
        )
    _withdraw_dearest([offer for offer in made if offer is not None])


def _is_startup(vendor_id: int) -> bool:
    organisation = db.session.get(Organisation, vendor_id)
    return organisation is not None and organisation.vendor_size is VendorSize.STARTUP


def _more_bidders(authority: User, lot: Lot) -> None:
    """Certify published solutions of other vendors in the lot's category, startups first,
    until three vendors can offer and one of them is a startup."""
    version = lot.norm.published_version if lot.norm is not None else None
    while version is not None:
        eligible = eligible_vendor_ids(lot)
        startup = any(_is_startup(vendor_id) for vendor_id in eligible)
        if len(eligible) >= AWAITING_BIDDERS and startup:
            return
        candidates = db.session.scalars(
            select(Solution)
            .where(
                Solution.status == SolutionStatus.PUBLISHED,
                Solution.primary_category_id == lot.category_id,
                Solution.vendor_id.not_in(eligible or {0}),
                Solution.id.not_in(select(Label.solution_id)),
            )
            .order_by(Solution.id)
        ).all()
        candidates = sorted(candidates, key=lambda item: not _is_startup(item.vendor_id))
        if not candidates or certify_for_demo(authority, candidates[0], version) is None:
            return
        db.session.flush()


def _awaiting_award(authority: User) -> None:
    """A third lot's call: offers from three vendors or more, deadline passed, still sealed."""
    lot = _freeze_next(authority)
    if lot is None:
        return
    _more_bidders(authority, lot)
    call = _open(
        authority,
        lot,
        f"{lot.category.name}: {AWAITING_TITLE_SUFFIX}",
        min_offer_days() + 1,
    )
    estimate = lot.estimated_unit_price
    middle = max(2, lot.firm_quantity // 2)
    vendors = sorted(eligible_vendor_ids(lot), key=lambda vendor_id: not _is_startup(vendor_id))
    for index, vendor_id in enumerate(vendors):
        factor = Decimal("0.94") + Decimal("0.02") * index
        _offer(
            vendor_id,
            call,
            [(1, estimate * Decimal("1.15")), (middle, estimate * factor)],
            40 + 10 * index,
        )
    db.session.flush()
    # Demo history: the offer period ended two days ago; the offers stay sealed.
    now = utcnow()
    call.deadline = deadline_on(today() - dt.timedelta(days=2))
    call.opened_at = call.deadline - dt.timedelta(days=35)
    for offer in call.all_offers:
        offer.submitted_at = offer.updated_at = now - dt.timedelta(days=10)


def seed_demo_calls() -> list[Any]:
    """Load the demo calls unless already there."""
    authority = _user(AUTHORITY_EMAIL)
    if authority is None:
        return []
    for officer in (authority, _user(DEPUTY_EMAIL)):
        if officer is not None and opening_key_of(officer) is None:
            set_up_opening_key(officer, DEMO_PASSWORD)
    if db.session.scalar(select(JointCall.id).where(JointCall.title == AWARDED_TITLE)) is None:
        _awarded(authority)
        db.session.flush()
    # The call awaiting award goes first: it takes the lot most vendors can offer on.
    awaiting = db.session.scalar(
        select(JointCall.id).where(JointCall.title.like(f"%{AWAITING_TITLE_SUFFIX}")).limit(1)
    )
    if awaiting is None:
        _awaiting_award(authority)
    has_open = db.session.scalar(
        select(JointCall.id).where(JointCall.title.like(f"%{OPEN_TITLE_SUFFIX}")).limit(1)
    )
    if has_open is None:
        _taking_offers(authority)
    return []
