"""Joint calls at every stage, written straight into the tables for the open-data tests.

A `Scene` is an authority, three buyers pooled in one frozen lot (10, 20 and 30 licences under
PUB-NORM at its first level), and two certified vendors (a startup and a large firm). From there:
`open_call`, `offer`, `pass_deadline`, `award`, `unsuccessful`, `cancel`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from evaluations.models import Label
from procurement.aggregation.parameters import AggregationParameters
from procurement.calls.models import (
    Award,
    AwardDropout,
    CallDocument,
    CallStatus,
    ContractLine,
    JointCall,
    Offer,
    OfferTier,
)
from procurement.models import (
    AggregationRound,
    Lot,
    LotMember,
    LotStatus,
    Need,
    NeedStatus,
    NeedUnit,
)
from procurement.ocds.call_releases import unit_price_at
from procurement.ocds.formats import call_ocid
from procurement.services.rounds import parameters_to_dict
from registry import uploads
from registry.database import db, utcnow
from registry.models import (
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    TechnologyCategory,
    User,
    VendorSize,
)
from tests.catalog import solution_builders
from tests.norms import norm_builders
from tests.procurement.calls.call_builders import open_offers
from tests.procurement.need_builders import certify

NORM = "PUB-NORM"
_numbers = itertools.count(1)


@dataclass
class Scene:
    """The people and the frozen lot a call is opened from."""

    authority: User
    buyers: list[User]
    vendors: list[User]
    labels: list[Label]
    lot: Lot
    needs: list[Need] = field(default_factory=list)


def person(kind: OrganisationKind, name: str, size: VendorSize | None = None) -> User:
    """An active organisation of that kind with one member (written directly)."""
    number = next(_numbers)
    organisation = Organisation(
        name=name,
        kind=kind,
        status=OrganisationStatus.ACTIVE,
        vendor_size=size,
        region="Bretagne",
    )
    user = User(
        organisation=organisation,
        email=f"public-{kind.value}-{number}-{secrets.token_hex(3)}@example.org",
        full_name=name,
        password_hash="-",
    )
    db.session.add_all([organisation, user])
    db.session.flush()
    return user


def scene(
    authority: User,
    quantities: tuple[int, ...] = (10, 20, 30),
    norm_code: str = NORM,
    suffix: str = "",
) -> Scene:
    """Three buyers' needs in a frozen lot, two certified vendors; committed.

    Organisation names end with `suffix` (names are unique: a second scene needs one).
    """
    version = norm_builders.published(authority, norm_code)
    vendors = [
        person(OrganisationKind.VENDOR, f"Startup Vision{suffix}", VendorSize.STARTUP),
        person(OrganisationKind.VENDOR, f"Large Optics Group{suffix}", VendorSize.LARGE),
    ]
    labels = []
    for index, vendor in enumerate(vendors):
        solution = solution_builders.published(vendor, name=f"{vendor.full_name} Analytics {index}")
        labels.append(certify(solution, version, "Certified"))
    names = ["City of Rennes", "Brest Metropole", "Quimper Police"]
    buyers = [
        person(OrganisationKind.BUYER, f"{names[i % 3]}{suffix}" + (f" {i // 3}" if i > 2 else ""))
        for i in range(len(quantities))
    ]
    category = db.session.scalar(
        select(TechnologyCategory).where(TechnologyCategory.code == "video-analysis")
    )
    assert category is not None
    now = utcnow()
    need_by = now.date() + dt.timedelta(days=365)
    # Stored as a real round stores them: the aggregation page reads the latest round's.
    parameters = json.dumps(parameters_to_dict(AggregationParameters(today=now.date())))
    round_ = AggregationRound(run_by_id=authority.id, parameters=parameters)
    db.session.add(round_)
    needs = []
    for buyer, quantity in zip(buyers, quantities, strict=True):
        need = Need(
            buyer_id=buyer.organisation_id,
            created_by_id=buyer.id,
            title=f"Video analytics for {buyer.full_name}",
            category_id=category.id,
            norm_id=version.norm_id,
            min_level_rank=1,
            firm_quantity=quantity,
            optional_quantity=5,
            unit=NeedUnit.LICENCE,
            currency="EUR",
            max_unit_price=Decimal("900.00"),
            need_by=need_by,
            region_code="FR-BRE",
            status=NeedStatus.POOLED,
            updated_at=now,
            opened_at=now,
        )
        needs.append(need)
    db.session.add_all(needs)
    db.session.flush()
    total = sum(quantities)
    lot = Lot(
        round_id=round_.id,
        status=LotStatus.FROZEN,
        category_id=category.id,
        unit=NeedUnit.LICENCE,
        currency="EUR",
        region_path="FR/FR-BRE",
        norm_id=version.norm_id,
        level_rank=1,
        buyers=len(buyers),
        firm_quantity=total,
        maximum_quantity=total + 5 * len(buyers),
        total_budget=Decimal(total) * Decimal("900.00"),
        maximum_budget=Decimal(total + 5 * len(buyers)) * Decimal("900.00"),
        estimated_unit_price=Decimal("800.00"),
        estimated_saving=Decimal("0.080000"),
        earliest_need_by=need_by,
        frozen_at=now,
        frozen_by_id=authority.id,
    )
    db.session.add(lot)
    db.session.flush()
    for need in needs:
        db.session.add(
            LotMember(lot_id=lot.id, need_id=need.id, buyer_id=need.buyer_id, confirmed_at=now)
        )
    db.session.commit()
    return Scene(authority, buyers, vendors, labels, lot, needs)


def open_call(
    scene: Scene, deadline_in: dt.timedelta = dt.timedelta(days=20), document: bool = True
) -> JointCall:
    """A call on the scene's lot, taking offers until the deadline; with a document."""
    now = utcnow()
    call = JointCall(
        lot_id=scene.lot.id,
        ocid=f"pending-{secrets.token_hex(8)}",
        title="Video analytics licences for three Breton buyers",
        description="Licences of video analytics software under one framework agreement.",
        status=CallStatus.OPEN,
        deadline=now + deadline_in,
        contract_months=24,
        opened_by_id=scene.authority.id,
        opened_at=now - dt.timedelta(days=1),
    )
    db.session.add(call)
    db.session.flush()
    call.ocid = call_ocid(call.id)
    scene.lot.status = LotStatus.CALL_OPENED
    for need in scene.needs:
        need.status = NeedStatus.IN_CALL
    if document:
        data = b"%PDF-1.4 specification of the joint call\n"
        stored = f"{secrets.token_hex(16)}.pdf"
        folder = uploads.upload_dir()
        folder.mkdir(parents=True, exist_ok=True)
        uploads.path_of(stored).write_bytes(data)
        db.session.add(
            CallDocument(
                call_id=call.id,
                title="Technical specification",
                original_name="specification.pdf",
                stored_name=stored,
                content_type="application/pdf",
                size_bytes=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                uploaded_by_id=scene.authority.id,
            )
        )
    db.session.commit()
    return call


