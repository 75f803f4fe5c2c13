"""The pure rules of a priority grid: what a cell must hold, and what changed between two grids."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from registry.priorities.grid import (
    CellChange,
    CellValue,
    cell_problem,
    diff_grids,
    grid_problems,
    normalise_rationale,
)
from registry.priorities.models import RATIONALE_MAX_LENGTH, PriorityLevel

ACTIVITIES = ["planning", "intelligence"]
CATEGORIES = ["video-analysis", "cybersecurity", "flow-modeling"]
KEYS = [(a, c) for a in ACTIVITIES for c in CATEGORIES]


def full_grid(level: PriorityLevel = PriorityLevel.LOW) -> dict[tuple[str, str], CellValue]:
    return {key: CellValue(level, "because") for key in KEYS}


def test_a_high_level_needs_a_rationale() -> None:
    problem = cell_problem("high", "   ")
    assert problem is not None
    assert problem.field == "rationale"
    assert "needs a rationale" in problem.message
    assert cell_problem("high", "The report names it.") is None


def test_other_levels_may_go_without_a_rationale() -> None:
    for level in ("medium", "low", "none"):
        assert cell_problem(level, "") is None


def test_every_cell_needs_a_known_level() -> None:
    for level in (None, "", "urgent", "HIGH"):
        problem = cell_problem(level, "text")
        assert problem is not None and problem.field == "level"


def test_rationale_length_is_limited() -> None:
    assert cell_problem("low", "x" * RATIONALE_MAX_LENGTH) is None
    problem = cell_problem("low", "x" * (RATIONALE_MAX_LENGTH + 1))
    assert problem is not None
    assert problem.field == "rationale"
    assert str(RATIONALE_MAX_LENGTH) in problem.message


def test_grid_problems_names_missing_extra_and_invalid_cells() -> None:
    grid = full_grid()
    del grid[("planning", "cybersecurity")]
    grid[("intelligence", "video-analysis")] = CellValue(PriorityLevel.HIGH, "")
    grid[("feedback", "video-analysis")] = CellValue(PriorityLevel.LOW, "")
    problems = grid_problems(grid, ACTIVITIES, CATEGORIES)
    assert set(problems) == {
        ("planning", "cybersecurity"),
        ("intelligence", "video-analysis"),
        ("feedback", "video-analysis"),
    }
    assert problems[("planning", "cybersecurity")].field == "level"
    assert problems[("intelligence", "video-analysis")].field == "rationale"


def test_a_complete_valid_grid_has_no_problem() -> None:
    assert grid_problems(full_grid(), ACTIVITIES, CATEGORIES) == {}


def test_diff_lists_level_and_rationale_changes_in_map_order() -> None:
    before = full_grid()
    after = dict(before)
    after[("intelligence", "cybersecurity")] = CellValue(PriorityLevel.HIGH, "Anomaly detection.")
    after[("planning", "video-analysis")] = CellValue(PriorityLevel.LOW, "reworded")
    after[("planning", "flow-modeling")] = CellValue(PriorityLevel.NONE, "because")
    changes = diff_grids(before, after, KEYS)
    assert [(c.activity, c.category, c.direction) for c in changes] == [
        ("planning", "video-analysis", "reworded"),
        ("planning", "flow-modeling", "lowered"),
        ("intelligence", "cybersecurity", "raised"),
    ]
    assert [c.level_changed for c in changes] == [False, True, True]


def test_diff_against_nothing_lists_every_cell_as_new() -> None:
    changes = diff_grids({}, full_grid(), KEYS)
    assert len(changes) == len(KEYS)
    assert all(c.before is None and c.direction == "raised" for c in changes)


def test_rationales_are_compared_after_normalising_line_endings() -> None:
    assert normalise_rationale("  one\r\ntwo\r ") == "one\ntwo"
    assert normalise_rationale(None) == ""


grids = st.dictionaries(
    st.sampled_from(KEYS),
    st.builds(CellValue, st.sampled_from(list(PriorityLevel)), st.sampled_from(["", "a", "b"])),
)


@given(grids, grids)
def test_diff_names_exactly_the_cells_that_differ(
    before: dict[tuple[str, str], CellValue], after: dict[tuple[str, str], CellValue]
) -> None:
    changes = diff_grids(before, after, KEYS)
    changed = {(c.activity, c.category) for c in changes}
    assert changed == {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert len(changed) == len(changes)
    # Replaying the changes onto `before` gives `after`.
    replayed = dict(before)
    for change in changes:
        key = (change.activity, change.category)
        if change.after is None:
            del replayed[key]
        else:
            replayed[key] = change.after
    assert replayed == after


@given(grids)
def test_a_grid_does_not_differ_from_itself(grid: dict[tuple[str, str], CellValue]) -> None:
    assert diff_grids(grid, dict(grid), KEYS) == []


def test_direction_of_a_removed_cell_is_lowered() -> None:
    change = CellChange("planning", "cybersecurity", CellValue(PriorityLevel.NONE), None)
    assert change.direction == "lowered"
    assert change.level_changed
