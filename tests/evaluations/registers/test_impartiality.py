"""Declarations of interests, their periodic confirmation, the authority's overview, the
impartiality risk register and the committee's meetings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from evaluations.impartiality import declarations, register
from evaluations.impartiality.models import (
    CommitteeMeeting,
    DeclarationConfirmation,
    ImpartialityRisk,
    InterestDeclaration,
    RiskStatus,
)
from evaluations.labels.dates import add_months
from registry.database import db
from registry.dates import today
from registry.exceptions import AccessDenied, NotVisible, RuleViolation
from registry.mail import read_outbox
from registry.models import AuditEntry, OrganisationKind, User

DAY = dt.timedelta(days=1)


@dataclass
class Scene:
    """An authority officer, an evaluator, a vendor's member and a buyer."""

    officer: User
    evaluator: User
    vendor: User
    buyer: User


@pytest.fixture
def scene(app: Flask, create_user: Callable[..., User]) -> Iterator[Scene]:
    with app.test_request_context():
        yield Scene(
            create_user(kind=OrganisationKind.AUTHORITY, full_name="Olivia Officer"),
            create_user(kind=OrganisationKind.EVALUATION_BODY, full_name="Evan Evaluator"),
            create_user(kind=OrganisationKind.VENDOR),
            create_user(kind=OrganisationKind.BUYER),
        )


def _client(app: Flask, login: Callable[..., Any], user: User) -> FlaskClient:
    client = app.test_client()
    login(client, user)
    return client


def _risk(**changes: Any) -> register.RiskData:
    values: dict[str, Any] = {
        "title": "Fees from one vendor",
        "source": "financial",
        "description": "A large share of income from one vendor.",
        "likelihood": 3,
        "impact": 4,
        "treatment": "Published fee schedule.",
        "owner_id": None,
        "review_due_on": today() + 30 * DAY,
    }
    values.update(changes)
    return register.RiskData(**values)


# --- declarations -------------------------------------------------------------------------


def test_add_months_keeps_the_day_or_the_month_s_last() -> None:
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 3, 15), 12) == dt.date(2027, 3, 15)
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)


def test_a_confirmation_falls_due_after_the_configured_months(app: Flask, scene: Scene) -> None:
    assert not declarations.is_current(scene.evaluator)
    confirmation = declarations.confirm_declarations(scene.evaluator)
    db.session.commit()
    confirmed = confirmation.confirmed_at.date()
    assert declarations.due_on(confirmation) == add_months(confirmed, 12)
    assert declarations.is_current(scene.evaluator)
    assert not declarations.is_current(scene.evaluator, add_months(confirmed, 12) + DAY)
    app.config["IMPARTIALITY_DECLARATION_MONTHS"] = 6
    assert declarations.due_on(confirmation) == add_months(confirmed, 6)


def test_declaring_ending_and_confirming_through_the_page(
    app: Flask, scene: Scene, login: Callable[..., Any]
) -> None:
    client = _client(app, login, scene.evaluator)
    page = client.get("/account/interests").get_data(as_text=True)
    assert "You have never confirmed your declarations" in page
    assert "You have no open declaration." in page
    vendor = scene.vendor.organisation
    refused = client.post("/account/interests/declare", data={"vendor": str(vendor.id)})
    assert refused.status_code == 400
    assert (
        client.post(
            "/account/interests/declare",
            data={"vendor": str(vendor.id), "nature": "My brother works there."},
        ).status_code
        == 302
    )
    twice = client.post(
        "/account/interests/declare", data={"vendor": str(vendor.id), "nature": "Again."}
    )
    assert "already have an open declaration" in twice.get_data(as_text=True)
    assert client.post("/account/interests/confirm").status_code == 302
    page = client.get("/account/interests").get_data(as_text=True)
    confirmation = db.session.scalars(select(DeclarationConfirmation)).one()
    assert confirmation.open_declarations == 1
    due = add_months(confirmation.confirmed_at.date(), 12)
    assert f"Your next confirmation is due by {due.isoformat()}" in page
    assert "My brother works there." in page
    assert declarations.has_open_interest(scene.evaluator, vendor.id)
    declaration = db.session.scalars(select(InterestDeclaration)).one()
    client.post(f"/account/interests/{declaration.id}/end", data={"note": ""})
    db.session.expire_all()
    assert declaration.ended_at is None
    client.post(f"/account/interests/{declaration.id}/end", data={"note": "He left in May."})
    db.session.expire_all()
    assert declaration.ended_at is not None and declaration.end_note == "He left in May."
    assert not declarations.has_open_interest(scene.evaluator, vendor.id)
    actions = db.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.action.startswith("interest."))
        .order_by(AuditEntry.seq)
    ).all()
    assert actions == ["interest.declared", "interest.confirmed", "interest.ended"]


