"""Editing a draft version: its settings (validity, levels, standards), sections and criteria.

Every function here starts with `rules.require_draft`, so none of them changes a version once
it is published (the database triggers of the migration refuse it too).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from registry import audit
from registry.access import require_role
from registry.database import db
from registry.exceptions import RuleViolation
from registry.models import Role, User
from registry.norms import rules
from registry.norms.models import (
    MAX_WEIGHT,
    MIN_WEIGHT,
    CriterionKind,
    NormCriterion,
    NormLevel,
    NormSection,
    NormStandard,
    NormVersion,
)


@dataclass
class CriterionData:
    """What the authority says about one criterion."""

    section_id: int
    code: str
    title: str
    guidance: str
    kind: CriterionKind
    weight: int
    mandatory: bool = False
    evidence_required: bool = False


def update_version_settings(
    actor: User | None,
    version: NormVersion,
    validity_months: int,
    levels: Sequence[tuple[str, int]],
    standards: Iterable[str],
    change_note: str,
) -> None:
    """Set a draft's label validity, levels (lowest first), referenced standards and note."""
    actor = require_role(actor, Role.AUTHORITY)
    version = rules.require_draft(version)
    validity = rules.checked_validity(validity_months)
    levels = [(rules.one_line(name), minimum) for name, minimum in levels]
    problems = rules.level_problems(levels)
    if problems:
        raise RuleViolation(problems[0], "levels")
    references = rules.checked_standards(standards)
    note = rules.clean_text(change_note, rules.MAX_NOTE, "change_note")
    # Old rows go first: the new ones may reuse a name under the same unique constraint.
    version.levels.clear()
    version.standards.clear()
    db.session.flush()
    version.validity_months = validity
    version.change_note = note
    version.levels.extend(
        NormLevel(position=i, name=name, minimum_percent=minimum)
        for i, (name, minimum) in enumerate(levels, 1)
    )
    version.standards.extend(
        NormStandard(position=i, reference=reference) for i, reference in enumerate(references, 1)
    )
    audit.record(
        actor,
        "norm_version.settings_updated",
        version,
        summary=f"{version.label} settings updated",
        data={"validity_months": validity, "levels": levels, "standards": references},
    )


def _section_title(version: NormVersion, title: str, exclude: NormSection | None = None) -> str:
    title = rules.clean_title(title, "title", "the section a title")
    for section in version.sections:
        if section is not exclude and section.title.casefold() == title.casefold():
            raise RuleViolation(f"This version already has a section “{title}”.", "title")
    return title


def _reload_order(parent: NormVersion | NormSection, collection: str) -> None:
    """Collections are ordered when loaded: reload one after its positions changed."""
    db.session.flush()
    db.session.expire(parent, [collection])


def _renumber(items: Sequence[NormSection | NormCriterion]) -> None:
    for position, item in enumerate(sorted(items, key=lambda i: i.position), 1):
        item.position = position


def add_section(actor: User | None, version: NormVersion, title: str) -> NormSection:
    """Add a section at the end of a draft."""
    actor = require_role(actor, Role.AUTHORITY)
    version = rules.require_draft(version)
    section = NormSection(
        version=version,
        position=max((s.position for s in version.sections), default=0) + 1,
        title=_section_title(version, title),
    )
    db.session.add(section)
    audit.record(
        actor,
        "norm_section.added",
        section,
        summary=f"{version.label}: section “{section.title}” added",
    )
    return section


def rename_section(actor: User | None, section: NormSection, title: str) -> None:
    """Rename a section of a draft."""
    actor = require_role(actor, Role.AUTHORITY)
    version = rules.require_draft(section.version)
    before = section.title
    section.title = _section_title(version, title, exclude=section)
    audit.record(
        actor,
        "norm_section.renamed",
        section,
        summary=f"{version.label}: section “{before}” renamed “{section.title}”",
    )


def move_section(actor: User | None, section: NormSection, offset: int) -> None:
    """Move a section of a draft one place up (-1) or down (+1)."""
    actor = require_role(actor, Role.AUTHORITY)
    version = rules.require_draft(section.version)
    _swap(list(version.sections), section, offset)
    _reload_order(version, "sections")
    audit.record(
        actor,
        "norm_section.moved",
        section,
        summary=f"{version.label}: section “{section.title}” moved to {section.position}",
    )


def _swap(items: list[Any], item: Any, offset: int) -> None:
    if offset not in (-1, 1):
        raise RuleViolation("Move one place up or down.")
    ordered = sorted(items, key=lambda i: i.position)
    index = ordered.index(item)
    other = index + offset
    if not 0 <= other < len(ordered):
        raise RuleViolation("It is already at the " + ("top." if offset < 0 else "bottom."))
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, each in enumerate(ordered, 1):
        each.position = position