def offer(scene: Scene, call: JointCall, vendor_index: int, tiers: list[tuple[int, str]]) -> Offer:
    """The vendor's offer with its price tiers (min quantity, unit price)."""
    vendor = scene.vendors[vendor_index]
    label = scene.labels[vendor_index]
    now = utcnow()
    made = Offer(
        call_id=call.id,
        vendor_id=vendor.organisation_id,
        solution_id=label.solution_id,
        label_id=label.id,
        lead_time_days=30,
        submitted_by_id=vendor.id,
        submitted_at=now,
        updated_at=now,
    )
    made.tiers = [OfferTier(min_quantity=q, unit_price=Decimal(p)) for q, p in tiers]
    db.session.add(made)
    db.session.commit()
    return made


def two_offers(scene: Scene, call: JointCall) -> list[Offer]:
    """The startup at 850 from 50 licences (950 below), the large firm at 880 flat."""
    return [
        offer(scene, call, 0, [(1, "950.00"), (50, "850.00")]),
        offer(scene, call, 1, [(1, "880.00")]),
    ]


def pass_deadline(call: JointCall) -> JointCall:
    """Move the deadline an hour into the past; the opening officer opens the offers."""
    call.deadline = utcnow() - dt.timedelta(hours=1)
    db.session.commit()
    return open_offers(call)


