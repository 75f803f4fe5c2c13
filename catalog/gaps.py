"""The authority's gap view: where a priority of the national map meets a thin or empty market.

`assess` and `build_rows` are pure; `gap_report` reads the current national priority map
(registry.priorities) and counts published solutions per activity × category cell.
Certified solutions are counted by the label provider the evaluations package registers
(catalog.label_facts; a higher package calls down, this one never imports it). Without one the
column shows "—".
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select

from catalog.label_facts import CellKey, label_provider
from catalog.models import Solution, SolutionStatus, solution_activity
from registry.database import db
from registry.models import (
    Organisation,
    OrganisationStatus,
    SecurityActivity,
    TechnologyCategory,
)
from registry.priorities.models import NATIONAL_SCOPE, PriorityLevel
from registry.priorities.services import (
    activities,
    categories,
    current_levels,
    current_version,
    get_map,
)

# A high-priority cell with fewer published solutions than this is a thin market.
THIN_MARKET_BELOW = 3


class Assessment(enum.StrEnum):
    """What a cell's priority and offer mean together, worst first."""

    CRITICAL_GAP = "critical_gap"
    THIN_MARKET = "thin_market"
    GAP = "gap"
    COVERED = "covered"
    NOT_A_PRIORITY = "not_a_priority"

    @property
    def label(self) -> str:
        """The words shown in the table (the meaning never rests on colour alone)."""
        return {
            "critical_gap": "Gap: high priority, no solution",
            "thin_market": "Thin market: high priority, few solutions",
            "gap": "Gap: medium priority, no solution",
            "covered": "Offer exists",
            "not_a_priority": "Not a priority",
        }[self.value]

    @property
    def severity(self) -> int:
        """0 for the most urgent; used to sort."""
        return list(Assessment).index(self)

    @property
    def is_gap(self) -> bool:
        """Whether the cell needs the authority's attention."""
        return self in (Assessment.CRITICAL_GAP, Assessment.THIN_MARKET, Assessment.GAP)


def assess(level: PriorityLevel | None, published: int) -> Assessment:
    """Judge one cell from its priority level and its number of published solutions."""
    if level is PriorityLevel.HIGH:
        if published == 0:
            return Assessment.CRITICAL_GAP
        if published < THIN_MARKET_BELOW:
            return Assessment.THIN_MARKET
        return Assessment.COVERED
    if level is PriorityLevel.MEDIUM:
        return Assessment.GAP if published == 0 else Assessment.COVERED
    return Assessment.NOT_A_PRIORITY


@dataclass(frozen=True)
class GapRow:
    """One activity × category cell of the map, with its offer."""

    activity_code: str
    activity_name: str
    category_code: str
    category_name: str
    level: PriorityLevel | None
    published: int
    certified: int | None  # None while no certification counter is registered
    assessment: Assessment

    @property
    def is_gap(self) -> bool:
        """Whether the cell needs the authority's attention."""
        return self.assessment.is_gap


def build_rows(
    activities: Iterable[tuple[str, str]],
    categories: Iterable[tuple[str, str]],
    levels: Mapping[CellKey, PriorityLevel],
    published: Mapping[CellKey, int],
    certified: Mapping[CellKey, int] | None,
) -> list[GapRow]:
    """Every cell, activity by activity in category order; (code, name) pairs for the axes."""
    category_list = list(categories)
    rows = []
    for activity_code, activity_name in activities:
        for category_code, category_name in category_list:
            key = (activity_code, category_code)
            count = published.get(key, 0)
            level = levels.get(key)
            rows.append(
                GapRow(
                    activity_code,
                    activity_name,
                    category_code,
                    category_name,
                    level,
                    count,
                    None if certified is None else certified.get(key, 0),
                    assess(level, count),
                )
            )
    return rows


def worst_first(rows: Iterable[GapRow]) -> list[GapRow]:
    """The gaps only, most urgent first (then fewest solutions), map order otherwise."""
    gaps = [row for row in rows if row.is_gap]
    return sorted(gaps, key=lambda row: (row.assessment.severity, row.published))


def published_counts(*conditions: ColumnElement[bool]) -> dict[CellKey, int]:
    """Published solutions of active vendors per (activity, primary category) cell.

    Extra `conditions` on the solution narrow what is counted (e.g. "holds a valid label").
    """
    rows = db.session.execute(
        select(SecurityActivity.code, TechnologyCategory.code, func.count(Solution.id))
        .select_from(Solution)
        .join(Organisation, Organisation.id == Solution.vendor_id)
        .join(solution_activity, solution_activity.c.solution_id == Solution.id)
        .join(SecurityActivity, SecurityActivity.id == solution_activity.c.activity_id)
        .join(TechnologyCategory, TechnologyCategory.id == Solution.primary_category_id)
        .where(
            Solution.status == SolutionStatus.PUBLISHED,
            Organisation.status == OrganisationStatus.ACTIVE,
            *conditions,
        )
        .group_by(SecurityActivity.code, TechnologyCategory.code)
    ).all()
    return {(activity, category): count for activity, category, count in rows}


@dataclass(frozen=True)
class GapReport:
    """The gap view of one scope's current priority map."""

    scope: str
    map_number: int | None  # None when the scope has no published map yet
    map_published_at: dt.datetime | None
    rows: list[GapRow]
    certified_available: bool

    @property
    def gaps(self) -> list[GapRow]:
        """The cells that need attention, most urgent first."""
        return worst_first(self.rows)

    def count(self, assessment: Assessment) -> int:
        """How many cells have this assessment."""
        return sum(1 for row in self.rows if row.assessment is assessment)


def gap_report(scope: str = NATIONAL_SCOPE) -> GapReport:
    """Read the scope's current map and the catalog, and judge every cell."""
    version = current_version(get_map(scope))
    certified = label_provider().certified_counts()
    rows = build_rows(
        [(a.code, a.name) for a in activities()],
        [(c.code, c.name) for c in categories()],
        current_levels(scope),
        published_counts(),
        certified,
    )
    return GapReport(
        scope=scope,
        map_number=version.number if version is not None else None,
        map_published_at=version.published_at if version is not None else None,
        rows=rows,
        certified_available=certified is not None,
    )
