"""Questions, answers and corrigenda of a joint call: the enquiry period, anonymous answers, the
deadline extended by a late answer or a corrigendum, who is told, and nothing after the deadline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from procurement.calls import limits
from procurement.calls.enquiries import services
from procurement.calls.enquiries.models import CallQuestion, Corrigendum
from procurement.calls.models import JointCall
from procurement.calls.services import lifecycle
from registry.database import db, utcnow
from registry.dates import today, when
from registry.exceptions import AccessDenied, RuleViolation
from registry.mail import read_outbox
from registry.models import AuditEntry, User
from tests.procurement.calls.call_builders import CallWorld, call_world, make_offer, pass_deadline
from tests.procurement.ocds import ocds_schema

Login = Callable[..., Any]


def _call(world: CallWorld, days: int = 30) -> JointCall:
    """A committed call whose deadline is `days` days ahead (12:00 UTC)."""
    call = lifecycle.open_call(
        world.authority,
        world.lot,
        "Joint call for licences",
        "Licences for every buyer of the lot.",
        limits.deadline_on(today() + dt.timedelta(days=days)),
        24,
    )
    db.session.commit()
    return call


def _switch(client: FlaskClient, login: Login, user: User) -> None:
    client.post("/logout")
    login(client, user)


def _mail_to(app: Flask, user: User, word: str) -> list[str]:
    return [
        m.body
        for m in read_outbox(app.config["OUTBOX_DIR"])
        if m.to == user.email and word in m.subject
    ]


def test_an_answer_is_published_to_all_without_who_asked(
    app: Flask, client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, vendors=2)
    call = _call(world)
    asker, other = world.vendors
    asker.full_name = "Sentinel Asker Quintus"
    asker.organisation.name = "Sentinel Enquirer Vendor"
    db.session.commit()
    login(client, asker)
    page = client.get(f"/procurement/calls/{call.id}").get_data(as_text=True)
    closes = services.enquiries_close_at(call)
    assert f"until <strong>{when(closes)}</strong>" in page
    response = client.post(
        f"/procurement/calls/{call.id}/questions",
        data={"question": "Is on-premise hosting accepted for the video archive?"},
    )
    assert response.status_code == 302
    (question,) = db.session.scalars(select(CallQuestion)).all()
    # Until it is answered, the other vendor and the public see nothing of it.
    _switch(client, login, other)
    assert "on-premise" not in client.get(f"/procurement/calls/{call.id}").get_data(as_text=True)
    _switch(client, login, world.authority)
    page = client.get(f"/procurement/calls/{call.id}").get_data(as_text=True)
    assert "on-premise hosting" in page and "Questions waiting for an answer (1)" in page
    # The answer box is named by its label (one id per question on the page).
    assert f'for="answer-{question.id}">Answer</label>' in page
    assert f'id="answer-{question.id}"' in page
    client.post(
        f"/procurement/calls/{call.id}/questions/{question.id}/answer",
        data={"answer": "Yes, hosted in a qualified French data centre."},
    )
    db.session.refresh(question)
    assert question.answered_at is not None
    # A sentinel: the asker's organisation, name and address appear on no page but its own.
    secrets = (asker.organisation.name, asker.full_name, asker.email)
    _switch(client, login, other)
    seen = client.get(f"/procurement/calls/{call.id}").get_data(as_text=True)
    client.post("/logout")
    public = client.get(f"/procurement/public/calls/{call.id}").get_data(as_text=True)
    package = client.get(f"/procurement/ocds/{call.ocid}.json")
    body = package.get_data(as_text=True)
    for text in (seen, public, body):
        assert "qualified French data centre" in text and "on-premise hosting" in text
        for secret in secrets:
            assert secret not in text
    released: dict[str, Any] = package.json  # type: ignore[assignment]
    # The tender as last published (each change published a new version of it).
    (enquiry,) = released["releases"][-1]["tender"]["enquiries"]
    assert enquiry["answer"] == "Yes, hosted in a qualified French data centre."
    assert "author" not in enquiry
    # The asker and the vendors that offered are told; the answer alone does not move the
    # deadline when more than the late-answer days remain.
    assert _mail_to(app, asker, "An answer is published")
    assert db.session.scalars(select(Corrigendum)).all() == []
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"call.question", "call.answer"} <= actions


def test_questions_close_before_the_deadline(
    client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, vendors=1)
    call = _call(world, days=limits.min_offer_days() + 1)
    vendor = world.vendors[0]
    call.deadline = utcnow() + dt.timedelta(days=services.enquiry_close_days() - 1)
    db.session.commit()
    with pytest.raises(RuleViolation, match="Questions closed on"):
        services.ask_question(vendor, call, "Can we still ask?")
    db.session.rollback()
    login(client, vendor)
    page = client.get(f"/procurement/calls/{call.id}").get_data(as_text=True)
    assert "Questions closed on" in page and "Send the question" not in page
    client.post(f"/procurement/calls/{call.id}/questions", data={"question": "Still?"})
    assert db.session.scalars(select(CallQuestion)).all() == []


def test_a_late_answer_extends_the_deadline_to_leave_the_minimum(
    app: Flask, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, vendors=2)
    call = _call(world)
    asker, bidder = world.vendors
    question = services.ask_question(asker, call, "Which ONVIF profile is required?")
    make_offer(bidder, call)
    # Three days before the deadline: fewer than the late-answer days remain.
    call.deadline = limits.deadline_on(today() + dt.timedelta(days=3))
    db.session.commit()
    before = call.deadline
    services.answer_question(world.authority, question, "Profile S and profile T.")
    db.session.commit()
    minimum = dt.timedelta(days=services.min_extension_days())
    assert call.deadline >= utcnow() + minimum and call.deadline > before
    assert call.deadline - utcnow() < minimum + dt.timedelta(days=1)
    (corrigendum,) = db.session.scalars(select(Corrigendum)).all()
    assert corrigendum.question_id == question.id
    assert (corrigendum.previous_deadline, corrigendum.new_deadline) == (before, call.deadline)
    (stands,) = _mail_to(app, bidder, "Corrigendum")
    assert "offer stands" in stands and when(call.deadline) in stands
    (asked,) = _mail_to(app, asker, "Corrigendum")
    assert "offer stands" not in asked
    assert "call.corrigendum" in set(db.session.scalars(select(AuditEntry.action)))


def test_a_corrigendum_extends_by_at_least_the_minimum(
    app: Flask, client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, vendors=2)
    call = _call(world)
    bidder, silent = world.vendors
    make_offer(bidder, call)
    before = call.deadline
    earliest = before + dt.timedelta(days=services.min_extension_days())
    login(client, world.authority)
    too_soon = (earliest - dt.timedelta(days=1)).date().isoformat()
    response = client.post(
        f"/procurement/calls/{call.id}/corrigenda",
        data={"description": "The specification's annex 2 is replaced.", "deadline": too_soon},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert f"choose a deadline on or after {earliest.date().isoformat()}" in page
    db.session.refresh(call)
    assert call.deadline == before and db.session.scalars(select(Corrigendum)).all() == []
    response = client.post(
        f"/procurement/calls/{call.id}/corrigenda",
        data={"description": "The specification's annex 2 is replaced.", "deadline": ""},
        follow_redirects=True,
    )
    assert "CORRIGENDUM-" in response.get_data(as_text=True)
    db.session.refresh(call)
    assert call.deadline == earliest
    assert _mail_to(app, bidder, "Corrigendum") and not _mail_to(app, silent, "Corrigendum")
    later = services.publish_corrigendum(
        world.authority, call, "Annex 3 is added.", earliest + dt.timedelta(days=20)
    )
    db.session.commit()
    assert call.deadline == later.new_deadline == earliest + dt.timedelta(days=20)
    client.post("/logout")
    public = client.get(f"/procurement/public/calls/{call.id}").get_data(as_text=True)
    assert "annex 2 is replaced" in public and "Annex 3 is added" in public
    body: dict[str, Any] = client.get(f"/procurement/ocds/{call.ocid}.json").json  # type: ignore[assignment]
    amendments = body["releases"][-1]["tender"]["amendments"]
    assert [a["rationale"] for a in amendments] == [
        "The specification's annex 2 is replaced.",
        "Annex 3 is added.",
    ]
    assert body["releases"][-1]["tender"]["tenderPeriod"]["endDate"].startswith(
        call.deadline.date().isoformat()
    )
    release = ocds_schema.release_schema()
    ocds_schema.assert_valid(ocds_schema.package_validator(release), release, body)


def test_nothing_changes_after_the_deadline(create_user: Callable[..., User]) -> None:
    world = call_world(create_user, vendors=1)
    call = _call(world)
    question = services.ask_question(world.vendors[0], call, "What about spare parts?")
    db.session.commit()
    pass_deadline(call)
    deadline = call.deadline
    for attempt in (
        lambda: services.ask_question(world.vendors[0], call, "And now?"),
        lambda: services.answer_question(world.authority, question, "Too late."),
        lambda: services.publish_corrigendum(world.authority, call, "Too late."),
    ):
        with pytest.raises(RuleViolation, match="deadline for offers passed"):
            attempt()
        db.session.rollback()
    db.session.refresh(question)
    assert question.answered_at is None and call.deadline == deadline
    assert db.session.scalars(select(Corrigendum)).all() == []


def test_only_vendors_ask_and_only_the_authority_answers(create_user: Callable[..., User]) -> None:
    world = call_world(create_user, vendors=1)
    call = _call(world)
    with pytest.raises(AccessDenied):
        services.ask_question(world.buyers[0], call, "A buyer's question?")
    db.session.rollback()
    question = services.ask_question(world.vendors[0], call, "Delivery per buyer?")
    db.session.commit()
    with pytest.raises(AccessDenied):
        services.answer_question(world.vendors[0], question, "Answering myself.")
    db.session.rollback()
    services.answer_question(world.authority, question, "Yes, per buyer.")
    with pytest.raises(RuleViolation, match="already answered"):
        services.answer_question(world.authority, question, "Again.")
