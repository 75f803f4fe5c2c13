"""Demo needs from the demo buyers, one aggregation round and one frozen lot (idempotent).

The needs come in groups that pool (the same category, unit and requirement from several
buyers) and a few that cannot (too soon, too big for the lot cap, alone, or dwarfing the other
buyer so that pooling saves too little). The demo round pools nationally (region level 1) so
buyers of different regions share lots. It asks for at least one certified solution per need
when the labels demo has issued labels, and for none otherwise, so the demo still shows lots
on a database without labels.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import select

from evaluations.models import Label, LabelStatus
from procurement import services
from procurement.aggregation import AggregationParameters
from procurement.models import AggregationRound, Lot, LotStatus, Need, NeedStatus, NeedUnit
from registry.database import db
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


class Group(NamedTuple):
    """Needs of several buyers for the same thing; one (buyer, quantity, price) per need."""

    title: str
    category: str
    norm: str | None
    rank: int
    unit: NeedUnit
    days_ahead: int
    uplift: int
    needs: tuple[tuple[str, int, int, str], ...]  # slug, firm, optional, ceiling


GROUPS = (
    Group(
        "Video analytics licences",
        "video-analysis",
        "VA-INTEROP",
        1,
        NeedUnit.LICENCE,
        240,
        0,
        (
            ("saint-aubin", 40, 10, "1150"),
            ("montclair", 25, 5, "1200"),
            ("val-de-loire", 60, 20, "1100"),
            ("beaumont", 15, 0, "1250"),
            ("riviera", 30, 10, "950"),
            ("stadium", 80, 20, "1050"),
        ),
    ),
    Group(
        "Smart cameras with on-board analytics",
        "video-analysis",
        "VA-INTEROP",
        1,
        NeedUnit.CAMERA,
        300,
        1,
        (
            ("port-brest", 24, 6, "2400"),
            ("transport-montclair", 60, 0, "2200"),
            ("police-beaumont", 12, 4, "2600"),
            ("grand-est", 90, 30, "2100"),
            ("sdis44", 10, 0, "2500"),
        ),
    ),
    Group(
        "Network anomaly detection",
        "cybersecurity",
        "CYB-ANOMALY",
        1,
        NeedUnit.SITE,
        210,
        0,
        (
            ("saint-aubin", 3, 1, "28000"),
            ("gendarmerie", 12, 4, "25000"),
            ("port-brest", 2, 0, "32000"),
            ("transport-montclair", 6, 2, "27000"),
            ("grand-est", 8, 0, "26000"),
        ),
    ),
    Group(
        "Security operations subscription",
        "cybersecurity",
        "CYB-ANOMALY",
        1,
        NeedUnit.YEAR_SUBSCRIPTION,
        180,
        1,
        (
            ("montclair", 3, 0, "45000"),
            ("val-de-loire", 3, 1, "42000"),
            ("beaumont", 2, 0, "48000"),
            ("riviera", 3, 0, "44000"),
        ),
    ),
    Group(
        "Access control readers",
        "access-id-control",
        "ACC-ID",
        2,
        NeedUnit.DEVICE,
        270,
        0,
        (
            ("gendarmerie", 100, 50, "1300"),
            ("stadium", 60, 20, "1400"),
            ("port-brest", 25, 5, "1500"),
            ("sdis44", 20, 0, "1450"),
        ),
    ),
    Group(
        "Public warning broadcast",
        "public-alert",
        "ALERT-CAP",
        1,
        NeedUnit.YEAR_SUBSCRIPTION,
        200,
        0,
        (
            ("saint-aubin", 1, 2, "18000"),
            ("riviera", 1, 2, "20000"),
            ("sdis44", 2, 1, "17000"),
            ("grand-est", 3, 0, "16000"),
        ),
    ),
    Group(
        "Sirens connected to the warning system",
        "public-alert",
        None,
        0,
        NeedUnit.DEVICE,
        320,
        1,
        (
            ("beaumont", 6, 2, "9000"),
            ("val-de-loire", 12, 4, "8500"),
            ("montclair", 8, 0, "9200"),
        ),
    ),
    Group(
        "Surveillance drones",
        "sensors-drones-robotics",
        "DRONE-SENS",
        1,
        NeedUnit.DEVICE,
        280,
        0,
        (
            ("gendarmerie", 6, 2, "42000"),
            ("sdis44", 3, 1, "40000"),
            ("police-beaumont", 2, 0, "45000"),
        ),
    ),
    Group(
        "Video protection cameras",
        "video-protection",
        None,
        0,
        NeedUnit.CAMERA,
        260,
        1,
        (
            ("montclair", 120, 40, "650"),
            ("beaumont", 60, 20, "700"),
            ("riviera", 200, 50, "600"),
            ("val-de-loire", 150, 0, "620"),
            ("police-beaumont", 50, 10, "720"),
        ),
    ),
    Group(
        "Integration platform licences",
        "systems-integration",
        "SI-INTEROP",
        1,
        NeedUnit.LICENCE,
        300,
        0,
        (
            ("grand-est", 4, 1, "60000"),
            ("gendarmerie", 6, 0, "55000"),
            ("transport-montclair", 2, 1, "62000"),
        ),
    ),
    Group(
        "Command and control seats",
        "command-coordination",
        None,
        0,
        NeedUnit.USER,
        230,
        1,
        (
            ("sdis44", 40, 10, "1800"),
            ("police-beaumont", 15, 5, "1900"),
            ("gendarmerie", 200, 50, "1600"),
            ("grand-est", 25, 0, "1850"),
        ),
    ),
)


class Single(NamedTuple):
    """A need meant to stay unmatched (or a draft, or withdrawn)."""

    slug: str
    title: str
    category: str
    norm: str | None
    rank: int
    unit: NeedUnit
    firm: int
    optional: int
    price: str
    days_ahead: int
    status: NeedStatus


SINGLES = (
    # Too soon for a call to deliver.
    Single(
        "riviera",
        "Summer festival crowd cameras",
        "video-protection",
        None,
        0,
        NeedUnit.CAMERA,
        20,
        0,
        "650",
        40,
        NeedStatus.OPEN,
    ),
    Single(
        "stadium",
        "Match-day drone cover",
        "sensors-drones-robotics",
        "DRONE-SENS",
        1,
        NeedUnit.DEVICE,
        2,
        0,
        "41000",
        50,
        NeedStatus.OPEN,
    ),
    Single(
        "beaumont",
        "Emergency siren replacement",
        "public-alert",
        None,
        0,
        NeedUnit.DEVICE,
        3,
        0,
        "9500",
        30,
        NeedStatus.OPEN,
    ),
    Single(
        "saint-aubin",
        "Urgent firewall for the town hall",
        "cybersecurity",
        "CYB-ANOMALY",
        1,
        NeedUnit.SITE,
        1,
        0,
        "30000",
        45,
        NeedStatus.OPEN,
    ),
    # Bigger than the lot value cap on its own.
    Single(
        "gendarmerie",
        "National camera renewal",
        "video-protection",
        None,
        0,
        NeedUnit.CAMERA,
        4000,
        1000,
        "580",
        330,
        NeedStatus.OPEN,
    ),
    # Alone in its partition.
    Single(
        "stadium",
        "Crowd flow simulation",
        "flow-modeling",
        None,
        0,
        NeedUnit.LICENCE,
        2,
        0,
        "35000",
        250,
        NeedStatus.OPEN,
    ),
    Single(
        "transport-montclair",
        "Passenger flow analytics",
        "data-analysis",
        None,
        0,
        NeedUnit.USER,
        30,
        0,
        "1200",
        250,
        NeedStatus.OPEN,
    ),
    # Pooling saves too little: one buyer dwarfs the other.
    Single(
        "gendarmerie",
        "Investigation data platform seats",
        "data-collection",
        None,
        0,
        NeedUnit.USER,
        500,
        0,
        "2200",
        300,
        NeedStatus.OPEN,
    ),
    Single(
        "port-brest",
        "Harbour intelligence seats",
        "data-collection",
        None,
        0,
        NeedUnit.USER,
        1,
        0,
        "2300",
        300,
        NeedStatus.OPEN,
    ),
    # Drafts and a withdrawn need: never pooled.
    Single(
        "saint-aubin",
        "Body-worn cameras (to be scoped)",
        "video-protection",
        None,
        0,
        NeedUnit.CAMERA,
        30,
        0,
        "450",
        365,
        NeedStatus.DRAFT,
    ),
    Single(
        "montclair",
        "Licence plate reading",
        "video-analysis",
        "VA-INTEROP",
        2,
        NeedUnit.LICENCE,
        10,
        0,
        "2000",
        365,
        NeedStatus.DRAFT,
    ),
    Single(
        "port-brest",
        "Perimeter radar",
        "sensors-drones-robotics",
        None,
        0,
        NeedUnit.SENSOR,
        8,
        0,
        "15000",
        400,
        NeedStatus.DRAFT,
    ),
    Single(
        "grand-est",
        "Regional crisis dashboard",
        "command-coordination",
        None,
        0,
        NeedUnit.USER,
        20,
        0,
        "1500",
        365,
        NeedStatus.DRAFT,
    ),
    Single(
        "stadium",
        "Visitor badge printers",
        "access-id-control",
        None,
        0,
        NeedUnit.DEVICE,
        10,
        0,
        "900",
        200,
        NeedStatus.DRAFT,
    ),
    Single(
        "val-de-loire",
        "Old recorder replacement",
        "video-protection",
        None,
        0,
        NeedUnit.DEVICE,
        5,
        0,
        "3000",
        200,
        NeedStatus.WITHDRAWN,
    ),
    Single(
        "riviera",
        "Beach access counters",
        "flow-modeling",
        None,
        0,
        NeedUnit.SENSOR,
        12,
        0,
        "800",
        220,
        NeedStatus.WITHDRAWN,
    ),
)


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
    need = services.create_need(
        buyer,
        services.NeedData(
            title=title,
            category=category,
            norm_code=norm_code,
            min_level_rank=rank if norm_code else 0,
            firm_quantity=quantities[0],
            optional_quantity=quantities[1],
            unit=unit,
            max_unit_price=Decimal(price),
            need_by=services.today() + dt.timedelta(days=days_ahead),
            region_code=BUYER_REGIONS.get(slug, "FR"),
            accepted_uplift=uplift,
            notes="Demo need.",
        ),
    )
    if status in (NeedStatus.OPEN, NeedStatus.WITHDRAWN):
        services.open_need(buyer, need)
    if status is NeedStatus.WITHDRAWN:
        services.withdraw_need(buyer, need)


def _buyers() -> dict[str, User]:
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
        today=services.today(),
        region_level=1,
        min_vendors=1 if any_label is not None else 0,
        lot_value_cap=DEMO_LOT_VALUE_CAP,
    )


def seed_demo_procurement() -> list[Any]:
    """Load the demo needs, run one round and freeze one lot, unless already done."""
    buyers = _buyers()
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
        services.run_aggregation(authority, demo_parameters())
        db.session.flush()
    already_frozen = db.session.scalar(
        select(Lot.id).where(Lot.status.not_in((LotStatus.PROPOSED, LotStatus.CONFIRMED))).limit(1)
    )
    if already_frozen is None:
        _freeze_one(authority, buyers)
    return []


def _freeze_one(authority: User, buyers: dict[str, User]) -> None:
    """Confirm and freeze the proposed lot with the most buyers, as its buyers would."""
    candidates = services.lots_in(LotStatus.PROPOSED)
    if not candidates:
        return
    lot = max(candidates, key=lambda each: (each.buyers, -each.id))
    services.request_confirmation(authority, lot)
    users_by_org = {user.organisation_id: user for user in buyers.values()}
    for member in lot.active_members:
        buyer = users_by_org.get(member.buyer_id)
        if buyer is None:
            return
        services.confirm_membership(buyer, member)
    services.freeze_lot(authority, lot)
