"""Complaints and appeals: filing, deadlines, independent handling, outcomes and effects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from complaints import effects, services
from complaints.independence import involved_users
from complaints.models import CaseStatus, ComplaintCase, Outcome, Subject
from complaints.statistics import yearly
from evaluations.impartiality.models import (
    DecisionReview,
    InterestDeclaration,
    ReviewOutcome,
)
from evaluations.labels import status_changes
from evaluations.models import Assignment, Label, LabelStatus, Resolution
from evaluations.surveillance.models import ActivityKind, ActivityStatus, SurveillanceActivity
from registry.database import db, utcnow
from registry.exceptions import RuleViolation
from registry.mail import read_outbox
from registry.models import OrganisationKind, User
from tests.evaluations.labels import label_builders
from tests.evaluations.labels.label_builders import LabelWorld


@dataclass
class Scene:
    """A label world and a third, independent authority officer."""

    world: LabelWorld
    handler: User


@pytest.fixture
def scene(app: Flask, create_user: Callable[..., User]) -> Iterator[Scene]:
    with app.test_request_context():
        world = label_builders.make_world(create_user)
        handler = create_user(world.authority.organisation, full_name="Independent Officer")
        yield Scene(world, handler)


def _revoked(scene: Scene) -> Label:
    label = label_builders.issued_label(scene.world)
    return label_builders.revoke(scene.world, label, "The certified configuration changed.")


def _outbox(app: Flask) -> list[str]:
    return [f"{m.subject}\n{m.body}" for m in read_outbox(app.config["OUTBOX_DIR"])]


def test_a_complaint_gets_a_numbered_reference_deadlines_and_an_acknowledgement_mail(
    app: Flask, scene: Scene
) -> None:
    label = label_builders.issued_label(scene.world)
    first, token = services.file_complaint(
        None,
        subject=Subject.MARK_USE,
        description="The mark is printed on an uncertified camera.",
        label_number=label.number.lower(),
        contact_email="witness@example.org",
        consent=True,
    )
    second, _ = services.file_complaint(
        None,
        subject=Subject.AUTHORITY,
        description="No answer to my letter for weeks.",
        contact_email="someone@example.org",
        consent=True,
    )
    db.session.commit()
    year = first.received_at.year
    assert first.reference == f"CMP-{year}-00001" and second.reference == f"CMP-{year}-00002"
    assert first.label_id == label.id and first.vendor_id == label.vendor_id
    assert first.acknowledge_due == first.received_at.date() + dt.timedelta(days=5)
    assert first.decision_due == first.received_at.date() + dt.timedelta(days=60)
    assert first.status is CaseStatus.RECEIVED
    mails = [m for m in read_outbox(app.config["OUTBOX_DIR"]) if m.to == "witness@example.org"]
    assert len(mails) == 1 and token in mails[0].body and first.reference in mails[0].body
    assert services.tracked_case(first.reference, token) is not None
    assert services.tracked_case(first.reference, "wrong") is None


def test_a_complaint_about_a_label_needs_the_label_and_a_contact_and_consent(
    scene: Scene,
) -> None:
    with pytest.raises(RuleViolation, match="label"):
        services.file_complaint(
            None,
            subject=Subject.LABEL_HOLDER,
            description="Something is wrong here.",
            contact_email="a@example.org",
            consent=True,
        )
    with pytest.raises(RuleViolation, match="e-mail"):
        services.file_complaint(
            None, subject=Subject.AUTHORITY, description="Something is wrong.", consent=True
        )
    with pytest.raises(RuleViolation, match="Agree"):
        services.file_complaint(
            None,
            subject=Subject.AUTHORITY,
            description="Something is wrong.",
            contact_email="a@example.org",
        )


def test_the_public_form_files_a_complaint_prefilled_from_the_label_and_is_throttled(
    app: Flask, client: FlaskClient, scene: Scene
) -> None:
    app.config["COMPLAINTS_PER_HOUR"] = 1
    label = label_builders.issued_label(scene.world)
    page = client.get(f"/complaints/new?label={label.number}").get_data(as_text=True)
    assert f'value="{label.number}"' in page
    data = {
        "subject": "mark_use",
        "label": label.number,
        "description": "The mark is used on a product it does not cover.",
        "contact_email": "public@example.org",
        "consent": "y",
    }
    response = client.post("/complaints/new", data=data)
    assert response.status_code == 302
    [case] = db.session.scalars(select(ComplaintCase)).all()
    assert case.reference in client.get("/complaints/filed").get_data(as_text=True)
    assert client.post("/complaints/new", data=data).status_code == 429


def test_the_label_page_links_to_a_complaint_about_its_mark(
    client: FlaskClient, scene: Scene
) -> None:
    label = label_builders.issued_label(scene.world)
    page = client.get(f"/labels/{label.number}").get_data(as_text=True)
    assert f"/complaints/new?label={label.number}" in page


def test_a_vendor_appeals_a_revocation_within_the_period_and_not_after(
    app: Flask, scene: Scene
) -> None:
    label = _revoked(scene)
    vendor = scene.world.vendor
    assert services.can_appeal_label(vendor, label)
    event = label.events[-1]
    revoked = event.at
    # The revocation 31 days ago: one day past the 30-day period.
    event.at = revoked - dt.timedelta(days=31)
    db.session.flush()
    assert not services.can_appeal_label(vendor, label)
    with pytest.raises(RuleViolation, match=f"ended on {(revoked - dt.timedelta(days=1)).date()}"):
        services.file_appeal(vendor, label=label, description="The revocation is wrong.")
    event.at = revoked
    db.session.flush()
    case, _ = services.file_appeal(vendor, label=label, description="The revocation is wrong.")
    assert case.reference.startswith("APL-") and case.subject is Subject.REVOCATION
    with pytest.raises(RuleViolation, match="already open"):
        services.file_appeal(vendor, label=label, description="Again, it is wrong.")


def test_only_the_labels_vendor_appeals(scene: Scene, create_user: Callable[..., User]) -> None:
    from registry.exceptions import NotVisible

    label = _revoked(scene)
    stranger = create_user(kind=OrganisationKind.VENDOR)
    with pytest.raises(NotVisible):
        services.file_appeal(stranger, label=label, description="Not ours, but still.")


def test_a_handler_involved_in_the_revocation_is_refused(scene: Scene) -> None:
    label = _revoked(scene)
    case, _ = services.file_appeal(
        scene.world.vendor, label=label, description="The revocation is wrong."
    )
    deputy = label_builders.second_officer(scene.world)
    for involved in (scene.world.authority, deputy):
        with pytest.raises(RuleViolation, match="independent handler"):
            services.assign_handler(scene.world.authority, case, involved)
    assert {u.id for u in services.eligible_handlers(case)} == {scene.handler.id}
    services.assign_handler(scene.world.authority, case, scene.handler)
    assert case.status is CaseStatus.UNDER_HANDLING


# --- involved_users, one source each ------------------------------------------------------


def test_involved_in_a_decision_the_decider(scene: Scene) -> None:
    label = label_builders.issued_label(scene.world)
    case, _ = services.file_appeal(
        scene.world.vendor, evaluation=label.evaluation, description="The level is too low."
    )
    assert scene.world.authority.id in involved_users(case)


def test_involved_in_a_decision_the_reviewer(scene: Scene) -> None:
    label = label_builders.issued_label(scene.world)
    db.session.add(
        DecisionReview(
            evaluation_id=label.evaluation_id,
            reviewer_id=scene.handler.id,
            outcome=ReviewOutcome.AGREE,
            recommended_decision="certified",
            note="Agreed.",
        )
    )
    case, _ = services.file_appeal(
        scene.world.vendor, evaluation=label.evaluation, description="The level is too low."
    )
    assert scene.handler.id in involved_users(case)


def test_involved_in_a_decision_who_assigned_an_evaluator(scene: Scene) -> None:
    label = label_builders.issued_label(scene.world)
    assignment = db.session.scalars(
        select(Assignment).where(Assignment.evaluation_id == label.evaluation_id)
    ).first()
    assert assignment is not None
    assignment.assigned_by_id = scene.handler.id
    case, _ = services.file_appeal(
        scene.world.vendor, evaluation=label.evaluation, description="The level is too low."
    )
    assert scene.handler.id in involved_users(case)


def test_involved_in_a_decision_who_recorded_a_consensus(scene: Scene) -> None:
    label = label_builders.issued_label(scene.world)
    criterion = scene.world.version.criteria[1]
    db.session.add(
        Resolution(
            evaluation_id=label.evaluation_id,
            criterion_id=criterion.id,
            value=3,
            note="Agreed on 3.",
            resolved_by_id=scene.handler.id,
        )
    )
    case, _ = services.file_appeal(
        scene.world.vendor, evaluation=label.evaluation, description="The level is too low."
    )
    assert scene.handler.id in involved_users(case)


def test_involved_in_a_suspension_who_suspended(scene: Scene) -> None:
    label = label_builders.issued_label(scene.world)
    status_changes.suspend_label(scene.handler, label, "Missing test report.")
    case, _ = services.file_appeal(
        scene.world.vendor, label=label, description="The report was sent in time."
    )
    assert case.subject is Subject.SUSPENSION
    assert involved_users(case) == {scene.handler.id}


def test_involved_in_a_revocation_who_proposed_and_who_confirmed(scene: Scene) -> None:
    label = _revoked(scene)
    case, _ = services.file_appeal(
        scene.world.vendor, label=label, description="The revocation is wrong."
    )
    deputy = label_builders.second_officer(scene.world)
    assert {scene.world.authority.id, deputy.id} <= involved_users(case)


def test_involved_in_a_complaint_about_a_label_who_decided_its_evaluation(scene: Scene) -> None:
    label = label_builders.issued_label(scene.world)
    case, _ = services.file_complaint(
        scene.world.vendor,
        subject=Subject.LABEL_HOLDER,
        label_number=label.number,
        description="The holder misleads buyers.",
        consent=True,
    )
    assert involved_users(case) == {scene.world.authority.id}


def test_involved_anyone_with_an_open_interest_in_the_vendor(scene: Scene) -> None:
    case, _ = services.file_complaint(
        None,
        subject=Subject.LABEL_HOLDER,
        label_number=label_builders.issued_label(scene.world).number,
        description="The holder misleads buyers.",
        contact_email="a@example.org",
        consent=True,
    )
    declaration = InterestDeclaration(
        user_id=scene.handler.id, vendor_id=scene.world.vendor.organisation_id, nature="Shares"
    )
    db.session.add(declaration)
    db.session.flush()
    assert scene.handler.id in involved_users(case)
    declaration.ended_at = utcnow()
    db.session.flush()
    assert scene.handler.id not in involved_users(case)


# --- outcomes and effects -----------------------------------------------------------------


def test_an_upheld_appeal_reinstates_the_revoked_label_with_the_reference_in_its_history(
    app: Flask, client: FlaskClient, scene: Scene
) -> None:
    label = _revoked(scene)
    authority = scene.world.authority
    case, _ = services.file_appeal(
        scene.world.vendor, label=label, description="The revocation is wrong."
    )
    services.acknowledge(authority, case)
    services.assign_handler(authority, case, scene.handler)
    with pytest.raises(RuleViolation, match="handler"):
        services.decide(authority, case, Outcome.UPHELD, "Fine.", [effects.REINSTATEMENT])
    assert effects.available(case) == [
        (effects.REINSTATEMENT, effects.EFFECT_TEXT[effects.REINSTATEMENT]),
        (effects.RE_EVALUATION, effects.EFFECT_TEXT[effects.RE_EVALUATION]),
    ]
    # A revoked label is under no surveillance: no review can be opened on it.
    assert "only a live label" in effects.refusal(case, effects.SURVEILLANCE_REVIEW)
    services.decide(
        scene.handler, case, Outcome.UPHELD, "The unit was misidentified.", [effects.REINSTATEMENT]
    )
    db.session.commit()
    assert label.status is LabelStatus.VALID
    assert label.events[-1].action == "reinstated" and case.reference in label.events[-1].reason
    assert case.status is CaseStatus.DECIDED and case.outcome is Outcome.UPHELD
    page = client.get(f"/labels/{label.number}").get_data(as_text=True)
    assert case.reference in page
    mails = _outbox(app)
    assert any(
        f"{case.reference}: upheld" in m and "The unit was misidentified." in m for m in mails
    )


def test_an_upheld_complaint_suspends_the_label(scene: Scene) -> None:
    label = label_builders.issued_label(scene.world)
    case, _ = services.file_complaint(
        None,
        subject=Subject.MARK_USE,
        label_number=label.number,
        description="The mark is used on uncertified units.",
        contact_email="a@example.org",
        consent=True,
    )
    services.assign_handler(scene.world.authority, case, scene.handler)
    services.decide(
        scene.handler,
        case,
        Outcome.PARTLY_UPHELD,
        "Some units carried the mark.",
        [effects.SUSPENSION, effects.SURVEILLANCE_REVIEW],
    )
    assert label.status is LabelStatus.SUSPENDED
    assert case.reference in label.status_reason
    actions = [event.action for event in case.events]
    assert "effect_surveillance_review" in actions and "effect_suspension" in actions
    review = db.session.scalars(
        select(SurveillanceActivity).where(SurveillanceActivity.label_id == label.id)
    ).one()
    assert review.kind is ActivityKind.COMPLAINT_REVIEW and review.status is ActivityStatus.OPEN
    assert case.reference in " ".join(e.reason for e in label.events)


def test_a_dismissed_case_has_no_effects_and_reasons_are_required(app: Flask, scene: Scene) -> None:
    case, _ = services.file_complaint(
        None,
        subject=Subject.AUTHORITY,
        description="No answer to my letter.",
        contact_email="a@example.org",
        consent=True,
    )
    services.assign_handler(scene.world.authority, case, scene.handler)
    with pytest.raises(RuleViolation, match="reasons"):
        services.decide(scene.handler, case, Outcome.DISMISSED, " ")
    with pytest.raises(RuleViolation, match="no effects"):
        services.decide(scene.handler, case, Outcome.DISMISSED, "Answered.", [effects.SUSPENSION])
    services.decide(scene.handler, case, Outcome.DISMISSED, "The letter was answered.")
    assert case.outcome is Outcome.DISMISSED and case.effects == ""
    db.session.commit()
    # The anonymous filer hears of the outcome, with its reasons, at the address given.
    told = [m for m in read_outbox(app.config["OUTBOX_DIR"]) if m.to == "a@example.org"]
    assert any("dismissed" in m.subject and "The letter was answered." in m.body for m in told)


def test_the_filer_withdraws_with_the_code(client: FlaskClient, scene: Scene) -> None:
    case, token = services.file_complaint(
        None,
        subject=Subject.AUTHORITY,
        description="No answer to my letter.",
        contact_email="a@example.org",
        consent=True,
    )
    db.session.commit()
    page = client.get(f"/complaints/track?reference={case.reference}&token={token}")
    assert "Received" in page.get_data(as_text=True)
    assert "No case matches" in client.get(
        f"/complaints/track?reference={case.reference}&token=nope"
    ).get_data(as_text=True)
    client.post("/complaints/track", data={"reference": case.reference, "token": token})
    db.session.expire_all()
    assert db.session.get(ComplaintCase, case.id).status is CaseStatus.WITHDRAWN  # type: ignore[union-attr]


def test_statistics_count_per_year_and_kind_without_personal_data(
    client: FlaskClient, scene: Scene
) -> None:
    case, _ = services.file_complaint(
        None,
        subject=Subject.AUTHORITY,
        description="No answer to my letter.",
        contact_name="Private Person",
        contact_email="private@example.org",
        consent=True,
    )
    services.assign_handler(scene.world.authority, case, scene.handler)
    services.decide(scene.handler, case, Outcome.DISMISSED, "It was answered.")
    db.session.commit()
    [row] = yearly(case.kind)
    assert (row.received, row.decided, row.dismissed, row.upheld) == (1, 1, 1, 0)
    assert row.median_days == 0
    page = client.get("/complaints/statistics").get_data(as_text=True)
    assert "private@example.org" not in page and "Private Person" not in page
    assert "No appeals yet." in page


def test_the_authority_list_flags_overdue_cases(
    client: FlaskClient, scene: Scene, login: Callable[..., object]
) -> None:
    case, _ = services.file_complaint(
        None,
        subject=Subject.AUTHORITY,
        description="No answer to my letter.",
        contact_email="a@example.org",
        consent=True,
    )
    case.acknowledge_due = case.received_at.date() - dt.timedelta(days=1)
    db.session.commit()
    login(client, scene.world.authority)
    page = client.get("/complaints?overdue=1").get_data(as_text=True)
    assert case.reference in page and "acknowledgement overdue" in page


def test_an_appeal_of_a_decision_refuses_its_decider_as_handler_and_shows_on_the_pages(
    client: FlaskClient, scene: Scene, login: Callable[..., object]
) -> None:
    label = label_builders.issued_label(scene.world)
    login(client, scene.world.vendor)
    page = client.get(f"/evaluations/{label.evaluation_id}").get_data(as_text=True)
    assert f"/appeals/new?evaluation={label.evaluation_id}" in page
    response = client.post(
        f"/appeals/new?evaluation={label.evaluation_id}",
        data={"description": "The level should be Advanced: the MASK scores were misread."},
    )
    assert response.status_code == 302
    case = db.session.scalars(select(ComplaintCase)).one()
    assert case.subject is Subject.DECISION
    assert case.reference in client.get("/appeals").get_data(as_text=True)
    assert "Appeal this decision" not in client.get(f"/evaluations/{label.evaluation_id}").get_data(
        as_text=True
    )
    with pytest.raises(RuleViolation, match="independent handler"):
        services.assign_handler(scene.handler, case, scene.world.authority)
