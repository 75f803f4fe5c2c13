"""Demo priority maps drawn from the report: two national versions and one regional map.

The report's Exhibit 2 names three high-priority topics: systems integration and
interoperability, video analysis, and cybersecurity tools (perimeter protection and anomaly
detection). Version 1 is a first reading of it; version 2 raises cybersecurity and the judicial
use of video, as the report's examples suggest. Bretagne adapts the national map to its ports
and coast. Loading twice changes nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from registry.database import db
from registry.demo import AUTHORITY_EMAIL
from registry.models import User
from registry.priorities import services
from registry.priorities.grid import CellKey, CellValue
from registry.priorities.models import PriorityLevel

H, M, L, N = PriorityLevel.HIGH, PriorityLevel.MEDIUM, PriorityLevel.LOW, PriorityLevel.NONE
PLAN, INTEL, OPER, CRISIS, JUDIC, FEED = (
    "planning",
    "intelligence",
    "operation-prevention",
    "crisis-management",
    "judicial-process",
    "feedback",
)

INTEGRATION = (
    "The report names integration and interoperability a high priority: it gives access to "
    "data from many players and stimulates coordination among public players."
)
VIDEO = (
    "High priority in the report: video analysis consolidates and analyses large amounts of "
    "CCTV footage and makes use of the cameras already installed."
)
CYBER = (
    "High priority in the report: interconnected public and private IT systems need perimeter "
    "protection and anomaly detection."
)

# The national map as published in version 2: category -> activity -> (level, rationale).
NATIONAL_V2: dict[str, dict[str, tuple[PriorityLevel, str]]] = {
    "systems-integration": {
        PLAN: (H, INTEGRATION + " Shared data is the basis of joint planning."),
        INTEL: (H, INTEGRATION + " Intelligence depends on sharing across forces."),
        OPER: (H, INTEGRATION + " Unified command centres, as in Mexico City's Safe City."),
        CRISIS: (H, INTEGRATION + " Crisis response needs every force on one picture."),
        JUDIC: (H, INTEGRATION + " Evidence must move between police, courts and operators."),
        FEED: (H, INTEGRATION + " Lessons learnt need data from every stakeholder."),
    },
    "video-analysis": {
        PLAN: (L, "Useful for studying footfall, but planning relies on other data first."),
        INTEL: (H, VIDEO + " It turns recorded footage into leads."),
        OPER: (H, VIDEO + " It lets operators watch more cameras in real time."),
        CRISIS: (M, "Helps assess a situation quickly; other sources matter as much."),
        JUDIC: (
            H,
            VIDEO + " Footage is evidence: London's CCTV also serves fraud investigations.",
        ),
        FEED: (M, "Reviewing footage after an event improves the next response."),
    },
    "access-id-control": {
        PLAN: (L, "A site-level concern rather than a national planning one."),
        INTEL: (L, "Access logs help investigations now and then."),
        OPER: (M, "Protects critical sites and large events day to day."),
        CRISIS: (M, "Controls who enters a cordoned area."),
        JUDIC: (L, "Access records are occasionally used as evidence."),
        FEED: (N, ""),
    },
    "flow-modeling": {
        PLAN: (M, "Models crowds and traffic to plan events and evacuation routes."),
        INTEL: (L, "Little use for intelligence work."),
        OPER: (M, "Anticipates crowd build-up at stations and stadiums."),
        CRISIS: (M, "Supports evacuation decisions."),
        JUDIC: (N, ""),
        FEED: (M, "Replaying flows shows where an event's plan failed."),
    },
    "public-alert": {
        PLAN: (L, "Alert plans are drawn up once and tested."),
        INTEL: (N, ""),
        OPER: (M, "Informs the public of local incidents."),
        CRISIS: (M, "Warns the population fast; multi-channel alerting exists already."),
        JUDIC: (N, ""),
        FEED: (L, "Alert reach is measured after each incident."),
    },
    "sensors-drones-robotics": {
        PLAN: (L, "Emerging; pilots first."),
        INTEL: (M, "Drones and sensors widen what forces can observe."),
        OPER: (M, "Patrol support and perimeter sensing."),
        CRISIS: (M, "Drones survey areas that responders cannot reach."),
        JUDIC: (L, "Sensor data is rarely used as evidence yet."),
        FEED: (N, ""),
    },
    "data-collection": {
        PLAN: (M, "Collecting data is the first step to mapping risks."),
        INTEL: (M, "Feeds intelligence; privacy rules limit what may be collected."),
        OPER: (L, "Mostly an input to other tools."),
        CRISIS: (L, "Mostly an input to other tools."),
        JUDIC: (M, "Collected data must be kept so that it can serve in court."),
        FEED: (L, "Incident data supports reviews."),
    },
    "data-analysis": {
        PLAN: (M, "Data analysis has emerged as a priority in Brazil, France, Israel and the UK."),
        INTEL: (M, "The report notes data analysis emerging as a priority in many countries."),
        OPER: (M, "Predicts where resources are needed."),
        CRISIS: (L, "Too slow for the first hours of a crisis."),
        JUDIC: (M, "Helps investigators sift large volumes of records."),
        FEED: (M, "Measures what worked, to adjust the strategy."),
    },
    "video-protection": {
        PLAN: (L, "Camera coverage is planned locally."),
        INTEL: (M, "Recorded footage supports intelligence."),
        OPER: (M, "CCTV is widespread; the priority is making better use of it."),
        CRISIS: (M, "Gives a live view of the scene."),
        JUDIC: (M, "Footage is routinely used in investigations."),
        FEED: (L, "Footage is reviewed after major events."),
    },
    "command-coordination": {
        PLAN: (M, "Joint command structures are planned in advance."),
        INTEL: (M, "Shares intelligence across forces."),
        OPER: (M, "Coordinates forces day to day."),
        CRISIS: (M, "Coordinates all responders in a crisis."),
        JUDIC: (L, "Little direct role."),
        FEED: (M, "Logs of command decisions feed lessons learnt."),
    },
    "cybersecurity": {
        PLAN: (H, CYBER + " Security must be designed in from the start."),
        INTEL: (M, "Anomaly detection also yields threat intelligence."),
        OPER: (H, CYBER + " Investments are climbing as the smart city interconnects."),
        CRISIS: (H, CYBER + " A cyberattack can itself be the crisis, or worsen one."),
        JUDIC: (M, "Digital evidence must be protected from tampering."),
        FEED: (M, "Incident reviews harden systems against the next attack."),
    },
}

# What version 1 said differently: the first reading, before cybersecurity and the judicial
# use of video were raised.
NATIONAL_V1_DIFFERENCES: dict[tuple[str, str], tuple[PriorityLevel, str]] = {
    ("cybersecurity", PLAN): (M, "Security by design is expected of every new system."),
    ("cybersecurity", OPER): (M, "Perimeter protection for operational systems."),
    ("cybersecurity", CRISIS): (M, "Resilience of crisis systems against attacks."),
    ("video-analysis", JUDIC): (M, "Footage is used as evidence; analysis speeds the search."),
    ("data-analysis", INTEL): (L, "Analysis tools are still maturing."),
}
NATIONAL_V1_NOTE = (
    "First national map, drawn from the report's Exhibit 2: systems integration and "
    "interoperability and video analysis are high priorities."
)
NATIONAL_V2_NOTE = (
    "Cybersecurity raised to high for planning, operation and prevention, and crisis "
    "management (perimeter protection and anomaly detection, as the report asks); video analysis "
    "raised to high for the judicial process; data analysis raised to medium for intelligence."
)

BRETAGNE = "Bretagne"
BRETAGNE_DIFFERENCES: dict[tuple[str, str], tuple[PriorityLevel, str]] = {
    ("sensors-drones-robotics", OPER): (
        H,
        "Drones and sensors watch a long coastline and the port areas of Brest and Lorient.",
    ),
    ("cybersecurity", INTEL): (
        H,
        "Ports and naval sites are critical infrastructure: anomaly detection is a priority.",
    ),
    ("public-alert", CRISIS): (
        H,
        "Storms and coastal flooding call for fast, multi-channel public warning.",
    ),
    ("flow-modeling", PLAN): (L, "Few large crowds outside the summer festivals."),
}
BRETAGNE_NOTE = (
    "First regional map for Bretagne: the national map, adapted to the region's ports, "
    "coastline and storm risk."
)


def national_v2() -> dict[CellKey, CellValue]:
    """The demo national map, version 2, as plain cells."""
    return {
        (activity, category): CellValue(level, rationale)
        for category, row in NATIONAL_V2.items()
        for activity, (level, rationale) in row.items()
    }


def _with(
    base: dict[CellKey, CellValue], differences: dict[tuple[str, str], tuple[PriorityLevel, str]]
) -> dict[CellKey, CellValue]:
    values = dict(base)
    for (category, activity), (level, rationale) in differences.items():
        values[(activity, category)] = CellValue(level, rationale)
    return values


def _publish(authority: User, scope_map: Any, values: dict[CellKey, CellValue], note: str) -> None:
    draft = services.start_draft(authority, scope_map)
    services.update_draft(authority, draft, values)
    services.publish_draft(authority, draft, note)


def seed_priority_maps() -> list[Any]:
    """Publish the demo maps unless they exist; the caller commits."""
    authority = db.session.scalar(select(User).where(User.email == AUTHORITY_EMAIL))
    if authority is None:
        return []
    national = services.ensure_national_map(authority)
    if national.last_number == 0 and services.draft_of(national) is None:
        _publish(
            authority, national, _with(national_v2(), NATIONAL_V1_DIFFERENCES), NATIONAL_V1_NOTE
        )
        _publish(authority, national, national_v2(), NATIONAL_V2_NOTE)
    bretagne = services.get_map(services.scope_slug(BRETAGNE))
    if bretagne is None:
        bretagne = services.create_regional_map(authority, BRETAGNE)
        _publish(authority, bretagne, _with(national_v2(), BRETAGNE_DIFFERENCES), BRETAGNE_NOTE)
    db.session.flush()
    return []
