"""Reading priority maps, and the authority's changes to them: drafts, publishing, discarding.

Other packages read the published priorities through `current_levels(scope)`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import InvalidRequestError

from registry import audit
from registry.access import require_role
from registry.database import db, utcnow
from registry.exceptions import RuleViolation
from registry.models import Role, SecurityActivity, TechnologyCategory, User
from registry.priorities.grid import (
    Axis,
    CellChange,
    CellKey,
    CellProblem,
    CellValue,
    PriorityGrid,
    diff_grids,
    grid_problems,
    normalise_rationale,
)
from registry.priorities.models import (
    CHANGE_NOTE_MAX_LENGTH,
    NATIONAL_SCOPE,
    REGION_MAX_LENGTH,
    PriorityCell,
    PriorityLevel,
    PriorityMap,
    PriorityMapVersion,
    VersionStatus,
)
from registry.wording import counted

# Path segments of the authority's pages, which a region's slug must not shadow.
RESERVED_SLUGS = frozenset({NATIONAL_SCOPE, "manage"})
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class CellsRejected(RuleViolation):
    """A draft's cells break the rules; `problems` says which cells and why."""

    def __init__(self, problems: Mapping[CellKey, CellProblem]) -> None:
        count = len(problems)
        super().__init__(
            f"{count} cell{'s' if count != 1 else ''} of the map need{'s' if count == 1 else ''} "
            "correcting."
        )
        self.problems = dict(problems)


# ---------------------------------------------------------------- reading


def activities() -> list[SecurityActivity]:
    """The six security activities, in the report's order."""
    return list(
        db.session.scalars(select(SecurityActivity).order_by(SecurityActivity.position)).all()
    )


def categories() -> list[TechnologyCategory]:
    """The eleven technology categories, in the report's order."""
    return list(
        db.session.scalars(select(TechnologyCategory).order_by(TechnologyCategory.position)).all()
    )


