"""Pure functions on priority grids: the rules a cell must follow and what changed between two.

A grid is a mapping from (activity code, category code) to a `CellValue`; these functions
take and return plain data (no Flask, no session), so they are tested directly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from registry.priorities.models import RATIONALE_MAX_LENGTH, PriorityLevel

CellKey = tuple[str, str]  # (activity code, category code)


@dataclass(frozen=True)
class CellValue:
    """The content of one cell: a level and the reason for it."""

    level: PriorityLevel
    rationale: str = ""


@dataclass(frozen=True)
class Axis:
    """An activity or a category as the grid shows it."""

    code: str
    name: str


@dataclass(frozen=True)
class PriorityGrid:
    """A whole map as plain data: the two axes in order, and the cells by key."""

    activities: tuple[Axis, ...]
    categories: tuple[Axis, ...]
    cells: Mapping[CellKey, CellValue]

    def cell(self, activity: str, category: str) -> CellValue | None:
        """The cell at an activity and a category (None when the grid lacks it)."""
        return self.cells.get((activity, category))

    @property
    def order(self) -> list[CellKey]:
        """Every key, activity by activity, each in category order."""
        return [(a.code, c.code) for a in self.activities for c in self.categories]

    def count(self, level: PriorityLevel) -> int:
        """How many cells have this level."""
        return sum(1 for value in self.cells.values() if value.level is level)


@dataclass(frozen=True)
class CellChange:
    """One cell whose level or rationale differs between two versions (None: absent there)."""

    activity: str
    category: str
    before: CellValue | None
    after: CellValue | None

    @property
    def level_changed(self) -> bool:
        """Whether the level itself changed (not only the wording of the reason)."""
        before = self.before.level if self.before else None
        after = self.after.level if self.after else None
        return before != after

    @property
    def direction(self) -> str:
        """'raised', 'lowered' or 'reworded', for people reading the change."""
        before = self.before.level.rank if self.before else -1
        after = self.after.level.rank if self.after else -1
        if after > before:
            return "raised"
        if after < before:
            return "lowered"
        return "reworded"


def normalise_rationale(text: str | None) -> str:
    """Trim the rationale and unify line endings, so that equal reasons compare equal."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


@dataclass(frozen=True)
class CellProblem:
    """Why a cell is refused, and which of its two inputs ("level" or "rationale") to fix."""

    field: str
    message: str


MISSING_LEVEL = CellProblem("level", "Choose a level: high, medium, low or none.")


def cell_problem(level: str | None, rationale: str) -> CellProblem | None:
    """Why a cell is not acceptable, or None when it is."""
    if level is None or level not in {member.value for member in PriorityLevel}:
        return MISSING_LEVEL
    if len(rationale) > RATIONALE_MAX_LENGTH:
        return CellProblem(
            "rationale",
            f"Keep the rationale to {RATIONALE_MAX_LENGTH} characters ({len(rationale)} now).",
        )
    if level == PriorityLevel.HIGH and not rationale.strip():
        return CellProblem("rationale", "A high priority needs a rationale: say why it matters.")
    return None


def grid_problems(
    grid: Mapping[CellKey, CellValue], activities: Sequence[str], categories: Sequence[str]
) -> dict[CellKey, CellProblem]:
    """Every problem of a grid, by cell: missing cells, cells off the map, cells breaking a rule."""
    expected = {(a, c) for a in activities for c in categories}
    problems: dict[CellKey, CellProblem] = {}
    for key in sorted(expected - set(grid)):
        problems[key] = MISSING_LEVEL
    for key in sorted(set(grid) - expected):
        problems[key] = CellProblem("level", "This cell is not on the map.")
    for key in sorted(expected & set(grid)):
        value = grid[key]
        problem = cell_problem(value.level.value, value.rationale)
        if problem:
            problems[key] = problem
    return problems


def diff_grids(
    before: Mapping[CellKey, CellValue],
    after: Mapping[CellKey, CellValue],
    order: Sequence[CellKey] = (),
) -> list[CellChange]:
    """The cells whose level or rationale differ, in `order` first, then sorted by key."""
    position = {key: index for index, key in enumerate(order)}
    keys = sorted(set(before) | set(after), key=lambda key: (position.get(key, len(position)), key))
    return [
        CellChange(key[0], key[1], before.get(key), after.get(key))
        for key in keys
        if before.get(key) != after.get(key)
    ]
