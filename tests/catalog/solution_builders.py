"""Helpers for the catalog tests: complete solution data and solutions in each state."""

from __future__ import annotations

import datetime as dt
from typing import Any

from catalog import services
from catalog.models import Maturity, PriceBand, PriceModel, Solution, SolutionVersion
from catalog.versions import declare_version
from registry.database import db
from registry.dates import today
from registry.models import User


def complete_data(**overrides: Any) -> services.SolutionData:
    """Solution data with every field publication needs."""
    values: dict[str, Any] = {
        "name": "Harbour Watch",
        "primary_category": "video-analysis",
        "activities": ["operation-prevention", "judicial-process"],
        "summary": "Watches the harbour.",
        "description_markdown": "## Features\n\n- Detects intrusions\n- Counts boats",
        "maturity": Maturity.DEPLOYED,
        "standards": ["ONVIF Profile S", "IEC 62443-4-2"],
        "deployments": ["Port of X, 12 cameras, since 2024"],
        "privacy_sensitive": False,
        "privacy_features": "",
        "price_model": PriceModel.SUBSCRIPTION,
        "price_band": PriceBand.FROM_10K_TO_50K,
        "regions": ["FR-BRE", "FR"],
    }
    values.update(overrides)
    return services.SolutionData(**values)


def draft(actor: User, **overrides: Any) -> Solution:
    """A committed, complete draft of the actor's organisation."""
    solution = services.create_solution(actor, complete_data(**overrides))
    db.session.commit()
    return solution


def published(actor: User, **overrides: Any) -> Solution:
    """A committed, published solution of the actor's organisation."""
    solution = services.publish_solution(
        actor, services.create_solution(actor, complete_data(**overrides))
    )
    db.session.commit()
    return solution


def archived(actor: User, **overrides: Any) -> Solution:
    """A committed solution that was published, then archived."""
    solution = services.archive_solution(actor, published(actor, **overrides))
    db.session.commit()
    return solution


def first_version(actor: User, solution: Solution | int) -> SolutionVersion:
    """The solution's newest declared version, or version 1.0 (released 30 days ago) declared now.

    `actor` is a member of the solution's vendor.
    """
    found = solution if isinstance(solution, Solution) else db.session.get(Solution, solution)
    assert found is not None
    if found.versions:
        return found.versions[0]
    version = declare_version(
        actor, found, "1.0", today() - dt.timedelta(days=30), purl="pkg:generic/demo/product@1.0"
    )
    db.session.commit()
    return version
