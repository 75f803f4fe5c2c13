"""The authority's gap view: priority levels against the published offer, cell by cell."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from catalog import gaps
from catalog.gaps import Assessment, assess, build_rows, worst_first
from catalog.label_facts import CellKey, NoLabels, register_label_provider
from registry.database import db
from registry.models import OrganisationKind, OrganisationStatus, User
from registry.priorities.demo import national_v2
from registry.priorities.grid import CellValue
from registry.priorities.models import PriorityLevel
from registry.priorities.services import (
    ensure_national_map,
    publish_draft,
    start_draft,
    update_draft,
)
from tests.catalog.solution_builders import archived, draft, published

HIGH, MEDIUM, LOW, NONE = (
    PriorityLevel.HIGH,
    PriorityLevel.MEDIUM,
    PriorityLevel.LOW,
    PriorityLevel.NONE,
)


@pytest.mark.parametrize(
    ("level", "published_count", "expected"),
    [
        (HIGH, 0, Assessment.CRITICAL_GAP),
        (HIGH, 1, Assessment.THIN_MARKET),
        (HIGH, 2, Assessment.THIN_MARKET),
        (HIGH, 3, Assessment.COVERED),
        (MEDIUM, 0, Assessment.GAP),
        (MEDIUM, 1, Assessment.COVERED),
        (LOW, 0, Assessment.NOT_A_PRIORITY),
        (NONE, 0, Assessment.NOT_A_PRIORITY),
        (None, 0, Assessment.NOT_A_PRIORITY),
    ],
)
def test_assess(level: PriorityLevel | None, published_count: int, expected: Assessment) -> None:
    assert assess(level, published_count) is expected


@given(st.sampled_from([HIGH, MEDIUM, LOW, NONE, None]), st.integers(0, 1000))
def test_more_solutions_never_make_a_cell_worse(level: PriorityLevel | None, count: int) -> None:
    assert assess(level, count + 1).severity >= assess(level, count).severity


def test_rows_cover_every_cell_in_map_order_and_gaps_sort_worst_first() -> None:
    activities = [("a1", "Activity 1"), ("a2", "Activity 2")]
    categories = [("c1", "Category 1"), ("c2", "Category 2")]
    levels = {("a1", "c1"): MEDIUM, ("a1", "c2"): HIGH, ("a2", "c1"): HIGH, ("a2", "c2"): LOW}
    counts = {("a1", "c2"): 1, ("a2", "c2"): 5}
    rows = build_rows(activities, categories, levels, counts, None)
    assert [(r.activity_code, r.category_code) for r in rows] == [
        ("a1", "c1"),
        ("a1", "c2"),
        ("a2", "c1"),
        ("a2", "c2"),
    ]
    assert all(row.certified is None for row in rows)
    assert [(r.activity_code, r.category_code, r.assessment) for r in worst_first(rows)] == [
        ("a2", "c1", Assessment.CRITICAL_GAP),
        ("a1", "c2", Assessment.THIN_MARKET),
        ("a1", "c1", Assessment.GAP),
    ]
    with_labels = build_rows(activities, categories, levels, counts, {("a1", "c1"): 2})
    assert [row.certified for row in with_labels] == [2, 0, 0, 0]


def _publish_national_map(authority: User, overrides: dict[tuple[str, str], PriorityLevel]) -> None:
    values = national_v2()
    for key, level in overrides.items():
        values[key] = CellValue(level, "Set by the gap view test.")
    national = ensure_national_map(authority)
    draft_version = start_draft(authority, national)
    update_draft(authority, draft_version, values)
    publish_draft(authority, draft_version, "Test map.")
    db.session.commit()


@pytest.fixture
def authority(create_user: Callable[..., User]) -> User:
    """An authority staff member."""
    return create_user(kind=OrganisationKind.AUTHORITY)


def test_a_high_priority_cell_shows_as_a_gap_until_solutions_are_published(
    app: Flask, authority: User, create_user: Callable[..., User]
) -> None:
    cell = ("judicial-process", "cybersecurity")
    _publish_national_map(authority, {cell: HIGH})
    vendor = create_user(kind=OrganisationKind.VENDOR)

    def row() -> gaps.GapRow:
        report = gaps.gap_report()
        return next(r for r in report.rows if (r.activity_code, r.category_code) == cell)

    assert row().assessment is Assessment.CRITICAL_GAP
    # Drafts, archived solutions and other categories or activities do not count.
    draft(vendor, name="Draft", primary_category="cybersecurity", activities=["judicial-process"])
    archived(vendor, name="Old", primary_category="cybersecurity", activities=["judicial-process"])
    published(vendor, name="Elsewhere", primary_category="cybersecurity", activities=["planning"])
    assert row().published == 0
    published(
        vendor,
        name="Forensics",
        primary_category="cybersecurity",
        activities=["judicial-process", "planning"],
    )
    assert (row().published, row().assessment) == (1, Assessment.THIN_MARKET)
    assert row().certified == 0  # published, but no valid label yet

    vendor.organisation.status = OrganisationStatus.SUSPENDED
    db.session.commit()
    assert row().published == 0


def test_without_a_published_map_every_cell_reads_not_set(app: Flask) -> None:
    report = gaps.gap_report()
    assert report.map_number is None
    assert len(report.rows) == 66
    assert all(row.level is None for row in report.rows)
    assert report.gaps == []


def test_a_provider_counting_certified_solutions_fills_the_certified_column(app: Flask) -> None:
    class Provider(NoLabels):
        def certified_counts(self) -> Mapping[CellKey, int]:
            return {("planning", "video-analysis"): 4}

    register_label_provider(app, Provider())
    report = gaps.gap_report()
    assert report.certified_available
    counts = {(r.activity_code, r.category_code): r.certified for r in report.rows}
    assert counts[("planning", "video-analysis")] == 4
    assert counts[("feedback", "cybersecurity")] == 0


def test_the_page_names_gaps_in_words_and_explains_the_certified_column(
    app: Flask,
    client: FlaskClient,
    login: Callable[..., Any],
    authority: User,
    create_user: Callable[..., User],
) -> None:
    _publish_national_map(authority, {("judicial-process", "cybersecurity"): HIGH})
    vendor = create_user(kind=OrganisationKind.VENDOR)
    published(vendor, name="Forensics", primary_category="cybersecurity")
    login(client, authority)
    page = client.get("/admin/gaps").get_data(as_text=True)
    assert "Gap: high priority, no solution" in page
    assert "Gaps to act on" in page and "Every cell" in page
    # Labels are counted (the evaluations package registers its counter), so no disclaimer.
    assert "no certification label has been issued" not in page
    assert "Certified solutions" in page
    assert "national priority map, version" in page
    assert page.count("<h1") == 1


def test_the_page_says_when_no_map_is_published(
    app: Flask, client: FlaskClient, login: Callable[..., Any], authority: User
) -> None:
    login(client, authority)
    page = client.get("/admin/gaps").get_data(as_text=True)
    assert "No national priority map is published yet" in page


@pytest.mark.parametrize("kind", [OrganisationKind.VENDOR, OrganisationKind.BUYER])
def test_only_the_authority_sees_the_gap_view(
    app: Flask,
    client: FlaskClient,
    login: Callable[..., Any],
    create_user: Callable[..., User],
    kind: OrganisationKind,
) -> None:
    assert client.get("/admin/gaps").status_code == 302
    login(client, create_user(kind=kind))
    assert client.get("/admin/gaps").status_code == 403
