"""Abnormally low prices (art. 69): the vendor is asked to explain, answers on its offer's page,
and the authority accepts the explanation or rejects the offer; the award waits for it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from procurement.calls.models import CallStatus, JointCall
from procurement.calls.scoring import low_price
from procurement.calls.scoring.models import LowPriceDecision
from procurement.calls.services import awarding
from registry.database import db
from registry.exceptions import RuleViolation
from registry.mail import read_outbox
from registry.models import AuditEntry, User
from tests.procurement.calls.call_builders import call_world, make_offer, open_call, pass_deadline

Login = Callable[..., Any]


def _awarded(call: JointCall) -> JointCall:
    stored = db.session.get(JointCall, call.id)
    assert stored is not None and stored.status is CallStatus.AWARDED and stored.award
    return stored


def test_a_rejected_explanation_removes_the_offer_from_the_ranking(
    app: Flask, client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user)
    call = open_call(world)
    dumping = make_offer(world.vendors[0], call, [(1, "300.00")])
    fair = make_offer(world.vendors[1], call, [(1, "900.00")])
    pass_deadline(call)
    login(client, world.authority)
    page = client.get(f"/procurement/calls/{call.id}/scores").get_data(as_text=True)
    assert "Abnormally low" in page and "Not asked" in page
    asked = client.post(
        f"/procurement/calls/{call.id}/offers/{dumping.id}/low-price/request",
        data={"question": "How does 300 EUR cover three years of updates?"},
    )
    assert asked.status_code == 302
    mails = [m for m in read_outbox(app.config["OUTBOX_DIR"]) if "explain the price" in m.subject]
    assert [m.to for m in mails] == [world.vendors[0].email]
    with pytest.raises(RuleViolation, match="explanation of an abnormally low price is pending"):
        awarding.award_call(world.authority, call)
    db.session.rollback()
    # Deciding before the vendor answered and before the due time is refused.
    early = client.post(
        f"/procurement/calls/{call.id}/offers/{dumping.id}/low-price/decide",
        data={"decision": "rejected", "reason": "No answer."},
    )
    assert early.status_code == 400
    assert "to explain its price; decide after its answer" in early.get_data(as_text=True)
    # The vendor answers from its offer page.
    client.post("/logout")
    login(client, world.vendors[0])
    offer_page = client.get(f"/procurement/calls/{call.id}/offers/{dumping.id}")
    assert "The authority asks you to explain this offer's price" in offer_page.get_data(
        as_text=True
    )
    answered = client.post(
        f"/procurement/calls/{call.id}/offers/{dumping.id}/low-price/answer",
        data={"answer": "A launch price, below our costs."},
    )
    assert answered.status_code == 302
    again = client.post(
        f"/procurement/calls/{call.id}/offers/{dumping.id}/low-price/answer",
        data={"answer": "More."},
    )
    assert again.status_code == 400
    # Another vendor cannot see the request.
    client.post("/logout")
    login(client, world.vendors[1])
    hidden = client.get(f"/procurement/calls/{call.id}/offers/{dumping.id}/low-price")
    assert hidden.status_code in (403, 404)
    client.post("/logout")
    login(client, world.authority)
    decided = client.post(
        f"/procurement/calls/{call.id}/offers/{dumping.id}/low-price/decide",
        data={"decision": "rejected", "reason": "Below cost: support cannot be delivered."},
    )
    assert decided.status_code == 302
    stored = db.session.get(JointCall, call.id)
    assert stored is not None
    # The provisional winner (asked for evidence before the award) is the award's winner too.
    provisional = awarding.provisional_winner(stored)
    assert provisional is not None and provisional.id == fair.id
    awarding.award_call(world.authority, stored)
    db.session.commit()
    awarded = _awarded(call)
    assert awarded.award is not None and awarded.award.offer_id == fair.id
    assert f"{dumping.reference}: rejected as abnormally low" in awarded.award.rationale
    actions = set(
        db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("offer.low_price%"))
        )
    )
    assert actions == {
        "offer.low_price_request",
        "offer.low_price_answer",
        "offer.low_price_decision",
    }
    outbox = read_outbox(app.config["OUTBOX_DIR"])
    decisions = [m for m in outbox if "decision on the price" in m.subject]
    assert [m.to for m in decisions] == [world.vendors[0].email]
    assert "rejected as abnormally low" in decisions[0].body
    letters = [m for m in outbox if "Award letter" in m.subject and m.to == world.vendors[0].email]
    assert letters and "rejected as abnormally low" in letters[0].body


def test_an_accepted_explanation_keeps_the_offer_and_it_can_win(
    create_user: Callable[..., User],
) -> None:
    world = call_world(create_user)
    call = open_call(world)
    low = make_offer(world.vendors[0], call, [(1, "300.00")])
    make_offer(world.vendors[1], call, [(1, "900.00")])
    pass_deadline(call)
    low_price.request_explanation(world.authority, low, "Explain the price.")
    low_price.answer_request(world.vendors[0], low, "Our costs are covered by a grant.")
    low_price.decide_request(
        world.authority, low, LowPriceDecision.ACCEPTED, "The grant is documented."
    )
    with pytest.raises(RuleViolation, match="already taken"):
        low_price.decide_request(world.authority, low, "rejected", "Changed my mind.")
    awarding.award_call(world.authority, call)
    db.session.commit()
    awarded = _awarded(call)
    assert awarded.award is not None and awarded.award.offer_id == low.id
    with pytest.raises(RuleViolation, match="already awarded"):
        low_price.request_explanation(world.authority, low, "Explain again.")