def delete_section(actor: User | None, section: NormSection) -> None:
    """Delete a section of a draft with its criteria."""
    actor = require_role(actor, Role.AUTHORITY)
    version = rules.require_draft(section.version)
    codes = [c.code for c in section.criteria]
    audit.record(
        actor,
        "norm_section.deleted",
        section,
        summary=f"{version.label}: section “{section.title}” deleted"
        + (f" with {len(codes)} criteria" if codes else ""),
        data={"criteria": codes},
    )
    db.session.delete(section)  # its criteria go with it (cascade)
    db.session.flush()
    db.session.expire(version, ["sections", "criteria"])
    _renumber(version.sections)


def _criterion_values(
    version: NormVersion, data: CriterionData, exclude: NormCriterion | None = None
) -> dict[str, Any]:
    section = next((s for s in version.sections if s.id == data.section_id), None)
    if section is None:
        raise RuleViolation("Choose one of this version's sections.", "section_id")
    code = data.code.strip().upper()
    low, high = rules.CRITERION_CODE_LENGTH
    if not (low <= len(code) <= high and rules.CRITERION_CODE.fullmatch(code)):
        raise RuleViolation(
            "A criterion code is capital letters and digits, parts joined by a dot or a "
            "hyphen, e.g. ONVIF-S or 2.1.",
            "code",
        )
    for other in version.criteria:
        if other is not exclude and other.code == code:
            raise RuleViolation(f"{code} is already used in this version.", "code")
    kind = CriterionKind(data.kind)
    weight = data.weight
    if isinstance(weight, bool) or not isinstance(weight, int):
        raise RuleViolation("The weight is a whole number.", "weight")
    if not MIN_WEIGHT <= weight <= MAX_WEIGHT:
        raise RuleViolation(
            f"The weight is a whole number from {MIN_WEIGHT} to {MAX_WEIGHT}.", "weight"
        )
    return {
        "section": section,
        "code": code,
        "title": rules.clean_title(data.title),
        "guidance": rules.clean_text(data.guidance, rules.MAX_GUIDANCE, "guidance"),
        "kind": kind,
        # Pass/fail criteria are mandatory by nature (see registry.norms.models).
        "mandatory": True if kind is CriterionKind.PASS_FAIL else bool(data.mandatory),
        "weight": weight,
        "evidence_required": bool(data.evidence_required),
    }


def add_criterion(actor: User | None, version: NormVersion, data: CriterionData) -> NormCriterion:
    """Add a criterion at the end of one of a draft's sections."""
    actor = require_role(actor, Role.AUTHORITY)
    version = rules.require_draft(version)
    values = _criterion_values(version, data)
    section: NormSection = values["section"]
    criterion = NormCriterion(
        version=version,
        position=max((c.position for c in section.criteria), default=0) + 1,
        **values,
    )
    db.session.add(criterion)
    audit.record(
        actor,
        "norm_criterion.added",
        criterion,
        summary=f"{version.label}: criterion {criterion.code} added",
        data={"code": criterion.code, "section": section.title},
    )
    return criterion


def update_criterion(actor: User | None, criterion: NormCriterion, data: CriterionData) -> None:
    """Change a criterion of a draft (moving it to another section puts it at that one's end)."""
    actor = require_role(actor, Role.AUTHORITY)
    version = rules.require_draft(criterion.version)
    values = _criterion_values(version, data, exclude=criterion)
    section: NormSection = values.pop("section")
    changed = [name for name, value in values.items() if getattr(criterion, name) != value]
    old_section = criterion.section
    if section is not old_section:
        changed.append("section")
        criterion.section = section
        criterion.position = 1 + max(
            (c.position for c in section.criteria if c is not criterion), default=0
        )
        _renumber([c for c in old_section.criteria if c is not criterion])
        _reload_order(old_section, "criteria")
        _reload_order(section, "criteria")
    for name, value in values.items():
        setattr(criterion, name, value)
    audit.record(
        actor,
        "norm_criterion.updated",
        criterion,
        summary=f"{version.label}: criterion {criterion.code} updated",
        data={"changed": changed},
    )


def move_criterion(actor: User | None, criterion: NormCriterion, offset: int) -> None:
    """Move a criterion one place up (-1) or down (+1) within its section."""
    actor = require_role(actor, Role.AUTHORITY)
    version = rules.require_draft(criterion.version)
    _swap(list(criterion.section.criteria), criterion, offset)
    _reload_order(criterion.section, "criteria")
    _reload_order(version, "criteria")
    audit.record(
        actor,
        "norm_criterion.moved",
        criterion,
        summary=f"{version.label}: criterion {criterion.code} moved to {criterion.position}",
    )


def delete_criterion(actor: User | None, criterion: NormCriterion) -> None:
    """Delete a criterion from a draft."""
    actor = require_role(actor, Role.AUTHORITY)
    version = rules.require_draft(criterion.version)
    section = criterion.section
    audit.record(
        actor,
        "norm_criterion.deleted",
        criterion,
        summary=f"{version.label}: criterion {criterion.code} deleted",
        data={"code": criterion.code},
    )
    db.session.delete(criterion)
    db.session.flush()
    db.session.expire(version, ["criteria"])
    db.session.expire(section, ["criteria"])
    _renumber(section.criteria)
