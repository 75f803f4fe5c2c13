"""What a disclosed vulnerability does to a label on every surface, the authority's list to
suspend, and the daily job's marks and reminders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from catalog.lists.models import WatchSubject
from catalog.lists.services import follow
from catalog.search import indexer
from evaluations import maintenance
from evaluations.models import Label, LabelStatus
from registry.database import db
from registry.dates import today
from registry.mail import read_outbox
from registry.models import OrganisationKind, User
from tests.evaluations.labels.test_label_pdf import pdf_text
from tests.vulnerabilities.case_builders import Scene, confirmed, make_scene, reported
from vulnerabilities import cases, daily
from vulnerabilities.models import CaseReminder

MARK = "Vulnerability under remediation"


@pytest.fixture
def scene(app: Flask, create_user: Callable[..., User]) -> Iterator[Scene]:
    with app.test_request_context():
        yield make_scene(create_user)


def surfaces(client: FlaskClient, scene: Scene, tmp_path: Path) -> dict[str, Any]:
    """What each public surface says of the label now."""
    number = scene.label.number
    solution_id = scene.label.solution_id
    indexer.apply_pending()
    pdf = client.get(f"/labels/{number}.pdf")
    assert pdf.status_code == 200
    return {
        "page": client.get(f"/labels/{number}").get_data(as_text=True),
        "pdf": pdf_text(pdf.data, tmp_path),
        "api": client.get(f"/api/v1/labels/{number}").get_json(),
        "api_list": client.get(f"/api/v1/labels?solution={solution_id}").get_json(),
        "index": client.get("/labels").get_data(as_text=True),
        "solution": client.get(f"/solutions/{solution_id}").get_data(as_text=True),
        "catalog": client.get("/catalog?q=Quayside").get_data(as_text=True),
        "search_api": {
            hit["id"]: hit["under_remediation"]
            for hit in client.get("/api/v1/catalog/search?q=Quayside").get_json()["hits"]
        },
        "compare": client.get(f"/compare?ids={solution_id}").get_data(as_text=True),
        "feed": client.get("/labels/feed.atom").get_data(as_text=True),
        "decisions": client.get("/decisions").get_data(as_text=True),
    }


def approve_fix(scene: Scene) -> None:
    """The minor maintenance that brings version 1.1 into the label's scope."""
    request = maintenance.declare_maintenance(
        scene.vendor, scene.label, scene.fix, "Session check restored.", ("EXPORT",), False
    )
    evaluator = scene.world.evaluators[0]
    due = today() + dt.timedelta(days=14)
    maintenance.route(scene.authority, request, "minor", evaluator, due, "Small")
    maintenance.declare_conflict(evaluator, request, False, "")
    criterion = next(c for c in scene.world.version.criteria if c.code == "EXPORT")
    maintenance.save_score(evaluator, request, criterion, "4", "Checked the change.")
    maintenance.submit_review(evaluator, request, "Only the session check changed.")
    maintenance.approve(scene.authority, request, "The delta review is sound.")
    db.session.commit()


def test_the_mark_appears_after_the_embargo_everywhere_and_leaves_with_the_fix(
    app: Flask,
    scene: Scene,
    create_user: Callable[..., User],
    tmp_path: Path,
) -> None:
    indexer.rebuild()
    buyer = create_user(kind=OrganisationKind.BUYER)
    follow(buyer, WatchSubject.SOLUTION, scene.label.solution_id)
    db.session.commit()
    case = reported(scene, embargo=today() + dt.timedelta(days=10))
    confirmed(scene, case)
    client = app.test_client()

    before = surfaces(client, scene, tmp_path)
    for name in ("page", "pdf", "index", "solution", "catalog", "compare"):
        assert MARK not in before[name], name
        assert case.reference not in before[name], name
    assert before["api"]["under_remediation"] is False and before["api"]["advisories"] == []
    assert before["search_api"][scene.label.solution_id] is False
    assert case.reference not in before["feed"] and case.reference not in before["decisions"]

    # Ten days later (the embargo's end moved to today, as time would), the daily job runs.
    case.embargo_until = today()
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["vulnerabilities", "daily"])
    assert result.exit_code == 0, result.output
    assert f"{case.reference}: labels marked under remediation" in result.output

    marked = surfaces(client, scene, tmp_path)
    assert MARK in marked["page"] and case.reference in marked["page"]
    assert case.title in marked["page"] and "critical" in marked["page"]
    assert f"/labels/{scene.label.number}/advisories" in marked["page"]
    assert f"{MARK.replace(' ', '')}:{case.reference}" in marked["pdf"]
    assert marked["api"]["under_remediation"] is True
    assert marked["search_api"][scene.label.solution_id] is True
    [advisory] = marked["api"]["advisories"]
    assert advisory["reference"] == case.reference and advisory["severity"] == "critical"
    [listed] = marked["api_list"]["items"]
    assert listed["under_remediation"] is True
    for name in ("index", "solution", "catalog", "compare"):
        assert MARK in marked[name], name
    assert "marked: vulnerability under remediation" in marked["feed"]
    assert case.reference in marked["decisions"]
    # The follower is told once.
    notices = [m for m in read_outbox(app.config["OUTBOX_DIR"]) if m.to == buyer.email]
    assert [m for m in notices if "vulnerability under remediation" in m.body]

    cases.mark_fixed(scene.vendor, case, scene.fix, "Session check restored.")
    db.session.commit()
    assert MARK in client.get(f"/labels/{scene.label.number}").get_data(as_text=True)
    approve_fix(scene)

    cleared = surfaces(client, scene, tmp_path)
    for name in ("pdf", "index", "solution", "catalog", "compare"):
        assert MARK not in cleared[name], name
    assert "label-remediation" not in cleared["page"]
    # The history keeps both the mark and its end.
    assert "Remediation ended" in cleared["page"] and case.reference in cleared["page"]
    assert cleared["api"]["under_remediation"] is False and cleared["api"]["advisories"] == []
    assert cleared["search_api"][scene.label.solution_id] is False
    assert "no longer under remediation" in cleared["feed"]