def test_no_one_ends_another_s_declaration_and_other_roles_declare_nothing(
    app: Flask, scene: Scene
) -> None:
    declaration = declarations.declare_interest(
        scene.officer, scene.vendor.organisation_id, "Shares."
    )
    with pytest.raises(NotVisible):
        declarations.own_declaration(scene.evaluator, declaration.id)
    with pytest.raises(NotVisible):
        declarations.end_declaration(scene.evaluator, declaration, "Not mine.")
    with pytest.raises(AccessDenied):
        declarations.declare_interest(scene.buyer, scene.vendor.organisation_id, "Customer.")
    with pytest.raises(RuleViolation, match="Choose a vendor"):
        declarations.declare_interest(scene.officer, scene.buyer.organisation_id, "Not a vendor.")


def test_the_authority_sees_everyone_s_standing(
    app: Flask, scene: Scene, login: Callable[..., Any]
) -> None:
    declarations.declare_interest(scene.officer, scene.vendor.organisation_id, "Shares.")
    confirmation = declarations.confirm_declarations(scene.officer)
    declarations.confirm_declarations(scene.evaluator).confirmed_at = confirmation.confirmed_at - (
        400 * DAY
    )
    db.session.commit()
    rows = {row.user.id: row for row in declarations.standing_of([scene.officer, scene.evaluator])}
    assert not rows[scene.officer.id].overdue
    assert rows[scene.officer.id].open_vendors == [scene.vendor.organisation.name]
    assert rows[scene.evaluator.id].overdue
    page = _client(app, login, scene.officer).get("/impartiality/declarations")
    text = page.get_data(as_text=True)
    evaluator_row = text.split(f'data-staff="{scene.evaluator.email}"', 1)[1].split("</tr>", 1)[0]
    officer_row = text.split(f'data-staff="{scene.officer.email}"', 1)[1].split("</tr>", 1)[0]
    assert "Overdue" in evaluator_row and "Overdue" not in officer_row
    assert scene.vendor.organisation.name in officer_row
    # Vendors and buyers are not staff.
    assert scene.vendor.email not in text and scene.buyer.email not in text


# --- the risk register --------------------------------------------------------------------


def test_a_risk_is_rated_likelihood_times_impact_and_its_overdue_review_flagged(
    app: Flask, scene: Scene, login: Callable[..., Any]
) -> None:
    risk = register.add_risk(scene.officer, _risk(review_due_on=today() - DAY))
    on_time = register.add_risk(scene.officer, _risk(title="On time", likelihood=1, impact=5))
    db.session.commit()
    assert register.rating(risk) == 12 and register.rating(on_time) == 5
    assert register.review_overdue(risk) and not register.review_overdue(on_time)
    client = _client(app, login, scene.officer)
    page = client.get("/impartiality/risks").get_data(as_text=True)
    overdue_row = page.split(f'data-risk="{risk.id}"', 1)[1].split("</tr>", 1)[0]
    on_time_row = page.split(f'data-risk="{on_time.id}"', 1)[1].split("</tr>", 1)[0]
    assert "12" in overdue_row and "Review overdue" in overdue_row
    assert "Review overdue" not in on_time_row
    # A closed risk is no longer overdue.
    assert client.post(f"/impartiality/risks/{risk.id}/close").status_code == 302
    db.session.expire_all()
    assert risk.status is RiskStatus.CLOSED and not register.review_overdue(risk)
    with pytest.raises(RuleViolation, match="closed risk cannot be changed"):
        register.update_risk(scene.officer, risk, _risk())


