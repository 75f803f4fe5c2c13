"""Solution services: lifecycle, validation, ownership and the audit trail."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select

from catalog import services
from catalog.models import Solution, SolutionStatus
from registry.database import db
from registry.exceptions import AccessDenied, NotVisible, RuleViolation
from registry.models import AuditEntry, OrganisationKind, OrganisationStatus, User
from tests.catalog.solution_builders import archived, complete_data, draft, published


@pytest.fixture
def vendor(create_user: Callable[..., User]) -> User:
    """A member of an active vendor organisation."""
    return create_user(kind=OrganisationKind.VENDOR)


@pytest.fixture
def rival(create_user: Callable[..., User]) -> User:
    """A member of another vendor organisation."""
    return create_user(kind=OrganisationKind.VENDOR)


def _actions(solution: Solution) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.object_type == "solution", AuditEntry.object_id == str(solution.id))
            .order_by(AuditEntry.seq)
        )
    )


def test_a_draft_needs_only_a_name_and_stays_private(app: Flask, vendor: User) -> None:
    solution = services.create_solution(vendor, services.SolutionData(name="  Idea \n one "))
    db.session.commit()
    assert solution.name == "Idea one"
    assert solution.status is SolutionStatus.DRAFT
    assert solution.vendor_id == vendor.organisation_id
    assert solution.published_at is None
    assert db.session.scalars(services.public_solutions()).all() == []
    with pytest.raises(NotVisible):
        services.get_listed_solution(solution.id)
    assert _actions(solution) == ["solution.created"]


def test_publishing_requires_every_field_and_names_what_is_missing(
    app: Flask, vendor: User
) -> None:
    solution = services.create_solution(vendor, services.SolutionData(name="Incomplete"))
    db.session.commit()
    with pytest.raises(RuleViolation) as refused:
        services.publish_solution(vendor, solution)
    assert refused.value.field == "primary_category"
    for words in ("category", "activity", "summary", "description", "maturity", "region"):
        assert words in refused.value.message
    db.session.rollback()
    assert solution.status is SolutionStatus.DRAFT


def test_a_privacy_sensitive_solution_must_describe_its_data_protection(
    app: Flask, vendor: User
) -> None:
    solution = draft(vendor, privacy_sensitive=True, privacy_features="  ")
    assert [f for f, _ in services.publication_problems(solution)] == ["privacy_features"]
    with pytest.raises(RuleViolation, match="data-protection"):
        services.publish_solution(vendor, solution)


def test_biometrics_and_facial_recognition_are_always_privacy_sensitive(
    app: Flask, vendor: User
) -> None:
    face = draft(vendor, name="Face", uses_facial_recognition=True, privacy_features="x")
    palm = draft(vendor, name="Palm", uses_biometrics=True, privacy_features="x")
    assert face.privacy_sensitive and palm.privacy_sensitive


def status_of(solution: Solution) -> SolutionStatus:
    """The solution's status as it stands at this call, after the services changed it."""
    return solution.status


def test_lifecycle_draft_published_archived_and_published_again(app: Flask, vendor: User) -> None:
    solution = draft(vendor)
    services.publish_solution(vendor, solution)
    db.session.commit()
    assert solution.status is SolutionStatus.PUBLISHED and solution.published_at is not None
    assert services.get_listed_solution(solution.id) is solution
    with pytest.raises(RuleViolation, match="already published"):
        services.publish_solution(vendor, solution)

    services.archive_solution(vendor, solution)
    db.session.commit()
    assert status_of(solution) is SolutionStatus.ARCHIVED and solution.archived_at is not None
    assert db.session.scalars(services.public_solutions()).all() == []
    with pytest.raises(RuleViolation, match="Only a published"):
        services.archive_solution(vendor, solution)

    services.publish_solution(vendor, solution)
    db.session.commit()
    assert solution.status is SolutionStatus.PUBLISHED and solution.archived_at is None
    assert _actions(solution) == [
        "solution.created",
        "solution.published",
        "solution.archived",
        "solution.published",
    ]


def test_a_draft_cannot_be_archived(app: Flask, vendor: User) -> None:
    with pytest.raises(RuleViolation):
        services.archive_solution(vendor, draft(vendor))


def test_another_vendor_gets_404_for_everything(app: Flask, vendor: User, rival: User) -> None:
    solution = draft(vendor)
    with pytest.raises(NotVisible):
        services.get_solution_for_management(rival, solution.id)
    with pytest.raises(NotVisible):
        services.update_solution(rival, solution, complete_data(name="Stolen"))
    with pytest.raises(NotVisible):
        services.publish_solution(rival, solution)
    db.session.rollback()
    published_one = published(vendor, name="Public one")
    with pytest.raises(NotVisible):
        services.archive_solution(rival, published_one)
    db.session.rollback()
    assert solution.name == "Harbour Watch" and solution.status is SolutionStatus.DRAFT
    assert db.session.scalars(services.managed_solutions(rival)).all() == []


def test_the_authority_may_read_but_not_change(
    app: Flask, vendor: User, create_user: Callable[..., User]
) -> None:
    authority = create_user(kind=OrganisationKind.AUTHORITY)
    solution = draft(vendor)
    assert services.get_solution_for_management(authority, solution.id) is solution
    assert solution in db.session.scalars(services.managed_solutions(authority)).all()
    with pytest.raises(AccessDenied):
        services.update_solution(authority, solution, complete_data(name="Renamed"))
    with pytest.raises(AccessDenied):
        services.publish_solution(authority, solution)
    with pytest.raises(AccessDenied):
        services.create_solution(authority, complete_data())