def award(
    scene: Scene, call: JointCall, winner: Offer, dropout_buyers: tuple[int, ...] = ()
) -> Award:
    """Award to `winner`; the buyers at those indexes drop out; counterfactual = total × 1.25."""
    now = utcnow()
    dropped = {scene.buyers[i].organisation_id for i in dropout_buyers}
    staying = [m for m in scene.lot.active_members if m.buyer_id not in dropped]
    quantity = sum(m.need.firm_quantity for m in staying)
    maximum = sum(m.need.maximum_quantity for m in staying)
    price = unit_price_at(winner, quantity)
    full_price = unit_price_at(winner, scene.lot.firm_quantity)
    assert price is not None and full_price is not None
    total = price * quantity
    made = Award(
        call_id=call.id,
        offer_id=winner.id,
        quantity=quantity,
        maximum_quantity=maximum,
        unit_price=price,
        total_value=total,
        counterfactual_value=total * Decimal("1.25"),
        realised_saving=Decimal("0.200000"),
        rationale="Lowest compliant unit price at the lot's quantity.",
        decided_by_id=scene.authority.id,
        decided_at=now,
        contract_start=now.date(),
        contract_end=now.date() + dt.timedelta(days=730),
    )
    db.session.add(made)
    db.session.flush()
    for member in staying:
        db.session.add(
            ContractLine(
                award_id=made.id,
                member_id=member.id,
                need_id=member.need_id,
                buyer_id=member.buyer_id,
                quantity=member.need.firm_quantity,
                maximum_quantity=member.need.maximum_quantity,
                unit_price=price,
                value=price * member.need.firm_quantity,
            )
        )
        member.need.status = NeedStatus.CONTRACTED
    for member in scene.lot.active_members:
        if member.buyer_id in dropped:
            db.session.add(
                AwardDropout(
                    award_id=made.id,
                    member_id=member.id,
                    need_id=member.need_id,
                    buyer_id=member.buyer_id,
                    ceiling=member.need.max_unit_price,
                    price_at_dropout=full_price,
                )
            )
    call.status = CallStatus.AWARDED
    call.closed_at = now
    call.closed_by_id = scene.authority.id
    scene.lot.status = LotStatus.AWARDED
    db.session.commit()
    return made


def unsuccessful(scene: Scene, call: JointCall, reason: str) -> JointCall:
    """Declare the call unsuccessful with a reason."""
    call.status = CallStatus.UNSUCCESSFUL
    call.closed_at = utcnow()
    call.closed_by_id = scene.authority.id
    call.outcome_reason = reason
    scene.lot.status = LotStatus.UNSUCCESSFUL
    db.session.commit()
    return call


def cancel(scene: Scene, call: JointCall, reason: str) -> JointCall:
    """Cancel the call before its deadline."""
    call.status = CallStatus.CANCELLED
    call.closed_at = utcnow()
    call.closed_by_id = scene.authority.id
    call.outcome_reason = reason
    scene.lot.status = LotStatus.CANCELLED
    db.session.commit()
    return call


def text_of(payload: object) -> str:
    """A JSON payload as one string, to search for names and prices."""
    return json.dumps(payload, ensure_ascii=False)


def reveals(text: str, secret: str) -> bool:
    """Whether `text` shows `secret`. A price counts as shown only as a number of its own
    ("950", "950.0", "950.00 EUR"), not inside another token: generated names and e-mail
    addresses carry random hex ("Authority 29508c"), which a bare substring test would take
    for a price now and then."""
    if not secret.isdigit():
        return secret in text
    return re.search(rf"(?<![0-9A-Za-z]){secret}(?![0-9A-Za-z])", text) is not None


def loose_need(buyer: User, quantity: int, status: NeedStatus, reason: str | None = None) -> Need:
    """A need outside any lot (open, or unmatched for a reason)."""
    category = db.session.scalar(
        select(TechnologyCategory).where(TechnologyCategory.code == "video-analysis")
    )
    assert category is not None
    now = utcnow()
    need = Need(
        buyer_id=buyer.organisation_id,
        title=f"Loose need {next(_numbers)}",
        category_id=category.id,
        firm_quantity=quantity,
        unit=NeedUnit.LICENCE,
        max_unit_price=Decimal("500.00"),
        need_by=now.date() + dt.timedelta(days=200),
        region_code="FR-BRE",
        status=status,
        unmatched_reason=reason,
        updated_at=now,
        opened_at=now,
    )
    db.session.add(need)
    db.session.commit()
    return need
