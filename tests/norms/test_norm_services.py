"""Norm services: drafting, validation, publication, supersession, withdrawal, immutability."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any, cast

import pytest
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from evaluations.scoring import (
    Criterion,
    CriterionResult,
    Kind,
    Thresholds,
    level_for,
    mandatory_failed,
    weighted_percent,
)
from registry import dates
from registry.database import db, utcnow
from registry.exceptions import AccessDenied, NotVisible, RuleViolation
from registry.models import AuditEntry, OrganisationKind, User
from registry.norms import drafting, services
from registry.norms.models import (
    CriterionKind,
    Norm,
    NormCriterion,
    NormSection,
    NormStatus,
    NormVersion,
    NormVersionStatus,
)
from tests.norms.norm_builders import (
    category_id,
    content,
    criterion,
    draft,
    published,
    superseded,
)


@pytest.fixture
def authority(create_user: Callable[..., User]) -> User:
    """An authority user."""
    return create_user(kind=OrganisationKind.AUTHORITY)


def _actions(version: NormVersion) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(
                AuditEntry.object_type == "norm_version", AuditEntry.object_id == str(version.id)
            )
            .order_by(AuditEntry.seq)
        )
    )


# ------------------------------------------------------------------------------ creating


def test_a_new_norm_opens_an_empty_draft_with_default_levels(app: Flask, authority: User) -> None:
    norm = services.create_norm(
        authority, "  va-interop ", "Video analytics", category_id(), "For video."
    )
    db.session.commit()
    assert norm.code == "VA-INTEROP"
    assert norm.status is NormStatus.ACTIVE
    (version,) = norm.versions
    assert version.number == 1 and version.status is NormVersionStatus.DRAFT
    assert services.thresholds_of(version) == [("Certified", 60), ("Advanced", 80)]
    assert version.validity_months == 36
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.object_type == "norm")) == (
        "norm.created"
    )


@pytest.mark.parametrize(
    "code",
    ["A", "VA--INTEROP", "-VA", "VA-", "VA INTEROP", "VA_INTEROP", "<SCRIPT>", "É-1", "X" * 41],
)
def test_malformed_norm_codes_are_refused(app: Flask, authority: User, code: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        services.create_norm(authority, code, "Title", category_id())
    assert refused.value.field == "code"


def test_norm_codes_are_unique(app: Flask, authority: User) -> None:
    services.create_norm(authority, "CYB-1", "One", category_id())
    with pytest.raises(RuleViolation, match="already exists"):
        services.create_norm(authority, "cyb-1", "Two", category_id())


def test_a_norm_needs_a_title_and_a_real_category(app: Flask, authority: User) -> None:
    with pytest.raises(RuleViolation) as refused:
        services.create_norm(authority, "CYB-1", "   ", category_id())
    assert refused.value.field == "title"
    with pytest.raises(RuleViolation) as refused:
        services.create_norm(authority, "CYB-1", "Title", 999_999)
    assert refused.value.field == "category_id"


@pytest.mark.parametrize("kind", [OrganisationKind.VENDOR, OrganisationKind.BUYER])
def test_only_the_authority_manages_norms(
    app: Flask, authority: User, create_user: Callable[..., User], kind: OrganisationKind
) -> None:
    version = draft(authority)
    someone = create_user(kind=kind)
    attempts: list[Callable[[], Any]] = [
        lambda: services.create_norm(someone, "X-1", "X", category_id()),
        lambda: drafting.add_section(someone, version, "Other"),
        lambda: services.publish_version(someone, version),
        lambda: services.withdraw_norm(someone, version.norm, "no"),
        lambda: services.start_draft(someone, version.norm),
        lambda: services.discard_draft(someone, version),
    ]
    for attempt in attempts:
        with pytest.raises(AccessDenied):
            attempt()
    with pytest.raises(AccessDenied):
        services.create_norm(None, "X-1", "X", category_id())


def test_drafts_and_draft_only_norms_are_hidden_from_everyone_but_the_authority(
    app: Flask, authority: User, create_user: Callable[..., User]
) -> None:
    version = draft(authority)
    vendor = create_user(kind=OrganisationKind.VENDOR)
    for actor in (None, vendor):
        with pytest.raises(NotVisible):
            services.find_norm(actor, "TEST-NORM")
    assert (
        services.find_version(authority, services.find_norm(authority, "test-norm"), 1) is version
    )
    assert db.session.scalars(services.norms_statement(None)).all() == []
    assert db.session.scalars(services.norms_statement(authority)).all() == [version.norm]


# ------------------------------------------------------------------------------ editing a draft


def test_version_settings_are_validated(app: Flask, authority: User) -> None:
    version = draft(authority)
    bad_levels: list[list[tuple[str, Any]]] = [
        [],
        [("Certified", 60), ("Advanced", 60)],
        [("Certified", 80), ("Advanced", 60)],
        [("Certified", 0)],
        [("Certified", 101)],
        [("Certified", 60), ("certified", 80)],
        [("", 60)],
        [("Certified", 60.5)],
        [("Certified", True)],
        [(f"L{i}", i * 10) for i in range(1, 7)],
    ]
    for levels in bad_levels:
        with pytest.raises(RuleViolation) as refused:
            drafting.update_version_settings(authority, version, 24, levels, [], "")
        assert refused.value.field == "levels", levels
    for months in (0, 121, -1, True):
        with pytest.raises(RuleViolation) as refused:
            drafting.update_version_settings(authority, version, months, [("C", 60)], [], "")
        assert refused.value.field == "validity_months"
    with pytest.raises(RuleViolation) as refused:
        drafting.update_version_settings(authority, version, 24, [("C", 60)], ["x" * 201], "")
    assert refused.value.field == "standards"

    drafting.update_version_settings(
        authority,
        version,
        36,
        [("Certified", 60), ("Advanced", 80), ("Excellence", 95)],
        ["IEC 62443-3-3", "  ", "iec 62443-3-3", "ONVIF   Profile M"],
        "Note",
    )
    db.session.commit()
    assert services.thresholds_of(version) == [
        ("Certified", 60),
        ("Advanced", 80),
        ("Excellence", 95),
    ]
    assert [s.reference for s in version.standards] == ["IEC 62443-3-3", "ONVIF Profile M"]
    assert version.validity_months == 36
    # The thresholds fit evaluations.scoring as they are.
    assert Thresholds.from_pairs(services.thresholds_of(version)).levels[-1].name == "Excellence"


def test_levels_can_be_renamed_and_reordered_in_one_save(app: Flask, authority: User) -> None:
    version = draft(authority)
    drafting.update_version_settings(
        authority, version, 24, [("Advanced", 50), ("Certified", 70)], [], ""
    )
    db.session.commit()
    assert services.thresholds_of(version) == [("Advanced", 50), ("Certified", 70)]


def test_criteria_are_validated(app: Flask, authority: User) -> None:
    version = draft(authority)
    section = version.sections[0]
    other = draft(authority, "OTHER-NORM")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"code": "onvif-s"}, "code"),  # taken, whatever the case
        ({"code": "BAD CODE"}, "code"),
        ({"code": ""}, "code"),
        ({"code": "A..B"}, "code"),
        ({"weight": 0}, "weight"),
        ({"weight": -3}, "weight"),
        ({"weight": 101}, "weight"),
        ({"weight": True}, "weight"),
        ({"title": "  "}, "title"),
        ({"guidance": "x" * 5001}, "guidance"),
        ({"section_id": other.sections[0].id}, "section_id"),
    ]
    for overrides, field in cases:
        section_id = overrides.pop("section_id", section.id)
        data = criterion(section_id, overrides.pop("code", "NEW-1"), **overrides)
        with pytest.raises(RuleViolation) as refused:
            drafting.add_criterion(authority, version, data)
        assert refused.value.field == field, overrides
    db.session.rollback()


def test_pass_fail_criteria_are_always_mandatory_and_scored_ones_may_be(
    app: Flask, authority: User
) -> None:
    version = draft(authority)
    section = version.sections[0]
    pass_fail = drafting.add_criterion(
        authority,
        version,
        criterion(section.id, "PF-1", kind=CriterionKind.PASS_FAIL, mandatory=False),
    )
    scored = drafting.add_criterion(
        authority, version, criterion(section.id, "SC-1", mandatory=True)
    )
    optional = drafting.add_criterion(authority, version, criterion(section.id, "SC-2"))
    db.session.commit()
    assert pass_fail.mandatory is True
    assert scored.mandatory is True
    assert optional.mandatory is False


def test_criteria_for_scoring_feed_the_scoring_module(app: Flask, authority: User) -> None:
    version = published(authority)
    plain = services.criteria_for_scoring(version)
    assert [c.code for c in plain] == ["ONVIF-S", "EXPORT", "MASK"]
    assert plain[0] == ("ONVIF-S", "pass_fail", 3, True)
    # The norm stores the kind as text; scoring checks it is one of its kinds.
    criteria = [Criterion(c.code, cast(Kind, c.kind), c.weight, c.mandatory) for c in plain]
    results = [
        CriterionResult("ONVIF-S", "pass_fail", True, (), False),
        CriterionResult("EXPORT", "scored", 4.0, (), False),
        CriterionResult("MASK", "scored", 2.0, (), False),
    ]
    percent = weighted_percent(results, criteria)
    assert percent == pytest.approx((3 * 5 + 2 * 4 + 1 * 2) * 100 / (6 * 5))
    assert mandatory_failed(results, criteria) == []
    assert level_for(percent, True, services.thresholds_of(version)) == "Advanced"


def test_sections_and_criteria_move_rename_and_delete(app: Flask, authority: User) -> None:
    version = draft(authority)
    interop, privacy = version.sections
    drafting.move_section(authority, privacy, -1)
    assert [s.title for s in sorted(version.sections, key=lambda s: s.position)] == [
        "Privacy",
        "Interoperability",
    ]
    with pytest.raises(RuleViolation, match="top"):
        drafting.move_section(authority, privacy, -1)
    drafting.rename_section(authority, interop, "Open interfaces")
    with pytest.raises(RuleViolation, match="already has"):
        drafting.rename_section(authority, interop, "privacy")
    export = next(c for c in version.criteria if c.code == "EXPORT")
    drafting.move_criterion(authority, export, -1)
    assert [c.code for c in interop.criteria] == ["EXPORT", "ONVIF-S"]
    # Moving a criterion to another section puts it last there and closes the gap.
    drafting.update_criterion(authority, export, criterion(privacy.id, "EXPORT"))
    db.session.commit()
    assert [(c.code, c.position) for c in privacy.criteria] == [("MASK", 1), ("EXPORT", 2)]
    assert [(c.code, c.position) for c in interop.criteria] == [("ONVIF-S", 1)]
    drafting.delete_criterion(authority, export)
    drafting.delete_section(authority, privacy)
    db.session.commit()
    assert [s.title for s in version.sections] == ["Open interfaces"]
    assert [s.position for s in version.sections] == [1]
    assert [c.code for c in version.criteria] == ["ONVIF-S"]
    assert db.session.scalar(select(func.count()).select_from(NormCriterion)) == 1


def test_discarding_a_draft_deletes_it(app: Flask, authority: User) -> None:
    version = draft(authority)
    norm = version.norm
    services.discard_draft(authority, version)
    db.session.commit()
    assert norm.versions == []
    assert db.session.scalar(select(func.count()).select_from(NormSection)) == 0
    # A new draft starts again from number 1, empty.
    again = services.start_draft(authority, norm)
    assert again.number == 1 and again.criteria == []


# ------------------------------------------------------------------------------ publishing


def test_publication_lists_every_problem_first(app: Flask, authority: User) -> None:
    norm = services.create_norm(authority, "EMPTY-1", "Empty", category_id())
    version = norm.versions[0]
    drafting.add_section(authority, version, "Nothing here")
    problems = services.publication_problems(version)
    assert "Add at least one criterion." in problems
    assert any("Nothing here" in problem for problem in problems)
    with pytest.raises(RuleViolation, match="cannot be published"):
        services.publish_version(authority, version)
    assert version.status is NormVersionStatus.DRAFT


def test_publishing_freezes_and_records(app: Flask, authority: User) -> None:
    version = published(authority)
    assert version.status is NormVersionStatus.PUBLISHED
    assert version.published_by_id == authority.id and version.published_at is not None
    assert version.norm.published_version is version
    assert _actions(version)[-1] == "norm_version.published"


def test_an_earlier_publication_is_recorded_with_its_date_never_a_future_one(
    app: Flask, authority: User
) -> None:
    earlier = dt.datetime(2022, 3, 1, 9, 0, tzinfo=dt.UTC)
    with pytest.raises(RuleViolation, match="future"):
        services.publish_version(
            authority, draft(authority), published_at=utcnow() + dt.timedelta(hours=1)
        )
    db.session.rollback()
    version = services.publish_version(authority, draft(authority, "OLD"), published_at=earlier)
    assert version.published_at == earlier
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "norm_version.published")
    ).all()[-1]
    assert json.loads(entry.data)["published_at"] == earlier.isoformat()
    second = services.start_draft(authority, version.norm)
    with pytest.raises(RuleViolation, match="cannot be dated before"):
        services.publish_version(
            authority,
            second,
            dates.today() + dt.timedelta(days=30),
            published_at=earlier - dt.timedelta(days=1),
        )


def test_the_first_publication_has_no_transition_date(app: Flask, authority: User) -> None:
    version = draft(authority)
    with pytest.raises(RuleViolation) as refused:
        services.publish_version(authority, version, dates.today())
    assert refused.value.field == "transition_date"


def test_a_new_version_supersedes_the_one_in_force(app: Flask, authority: User) -> None:
    first, second = superseded(authority)
    assert first.status is NormVersionStatus.SUPERSEDED
    assert first.superseded_by is second
    assert first.transition_date == dates.today() + dt.timedelta(days=90)
    assert services.recertification_due_after(first) == first.transition_date
    assert services.recertification_due_after(second) is None
    assert second.status is NormVersionStatus.PUBLISHED
    assert first.norm.published_version is second
    assert "norm_version.superseded" in _actions(first)
    assert services.applicable_versions() == [second]


@pytest.mark.parametrize(
    ("transition", "message"),
    [
        (None, "transition date"),
        (-1, "past"),
        (5 * 366 + 1, "five years"),
    ],
)
def test_the_transition_date_is_required_and_sensible(
    app: Flask, authority: User, transition: int | None, message: str
) -> None:
    first = published(authority)
    second = services.start_draft(authority, first.norm)
    when = None if transition is None else dates.today() + dt.timedelta(days=transition)
    with pytest.raises(RuleViolation, match=message) as refused:
        services.publish_version(authority, second, when)
    assert refused.value.field == "transition_date"
    assert first.status is NormVersionStatus.PUBLISHED
    # Today is accepted.
    services.publish_version(authority, second, dates.today())
    stored = select(NormVersion.status).where(NormVersion.id == first.id)
    assert db.session.scalar(stored) is NormVersionStatus.SUPERSEDED


def test_a_new_draft_copies_the_latest_version_into_new_rows(app: Flask, authority: User) -> None:
    first = published(authority)
    before = content(first)
    second = services.start_draft(authority, first.norm)
    db.session.commit()
    assert second.number == 2 and second.status is NormVersionStatus.DRAFT
    assert services.snapshot_of(second).criteria == services.snapshot_of(first).criteria
    assert services.thresholds_of(second) == services.thresholds_of(first)
    assert {c.id for c in second.criteria}.isdisjoint({c.id for c in first.criteria})
    # Editing the copy leaves the published version alone.
    drafting.update_criterion(
        authority, second.criteria[0], criterion(second.sections[0].id, "ONVIF-S", weight=9)
    )
    drafting.update_version_settings(authority, second, 12, [("Certified", 50)], [], "")
    db.session.commit()
    assert content(first) == before
    with pytest.raises(RuleViolation, match="already being drafted"):
        services.start_draft(authority, first.norm)


# ------------------------------------------------------------------------------ immutability


def _edits(actor: User, version: NormVersion) -> dict[str, Callable[[], Any]]:
    section = version.sections[0]
    crit = version.criteria[0]
    return {
        "update_version_settings": lambda: drafting.update_version_settings(
            actor, version, 12, [("Certified", 50)], ["X"], "changed"
        ),
        "add_section": lambda: drafting.add_section(actor, version, "New section"),
        "rename_section": lambda: drafting.rename_section(actor, section, "Renamed"),
        "move_section": lambda: drafting.move_section(actor, section, 1),
        "delete_section": lambda: drafting.delete_section(actor, section),
        "add_criterion": lambda: drafting.add_criterion(
            actor, version, criterion(section.id, "NEW")
        ),
        "update_criterion": lambda: drafting.update_criterion(
            actor, crit, criterion(section.id, crit.code, weight=9)
        ),
        "move_criterion": lambda: drafting.move_criterion(actor, crit, 1),
        "delete_criterion": lambda: drafting.delete_criterion(actor, crit),
        "discard_draft": lambda: services.discard_draft(actor, version),
        "publish_version": lambda: services.publish_version(actor, version),
    }


@pytest.mark.parametrize("state", ["published", "superseded", "withdrawn"])
def test_no_service_changes_a_version_once_published(
    app: Flask, authority: User, state: str
) -> None:
    if state == "superseded":
        version, _ = superseded(authority)
    else:
        version = published(authority)
        if state == "withdrawn":
            services.withdraw_norm(authority, version.norm, "Replaced.")
            db.session.commit()
    before = content(version)
    for name, edit in _edits(authority, version).items():
        with pytest.raises(RuleViolation):
            edit()
        db.session.rollback()
        assert content(version) == before, name


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE norm_criterion SET weight = 9 WHERE version_id = :id",
        "UPDATE norm_criterion SET title = 'x' WHERE version_id = :id",
        "DELETE FROM norm_criterion WHERE version_id = :id",
        "INSERT INTO norm_criterion (version_id, section_id, position, code, title, guidance, "
        "kind, mandatory, weight, evidence_required) SELECT version_id, id, 9, 'SQL', 'x', '', "
        "'scored', false, 1, false FROM norm_section WHERE version_id = :id",
        "UPDATE norm_section SET title = 'x' WHERE version_id = :id",
        "DELETE FROM norm_level WHERE version_id = :id",
        "UPDATE norm_level SET minimum_percent = 1 WHERE version_id = :id",
        "INSERT INTO norm_standard (version_id, position, reference) VALUES (:id, 9, 'x')",
        "UPDATE norm_version SET validity_months = 1 WHERE id = :id",
        "UPDATE norm_version SET change_note = 'x' WHERE id = :id",
        "UPDATE norm_version SET status = 'draft' WHERE id = :id",
        "DELETE FROM norm_version WHERE id = :id",
    ],
)
def test_the_database_refuses_to_change_a_published_version(
    app: Flask, authority: User, statement: str
) -> None:
    version = published(authority)
    before = content(version)
    with pytest.raises(IntegrityError):
        db.session.execute(text(statement), {"id": version.id})
    db.session.rollback()
    assert content(version) == before


def test_the_database_refuses_an_edit_that_bypasses_the_services(
    app: Flask, authority: User
) -> None:
    version = published(authority)
    version.criteria[0].weight = 50
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert version.criteria[0].weight == 3


def test_the_database_lets_drafts_change(app: Flask, authority: User) -> None:
    version = draft(authority)
    db.session.execute(
        text("UPDATE norm_criterion SET weight = 9 WHERE version_id = :id"), {"id": version.id}
    )
    db.session.commit()
    db.session.expire_all()
    assert {c.weight for c in version.criteria} == {9}


# ------------------------------------------------------------------------------ withdrawal


def test_withdrawing_a_norm(app: Flask, authority: User) -> None:
    first = published(authority)
    second = services.start_draft(authority, first.norm)
    norm = first.norm
    second_id = second.id
    with pytest.raises(RuleViolation) as refused:
        services.withdraw_norm(authority, norm, "   ")
    assert refused.value.field == "reason"
    services.withdraw_norm(authority, norm, "Replaced by a better norm.")
    db.session.commit()
    assert norm.status is NormStatus.WITHDRAWN and norm.withdrawn_at is not None
    assert first.status is NormVersionStatus.WITHDRAWN and first.withdrawn_at is not None
    assert db.session.get(NormVersion, second_id) is None  # the open draft was discarded
    assert services.find_norm(None, norm.code) is norm  # still public, as history
    assert services.applicable_versions() == []
    for attempt in (
        lambda: services.start_draft(authority, norm),
        lambda: services.withdraw_norm(authority, norm, "again"),
        lambda: services.update_norm_details(authority, norm, "T", category_id(), ""),
    ):
        with pytest.raises(RuleViolation, match="withdrawn"):
            attempt()


def test_norm_details_can_change_but_not_the_code(app: Flask, authority: User) -> None:
    version = published(authority)
    services.update_norm_details(
        authority, version.norm, "Better title", category_id("cybersecurity"), "New description"
    )
    db.session.commit()
    norm = db.session.scalar(select(Norm).where(Norm.code == "TEST-NORM"))
    assert norm is not None and norm.title == "Better title"
    assert norm.category.code == "cybersecurity"


def test_filters_of_the_norm_list(app: Flask, authority: User) -> None:
    published(authority, "VA-1", "video-analysis")
    published(authority, "CYB-1", "cybersecurity")
    withdrawn = published(authority, "CYB-2", "cybersecurity")
    services.withdraw_norm(authority, withdrawn.norm, "Old.")
    db.session.commit()

    def codes(**filters: str) -> list[str]:
        """The codes of the norms the public list shows with these filters."""
        return [n.code for n in db.session.scalars(services.norms_statement(None, **filters))]

    assert codes() == ["CYB-1", "CYB-2", "VA-1"]
    assert codes(category_code="cybersecurity") == ["CYB-1", "CYB-2"]
    assert codes(status="withdrawn") == ["CYB-2"]
    assert codes(category_code="cybersecurity", status="active") == ["CYB-1"]
    assert codes(status="nonsense") == ["CYB-1", "CYB-2", "VA-1"]
