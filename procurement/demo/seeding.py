"""Loading the demo needs through the services, running the round and freezing one lot.

The demo round pools nationally (region level 1) so buyers of different regions share lots.
It asks for at least one certified solution per need when the labels demo has issued labels,
and for none otherwise, so the demo still shows lots on a database without labels.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from evaluations.models import Label, LabelStatus
from procurement.aggregation.parameters import AggregationParameters
from procurement.demo.pooled_needs import GROUPS
from procurement.demo.unpooled_needs import SINGLES
from procurement.models import AggregationRound, Lot, LotStatus, Need, NeedStatus, NeedUnit
from procurement.services.confirmation import confirm_membership, freeze_lot, request_confirmation
from procurement.services.needs import NeedData, create_need, open_need, withdraw_need
from procurement.services.rounds import lots_in, run_aggregation
from registry.database import db
from registry.dates import today
from registry.demo import AUTHORITY_EMAIL, BUYERS, DEMO_DOMAIN
from registry.models import User
from registry.norms.models import Norm, NormStatus

# Region of each demo buyer (registry.demo.BUYERS gives region names).
BUYER_REGIONS = {
    "saint-aubin": "FR-BRE",
    "montclair": "FR-OCC",
    "val-de-loire": "FR-CVL",
    "beaumont": "FR-HDF",
    "riviera": "FR-PAC",
    "police-beaumont": "FR-HDF",
    "gendarmerie": "FR",
    "sdis44": "FR-PDL",
    "transport-montclair": "FR-OCC",
    "port-brest": "FR-BRE",
    "grand-est": "FR-GES",
    "stadium": "FR-ARA",
}
DEMO_LOT_VALUE_CAP = Decimal("2000000")


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _norm_code(code: str | None) -> str | None:
    """The norm code if the norms demo made it available, else None (keeps the demo loadable)."""
    if code is None:
        return None
    norm = db.session.scalar(select(Norm).where(Norm.code == code))
    if norm is None or norm.status is not NormStatus.ACTIVE or not norm.is_public:
        return None
    return code


def _ensure_need(
    buyer: User,
    title: str,
    category: str,
    norm: str | None,
    rank: int,
    unit: NeedUnit,
    quantities: tuple[int, int],
    price: str,
    days_ahead: int,
    uplift: int,
    status: NeedStatus,
    slug: str,
) -> None:
    exists = db.session.scalar(
        select(Need.id).where(Need.buyer_id == buyer.organisation_id, Need.title == title)
    )
    if exists is not None:
        return
    norm_code = _norm_code(norm)
    need = create_need(
        buyer,
        NeedData(
            title=title,
            category=category,
            norm_code=norm_code,
            min_level_rank=rank if norm_code else 0,
            firm_quantity=quantities[0],
            optional_quantity=quantities[1],
            unit=unit,
            max_unit_price=Decimal(price),
            need_by=today() + dt.timedelta(days=days_ahead),
            region_code=BUYER_REGIONS.get(slug, "FR"),
            accepted_uplift=uplift,
            notes="Demo need.",
        ),
    )
    if status in (NeedStatus.OPEN, NeedStatus.WITHDRAWN):
        open_need(buyer, need)
    if status is NeedStatus.WITHDRAWN:
        withdraw_need(buyer, need)


def demo_buyers() -> dict[str, User]:
    """The demo buyers that exist, by the slug of their organisation."""
    found = {}
    for _, slug, _, _ in BUYERS:
        user = _user(f"{slug}@{DEMO_DOMAIN}")
        if user is not None:
            found[slug] = user
    return found


def demo_parameters() -> AggregationParameters:
    """The settings of the demo round (see the module docstring)."""
    any_label = db.session.scalar(
        select(Label.id).where(Label.status == LabelStatus.VALID).limit(1)
    )
    return AggregationParameters(
        today=today(),
        region_level=1,
        min_vendors=1 if any_label is not None else 0,
        lot_value_cap=DEMO_LOT_VALUE_CAP,
    )


def seed_demo_procurement() -> list[Any]:
    """Load the demo needs, run one round and freeze one lot, unless already done."""
    buyers = demo_buyers()
    authority = _user(AUTHORITY_EMAIL)
    if not buyers or authority is None:
        return []
    for offset, group in enumerate(GROUPS):
        for slug, firm, optional, price in group.needs:
            if slug in buyers:
                _ensure_need(
                    buyers[slug],
                    group.title,
                    group.category,
                    group.norm,
                    group.rank,
                    group.unit,
                    (firm, optional),
                    price,
                    # Spread the dates a little so lots are not all founded the same day.
                    group.days_ahead + offset,
                    group.uplift,
                    NeedStatus.OPEN,
                    slug,
                )
    for single in SINGLES:
        if single.slug in buyers:
            _ensure_need(
                buyers[single.slug],
                single.title,
                single.category,
                single.norm,
                single.rank,
                single.unit,
                (single.firm, single.optional),
                single.price,
                single.days_ahead,
                0,
                single.status,
                single.slug,
            )
    db.session.flush()
    if db.session.scalar(select(AggregationRound.id).limit(1)) is None:
        run_aggregation(authority, demo_parameters())
        db.session.flush()
    already_frozen = db.session.scalar(
        select(Lot.id).where(Lot.status.not_in((LotStatus.PROPOSED, LotStatus.CONFIRMED))).limit(1)
    )
    if already_frozen is None:
        _freeze_one(authority, buyers)
    return []


def _freeze_one(authority: User, buyers: dict[str, User]) -> None:
    """Confirm and freeze the proposed lot with the most buyers, as its buyers would."""
    candidates = lots_in(LotStatus.PROPOSED)
    if not candidates:
        return
    lot = max(candidates, key=lambda each: (each.buyers, -each.id))
    request_confirmation(authority, lot)
    users_by_org = {user.organisation_id: user for user in buyers.values()}
    for member in lot.active_members:
        buyer = users_by_org.get(member.buyer_id)
        if buyer is None:
            return
        confirm_membership(buyer, member)
    freeze_lot(authority, lot)