@pytest.mark.parametrize("kind", [OrganisationKind.BUYER, OrganisationKind.EVALUATION_BODY])
def test_buyers_and_evaluators_cannot_manage_solutions(
    app: Flask, vendor: User, create_user: Callable[..., User], kind: OrganisationKind
) -> None:
    someone = create_user(kind=kind)
    solution = draft(vendor)
    with pytest.raises(AccessDenied):
        services.get_solution_for_management(someone, solution.id)
    with pytest.raises(AccessDenied):
        services.create_solution(someone, complete_data())
    with pytest.raises(NotVisible):
        services.update_solution(someone, solution, complete_data())


def test_names_are_unique_per_vendor_ignoring_case(app: Flask, vendor: User, rival: User) -> None:
    draft(vendor, name="Harbour Watch")
    with pytest.raises(RuleViolation) as refused:
        services.create_solution(vendor, complete_data(name="harbour  WATCH"))
    assert refused.value.field == "name"
    db.session.rollback()
    assert draft(rival, name="Harbour Watch").vendor_id == rival.organisation_id


def test_lists_are_cleaned_deduplicated_and_replaced_on_edit(app: Flask, vendor: User) -> None:
    solution = draft(
        vendor,
        standards=["ONVIF Profile S", " onvif   profile s ", "", "IEC 62443-4-2\x00"],
        deployments=["City of X,\n120 cameras"],
        regions=["FR-IDF", "FR", "FR-IDF"],
    )
    assert solution.standard_codes == ["ONVIF Profile S", "IEC 62443-4-2"]
    assert solution.deployment_texts == ["City of X, 120 cameras"]
    assert solution.region_codes == ["FR", "FR-IDF"]  # nationwide first

    services.update_solution(
        vendor,
        solution,
        complete_data(standards=["IEC 62443-4-2", "ONVIF Profile S"], regions=["FR-BRE"]),
    )
    db.session.commit()
    db.session.expire_all()
    assert solution.standard_codes == ["IEC 62443-4-2", "ONVIF Profile S"]
    assert solution.region_codes == ["FR-BRE"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"primary_category": "teleportation"}, "primary_category"),
        ({"activities": ["planning", "astrology"]}, "activities"),
        ({"regions": ["FR-XXX"]}, "regions"),
        ({"standards": ["x" * 81]}, "standards"),
        ({"standards": [f"S{i}" for i in range(31)]}, "standards"),
        ({"deployments": ["y" * 301]}, "deployments"),
        ({"summary": "z" * 301}, "summary"),
        ({"name": "n" * 201}, "name"),
        ({"name": " \t\x00 "}, "name"),
    ],
)
def test_bad_values_are_refused_with_the_field_named(
    app: Flask, vendor: User, overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(RuleViolation) as refused:
        services.create_solution(vendor, complete_data(**overrides))
    assert refused.value.field == field


def test_a_published_solution_must_stay_complete_when_edited(app: Flask, vendor: User) -> None:
    solution = published(vendor)
    with pytest.raises(RuleViolation) as refused:
        services.update_solution(vendor, solution, complete_data(summary=""))
    assert refused.value.field == "summary"
    db.session.rollback()
    assert solution.summary == "Watches the harbour."


def test_an_edit_records_which_fields_changed(app: Flask, vendor: User) -> None:
    solution = draft(vendor)
    services.update_solution(vendor, solution, complete_data(summary="New summary."))
    services.update_solution(vendor, solution, complete_data(summary="New summary."))
    db.session.commit()
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "solution.updated")
    ).all()
    assert len(entries) == 1  # saving without a change writes nothing
    assert '"changed":["summary"]' in entries[0].data


def test_public_reads_hide_suspended_vendors_and_filter_by_codes(
    app: Flask, vendor: User, rival: User
) -> None:
    camera = published(vendor, name="Camera", primary_category="video-protection")
    analysis = published(
        rival, name="Analysis", primary_category="video-analysis", activities=["planning"]
    )
    assert set(db.session.scalars(services.public_solutions())) == {camera, analysis}
    assert db.session.scalars(services.public_solutions(category="video-analysis")).all() == [
        analysis
    ]
    assert db.session.scalars(services.public_solutions(activity="planning")).all() == [analysis]
    assert db.session.scalars(
        services.public_solutions(vendor_id=vendor.organisation_id)
    ).all() == [camera]
    rival.organisation.status = OrganisationStatus.SUSPENDED
    db.session.commit()
    assert db.session.scalars(services.public_solutions()).all() == [camera]
    with pytest.raises(NotVisible):
        services.get_listed_solution(analysis.id)
    with pytest.raises(NotVisible):
        services.get_public_vendor(rival.organisation_id)


def test_archived_solutions_stay_findable_as_no_longer_offered(app: Flask, vendor: User) -> None:
    solution = archived(vendor)
    assert services.get_listed_solution(solution.id).status is SolutionStatus.ARCHIVED
    assert services.published_solution_ids([vendor.organisation_id]) == {vendor.organisation_id: []}


def test_status_counts_cover_only_the_actors_own_solutions(
    app: Flask, vendor: User, rival: User
) -> None:
    draft(vendor, name="A")
    published(vendor, name="B")
    archived(vendor, name="C")
    draft(rival, name="D")
    assert services.status_counts(vendor) == {
        SolutionStatus.DRAFT: 1,
        SolutionStatus.PUBLISHED: 1,
        SolutionStatus.ARCHIVED: 1,
    }
