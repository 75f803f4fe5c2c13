"""Surveillance of valid labels: the daily job's attestations, re-test samples and overdue
marks, who may answer what, complaint reviews, the authority's list to suspend and the label's
public history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from werkzeug.exceptions import Forbidden, NotFound

from evaluations.labels.dates import add_months
from evaluations.models import Label, LabelEvent, LabelStatus
from evaluations.surveillance import daily, lists, services
from evaluations.surveillance.models import (
    ActivityKind,
    ActivityResult,
    ActivityStatus,
    SurveillanceActivity,
    SurveillanceDraw,
)
from registry.database import db
from registry.dates import today
from registry.exceptions import RuleViolation
from registry.mail import read_outbox
from registry.models import OrganisationKind, User
from tests.evaluations.labels.label_builders import LabelWorld, issued_label, make_world, revoke
from tests.evaluations.scheme_builders import declare_interest


@pytest.fixture
def world(app: Flask, create_user: Callable[..., User]) -> Iterator[LabelWorld]:
    with app.test_request_context():
        yield make_world(create_user)


def _activities(label: Label, kind: ActivityKind | None = None) -> list[SurveillanceActivity]:
    statement = select(SurveillanceActivity).where(SurveillanceActivity.label_id == label.id)
    if kind is not None:
        statement = statement.where(SurveillanceActivity.kind == kind)
    return list(db.session.scalars(statement.order_by(SurveillanceActivity.id)))


T = TypeVar("T")


def _fresh(row: T) -> T:
    """The row as the database holds it now (after a request's commit)."""
    db.session.refresh(row)
    return row


def _subjects(app: Flask, user: User) -> list[str]:
    return [m.subject for m in read_outbox(app.config["OUTBOX_DIR"]) if m.to == user.email]


def _attestation(label: Label, on: dt.date | None = None) -> SurveillanceActivity:
    """The attestation the daily job asks for ``on`` a day (the label's validity began a year
    before it), or once the first interval has passed."""
    if on is not None:
        label.valid_from = add_months(on, -12)
    day = on or add_months(label.valid_from, 12)
    opened = daily.schedule_attestations(on=day)
    db.session.commit()
    return next(a for a in opened if a.label_id == label.id)


def test_an_attestation_is_asked_once_per_interval_however_often_the_job_runs(
    app: Flask, world: LabelWorld
) -> None:
    label = issued_label(world)
    assert daily.schedule_attestations(on=add_months(label.valid_from, 11)) == []
    first = daily.schedule_attestations(on=add_months(label.valid_from, 12))
    assert [a.label_id for a in first] == [label.id]
    db.session.commit()
    assert first[0].due_on == add_months(label.valid_from, 12) + dt.timedelta(days=30)
    # The next days (and a rerun of the same day) ask nothing more.
    assert daily.schedule_attestations(on=add_months(label.valid_from, 12)) == []
    assert daily.schedule_attestations(on=add_months(label.valid_from, 13)) == []
    # The norm's programme: every six months, 10 days to complete.
    services.set_programme(
        world.authority,
        world.version.norm,
        attestation_enabled=True,
        interval_months=6,
        retest_percent=10,
        days_to_complete=10,
    )
    day = add_months(label.valid_from, 18)
    second = daily.schedule_attestations(on=day)
    assert [(a.cycle, a.due_on) for a in second] == [(3, day + dt.timedelta(days=10))]
    db.session.commit()
    assert len(_activities(label, ActivityKind.ATTESTATION)) == 2
    assert any("attestation due" in s for s in _subjects(app, world.vendor))
    # A programme without attestation asks none.
    services.set_programme(
        world.authority,
        world.version.norm,
        attestation_enabled=False,
        interval_months=6,
        retest_percent=10,
        days_to_complete=10,
    )
    assert daily.schedule_attestations(on=add_months(label.valid_from, 24)) == []


def test_the_programme_is_checked_and_set_by_the_authority_only(world: LabelWorld) -> None:
    norm = world.version.norm
    assert services.programme_of(norm.id).own is False
    assert services.programme_of(norm.id).retest_percent == 10
    with pytest.raises(RuleViolation) as error:
        services.set_programme(
            world.authority,
            norm,
            attestation_enabled=True,
            interval_months=12,
            retest_percent=120,
            days_to_complete=30,
        )
    assert error.value.field == "retest_percent"
    with pytest.raises(Forbidden):
        services.set_programme(
            world.vendor,
            norm,
            attestation_enabled=True,
            interval_months=12,
            retest_percent=20,
            days_to_complete=30,
        )


def test_the_yearly_sample_is_reproducible_recorded_and_drawn_once(
    app: Flask, world: LabelWorld
) -> None:
    labels = [issued_label(world) for _ in range(4)]
    services.set_programme(
        world.authority,
        world.version.norm,
        attestation_enabled=True,
        interval_months=12,
        retest_percent=50,
        days_to_complete=30,
    )
    db.session.commit()
    day = dt.date(today().year + 1, 3, 1)
    expected = daily.draw(day.year, world.version.norm, list(reversed(labels)), 50)
    assert len(expected) == 2
    # The same year, norm and population draw the same labels, whatever their order.
    assert daily.draw(day.year, world.version.norm, labels, 50) == expected
    drawn = daily.draw_samples(on=day)
    db.session.commit()
    record = db.session.scalar(
        select(SurveillanceDraw).where(SurveillanceDraw.norm_id == world.version.norm_id)
    )
    assert record is not None
    assert record.drawn == ",".join(label.number for label in expected)
    assert (record.population, record.percent, record.year) == (4, 50, day.year)
    assert record.seed == daily.draw_seed(day.year, world.version.norm)
    ours = next(row for row in drawn if row.norm.id == world.version.norm_id)
    assert sorted(a.label_id for a in ours.activities) == sorted(x.id for x in expected)
    assert all(a.kind is ActivityKind.RETEST and a.cycle == day.year for a in ours.activities)
    # Drawn once a year: later runs of the year draw nothing more.
    assert daily.draw_samples(on=day + dt.timedelta(days=40)) == []
    retests = db.session.scalars(
        select(SurveillanceActivity).where(SurveillanceActivity.kind == ActivityKind.RETEST)
    ).all()
    assert len(retests) == 2
    # The next year draws again, from the labels still valid.
    assert daily.draw_samples(on=dt.date(day.year + 1, 1, 2))


def test_a_label_is_never_re_tested_twice_in_a_year(world: LabelWorld) -> None:
    label = issued_label(world)
    services.set_programme(
        world.authority,
        world.version.norm,
        attestation_enabled=True,
        interval_months=12,
        retest_percent=100,
        days_to_complete=30,
    )
    year = today().year + 1
    services.open_retest(label, year, dt.date(year, 2, 1))
    db.session.commit()
    drawn = daily.draw_samples(on=dt.date(year, 1, 10))
    ours = next(row for row in drawn if row.norm.id == world.version.norm_id)
    assert ours.activities == [] and ours.draw.population == 0
    assert len(_activities(label, ActivityKind.RETEST)) == 1


def test_an_activity_past_due_turns_overdue_once_and_its_label_waits_to_be_suspended(
    app: Flask,
    world: LabelWorld,
    client: FlaskClient,
    login: Callable[..., object],
) -> None:
    label = issued_label(world)
    other = issued_label(world)
    activity = _attestation(label, on=today() - dt.timedelta(days=40))
    assert activity.due_on == today() - dt.timedelta(days=10)
    on_time = _attestation(other, on=today())
    late = daily.mark_overdue()
    db.session.commit()
    assert [a.id for a in late] == [activity.id]
    assert activity.status is ActivityStatus.OVERDUE
    assert on_time.status is ActivityStatus.OPEN
    assert daily.mark_overdue() == []
    assert any("attestation overdue" in s for s in _subjects(app, world.vendor))
    assert any("attestation overdue" in s for s in _subjects(app, world.authority))
    assert [row.label.id for row in lists.labels_to_suspend()] == [label.id]

    login(client, world.authority)
    page = client.get("/admin/surveillance").get_data(as_text=True)
    assert label.number in page and other.number in page
    assert "Overdue by 10 days" in page
    overdue_only = client.get("/admin/surveillance?status=overdue").get_data(as_text=True)
    table = overdue_only.split('id="to-suspend"')[0]
    assert label.number in table and other.number not in table
    assert "No open or overdue activity matches" in client.get(
        "/admin/surveillance?kind=complaint_review"
    ).get_data(as_text=True)
    # Unconfirmed: nothing happens.
    reason = lists.labels_to_suspend()[0].reason
    refused = client.post(
        f"/admin/surveillance/to-suspend/{label.number}",
        data={f"{label.number}-reason": reason},
    )
    assert refused.status_code == 400
    assert _fresh(label).status is LabelStatus.VALID
    done = client.post(
        f"/admin/surveillance/to-suspend/{label.number}",
        data={f"{label.number}-reason": reason, f"{label.number}-confirm": "y"},
    )
    assert done.status_code == 302
    db.session.expire_all()
    suspended = _fresh(label)
    assert suspended.status is LabelStatus.SUSPENDED
    assert suspended.status_reason == reason
    assert lists.labels_to_suspend() == []


def test_only_the_labels_vendor_attests_and_a_declared_change_points_to_maintenance(
    app: Flask,
    world: LabelWorld,
    create_user: Callable[..., User],
    client: FlaskClient,
    login: Callable[..., object],
) -> None:
    label = issued_label(world)
    activity = _attestation(label)
    stranger = create_user(kind=OrganisationKind.VENDOR)
    with pytest.raises(NotFound):
        services.attest(stranger, activity, changed=False, statement="")
    with pytest.raises(Forbidden):
        services.attest(world.authority, activity, changed=False, statement="")
    with pytest.raises(RuleViolation):
        services.attest(world.vendor, activity, changed=True, statement="")
    db.session.rollback()
    login(client, stranger)
    assert client.get(f"/surveillance/activities/{activity.id}").status_code == 404
    client.post("/logout")

    login(client, world.vendor)
    mine = client.get("/surveillance").get_data(as_text=True)
    assert label.number in mine and "Annual attestation" in mine
    response = client.post(
        f"/surveillance/activities/{activity.id}/attest",
        data={"changed": "yes", "statement": "New camera module in 2.1.", "confirm": "y"},
        follow_redirects=True,
    )
    text = response.get_data(as_text=True)
    assert "Declare the changed version" in text
    assert f"/labels/{label.number}/maintenance" in text
    db.session.expire_all()
    done = _fresh(activity)
    assert done.status is ActivityStatus.DONE
    assert done.result is ActivityResult.CONFORMING and done.changes_declared
    assert "None of your labels has an open surveillance activity" in client.get(
        "/surveillance"
    ).get_data(as_text=True)
    with pytest.raises(RuleViolation):
        services.attest(world.vendor, done, changed=False, statement="")
    assert any("attestation received" in s for s in _subjects(app, world.authority))


def test_only_the_assigned_evaluator_records_the_retest_and_a_fail_lists_the_label(
    app: Flask,
    world: LabelWorld,
    create_user: Callable[..., User],
    client: FlaskClient,
    login: Callable[..., object],
) -> None:
    label = issued_label(world)
    assigned = world.evaluators[0]
    colleague = create_user(assigned.organisation, is_org_admin=False)
    activity = services.open_retest(label, today().year, today() + dt.timedelta(days=30))
    db.session.commit()
    with pytest.raises(RuleViolation):
        services.assign_retest(world.authority, activity, world.vendor)
    # A re-test takes the gates of an assignment: approved, accredited for the norm, declared.
    with pytest.raises(RuleViolation, match="not an evaluator approved"):
        services.assign_retest(world.authority, activity, colleague)
    declare_interest(assigned, label.vendor)
    with pytest.raises(RuleViolation, match="declared an interest"):
        services.assign_retest(world.authority, activity, assigned)
    db.session.rollback()
    services.assign_retest(world.authority, activity, assigned)
    db.session.commit()
    assert any("re-test assigned" in s for s in _subjects(app, assigned))
    with pytest.raises(NotFound):
        services.record_retest(colleague, activity, passed=True, report="Fine.")
    with pytest.raises(Forbidden):
        services.record_retest(world.authority, activity, passed=True, report="Fine.")
    db.session.rollback()

    login(client, colleague)
    assert client.get(f"/surveillance/activities/{activity.id}").status_code == 404
    assert "No re-test is assigned to you" in client.get("/surveillance").get_data(as_text=True)
    client.post("/logout")
    login(client, assigned)
    assert label.number in client.get("/surveillance").get_data(as_text=True)
    missing = client.post(f"/surveillance/activities/{activity.id}/result", data={"passed": "fail"})
    assert missing.status_code == 400
    response = client.post(
        f"/surveillance/activities/{activity.id}/result",
        data={"passed": "fail", "report": "Export no longer signs the files (internal)."},
    )
    assert response.status_code == 302
    db.session.expire_all()
    done = _fresh(activity)
    assert done.result is ActivityResult.NONCONFORMING
    rows = lists.labels_to_suspend()
    assert [row.label.id for row in rows] == [label.id]
    assert "nonconforming" in rows[0].reason
    # The public history says the outcome, not the report.
    page = client.get(f"/labels/{label.number}").get_data(as_text=True)
    assert "Sampled re-test" in page and "Failed" in page
    assert "Export no longer signs" not in page


def test_a_complaint_opens_a_review_the_authority_concludes(
    app: Flask, world: LabelWorld, client: FlaskClient, login: Callable[..., object]
) -> None:
    label = issued_label(world)
    with pytest.raises(Forbidden):
        services.open_complaint_review(world.vendor, label, "Misuse.", "CMP-2026-0001")
    with pytest.raises(RuleViolation) as error:
        services.open_complaint_review(world.authority, label, "Misuse.", "")
    assert error.value.field == "reference"
    db.session.rollback()
    activity = services.open_complaint_review(
        world.authority, label, "The mark is shown on an uncertified model.", "CMP-2026-0001"
    )
    db.session.commit()
    assert activity.kind is ActivityKind.COMPLAINT_REVIEW
    assert activity.status is ActivityStatus.OPEN
    assert activity.due_on == today() + dt.timedelta(days=30)
    assert any("review opened after a complaint" in s for s in _subjects(app, world.vendor))
    events = db.session.scalars(
        select(LabelEvent).where(
            LabelEvent.label_id == label.id, LabelEvent.action == "surveillance"
        )
    ).all()
    assert [e.reason for e in events] == [
        f"Surveillance: review opened after a complaint, due {activity.due_on.isoformat()}."
    ]
    login(client, world.authority)
    page = client.get(f"/surveillance/activities/{activity.id}").get_data(as_text=True)
    assert "CMP-2026-0001" in page and "uncertified model" in page
    response = client.post(
        f"/surveillance/activities/{activity.id}/review",
        data={"result": "conforming", "notes": "The model shown is the certified one."},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert _fresh(activity).result is ActivityResult.CONFORMING
    public = client.get(f"/labels/{label.number}").get_data(as_text=True)
    assert "Complaint review" in public and "uncertified model" not in public
    # A revoked label has nothing left to review.
    revoke(world, label, "Withdrawn from the market.")
    with pytest.raises(RuleViolation):
        services.open_complaint_review(world.authority, label, "Again.", "CMP-2026-0002")


def test_the_daily_command_reports_what_it_did_and_does_it_once(
    app: Flask, world: LabelWorld, runner: FlaskCliRunner
) -> None:
    label = issued_label(world)
    label.valid_from = add_months(today(), -12)
    db.session.commit()
    first = runner.invoke(args=["surveillance", "daily"])
    assert first.exit_code == 0, first.output
    assert "1 attestation requested." in first.output
    assert label.number in first.output
    again = runner.invoke(args=["surveillance", "daily"])
    assert "0 attestations requested." in again.output
    assert "0 re-test samples drawn." in again.output
