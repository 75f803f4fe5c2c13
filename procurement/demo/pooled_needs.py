"""The demo needs that pool: the same category, unit and requirement from several buyers."""

from __future__ import annotations

from typing import NamedTuple

from procurement.models import NeedUnit


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
