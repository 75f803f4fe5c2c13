"""Maintenance: a new version joins a label's certified scope after a minor change review."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from catalog.models import SolutionVersion
from catalog.search import indexer
from catalog.search.models import SearchChange
from catalog.search.query import query
from catalog.versions import declare_version
from evaluations import maintenance
from evaluations.labels.certified import scope_versions
from evaluations.labels.credentials import VerdictCode
from evaluations.labels.issuing import issue_label
from evaluations.models import Label, MaintenanceRequest, MaintenanceStatus
from registry.database import db, utcnow
from registry.exceptions import NotVisible, RuleViolation
from registry.mail import read_outbox
from registry.models import User
from registry.norms.models import NormCriterion
from tests.evaluations.labels.label_builders import (
    LabelWorld,
    certified_evaluation,
    make_world,
    served_verdict,
)
from tests.evaluations.scheme_builders import declare_interest


@dataclass
class Scene:
    """A valid label whose scope is version 1.0, and a declared 1.1 not yet in scope."""

    world: LabelWorld
    label: Label
    first: SolutionVersion
    new: SolutionVersion

    @property
    def evaluator(self) -> User:
        """The evaluator the minor changes are routed to."""
        return self.world.evaluators[0]

    def criterion(self, code: str) -> NormCriterion:
        """A criterion of the label's norm version."""
        return next(c for c in self.world.version.criteria if c.code == code)


@pytest.fixture
def scene(app: Flask, create_user: Callable[..., User]) -> Iterator[Scene]:
    """People, a norm, a labelled solution with two declared versions."""
    with app.test_request_context():
        world = make_world(create_user)
        evaluation = certified_evaluation(world, solution_name="Quayside Sentinel")
        solution = evaluation.solution
        today = utcnow().date()
        first = declare_version(world.vendor, solution, "1.0", today - dt.timedelta(days=90))
        new = declare_version(world.vendor, solution, "1.1", today - dt.timedelta(days=3))
        evaluation.product_version_id = first.id
        db.session.commit()
        label = issue_label(world.authority, evaluation, public_statement="Meets the norm.")
        db.session.commit()
        yield Scene(world, label, first, new)


def declared(scene: Scene, codes: tuple[str, ...] = ("EXPORT",)) -> MaintenanceRequest:
    """A committed request for version 1.1 touching the given criteria."""
    request = maintenance.declare_maintenance(
        scene.world.vendor, scene.label, scene.new, "Faster export codec.", codes, False
    )
    db.session.commit()
    return request


def routed_minor(scene: Scene, codes: tuple[str, ...] = ("EXPORT",)) -> MaintenanceRequest:
    """A request routed as minor to the first evaluator, who declared no conflict."""
    request = declared(scene, codes)
    due = utcnow().date() + dt.timedelta(days=14)
    maintenance.route(scene.world.authority, request, "minor", scene.evaluator, due, "Small")
    maintenance.declare_conflict(scene.evaluator, request, False, "")
    db.session.commit()
    return request


def reviewed(scene: Scene, values: dict[str, str]) -> MaintenanceRequest:
    """A request reviewed with the given values for its touched criteria."""
    request = routed_minor(scene, tuple(values))
    for code, value in values.items():
        maintenance.save_score(
            scene.evaluator, request, scene.criterion(code), value, "Checked the change."
        )
    maintenance.submit_review(scene.evaluator, request, "Only the export codec changed.")
    db.session.commit()
    return request


def credential_versions(client: FlaskClient, number: str) -> str:
    """The served credential as text (the scope's version strings appear in it)."""
    return client.get(f"/labels/{number}.json").get_data(as_text=True)


def subjects(app: Flask) -> list[str]:
    """The subjects of the mail sent so far."""
    return [m.subject for m in read_outbox(app.config["OUTBOX_DIR"])]