def test_risks_are_validated_and_their_owner_is_an_authority_user(
    app: Flask, scene: Scene, create_user: Callable[..., User]
) -> None:
    with pytest.raises(RuleViolation) as refused:
        register.add_risk(scene.officer, _risk(likelihood=6))
    assert refused.value.field == "likelihood"
    with pytest.raises(RuleViolation) as refused:
        register.add_risk(scene.officer, _risk(source="gossip"))
    assert refused.value.field == "source"
    with pytest.raises(RuleViolation) as refused:
        register.add_risk(scene.officer, _risk(owner_id=scene.evaluator.id))
    assert refused.value.field == "owner"
    with pytest.raises(AccessDenied):
        register.add_risk(scene.evaluator, _risk())
    colleague = create_user(scene.officer.organisation, full_name="Colleague")
    risk = register.add_risk(scene.officer, _risk(owner_id=colleague.id))
    register.update_risk(scene.officer, risk, _risk(impact=5, owner_id=colleague.id))
    db.session.commit()
    assert register.rating(risk) == 15 and risk.owner_id == colleague.id
    told = [m for m in read_outbox(app.config["OUTBOX_DIR"]) if m.to == colleague.email]
    assert len(told) == 1 and "Fees from one vendor" in told[0].subject


def test_the_risk_form_adds_and_revises_a_risk(
    app: Flask, scene: Scene, login: Callable[..., Any]
) -> None:
    client = _client(app, login, scene.officer)
    empty = client.get("/impartiality/risks").get_data(as_text=True)
    assert "No risk in the register" in empty
    form = {
        "title": "Familiar faces",
        "source": "familiarity",
        "description": "The same officer for years.",
        "likelihood": "2",
        "impact": "2",
        "owner": str(scene.officer.id),
        "review_due_on": (today() + 60 * DAY).isoformat(),
    }
    assert client.post("/impartiality/risks/new", data=form).status_code == 302
    risk = db.session.scalars(select(ImpartialityRisk)).one()
    assert (
        client.post(f"/impartiality/risks/{risk.id}", data={**form, "likelihood": "4"}).status_code
        == 302
    )
    page = client.get(f"/impartiality/risks/{risk.id}").get_data(as_text=True)
    assert "8 (likelihood 4 × impact 2)" in page


# --- the committee ------------------------------------------------------------------------


def test_committee_meetings_are_recorded_once_held(
    app: Flask, scene: Scene, login: Callable[..., Any]
) -> None:
    client = _client(app, login, scene.officer)
    assert "No committee meeting" in client.get("/impartiality/committee").get_data(as_text=True)
    ahead = client.post(
        "/impartiality/committee/new",
        data={
            "held_on": (today() + DAY).isoformat(),
            "attendees": "Chair",
            "minutes": "Not yet.",
        },
    )
    assert "Record a meeting once it is held." in ahead.get_data(as_text=True)
    answer = client.post(
        "/impartiality/committee/new",
        data={
            "held_on": today().isoformat(),
            "attendees": "Chair\nBuyer representative",
            "minutes": "Reviewed the register.",
            "decisions": "Rotate the deciding officers.",
        },
    )
    assert answer.status_code == 302
    meeting = db.session.scalars(select(CommitteeMeeting)).one()
    page = client.get(f"/impartiality/committee/{meeting.id}").get_data(as_text=True)
    assert "Rotate the deciding officers." in page and "Buyer representative" in page
    assert db.session.scalar(
        select(AuditEntry.id).where(AuditEntry.action == "committee_meeting.recorded")
    )


def test_the_register_and_the_meetings_are_paginated(
    app: Flask, scene: Scene, login: Callable[..., Any]
) -> None:
    app.config["PER_PAGE"] = 2
    for number in range(3):
        register.add_risk(scene.officer, _risk(title=f"Risk {number}"))
        register.record_meeting(
            scene.officer,
            register.MeetingData(today() - number * DAY, "Chair", f"Minutes {number}", ""),
        )
    db.session.commit()
    client = _client(app, login, scene.officer)
    for url in ("/impartiality/risks", "/impartiality/committee"):
        first = client.get(url).get_data(as_text=True)
        second = client.get(f"{url}?page=2").get_data(as_text=True)
        assert "Showing 1–2 of 3" in first and "Showing 3–3 of 3" in second, url
