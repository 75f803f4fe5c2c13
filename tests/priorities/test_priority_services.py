"""Drafts, publication and immutability of priority maps, through the services."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from registry.database import db
from registry.exceptions import AccessDenied, RuleViolation
from registry.models import AuditEntry, OrganisationKind, User
from registry.priorities import services
from registry.priorities.demo import national_v2
from registry.priorities.grid import CellKey, CellValue
from registry.priorities.models import (
    PriorityCell,
    PriorityLevel,
    PriorityMap,
    PriorityMapVersion,
    VersionStatus,
)
from registry.priorities.services import current_levels

CYBER_PLANNING = ("planning", "cybersecurity")


@pytest.fixture
def authority(create_user: Callable[..., User]) -> User:
    return create_user(kind=OrganisationKind.AUTHORITY)


def publish(
    actor: User, priority_map: PriorityMap, values: dict[CellKey, CellValue], note: str = "note"
) -> PriorityMapVersion:
    draft = services.start_draft(actor, priority_map)
    services.update_draft(actor, draft, values)
    version = services.publish_draft(actor, draft, note)
    db.session.commit()
    return version


def with_cell(
    values: dict[CellKey, CellValue], key: CellKey, level: PriorityLevel, why: str = ""
) -> dict[CellKey, CellValue]:
    changed = dict(values)
    changed[key] = CellValue(level, why)
    return changed


def test_first_national_draft_starts_with_every_cell_at_none(app: Flask, authority: User) -> None:
    national = services.ensure_national_map(authority)
    draft = services.start_draft(authority, national)
    db.session.commit()
    values = services.grid_values(draft)
    assert len(values) == 66
    assert {v.level for v in values.values()} == {PriorityLevel.NONE}
    assert draft.number is None and draft.is_draft


def test_publishing_numbers_versions_and_changes_the_current_levels(
    app: Flask, authority: User
) -> None:
    national = services.ensure_national_map(authority)
    assert current_levels() == {}
    first = publish(authority, national, national_v2(), "First")
    assert (first.number, first.status, first.change_note) == (1, VersionStatus.PUBLISHED, "First")
    assert first.published_at is not None and first.published_by_id == authority.id
    assert current_levels()[CYBER_PLANNING] is PriorityLevel.HIGH
    assert len(current_levels("national")) == 66

    second = publish(
        authority, national, with_cell(national_v2(), CYBER_PLANNING, PriorityLevel.LOW), "Second"
    )
    assert second.number == 2
    assert national.last_number == 2
    assert current_levels()[CYBER_PLANNING] is PriorityLevel.LOW
    # The first version is still there, unchanged.
    assert (
        services.grid_values(services.published_version(national, 1))[CYBER_PLANNING].level
        is PriorityLevel.HIGH
    )


def test_a_draft_never_shows_in_the_current_levels(app: Flask, authority: User) -> None:
    national = services.ensure_national_map(authority)
    publish(authority, national, national_v2())
    draft = services.start_draft(authority, national)
    services.update_draft(
        authority, draft, with_cell(national_v2(), CYBER_PLANNING, PriorityLevel.NONE)
    )
    db.session.commit()
    assert current_levels()[CYBER_PLANNING] is PriorityLevel.HIGH
    assert current_levels("no-such-region") == {}


def test_a_new_draft_copies_the_current_version(app: Flask, authority: User) -> None:
    national = services.ensure_national_map(authority)
    first = publish(authority, national, national_v2())
    draft = services.start_draft(authority, national)
    assert draft.based_on_id == first.id
    assert services.grid_values(draft) == national_v2()


def test_a_regional_map_starts_from_the_national_one(app: Flask, authority: User) -> None:
    national = services.ensure_national_map(authority)
    publish(authority, national, national_v2())
    bretagne = services.create_regional_map(authority, "  Bretagne ")
    draft = services.start_draft(authority, bretagne)
    db.session.commit()
    assert (bretagne.slug, bretagne.title) == ("bretagne", "Bretagne")
    assert services.grid_values(draft) == national_v2()
    assert services.current_version(bretagne) is None
    assert current_levels("bretagne") == {}


def test_one_draft_per_scope(app: Flask, authority: User) -> None:
    national = services.ensure_national_map(authority)
    services.start_draft(authority, national)
    db.session.commit()
    with pytest.raises(RuleViolation, match="already has a draft"):
        services.start_draft(authority, national)
    db.session.rollback()
    # Two requests racing past the check: the database keeps one draft.
    db.session.add(PriorityMapVersion(map_id=national.id, status=VersionStatus.DRAFT))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_saving_a_draft_checks_every_cell_and_saves_nothing_on_refusal(
    app: Flask, authority: User
) -> None:
    national = services.ensure_national_map(authority)
    draft = services.start_draft(authority, national)
    db.session.commit()
    values = with_cell(national_v2(), CYBER_PLANNING, PriorityLevel.HIGH, "  ")
    values = with_cell(values, ("feedback", "flow-modeling"), PriorityLevel.LOW, "x" * 1001)
    del values[("intelligence", "data-analysis")]
    with pytest.raises(services.CellsRejected) as refused:
        services.update_draft(authority, draft, values)
    db.session.rollback()
    problems = refused.value.problems
    assert set(problems) == {
        CYBER_PLANNING,
        ("feedback", "flow-modeling"),
        ("intelligence", "data-analysis"),
    }
    assert problems[CYBER_PLANNING].field == "rationale"
    assert {v.level for v in services.grid_values(draft).values()} == {PriorityLevel.NONE}


def test_saving_a_draft_records_the_changed_cells(app: Flask, authority: User) -> None:
    national = services.ensure_national_map(authority)
    draft = services.start_draft(authority, national)
    changes = services.update_draft(authority, draft, national_v2(), expected_lock_version=1)
    db.session.commit()
    assert len(changes) == 61  # five cells of the demo map stay at "none"
    assert draft.lock_version == 2 and draft.updated_by_id == authority.id
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "priority_map.draft_update")
    ).one()
    assert entry.object_type == "priority_map_version" and entry.object_id == str(draft.id)
    assert len(json.loads(entry.data)["changes"]) == 61
    # Saving the same values again changes nothing and writes nothing.
    assert services.update_draft(authority, draft, national_v2()) == []
    assert draft.lock_version == 2


def test_a_stale_editor_cannot_overwrite_a_newer_save(app: Flask, authority: User) -> None:
    national = services.ensure_national_map(authority)
    draft = services.start_draft(authority, national)
    services.update_draft(authority, draft, national_v2(), expected_lock_version=1)
    db.session.commit()
    stale = with_cell(national_v2(), CYBER_PLANNING, PriorityLevel.LOW)
    with pytest.raises(RuleViolation, match="Someone else saved"):
        services.update_draft(authority, draft, stale, expected_lock_version=1)


def test_publishing_needs_a_change_note_and_a_change(app: Flask, authority: User) -> None:
    national = services.ensure_national_map(authority)
    publish(authority, national, national_v2())
    draft = services.start_draft(authority, national)
    db.session.commit()
    with pytest.raises(RuleViolation) as refused:
        services.publish_draft(authority, draft, "   ")
    assert refused.value.field == "change_note"
    with pytest.raises(RuleViolation, match="same as version 1"):
        services.publish_draft(authority, draft, "Nothing new")
    db.session.rollback()
    assert national.last_number == 1


def test_an_incomplete_draft_cannot_be_published(app: Flask, authority: User) -> None:
    national = services.ensure_national_map(authority)
    draft = services.start_draft(authority, national)
    services.update_draft(authority, draft, national_v2())
    db.session.commit()
    # A cell lost behind the services' back (say, a bad import) still blocks publication.
    db.session.delete(draft.cells[0])
    db.session.flush()
    with pytest.raises(services.CellsRejected):
        services.publish_draft(authority, draft, "First")


def test_a_published_version_refuses_every_change_through_the_services(
    app: Flask, authority: User
) -> None:
    national = services.ensure_national_map(authority)
    version = publish(authority, national, national_v2())
    with pytest.raises(RuleViolation, match="never change"):
        services.update_draft(authority, version, national_v2())
    with pytest.raises(RuleViolation, match="never change"):
        services.publish_draft(authority, version, "again")
    with pytest.raises(RuleViolation, match="never change"):
        services.discard_draft(authority, version)
    db.session.rollback()
    assert services.published_version(national, 1) is not None


@pytest.mark.parametrize(
    "tamper",
    [
        "update_cell",
        "delete_cell",
        "insert_cell",
        "update_version",
        "delete_version",
    ],
)
def test_the_database_refuses_to_change_a_published_version(
    app: Flask, authority: User, tamper: str
) -> None:
    national = services.ensure_national_map(authority)
    version = publish(authority, national, national_v2())
    cell = version.cells[0]
    statements: dict[str, Callable[[], object]] = {
        "update_cell": lambda: db.session.execute(
            update(PriorityCell).where(PriorityCell.id == cell.id).values(rationale="tampered")
        ),
        "delete_cell": lambda: db.session.execute(
            delete(PriorityCell).where(PriorityCell.id == cell.id)
        ),
        "insert_cell": lambda: db.session.execute(
            insert(PriorityCell).values(
                version_id=version.id,
                activity_id=cell.activity_id,
                category_id=cell.category_id + 100,
                level="high",
                rationale="",
            )
        ),
        "update_version": lambda: db.session.execute(
            update(PriorityMapVersion)
            .where(PriorityMapVersion.id == version.id)
            .values(change_note="rewritten")
        ),
        "delete_version": lambda: db.session.execute(
            delete(PriorityMapVersion).where(PriorityMapVersion.id == version.id)
        ),
    }
    with pytest.raises(DBAPIError, match="published"):
        statements[tamper]()
    db.session.rollback()
    stored = services.published_version(national, 1)
    assert stored is not None and stored.change_note == "note"
    assert services.grid_values(stored) == national_v2()


def test_discarding_a_draft_keeps_the_published_versions(app: Flask, authority: User) -> None:
    national = services.ensure_national_map(authority)
    publish(authority, national, national_v2())
    draft = services.start_draft(authority, national)
    db.session.commit()
    services.discard_draft(authority, draft)
    db.session.commit()
    assert services.draft_of(national) is None
    assert db.session.scalar(select(func.count()).select_from(PriorityCell)) == 66
    assert current_levels()[CYBER_PLANNING] is PriorityLevel.HIGH
    actions = db.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.action.startswith("priority_map."))
        .order_by(AuditEntry.seq)
    ).all()
    assert actions == [
        "priority_map.create",
        "priority_map.draft_start",
        "priority_map.draft_update",
        "priority_map.publish",
        "priority_map.draft_start",
        "priority_map.draft_discard",
    ]


@pytest.mark.parametrize(
    ("region", "message"),
    [
        ("", "Give the region's name"),
        ("National", "cannot be used"),
        ("manage", "cannot be used"),
        ("!!!", "letters or digits"),
        ("x" * 101, "100 characters"),
        ("Bre\u202etagne", "not allowed"),
    ],
)
def test_regional_map_names_are_checked(
    app: Flask, authority: User, region: str, message: str
) -> None:
    with pytest.raises(RuleViolation, match=message):
        services.create_regional_map(authority, region)


def test_two_regions_spelt_alike_are_one_scope(app: Flask, authority: User) -> None:
    created = services.create_regional_map(authority, "Île-de-France")
    assert created.slug == "ile-de-france"
    with pytest.raises(RuleViolation, match="exists already"):
        services.create_regional_map(authority, "ile de FRANCE")


@pytest.mark.parametrize("kind", ["vendor", "buyer", "evaluation_body"])
def test_only_the_authority_changes_priority_maps(
    app: Flask, authority: User, create_user: Callable[..., User], kind: str
) -> None:
    national = services.ensure_national_map(authority)
    draft = services.start_draft(authority, national)
    db.session.commit()
    other = create_user(kind=kind)
    with pytest.raises(AccessDenied):
        services.ensure_national_map(other)
    with pytest.raises(AccessDenied):
        services.create_regional_map(other, "Occitanie")
    with pytest.raises(AccessDenied):
        services.update_draft(other, draft, national_v2())
    with pytest.raises(AccessDenied):
        services.publish_draft(other, draft, "mine")
    with pytest.raises(AccessDenied):
        services.discard_draft(other, draft)
    with pytest.raises(AccessDenied):
        services.start_draft(None, national)


def test_demo_maps_load_once(app: Flask, runner: FlaskCliRunner) -> None:
    for _ in range(2):
        result = runner.invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
    national = services.get_map("national")
    bretagne = services.get_map("bretagne")
    assert national is not None and national.last_number == 2
    assert bretagne is not None and bretagne.last_number == 1
    levels = current_levels()
    high = {key for key, level in levels.items() if level is PriorityLevel.HIGH}
    assert {category for _, category in high} == {
        "systems-integration",
        "video-analysis",
        "cybersecurity",
    }
    assert ("judicial-process", "video-analysis") in high
    assert ("crisis-management", "cybersecurity") in high
    changes = services.compare_versions(
        services.published_version(national, 1), services.published_version(national, 2)
    )
    assert len(changes) == 5


def test_publishing_a_draft_discarded_meanwhile_is_refused(app: Flask, authority: User) -> None:
    national = services.ensure_national_map(authority)
    draft = services.start_draft(authority, national)
    services.update_draft(authority, draft, national_v2())
    db.session.commit()
    # Another request discards the draft between this one loading it and publishing it.
    db.session.execute(delete(PriorityCell).where(PriorityCell.version_id == draft.id))
    db.session.execute(delete(PriorityMapVersion).where(PriorityMapVersion.id == draft.id))
    with pytest.raises(RuleViolation, match="discarded meanwhile"):
        services.publish_draft(authority, draft, "First")
    db.session.rollback()
    assert national.last_number == 0