def test_the_minor_path_adds_the_version_everywhere(
    app: Flask, client: FlaskClient, scene: Scene
) -> None:
    label_page = client.get(f"/labels/{scene.label.number}").get_data(as_text=True)
    assert "1.1" not in label_page
    credential = credential_versions(client, scene.label.number)
    indexer.apply_pending()
    assert query("", {"version": ["1.0"]}).ids == [scene.label.solution_id]
    request = reviewed(scene, {"EXPORT": "4"})
    assert maintenance.blocking_criteria(request) == []
    before = scene.label.facts_revision
    time.sleep(1.1)  # the proof's time is in whole seconds: the new signature must differ
    maintenance.approve(scene.world.authority, request, "The delta review is sound.")
    db.session.commit()
    assert request.status is MaintenanceStatus.APPROVED
    assert scope_versions(scene.label) == ["1.1", "1.0"]
    assert scene.label.facts_revision == before + 1
    # The label page, the credential (re-signed and verified) show the new version.
    label_page = client.get(f"/labels/{scene.label.number}").get_data(as_text=True)
    assert "Version 1.1 added to the certified scope" in label_page
    assert credential_versions(client, scene.label.number) != credential  # re-signed
    assert served_verdict(client, scene.label.number).code == VerdictCode.VALID
    # The catalog search re-indexes the solution within 2 s of the commit.
    pending = db.session.scalars(
        select(SearchChange).where(SearchChange.solution_id == scene.label.solution_id)
    ).all()
    assert any(change.reason == "label.amended" for change in pending)
    started = time.monotonic()
    indexer.apply_pending()
    assert time.monotonic() - started < 2
    assert query("quayside", {"certified": ["yes"]}).ids == [scene.label.solution_id]
    assert query("", {"version": ["1.1"]}).ids == [scene.label.solution_id]
    # The scope as the label page and the credential state it: both versions.
    signed = json.loads(credential_versions(client, scene.label.number))
    scope = signed["credentialSubject"]["label"]["scope"]
    assert [entry["version"] for entry in scope] == ["1.1", "1.0"]
    label_page = client.get(f"/labels/{scene.label.number}").get_data(as_text=True)
    assert 'data-label="Version">1.1</th>' in label_page
    mail = subjects(app)
    assert "Maintenance approved: the new version is certified" in mail
    assert "A maintenance review is assigned to you" in mail


def test_a_major_change_closes_the_request_and_keeps_the_scope(
    app: Flask, client: FlaskClient, scene: Scene
) -> None:
    request = declared(scene)
    with pytest.raises(RuleViolation, match="new evaluation"):
        maintenance.route(scene.world.authority, request, "major", note="")
    db.session.rollback()
    maintenance.route(scene.world.authority, request, "major", note="New video pipeline.")
    db.session.commit()
    assert request.status is MaintenanceStatus.MAJOR
    assert scope_versions(scene.label) == ["1.0"]
    assert "Your maintenance request needs a new evaluation" in subjects(app)
    with pytest.raises(RuleViolation):
        maintenance.approve(scene.world.authority, request, "Too late")
    db.session.rollback()
    # Closed: the vendor may declare the version again (e.g. after a new evaluation).
    assert scene.new in maintenance.versions_to_declare(scene.label)


def test_a_refusal_changes_nothing(app: Flask, client: FlaskClient, scene: Scene) -> None:
    credential = credential_versions(client, scene.label.number)
    page = client.get(f"/labels/{scene.label.number}").get_data(as_text=True)
    request = reviewed(scene, {"EXPORT": "1"})
    maintenance.refuse(scene.world.authority, request, "The export regressed.")
    db.session.commit()
    assert request.status is MaintenanceStatus.REFUSED
    assert scope_versions(scene.label) == ["1.0"]
    assert credential_versions(client, scene.label.number) == credential
    assert client.get(f"/labels/{scene.label.number}").get_data(as_text=True) == page
    indexer.apply_pending()
    assert query("", {"version": ["1.1"]}).ids == []
    assert served_verdict(client, scene.label.number).code == VerdictCode.VALID
    assert "Maintenance refused" in subjects(app)


def test_a_failed_touched_criterion_cannot_be_approved(scene: Scene) -> None:
    request = reviewed(scene, {"ONVIF-S": "fail"})
    with pytest.raises(RuleViolation, match="ONVIF-S fails"):
        maintenance.approve(scene.world.authority, request, "Approve anyway")
    db.session.rollback()
    assert scope_versions(scene.label) == ["1.0"]