def scope_slug(region: str) -> str:
    """The URL identifier of a region: lower-case ASCII words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", region).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:120]


def get_map(scope: str) -> PriorityMap | None:
    """The map of a scope ("national" or a region's slug), or None."""
    if not SLUG_PATTERN.match(scope or ""):
        return None
    return db.session.scalar(select(PriorityMap).where(PriorityMap.slug == scope))


def current_version(priority_map: PriorityMap | None) -> PriorityMapVersion | None:
    """The latest published version of a map (None before its first publication)."""
    if priority_map is None or priority_map.last_number == 0:
        return None
    return published_version(priority_map, priority_map.last_number)


def published_version(priority_map: PriorityMap, number: int) -> PriorityMapVersion | None:
    """A published version by its number, or None."""
    return db.session.scalar(
        select(PriorityMapVersion).where(
            PriorityMapVersion.map_id == priority_map.id,
            PriorityMapVersion.number == number,
            PriorityMapVersion.status == VersionStatus.PUBLISHED,
        )
    )


def published_versions_statement(priority_map: PriorityMap) -> Any:
    """A select of a map's published versions, newest first (for pagination)."""
    return (
        select(PriorityMapVersion)
        .where(
            PriorityMapVersion.map_id == priority_map.id,
            PriorityMapVersion.status == VersionStatus.PUBLISHED,
        )
        .order_by(PriorityMapVersion.number.desc())
    )


def draft_of(priority_map: PriorityMap | None) -> PriorityMapVersion | None:
    """The map's draft, if one is being edited."""
    if priority_map is None:
        return None
    return db.session.scalar(
        select(PriorityMapVersion).where(
            PriorityMapVersion.map_id == priority_map.id,
            PriorityMapVersion.status == VersionStatus.DRAFT,
        )
    )


def published_maps() -> list[PriorityMap]:
    """Maps with at least one published version: national first, then regions by name."""
    maps = db.session.scalars(select(PriorityMap).where(PriorityMap.last_number > 0)).all()
    return sorted(maps, key=lambda m: (not m.is_national, m.region.casefold()))


def all_maps() -> list[PriorityMap]:
    """Every map, published or not: national first, then regions by name."""
    maps = db.session.scalars(select(PriorityMap)).all()
    return sorted(maps, key=lambda m: (not m.is_national, m.region.casefold()))


def grid_values(version: PriorityMapVersion | None) -> dict[CellKey, CellValue]:
    """The cells of a version as plain data ({} for None)."""
    if version is None:
        return {}
    rows = db.session.execute(
        select(
            SecurityActivity.code,
            TechnologyCategory.code,
            PriorityCell.level,
            PriorityCell.rationale,
        )
        .join(SecurityActivity, SecurityActivity.id == PriorityCell.activity_id)
        .join(TechnologyCategory, TechnologyCategory.id == PriorityCell.category_id)
        .where(PriorityCell.version_id == version.id)
    ).all()
    return {(a, c): CellValue(level, rationale) for a, c, level, rationale in rows}


def empty_grid_values() -> dict[CellKey, CellValue]:
    """Every cell at level none, for a map with nothing to start from."""
    return {
        (a.code, c.code): CellValue(PriorityLevel.NONE) for a in activities() for c in categories()
    }


def grid_of(version: PriorityMapVersion | None) -> PriorityGrid:
    """A version (or nothing) as a plain grid with both axes, ready for the heatmap."""
    return PriorityGrid(
        activities=tuple(Axis(a.code, a.name) for a in activities()),
        categories=tuple(Axis(c.code, c.name) for c in categories()),
        cells=grid_values(version),
    )


def cell_order() -> list[CellKey]:
    """Every cell key, activity by activity, each in category order."""
    return [(a.code, c.code) for a in activities() for c in categories()]


def compare_versions(
    before: PriorityMapVersion | None, after: PriorityMapVersion | None
) -> list[CellChange]:
    """The cells whose level or rationale differ between two versions, in map order."""
    return diff_grids(grid_values(before), grid_values(after), cell_order())


def current_levels(scope: str = NATIONAL_SCOPE) -> dict[CellKey, PriorityLevel]:
    """The level of each (activity code, category code) in a scope's current published map.

    Empty when the scope has no published map. This is the read other packages use (the
    catalog's gap view, for one); it never shows a draft.
    """
    rows = db.session.execute(
        select(SecurityActivity.code, TechnologyCategory.code, PriorityCell.level)
        .join(PriorityMapVersion, PriorityMapVersion.id == PriorityCell.version_id)
        .join(PriorityMap, PriorityMap.id == PriorityMapVersion.map_id)
        .join(SecurityActivity, SecurityActivity.id == PriorityCell.activity_id)
        .join(TechnologyCategory, TechnologyCategory.id == PriorityCell.category_id)
        .where(
            PriorityMap.slug == scope,
            PriorityMapVersion.status == VersionStatus.PUBLISHED,
            PriorityMapVersion.number == PriorityMap.last_number,
        )
    ).all()
    return {(a, c): level for a, c, level in rows}


# ---------------------------------------------------------------- changes


def _changes_data(changes: list[CellChange]) -> list[dict[str, Any]]:
    return [
        {
            "activity": change.activity,
            "category": change.category,
            "before": change.before.level.value if change.before else None,
            "after": change.after.level.value if change.after else None,
            "level_changed": change.level_changed,
        }
        for change in changes
    ]


def _refuse_published(version: PriorityMapVersion) -> None:
    if not version.is_draft:
        raise RuleViolation(
            f"Version {version.number} of this map is published; published versions never "
            "change. Start a new draft instead."
        )


def ensure_national_map(actor: User | None) -> PriorityMap:
    """The national map, created (empty) the first time the authority works on it."""
    require_role(actor, Role.AUTHORITY)
    priority_map = get_map(NATIONAL_SCOPE)
    if priority_map is None:
        priority_map = PriorityMap(slug=NATIONAL_SCOPE, region="", last_number=0)
        db.session.add(priority_map)
        audit.record(actor, "priority_map.create", priority_map, summary="National priority map")
    return priority_map


def create_regional_map(actor: User | None, region: str) -> PriorityMap:
    """A new, still empty map for one region; its slug must not clash with another scope."""
    require_role(actor, Role.AUTHORITY)
    name = " ".join((region or "").split())
    if not name:
        raise RuleViolation("Give the region's name.", "region")
    if len(name) > REGION_MAX_LENGTH:
        raise RuleViolation(f"Keep the region's name to {REGION_MAX_LENGTH} characters.", "region")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise RuleViolation("The region's name contains characters that are not allowed.", "region")
    slug = scope_slug(name)
    if not slug:
        raise RuleViolation("Write the region's name with letters or digits.", "region")
    if slug in RESERVED_SLUGS:
        raise RuleViolation(f"“{name}” cannot be used as a region's name.", "region")
    if get_map(slug) is not None:
        raise RuleViolation(f"A map for {name} (or a region spelt alike) exists already.", "region")
    priority_map = PriorityMap(slug=slug, region=name, last_number=0)
    db.session.add(priority_map)
    audit.record(
        actor, "priority_map.create", priority_map, summary=f"Priority map for {name}", data={}
    )
    return priority_map


def start_draft(actor: User | None, priority_map: PriorityMap) -> PriorityMapVersion:
    """A draft copied from the map's current version (for a new region: the national one)."""
    require_role(actor, Role.AUTHORITY)
    existing = draft_of(priority_map)
    if existing is not None:
        raise RuleViolation("This map already has a draft; edit it, or discard it first.")
    base = current_version(priority_map)
    if base is None and not priority_map.is_national:
        base = current_version(get_map(NATIONAL_SCOPE))
    values = grid_values(base) or empty_grid_values()
    activity_ids = {a.code: a.id for a in activities()}
    category_ids = {c.code: c.id for c in categories()}
    draft = PriorityMapVersion(
        priority_map=priority_map,
        status=VersionStatus.DRAFT,
        number=None,
        based_on=base,
        created_by_id=actor.id if actor else None,
        lock_version=1,
        change_note="",
    )
    db.session.add(draft)
    for (activity, category), value in values.items():
        if activity in activity_ids and category in category_ids:
            draft.cells.append(
                PriorityCell(
                    activity_id=activity_ids[activity],
                    category_id=category_ids[category],
                    level=value.level,
                    rationale=value.rationale,
                )
            )
    based_on = "nothing (every cell at none)"
    if base is not None:
        based_on = f"{base.priority_map.title} version {base.number}"
    audit.record(
        actor,
        "priority_map.draft_start",
        draft,
        summary=f"Draft of the {priority_map.title} priority map, from {based_on}",
        data={"scope": priority_map.slug, "based_on": base.number if base else None},
    )
    return draft


def update_draft(
    actor: User | None,
    draft: PriorityMapVersion,
    values: Mapping[CellKey, CellValue],
    *,
    expected_lock_version: int | None = None,
) -> list[CellChange]:
    """Save every cell of a draft; returns the cells that changed (nothing saved on a refusal)."""
    require_role(actor, Role.AUTHORITY)
    _refuse_published(draft)
    if expected_lock_version is not None and expected_lock_version != draft.lock_version:
        raise RuleViolation(
            "Someone else saved this draft after you opened it. Your changes were not saved: "
            "reload the page to see theirs, then make yours again."
        )
    cleaned = {
        key: CellValue(PriorityLevel(value.level), normalise_rationale(value.rationale))
        for key, value in values.items()
    }
    order = cell_order()
    problems = grid_problems(
        cleaned, [a.code for a in activities()], [c.code for c in categories()]
    )
    if problems:
        raise CellsRejected(problems)
    changes = diff_grids(grid_values(draft), cleaned, order)
    if not changes:
        return []
    activity_ids = {a.code: a.id for a in activities()}
    category_ids = {c.code: c.id for c in categories()}
    cells = {(cell.activity_id, cell.category_id): cell for cell in draft.cells}
    for change in changes:
        value = cleaned[(change.activity, change.category)]
        cell = cells.get((activity_ids[change.activity], category_ids[change.category]))
        if cell is None:
            draft.cells.append(
                PriorityCell(
                    activity_id=activity_ids[change.activity],
                    category_id=category_ids[change.category],
                    level=value.level,
                    rationale=value.rationale,
                )
            )
        else:
            cell.level = value.level
            cell.rationale = value.rationale
    draft.lock_version += 1
    draft.updated_at = utcnow()
    draft.updated_by_id = actor.id if actor else None
    audit.record(
        actor,
        "priority_map.draft_update",
        draft,
        summary=f"{counted(len(changes), 'cell')} changed in the {draft.priority_map.title} draft",
        data={"scope": draft.priority_map.slug, "changes": _changes_data(changes)},
    )
    return changes


def publish_draft(
    actor: User | None, draft: PriorityMapVersion, change_note: str
) -> PriorityMapVersion:
    """Freeze a complete draft into the map's next numbered version, which becomes current."""
    require_role(actor, Role.AUTHORITY)
    note = normalise_rationale(change_note)
    if not note:
        raise RuleViolation("Say what changed and why in the change note.", "change_note")
    if len(note) > CHANGE_NOTE_MAX_LENGTH:
        raise RuleViolation(
            f"Keep the change note to {CHANGE_NOTE_MAX_LENGTH} characters.", "change_note"
        )
    # Lock the map row, then re-read the draft: of two concurrent publications, the second
    # waits here and then finds the draft already published.
    priority_map = db.session.execute(
        select(PriorityMap).where(PriorityMap.id == draft.map_id).with_for_update()
    ).scalar_one()
    try:
        db.session.refresh(draft)
    except InvalidRequestError as error:  # deleted by a concurrent discard
        raise RuleViolation("This draft was discarded meanwhile; nothing was published.") from error
    _refuse_published(draft)
    values = grid_values(draft)
    problems = grid_problems(values, [a.code for a in activities()], [c.code for c in categories()])
    if problems:
        raise CellsRejected(problems)
    previous = current_version(priority_map)
    changes = diff_grids(grid_values(previous), values, cell_order())
    if previous is not None and not changes:
        raise RuleViolation(
            f"This draft is the same as version {previous.number}: there is nothing to publish. "
            "Change some cells, or discard the draft."
        )
    priority_map.last_number += 1
    draft.number = priority_map.last_number
    draft.status = VersionStatus.PUBLISHED
    draft.published_at = utcnow()
    draft.published_by_id = actor.id if actor else None
    draft.change_note = note
    audit.record(
        actor,
        "priority_map.publish",
        draft,
        summary=f"{priority_map.title} priority map version {draft.number} published: {note}",
        data={
            "scope": priority_map.slug,
            "number": draft.number,
            "change_note": note,
            "previous": previous.number if previous else None,
            "changes": _changes_data(changes),
        },
    )
    return draft


def discard_draft(actor: User | None, draft: PriorityMapVersion) -> None:
    """Delete a draft and its cells; the published versions stay as they are."""
    require_role(actor, Role.AUTHORITY)
    _refuse_published(draft)
    title = draft.priority_map.title
    audit.record(
        actor,
        "priority_map.draft_discard",
        draft,
        summary=f"Draft of the {title} priority map discarded",
        data={"scope": draft.priority_map.slug},
    )
    db.session.delete(draft)
    db.session.flush()
