"""A label's status follows its basis: the vendor's suspension, the norm's withdrawal or
supersession, the solution's archiving, on every surface a buyer reads."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from catalog.models import Solution
from catalog.search import index, indexer
from catalog.search.query import query
from catalog.services import archive_solution
from evaluations.labels.credentials import VerdictCode
from evaluations.models import Label, LabelStatus
from registry import dates
from registry.database import db
from registry.exceptions import RuleViolation
from registry.models import AuditEntry, Organisation, OrganisationStatus, User
from registry.norms.services import withdraw_norm
from registry.services import approve_organisation, suspend_organisation
from tests.evaluations.labels.label_builders import (
    LabelWorld,
    issued_label,
    make_world,
    revoke,
    served_verdict,
    supersede,
)


def status_of(label: Label) -> LabelStatus:
    """The label's status as it stands at this call, after the services changed it."""
    return label.status


@pytest.fixture
def world(app: Flask, create_user: Callable[..., User]) -> Iterator[LabelWorld]:
    """People and a published norm version."""
    with app.test_request_context():
        yield make_world(create_user)


def _verify_page(client: FlaskClient, number: str) -> str:
    credential = client.get(f"/labels/{number}.json").data
    response = client.post(
        "/verify",
        data={"file": (io.BytesIO(credential), "label.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _reindex() -> None:
    db.session.commit()
    indexer.apply_pending()


def _catalog_hit(client: FlaskClient, solution_id: int) -> dict[str, Any] | None:
    """The solution's hit in the catalog API (all solutions, certified or not)."""
    found = client.get("/api/v1/catalog/search?certified=0&per_page=100").get_json()
    return next((hit for hit in found["hits"] if hit["id"] == solution_id), None)


# --- Rule 1: the vendor organisation is suspended -----------------------------------------------


def test_suspending_the_vendor_suspends_each_valid_label_until_the_authority_reinstates_it(
    app: Flask, client: FlaskClient, login: Callable[..., Any], world: LabelWorld
) -> None:
    label = issued_label(world)
    other = issued_label(world)
    revoke(world, other, "Fraud")
    _reindex()
    assert _catalog_hit(client, label.solution_id) is not None
    organisation = db.session.get(Organisation, world.vendor.organisation_id)
    assert organisation is not None

    with app.test_request_context():
        suspend_organisation(world.authority, organisation, "Unpaid fees")
    _reindex()

    db.session.refresh(label)
    db.session.refresh(other)
    assert label.status is LabelStatus.SUSPENDED
    assert label.status_reason == "Vendor organisation suspended: Unpaid fees"
    assert other.status is LabelStatus.REVOKED  # only valid labels are suspended
    # The change and its audit entry were committed with the organisation's suspension.
    assert db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "label.suspend", AuditEntry.object_id == str(label.id)
        )
    )
    page = client.get(f"/labels/{label.number}").get_data(as_text=True)
    assert "SUSPENDED" in page and "Vendor organisation suspended: Unpaid fees" in page
    assert served_verdict(client, label.number).code == VerdictCode.SUSPENDED
    assert 'data-verdict="SUSPENDED"' in _verify_page(client, label.number)
    api = client.get(f"/api/v1/labels/{label.number}").get_json()
    assert api["status"] == "suspended"
    assert api["solution"]["offered"] is False
    assert _catalog_hit(client, label.solution_id) is None

    # Reactivating the organisation reinstates nothing by itself; the authority finds the
    # labels on one page and reinstates each.
    with app.test_request_context():
        approve_organisation(world.authority, organisation)
    db.session.commit()
    db.session.refresh(label)
    assert label.status is LabelStatus.SUSPENDED
    login(client, world.authority)
    listing = client.get(f"/labels/vendor/{organisation.id}/suspended").get_data(as_text=True)
    assert label.number in listing and other.number not in listing
    response = client.post(
        f"/labels/{label.number}/reinstate",
        data={"reason": "Fees paid", "no_response_reason": "Only the fees were due."},
    )
    assert response.status_code == 302
    db.session.refresh(label)
    assert status_of(label) is LabelStatus.VALID
    listing = client.get(f"/labels/vendor/{organisation.id}/suspended").get_data(as_text=True)
    assert f"/labels/{label.number}/reinstate" not in listing
    _reindex()
    hit = _catalog_hit(client, label.solution_id)
    assert hit is not None and hit["certified"]


def test_a_suspended_vendor_page_warns_that_its_labels_follow(
    client: FlaskClient, login: Callable[..., Any], world: LabelWorld
) -> None:
    login(client, world.authority)
    page = client.get(f"/admin/organisations/{world.vendor.organisation_id}")
    text = page.get_data(as_text=True)
    assert "Each of its valid labels is suspended with this reason" in text
    assert f"/labels/vendor/{world.vendor.organisation_id}/suspended" in text


# --- Rule 2: the norm is withdrawn --------------------------------------------------------------


def test_a_withdrawn_norm_leaves_its_labels_valid_but_due_for_recertification_everywhere(
    client: FlaskClient, world: LabelWorld
) -> None:
    label = issued_label(world, solution_name="Withdrawn Norm Watch")
    partner = issued_label(world, solution_name="Withdrawn Norm Partner")
    _reindex()
    withdraw_norm(world.authority, world.version.norm, "The test method is flawed.")
    _reindex()

    db.session.refresh(label)
    assert label.status is LabelStatus.VALID
    page = client.get(f"/labels/{label.number}").get_data(as_text=True)
    assert "Re-certification due" in page and "The test method is flawed." in page
    assert served_verdict(client, label.number).code == VerdictCode.VALID
    verified = _verify_page(client, label.number)
    assert "Re-certification due" in verified and "The test method is flawed." in verified
    api = client.get(f"/api/v1/labels/{label.number}").get_json()
    assert api["recertification_due"] is True
    assert "withdrawn" in api["basis_notice"]
    # The catalog says so on the hit and counts it in a facet, and the facet filters.
    hit = _catalog_hit(client, label.solution_id)
    assert hit is not None and hit["recertification_due"] is True
    assert hit["recertification_due_norms"] == [world.version.norm.code]
    catalog = client.get("/catalog?certified=0&recertification=due").get_data(as_text=True)
    assert "Withdrawn Norm Watch" in catalog
    assert f"Re-certification due: {world.version.norm.code}" in catalog
    assert query("", {"recertification": ["due"]}).facets["recertification"]["due"] >= 2
    compare = client.get(f"/compare?ids={label.solution_id}&ids={partner.solution_id}")
    assert "re-certification due" in compare.get_data(as_text=True)


# --- Rule 3: the solution is archived ------------------------------------------------------------


def test_an_archived_solution_keeps_its_label_with_the_certified_facts(
    app: Flask, client: FlaskClient, world: LabelWorld
) -> None:
    label = issued_label(world, solution_name="Retired Watch")
    partner = issued_label(world, solution_name="Current Watch")
    _reindex()
    solution = db.session.get(Solution, label.solution_id)
    assert solution is not None
    archive_solution(world.vendor, solution)
    _reindex()

    db.session.refresh(label)
    assert label.status is LabelStatus.VALID
    page = client.get(f"/labels/{label.number}").get_data(as_text=True)
    assert "The vendor no longer offers this solution." in page
    assert "Retired Watch" in page
    # No link to the solution's page, which answers 410.
    assert f'href="/solutions/{solution.id}"' not in page
    assert client.get(f"/solutions/{solution.id}").status_code == 410
    assert "The vendor no longer offers this solution." in _verify_page(client, label.number)
    api = client.get(f"/api/v1/labels/{label.number}").get_json()
    assert api["status"] == "valid" and api["solution"]["offered"] is False
    # The catalog no longer lists it; a comparison that holds it still shows it, marked.
    assert _catalog_hit(client, solution.id) is None
    compare = client.get(f"/compare?ids={solution.id}&ids={partner.solution_id}")
    text = compare.get_data(as_text=True)
    assert "Retired Watch" in text and "The vendor no longer offers this solution." in text
    assert "not in the catalog" not in text


# --- Rule 4: re-certification due after a superseded version's transition date -----------------


def test_recertification_due_reaches_the_catalog_through_the_daily_job(
    runner: FlaskCliRunner, client: FlaskClient, world: LabelWorld
) -> None:
    label = issued_label(world, solution_name="Superseded Watch")
    partner = issued_label(world, solution_name="Superseded Partner")
    _reindex()
    # The transition date passes: nothing changed in the database but the date.
    supersede(world.version, dates.today() - dt.timedelta(days=1))
    result = runner.invoke(args=["labels", "expire"])
    assert result.exit_code == 0, result.output
    assert "newly due for re-certification" in result.output
    indexer.apply_pending()

    hit = _catalog_hit(client, label.solution_id)
    assert hit is not None and hit["certified"] and hit["recertification_due"]
    catalog = client.get("/catalog?certified=0").get_data(as_text=True)
    assert f"Re-certification due: {world.version.norm.code}" in catalog
    api = client.get(f"/api/v1/labels/{label.number}").get_json()
    assert api["recertification_due"] is True and "superseded" in api["basis_notice"]
    assert "Re-certification due" in _verify_page(client, label.number)
    compare = client.get(f"/compare?ids={label.solution_id}&ids={partner.solution_id}")
    assert "re-certification due" in compare.get_data(as_text=True)
    solution_page = client.get(f"/solutions/{label.solution_id}").get_data(as_text=True)
    assert "(re-certification due)" in solution_page


def test_a_future_transition_date_is_not_yet_due(client: FlaskClient, world: LabelWorld) -> None:
    label = issued_label(world)
    supersede(world.version, dates.today() + dt.timedelta(days=30))
    _reindex()
    index.enqueue_solution_change(label.solution_id, "test")
    _reindex()
    hit = _catalog_hit(client, label.solution_id)
    assert hit is not None and not hit["recertification_due"]
    assert "Re-certification due" not in _verify_page(client, label.number)


def test_only_active_organisations_can_be_suspended_and_nothing_else_changes(
    app: Flask, world: LabelWorld
) -> None:
    """A refused suspension (already suspended) leaves the labels as they are."""
    label = issued_label(world)
    organisation = db.session.get(Organisation, world.vendor.organisation_id)
    assert organisation is not None
    organisation.status = OrganisationStatus.PENDING
    db.session.commit()
    with app.test_request_context(), pytest.raises(RuleViolation, match="not active"):
        suspend_organisation(world.authority, organisation, "Again")
    db.session.rollback()
    assert db.session.get(Label, label.id).status is LabelStatus.VALID  # type: ignore[union-attr]
