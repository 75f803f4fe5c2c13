"""The demo needs that cannot pool: too soon, too big for the lot cap, alone, or dwarfing the
other buyer so that pooling saves too little; and drafts and withdrawn needs, never pooled.
"""

from __future__ import annotations

from typing import NamedTuple

from procurement.models import NeedStatus, NeedUnit


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