def test_the_evaluator_scores_only_touched_criteria(scene: Scene) -> None:
    request = routed_minor(scene, ("EXPORT",))
    with pytest.raises(RuleViolation, match="not touched"):
        maintenance.save_score(scene.evaluator, request, scene.criterion("MASK"), "4", "")
    db.session.rollback()
    with pytest.raises(RuleViolation, match="justification"):
        maintenance.save_score(scene.evaluator, request, scene.criterion("EXPORT"), "1", "")
    db.session.rollback()
    with pytest.raises(RuleViolation, match="Score every touched"):
        maintenance.submit_review(scene.evaluator, request, "Done")
    db.session.rollback()
    with pytest.raises(NotVisible):
        maintenance.save_score(
            scene.world.evaluators[1], request, scene.criterion("EXPORT"), "4", ""
        )


def test_a_conflict_sends_the_request_back_for_routing(app: Flask, scene: Scene) -> None:
    request = declared(scene)
    due = utcnow().date() + dt.timedelta(days=7)
    maintenance.route(scene.world.authority, request, "minor", scene.evaluator, due)
    db.session.commit()
    with pytest.raises(RuleViolation, match="Declare your conflicts"):
        maintenance.save_score(scene.evaluator, request, scene.criterion("EXPORT"), "4", "")
    db.session.rollback()
    maintenance.declare_conflict(scene.evaluator, request, True, "I consulted for the vendor.")
    db.session.commit()
    assert request.status is MaintenanceStatus.DECLARED
    assert request.evaluator_id is None
    assert "An evaluator declared a conflict on a maintenance review" in subjects(app)
    with pytest.raises(RuleViolation, match="conflict"):
        maintenance.route(scene.world.authority, request, "minor", scene.evaluator, due)
    db.session.rollback()
    other = scene.world.evaluators[1]
    maintenance.route(scene.world.authority, request, "minor", other, due)
    db.session.commit()
    assert request.evaluator_id == other.id


def test_declaration_rules(scene: Scene) -> None:
    vendor, label = scene.world.vendor, scene.label
    with pytest.raises(RuleViolation, match="already in the scope"):
        maintenance.declare_maintenance(vendor, label, scene.first, "x" * 10, ["EXPORT"], False)
    with pytest.raises(RuleViolation, match="at least one"):
        maintenance.declare_maintenance(vendor, label, scene.new, "x" * 10, [], False)
    with pytest.raises(RuleViolation, match="Not criteria"):
        maintenance.declare_maintenance(vendor, label, scene.new, "x" * 10, ["NOPE"], False)
    request = declared(scene)
    with pytest.raises(RuleViolation, match="due date"):
        maintenance.route(scene.world.authority, request, "minor", scene.evaluator, None)
    db.session.rollback()
    with pytest.raises(RuleViolation, match="open maintenance request"):
        maintenance.declare_maintenance(vendor, label, scene.new, "Again", ["EXPORT"], False)
    db.session.rollback()
    stored = db.session.get(MaintenanceRequest, request.id)
    assert stored is not None and json.loads(stored.touched_criteria) == ["EXPORT"]


def test_the_vendor_withdraws(scene: Scene) -> None:
    request = routed_minor(scene)
    maintenance.withdraw(scene.world.vendor, request)
    db.session.commit()
    assert request.status is MaintenanceStatus.WITHDRAWN
    assert scene.new in maintenance.versions_to_declare(scene.label)