def status_of(scene: Scene) -> LabelStatus | None:
    """The label's status as stored now."""
    return db.session.scalar(select(Label.status).where(Label.id == scene.label.id))


def test_the_authority_suspends_an_overdue_label_from_its_list(
    app: Flask, scene: Scene, login: Callable[..., Any]
) -> None:
    client = app.test_client()
    login(client, scene.authority)
    assert "No label is past a remediation deadline." in client.get(
        "/admin/vulnerabilities/to-suspend"
    ).get_data(as_text=True)

    case = reported(scene, embargo=today())
    confirmed(scene, case)
    assert case.remediation_due is not None
    case.remediation_due = today() - dt.timedelta(days=3)
    db.session.commit()

    page = client.get("/admin/vulnerabilities/to-suspend").get_data(as_text=True)
    number = scene.label.number
    assert number in page and case.reference in page and "Quayside Sentinel" in page
    assert ">3</td>" in page  # days overdue
    assert "the remediation deadline" in page  # the reason, prefilled

    # Without the confirmation nothing happens.
    refused = client.post(
        f"/admin/vulnerabilities/to-suspend/{number}",
        data={f"{number}-reason": "Overdue."},
    )
    assert refused.status_code == 200 and "Tick the box to confirm." in refused.get_data(True)
    assert status_of(scene) is LabelStatus.VALID

    reason = f"Vulnerability {case.reference}: no fix after the deadline."
    done = client.post(
        f"/admin/vulnerabilities/to-suspend/{number}",
        data={f"{number}-reason": reason, f"{number}-confirm": "y"},
        follow_redirects=True,
    )
    assert f"Label {number} is suspended." in done.get_data(as_text=True)
    assert status_of(scene) is LabelStatus.SUSPENDED
    db.session.refresh(scene.label)
    assert case.reference in scene.label.status_reason
    # Off the list now; the public page says why.
    assert "No label is past a remediation deadline." in done.get_data(as_text=True)
    public = app.test_client().get(f"/labels/{number}").get_data(as_text=True)
    assert "SUSPENDED" in public and case.reference in public


def test_the_daily_job_sends_each_reminder_once(app: Flask, scene: Scene) -> None:
    case = reported(scene)
    assert case.analysis_due is not None
    due = case.analysis_due
    subject = f"Vulnerability case {case.reference}: analysis due on {due.isoformat()}"

    def reminders_sent() -> list[str]:
        return [
            m.subject for m in read_outbox(app.config["OUTBOX_DIR"]) if m.to == scene.vendor.email
        ]

    # Eight days before: nothing yet; seven: the first reminder, once; one: the second.
    assert daily.send_reminders(on=due - dt.timedelta(days=8)) == []
    [first] = daily.send_reminders(on=due - dt.timedelta(days=7))
    assert (first.deadline, first.days_before) == ("analysis", 7)
    assert daily.send_reminders(on=due - dt.timedelta(days=6)) == []
    [second] = daily.send_reminders(on=due - dt.timedelta(days=1))
    assert second.days_before == 1
    assert daily.send_reminders(on=due) == []
    [missed] = daily.send_reminders(on=due + dt.timedelta(days=1))
    assert missed.days_before == 0
    assert daily.send_reminders(on=due + dt.timedelta(days=2)) == []
    db.session.commit()
    sent = reminders_sent()
    assert sent.count(subject) == 2
    assert sent.count(f"Vulnerability case {case.reference}: analysis deadline missed") == 1
    assert db.session.query(CaseReminder).filter_by(case_id=case.id).count() == 3


def test_the_remediation_deadline_is_reminded_while_confirmed(app: Flask, scene: Scene) -> None:
    case = reported(scene, embargo=today())
    confirmed(scene, case)
    assert case.remediation_due is not None
    [reminder] = daily.send_reminders(on=case.remediation_due + dt.timedelta(days=1))
    assert (reminder.deadline, reminder.days_before) == ("remediation", 0)
    db.session.commit()
    [mail] = [
        m
        for m in read_outbox(app.config["OUTBOX_DIR"])
        if m.to == scene.authority.email and "remediation deadline missed" in m.subject
    ]
    assert "list to suspend" in mail.body
    cases.mark_fixed(scene.vendor, case, scene.fix, "Session check restored.")
    db.session.commit()
    assert daily.send_reminders(on=case.remediation_due + dt.timedelta(days=2)) == []
