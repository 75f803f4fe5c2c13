"""Demo solutions of the demo vendors (demo_solutions.toml); loading them twice changes nothing."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

from sqlalchemy import select

from catalog import services
from catalog.models import (
    Maturity,
    PriceBand,
    PriceModel,
    Solution,
    SolutionStatus,
    SolutionVersion,
)
from catalog.versions import declare_version
from registry.database import db
from registry.dates import today
from registry.demo import VENDORS
from registry.models import Organisation, OrganisationStatus, User

DATA_FILE = Path(__file__).with_name("demo_solutions.toml")


def demo_entries() -> list[dict[str, Any]]:
    """The demo solutions as written in the data file."""
    with DATA_FILE.open("rb") as handle:
        return list(tomllib.load(handle)["solutions"])


def solution_data(entry: dict[str, Any]) -> services.SolutionData:
    """One entry of the data file as the service's input."""
    return services.SolutionData(
        name=entry["name"],
        primary_category=entry.get("category"),
        activities=list(entry.get("activities", [])),
        summary=entry.get("summary", ""),
        description_markdown=entry.get("description", ""),
        maturity=Maturity(entry["maturity"]) if "maturity" in entry else None,
        standards=list(entry.get("standards", [])),
        deployments=list(entry.get("deployments", [])),
        privacy_sensitive=bool(entry.get("privacy_sensitive", False)),
        uses_biometrics=bool(entry.get("uses_biometrics", False)),
        uses_facial_recognition=bool(entry.get("uses_facial_recognition", False)),
        privacy_features=entry.get("privacy_features", ""),
        price_model=PriceModel(entry["price_model"]) if "price_model" in entry else None,
        price_band=PriceBand(entry["price_band"]) if "price_band" in entry else None,
        regions=list(entry.get("regions", [])),
    )


def seed_demo_solutions() -> list[Any]:
    """Create the demo solutions that do not exist yet, through the vendors' own services."""
    vendor_names = {slug: name for name, slug, _size, _region in VENDORS}
    for entry in demo_entries():
        vendor = db.session.scalar(
            select(Organisation).where(Organisation.name == vendor_names[entry["vendor"]])
        )
        if vendor is None or vendor.status is not OrganisationStatus.ACTIVE or not vendor.users:
            continue
        exists = db.session.scalar(
            select(Solution.id).where(
                Solution.vendor_id == vendor.id, Solution.name == entry["name"]
            )
        )
        if exists is not None:
            continue
        actor = vendor.users[0]
        solution = services.create_solution(actor, solution_data(entry))
        status = SolutionStatus(entry.get("status", SolutionStatus.PUBLISHED.value))
        if status is not SolutionStatus.DRAFT:
            services.publish_solution(actor, solution)
        if status is not SolutionStatus.DRAFT:
            declare_demo_versions(actor, solution, entry["vendor"])
        if status is SolutionStatus.ARCHIVED:
            services.archive_solution(actor, solution)
    db.session.flush()
    return []


# Each demo solution's released versions: (version, days since release). Evaluations are of
# the oldest; the newer ones are there to join a label's scope by maintenance.
DEMO_RELEASES = (("2.0", 400), ("2.1", 150), ("2.2", 40))


def declare_demo_versions(actor: User, solution: Solution, vendor_slug: str) -> None:
    """Declare the demo releases of a solution, each with a package URL."""
    product = "-".join(solution.name.lower().split())
    for version, days in DEMO_RELEASES:
        declare_version(
            actor,
            solution,
            version,
            today() - dt.timedelta(days=days),
            purl=f"pkg:generic/{vendor_slug}/{product}@{version}",
        )


def demo_version(actor: User, solution: Solution) -> SolutionVersion:
    """The version a demo evaluation is for: the oldest declared (declared now if none)."""
    if not solution.versions:
        declare_version(actor, solution, DEMO_RELEASES[0][0], today() - dt.timedelta(days=400))
        db.session.refresh(solution)
    return solution.versions[-1]