def test_the_three_roles_through_the_pages(
    app: Flask, scene: Scene, login: Callable[..., Any]
) -> None:
    vendor, authority, reviewer = app.test_client(), app.test_client(), app.test_client()
    login(vendor, scene.world.vendor)
    login(authority, scene.world.authority)
    login(reviewer, scene.evaluator)
    number = scene.label.number
    assert "Declare a new version for this label" in vendor.get(f"/labels/{number}").text
    assert "Declare a new version" not in authority.get(f"/labels/{number}").text
    page = vendor.get(f"/evaluations/labels/{number}/maintenance").text
    assert f'<option value="{scene.new.id}">1.1 (released' in page
    assert f'<option value="{scene.first.id}">' not in page
    response = vendor.post(
        f"/evaluations/labels/{number}/maintenance",
        data={
            "version_id": str(scene.new.id),
            "impact_analysis": "Faster export codec, same formats.",
            "touched": ["EXPORT"],
            "security_relevant": "yes",
        },
    )
    assert response.status_code == 302
    request = db.session.scalars(select(MaintenanceRequest)).one()
    assert request.security_relevant
    queue = authority.get("/evaluations/maintenance").text
    assert "Declared, awaiting routing" in queue and "Security relevant" in queue
    due = (utcnow().date() + dt.timedelta(days=10)).isoformat()
    routed = authority.post(
        f"/evaluations/maintenance/{request.id}/route",
        data={"kind": "minor", "due_date": due, "note": ""},
    )
    assert routed.status_code == 400
    assert "Choose an active evaluator" in routed.text
    routed = authority.post(
        f"/evaluations/maintenance/{request.id}/route",
        data={"kind": "minor", "evaluator_id": str(scene.evaluator.id), "due_date": due},
    )
    assert routed.status_code == 302
    assignments = reviewer.get("/evaluations/assignments").text
    assert "Maintenance reviews" in assignments and due in assignments
    review = reviewer.get(f"/evaluations/maintenance/{request.id}/review").text
    assert "Declare conflicts of interest" in review and 'name="value-' not in review
    reviewer.post(f"/evaluations/maintenance/{request.id}/declare", data={"has_conflict": "no"})
    review = reviewer.get(f"/evaluations/maintenance/{request.id}/review").text
    export, mask = scene.criterion("EXPORT"), scene.criterion("MASK")
    assert "Faster export codec, same formats." in review
    assert f'name="value-{export.id}"' in review and f'name="value-{mask.id}"' not in review
    reviewer.post(
        f"/evaluations/maintenance/{request.id}/review",
        data={f"value-{export.id}": "4", f"justification-{export.id}": "Exports checked."},
    )
    reviewer.post(
        f"/evaluations/maintenance/{request.id}/submit", data={"summary": "Export re-tested."}
    )
    decision = authority.get(f"/evaluations/maintenance/{request.id}").text
    assert "Exports checked." in decision and "Record the decision" in decision
    decided = authority.post(
        f"/evaluations/maintenance/{request.id}/decide",
        data={"decision": "approve", "reason": "Delta review sound."},
    )
    assert decided.status_code == 302
    db.session.expire_all()
    assert scope_versions(scene.label) == ["1.1", "1.0"]
    assert "Approved: version in scope" in vendor.get(f"/evaluations/maintenance/{request.id}").text


def test_overdue_reviews_come_first(app: Flask, scene: Scene, login: Callable[..., Any]) -> None:
    later = declare_version(
        scene.world.vendor, scene.label.solution, "1.2", utcnow().date() - dt.timedelta(days=1)
    )
    first = routed_minor(scene)
    second = maintenance.declare_maintenance(
        scene.world.vendor, scene.label, later, "Another change.", ["MASK"], False
    )
    maintenance.route(
        scene.world.authority,
        second,
        "minor",
        scene.evaluator,
        utcnow().date() + dt.timedelta(days=3),
    )
    second.due_date = utcnow().date() - dt.timedelta(days=2)  # the review ran late
    db.session.commit()
    assert maintenance.reviews_of(scene.evaluator) == [second, first]
    client = app.test_client()
    login(client, scene.evaluator)
    page = client.get("/evaluations/assignments").text
    assert page.count("(overdue)") == 1
    late, on_time = str(second.due_date), str(first.due_date)
    assert page.index(late) < page.index(on_time)


def test_a_delta_review_goes_only_to_an_evaluator_the_gates_of_an_assignment_let_through(
    app: Flask, scene: Scene, create_user: Callable[..., User], login: Callable[..., object]
) -> None:
    request = declared(scene)
    due = utcnow().date() + dt.timedelta(days=7)
    newcomer = create_user(scene.evaluator.organisation, is_org_admin=False)
    with pytest.raises(RuleViolation, match="not an evaluator approved"):
        maintenance.route(scene.world.authority, request, "minor", newcomer, due)
    db.session.rollback()
    declare_interest(scene.evaluator, scene.label.vendor)
    db.session.commit()
    with pytest.raises(RuleViolation, match="declared an interest"):
        maintenance.route(scene.world.authority, request, "minor", scene.evaluator, due)
    db.session.rollback()
    # The routing form offers neither of them, only the other qualified evaluator.
    client = app.test_client()
    login(client, scene.world.authority)
    page = client.get(f"/evaluations/maintenance/{request.id}").get_data(as_text=True)
    assert f'<option value="{scene.world.evaluators[1].id}"' in page
    assert f'<option value="{newcomer.id}"' not in page
    assert f'<option value="{scene.evaluator.id}"' not in page
