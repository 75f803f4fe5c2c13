"""Criteria the authority defines itself: published with the call, scored by hand with a
reason, weighed in the award, and the award refused until every offer is scored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from procurement.calls import limits
from procurement.calls.legal.demo import opening_days
from procurement.calls.models import CallStatus, JointCall
from procurement.calls.scoring.models import OwnCriterion
from procurement.calls.scoring.services import own_criteria_of, score_own
from procurement.calls.services import awarding, lifecycle
from registry.database import db
from registry.dates import today
from registry.exceptions import RuleViolation
from registry.models import AuditEntry, User
from tests.procurement.calls.call_builders import (
    CallWorld,
    call_world,
    make_offer,
    pass_deadline,
)

Login = Callable[..., Any]
SUPPORT = "Support in French | 40 | Hotline and documentation in French"


def _form(**fields: str) -> dict[str, str]:
    deadline = today() + dt.timedelta(days=limits.min_offer_days() + 2)
    return {
        "title": "Video licences for three towns",
        "description": "Delivery within the year.",
        "deadline": deadline.isoformat(),
        "contract_months": "24",
        **fields,
    }


def _open_with_own(world: CallWorld, price: int, own: list[tuple[str, int, str]]) -> JointCall:
    call = lifecycle.open_call(
        world.authority,
        world.lot,
        "Joint call with criteria of its own",
        "Licences for every buyer of the lot.",
        limits.deadline_on(today() + dt.timedelta(days=opening_days(world.lot) + 1)),
        24,
        award_criteria={"price": price},
        own_criteria=own,
    )
    db.session.commit()
    return call


def test_own_criteria_are_published_and_their_weights_must_complete_100(
    client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user)
    login(client, world.authority)
    form = client.get(f"/procurement/lots/{world.lot.id}/call").get_data(as_text=True)
    assert "Criteria of your own (optional)" in form
    refused = client.post(
        f"/procurement/lots/{world.lot.id}/call",
        data=_form(weight_price="100", own_criteria=SUPPORT),
    ).get_data(as_text=True)
    assert "must add up to 100 %: lower the weight of the price" in refused
    badly_written = client.post(
        f"/procurement/lots/{world.lot.id}/call",
        data=_form(weight_price="60", own_criteria="Support in French, forty percent"),
    ).get_data(as_text=True)
    assert "write a criterion as “name | weight in % | description”" in badly_written
    assert db.session.scalar(select(func.count(JointCall.id))) == 0
    response = client.post(
        f"/procurement/lots/{world.lot.id}/call",
        data=_form(weight_price="60", own_criteria=SUPPORT),
    )
    assert response.status_code == 302
    call = db.session.scalars(select(JointCall)).one()
    assert [(c.name, c.weight, c.description) for c in own_criteria_of(call)] == [
        ("Support in French", 40, "Hotline and documentation in French")
    ]
    for path in (f"/procurement/calls/{call.id}", f"/procurement/public/calls/{call.id}"):
        page = client.get(path).get_data(as_text=True)
        assert "Weighted criteria published with the call (1)" in page
        assert "Support in French" in page and "40 %" in page
        assert "Scored by the authority from 0 to 100" in page
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "call.own_award_criteria")
    ).one()
    assert "Support in French" in str(entry.data)


def test_the_award_waits_for_every_score_and_weighs_the_own_criterion(
    client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user)
    call = _open_with_own(world, 60, [("Support in French", 40, "Hotline in French")])
    cheap = make_offer(world.vendors[0], call, [(1, "900.00")])
    supported = make_offer(world.vendors[1], call, [(1, "950.00")])
    pass_deadline(call)
    with pytest.raises(RuleViolation, match="Score every offer on each criterion of your own"):
        awarding.award_call(world.authority, call)
    db.session.rollback()
    login(client, world.authority)
    page = client.get(f"/procurement/calls/{call.id}/scores").get_data(as_text=True)
    assert "Scores on Support in French" in page and "Not scored" in page
    criterion = db.session.scalars(select(OwnCriterion)).one()
    missing_reason = client.post(
        f"/procurement/calls/{call.id}/offers/{cheap.id}/criteria/{criterion.id}/score",
        data={"score": "10", "reason": ""},
    )
    assert missing_reason.status_code == 400
    assert "Say why the offer gets this score." in missing_reason.get_data(as_text=True)
    too_high = client.post(
        f"/procurement/calls/{call.id}/offers/{cheap.id}/criteria/{criterion.id}/score",
        data={"score": "101", "reason": "x"},
    )
    assert too_high.status_code == 400
    for offer, score, reason in (
        (cheap, "10", "English only."),
        (supported, "100", "Hotline and manuals in French."),
    ):
        done = client.post(
            f"/procurement/calls/{call.id}/offers/{offer.id}/criteria/{criterion.id}/score",
            data={"score": score, "reason": reason},
        )
        assert done.status_code == 302
    page = client.get(f"/procurement/calls/{call.id}/scores").get_data(as_text=True)
    assert "Hotline and manuals in French." in page
    stored = db.session.get(JointCall, call.id)
    assert stored is not None
    awarding.award_call(world.authority, stored)
    db.session.commit()
    awarded = db.session.get(JointCall, call.id)
    assert awarded is not None and awarded.status is CallStatus.AWARDED and awarded.award
    # Price 60 %: 60 × 900/950 = 56.84 + 40 × 1.00 = 96.84 beats 60 + 4 = 64.
    assert awarded.award.offer_id == supported.id
    assert "Price 60 %, Support in French 40 %" in awarded.award.rationale
    assert f"{supported.reference}: price 94.74, Support in French 100.00, weighted 96.84" in (
        awarded.award.rationale
    )
    public = client.get(f"/procurement/public/calls/{call.id}").get_data(as_text=True)
    assert "Scores of the offers at the award (2)" in public and "96.84" in public
    with pytest.raises(RuleViolation, match="scores are final"):
        score_own(world.authority, awarded, cheap, criterion, 50, "Later thought.")
    assert (
        db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "call.own_score")
        )
        == 2
    )
