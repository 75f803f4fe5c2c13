"""Side-by-side comparison of two norm versions, as a pure function over plain snapshots.

Criteria are matched by code (codes are unique within a version and kept when a draft is
copied from the previous version): a code only in the newer version is *added*, only in the
older one *removed*, in both with a different field *changed* (the fields are named), else
*unchanged*. Sections are matched by title; levels by name; standards by their text.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

ChangeKind = Literal["added", "removed", "changed", "unchanged"]
ADDED: ChangeKind = "added"
REMOVED: ChangeKind = "removed"
CHANGED: ChangeKind = "changed"
UNCHANGED: ChangeKind = "unchanged"

# The criterion fields compared, with the names shown to readers.
FIELD_LABELS = {
    "section": "section",
    "title": "title",
    "guidance": "guidance",
    "kind": "kind",
    "mandatory": "mandatory",
    "weight": "weight",
    "evidence_required": "evidence required",
}


@dataclass(frozen=True)
class CriterionSnapshot:
    """A criterion as compared: plain values, the section named by its title."""

    code: str
    section: str
    title: str
    guidance: str
    kind: str
    mandatory: bool
    weight: int
    evidence_required: bool


@dataclass(frozen=True)
class VersionSnapshot:
    """Everything about a version that a comparison looks at."""

    number: int
    validity_months: int
    levels: tuple[tuple[str, int], ...]
    standards: tuple[str, ...]
    sections: tuple[str, ...]
    criteria: tuple[CriterionSnapshot, ...]


@dataclass(frozen=True)
class CriterionChange:
    """What happened to one criterion code between the two versions."""

    code: str
    change: ChangeKind
    old: CriterionSnapshot | None
    new: CriterionSnapshot | None
    fields: tuple[str, ...] = ()

    @property
    def field_labels(self) -> tuple[str, ...]:
        """The changed fields, as shown to readers."""
        return tuple(FIELD_LABELS[name] for name in self.fields)


@dataclass(frozen=True)
class LevelChange:
    """A level added, removed, or whose minimum percent changed."""

    name: str
    change: ChangeKind
    old_minimum: int | None
    new_minimum: int | None


@dataclass(frozen=True)
class VersionComparison:
    """The differences between an older and a newer version."""

    old_number: int
    new_number: int
    criteria: tuple[CriterionChange, ...]
    sections_added: tuple[str, ...]
    sections_removed: tuple[str, ...]
    levels: tuple[LevelChange, ...]
    standards_added: tuple[str, ...]
    standards_removed: tuple[str, ...]
    validity_months: tuple[int, int] | None

    def count(self, change: ChangeKind) -> int:
        """How many criteria had this kind of change."""
        return sum(1 for item in self.criteria if item.change == change)

    @property
    def criteria_changed(self) -> bool:
        """Whether any criterion was added, removed or changed."""
        return any(item.change != UNCHANGED for item in self.criteria)

    @property
    def identical(self) -> bool:
        """Whether nothing at all differs."""
        return not (
            self.criteria_changed
            or self.sections_added
            or self.sections_removed
            or any(level.change != UNCHANGED for level in self.levels)
            or self.standards_added
            or self.standards_removed
            or self.validity_months
        )


def _changed_fields(old: CriterionSnapshot, new: CriterionSnapshot) -> tuple[str, ...]:
    return tuple(
        f.name
        for f in fields(CriterionSnapshot)
        if f.name != "code" and getattr(old, f.name) != getattr(new, f.name)
    )


def _only_in(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    others = set(second)
    return tuple(item for item in first if item not in others)


def compare_versions(old: VersionSnapshot, new: VersionSnapshot) -> VersionComparison:
    """Compare an older version with a newer one (any two versions of a norm, in fact).

    Criteria come in the newer version's order, then the removed ones in the older order.
    """
    old_by_code = {criterion.code: criterion for criterion in old.criteria}
    new_codes = {criterion.code for criterion in new.criteria}
    changes: list[CriterionChange] = []
    for criterion in new.criteria:
        before = old_by_code.get(criterion.code)
        if before is None:
            changes.append(CriterionChange(criterion.code, ADDED, None, criterion))
            continue
        changed = _changed_fields(before, criterion)
        kind = CHANGED if changed else UNCHANGED
        changes.append(CriterionChange(criterion.code, kind, before, criterion, changed))
    for criterion in old.criteria:
        if criterion.code not in new_codes:
            changes.append(CriterionChange(criterion.code, REMOVED, criterion, None))

    old_levels = dict(old.levels)
    new_levels = dict(new.levels)
    levels: list[LevelChange] = []
    for name, minimum in new.levels:
        if name not in old_levels:
            levels.append(LevelChange(name, ADDED, None, minimum))
        else:
            kind = UNCHANGED if old_levels[name] == minimum else CHANGED
            levels.append(LevelChange(name, kind, old_levels[name], minimum))
    for name, minimum in old.levels:
        if name not in new_levels:
            levels.append(LevelChange(name, REMOVED, minimum, None))

    validity = (
        (old.validity_months, new.validity_months)
        if old.validity_months != new.validity_months
        else None
    )
    return VersionComparison(
        old_number=old.number,
        new_number=new.number,
        criteria=tuple(changes),
        sections_added=_only_in(new.sections, old.sections),
        sections_removed=_only_in(old.sections, new.sections),
        levels=tuple(levels),
        standards_added=_only_in(new.standards, old.standards),
        standards_removed=_only_in(old.standards, new.standards),
        validity_months=validity,
    )
