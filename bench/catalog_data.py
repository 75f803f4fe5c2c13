"""A realistic generated catalog: vendors, published solutions and their label facts.

Rows go straight into the database with bulk inserts (the services would take hours at
100 000 solutions). Label facts are generated too and served through the search index's
provider hook, so the benchmark does not depend on the evaluation workflow.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from sqlalchemy import insert, select

from catalog.label_facts import LabelSummary, NoLabels
from catalog.models import (
    Maturity,
    PriceBand,
    PriceModel,
    Solution,
    SolutionRegion,
    SolutionStandard,
    SolutionStatus,
    solution_activity,
)
from catalog.regions import REGIONS
from registry import text
from registry.database import db, utcnow
from registry.models import (
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    SecurityActivity,
    TechnologyCategory,
    VendorSize,
)

VOCABULARY = [
    "camera",
    "cameras",
    "video",
    "analytics",
    "detection",
    "detect",
    "intrusion",
    "perimeter",
    "thermal",
    "sensor",
    "sensors",
    "drone",
    "drones",
    "robot",
    "patrol",
    "access",
    "badge",
    "biometric",
    "fingerprint",
    "face",
    "recognition",
    "licence",
    "plate",
    "alert",
    "alerts",
    "siren",
    "broadcast",
    "citizen",
    "mobile",
    "app",
    "dispatch",
    "command",
    "control",
    "coordination",
    "incident",
    "crisis",
    "flood",
    "fire",
    "evacuation",
    "crowd",
    "flow",
    "modelling",
    "simulation",
    "forecast",
    "risk",
    "map",
    "dashboard",
    "analyst",
    "intelligence",
    "data",
    "lake",
    "evidence",
    "chain",
    "custody",
    "forensic",
    "export",
    "archive",
    "encryption",
    "anomaly",
    "network",
    "firewall",
    "intrusion",
    "prevention",
    "monitoring",
    "log",
    "correlation",
    "interoperability",
    "gateway",
    "integration",
    "standard",
    "protocol",
    "open",
    "api",
    "cloud",
    "edge",
    "server",
    "storage",
    "retention",
    "masking",
    "anonymisation",
    "privacy",
    "audit",
    "trail",
    "operator",
    "training",
    "support",
    "maintenance",
    "night",
    "vision",
    "zoom",
    "panoramic",
    "radar",
    "lidar",
    "acoustic",
    "gunshot",
    "glass",
    "breaking",
    "vehicle",
    "counting",
    "traffic",
    "transport",
    "station",
    "stadium",
    "port",
    "airport",
    "harbour",
    "border",
    "tunnel",
    "bridge",
    "school",
    "hospital",
    "municipal",
    "police",
    "emergency",
    "ambulance",
    "firefighters",
    "radio",
    "mission",
    "critical",
    "push",
    "talk",
    "video",
    "wall",
    "storage",
    "redundancy",
    "resilience",
    "availability",
]
NAME_PARTS = [
    "Argus",
    "Sentinel",
    "Vigil",
    "Aegis",
    "Beacon",
    "Harbor",
    "Falcon",
    "Lynx",
    "Orion",
    "Atlas",
    "Nova",
    "Vector",
    "Pulse",
    "Shield",
    "Guardian",
    "Horizon",
    "Prism",
    "Echo",
    "Summit",
    "Delta",
    "Optic",
    "Civic",
    "Metro",
    "Urban",
    "Safe",
    "Clear",
    "Swift",
    "Iron",
]
NAME_NOUNS = [
    "Watch",
    "Vision",
    "Alert",
    "Guard",
    "Link",
    "Sense",
    "Eye",
    "Flow",
    "Grid",
    "Core",
    "Hub",
    "Scan",
    "Track",
    "View",
    "Cloud",
    "Net",
]
STANDARDS = [
    "ONVIF Profile S",
    "ONVIF Profile T",
    "ONVIF Profile M",
    "IEC 62443-4-2",
    "IEC 62443-3-3",
    "ISO/IEC 27001",
    "OASIS CAP 1.2",
    "EN 62676-4",
    "OSDP v2 (IEC 60839-11-5)",
    "3GPP MCPTT",
    "EU 2019/947",
    "NF Z42-013",
]
NORMS = ["VA-INTEROP", "VP-CCTV", "CY-ANOMALY", "AC-ID", "PA-ALERT", "SI-INTEROP", "DR-UAS"]
LEVELS = [("Certified", 1), ("Advanced", 2), ("Excellence", 3)]


@dataclass
class GeneratedCatalog(NoLabels):
    """What was generated: ids, label facts and the words to query with; also the label
    provider the benchmark registers (catalog.label_facts)."""

    solution_ids: list[int]
    facts: dict[int, LabelSummary] = field(default_factory=dict)
    vocabulary: list[str] = field(default_factory=lambda: list(VOCABULARY))

    def summaries_for(self, solution_ids: list[int]) -> dict[int, LabelSummary]:
        """The generated label summaries of these solutions."""
        return {i: self.facts[i] for i in solution_ids if i in self.facts}


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(VOCABULARY) for _ in range(words)).capitalize() + "."


def generate(count: int, seed: int = 42) -> GeneratedCatalog:
    """Insert `count` published solutions (about 10 per vendor); 60 % hold a valid label."""
    rng = random.Random(seed)
    now = utcnow()
    categories = db.session.execute(select(TechnologyCategory.id, TechnologyCategory.code)).all()
    activities = [row[0] for row in db.session.execute(select(SecurityActivity.id)).all()]
    vendor_count = max(1, count // 10)
    sizes = [VendorSize.STARTUP] * 5 + [VendorSize.SME] * 3 + [VendorSize.LARGE] * 2
    first_vendor = (
        db.session.scalar(select(Organisation.id).order_by(Organisation.id.desc())) or 0
    ) + 1
    vendors = [
        {
            "id": first_vendor + i,
            "name": f"{rng.choice(NAME_PARTS)} {rng.choice(NAME_NOUNS)} Systems {i}",
            "kind": OrganisationKind.VENDOR,
            "status": OrganisationStatus.ACTIVE,
            "vendor_size": rng.choice(sizes),
            "country": "FR",
            "region": "",
            "website": "",
            "description": "",
            "created_at": now,
            "status_reason": "",
        }
        for i in range(vendor_count)
    ]
    for vendor in vendors:
        # A bulk insert skips the model's own key upkeep.
        vendor["name_key"] = text.name_key(str(vendor["name"]))
    db.session.execute(insert(Organisation), vendors)
    first = (db.session.scalar(select(Solution.id).order_by(Solution.id.desc())) or 0) + 1
    region_codes = list(REGIONS)
    catalog = GeneratedCatalog(solution_ids=list(range(first, first + count)))
    batch = 2_000
    for start in range(0, count, batch):
        solutions, links, standards, regions = [], [], [], []
        for solution_id in range(first + start, first + min(count, start + batch)):
            privacy = rng.random() < 0.25
            solutions.append(
                {
                    "id": solution_id,
                    "vendor_id": first_vendor + rng.randrange(vendor_count),
                    "name": f"{rng.choice(NAME_PARTS)} {rng.choice(NAME_NOUNS)} "
                    f"{rng.choice(VOCABULARY).capitalize()} {solution_id}",
                    "status": SolutionStatus.PUBLISHED,
                    "primary_category_id": rng.choice(categories)[0],
                    "summary": _sentence(rng, rng.randint(8, 16))[:300],
                    "description_markdown": "\n\n".join(
                        _sentence(rng, rng.randint(15, 30)) for _ in range(rng.randint(2, 4))
                    ),
                    "maturity": rng.choice(list(Maturity)),
                    "privacy_sensitive": privacy,
                    "uses_biometrics": privacy and rng.random() < 0.5,
                    "uses_facial_recognition": False,
                    "privacy_features": "Masking and access logs." if privacy else "",
                    "price_model": rng.choice(list(PriceModel)),
                    "price_band": rng.choice(list(PriceBand)),
                    "created_at": now,
                    "updated_at": now,
                    "published_at": now,
                }
            )
            for activity in rng.sample(activities, rng.randint(1, 3)):
                links.append({"solution_id": solution_id, "activity_id": activity})
            for position, code in enumerate(rng.sample(STANDARDS, rng.randint(0, 3)), 1):
                standards.append({"solution_id": solution_id, "position": position, "code": code})
            for code in rng.sample(region_codes, rng.randint(1, 3)):
                regions.append({"solution_id": solution_id, "region_code": code})
            if rng.random() < 0.6:
                level, rank = rng.choice(LEVELS)
                issued = now - dt.timedelta(days=rng.randint(0, 900), seconds=solution_id)
                catalog.facts[solution_id] = LabelSummary(
                    certified=True,
                    best_level=level,
                    level_rank=rank,
                    norm_codes=rng.sample(NORMS, rng.randint(1, 2)),
                    expiry=(issued + dt.timedelta(days=1095)).date(),
                    newest_label_at=issued,
                )
        db.session.execute(insert(Solution), solutions)
        db.session.execute(insert(solution_activity), links)
        if standards:
            db.session.execute(insert(SolutionStandard), standards)
        db.session.execute(insert(SolutionRegion), regions)
        db.session.commit()
    return catalog
