"""Weights set on the open-call form are published on the call pages, then the offers' scores."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from procurement.calls import limits
from procurement.calls.models import JointCall
from procurement.calls.scoring.rules import CriterionKind
from procurement.calls.scoring.services import criteria_of
from procurement.calls.services import awarding
from registry.database import db
from registry.dates import today
from registry.models import User
from tests.procurement.calls.call_builders import call_world, make_offer, pass_deadline

Login = Callable[..., Any]


def _form(**weights: str) -> dict[str, str]:
    deadline = today() + dt.timedelta(days=limits.min_offer_days() + 2)
    return {
        "title": "Video licences for three towns",
        "description": "Delivery within the year.",
        "deadline": deadline.isoformat(),
        "contract_months": "24",
        **weights,
    }


def test_weights_set_at_opening_are_published_and_the_scores_shown_after_the_award(
    client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user)
    login(client, world.authority)
    form = client.get(f"/procurement/lots/{world.lot.id}/call").get_data(as_text=True)
    assert "Weight of the quality (%)" in form
    refused = client.post(
        f"/procurement/lots/{world.lot.id}/call",
        data=_form(weight_price="70", weight_quality="20"),
    ).get_data(as_text=True)
    assert "must add up to 100 %" in refused
    assert db.session.scalar(select(func.count(JointCall.id))) == 0
    response = client.post(
        f"/procurement/lots/{world.lot.id}/call",
        data=_form(weight_price="70", weight_lead_time="10", weight_quality="20"),
    )
    assert response.status_code == 302
    call = db.session.scalars(select(JointCall)).one()
    assert [(c.kind, c.weight) for c in criteria_of(call)] == [
        (CriterionKind.PRICE, 70),
        (CriterionKind.LEAD_TIME, 10),
        (CriterionKind.QUALITY, 20),
    ]
    for path in (f"/procurement/calls/{call.id}", f"/procurement/public/calls/{call.id}"):
        page = client.get(path).get_data(as_text=True)
        assert "Weighted criteria published with the call (3)" in page
        assert "70 %" in page and "Ties go to the lower final unit price" in page
    offer = make_offer(world.vendors[0], call, [(1, "900.00")])
    pass_deadline(call)
    awarding.award_call(world.authority, call)
    db.session.commit()
    for path in (f"/procurement/calls/{call.id}", f"/procurement/public/calls/{call.id}"):
        page = client.get(path).get_data(as_text=True)
        assert "Scores of the offers at the award (1)" in page
        assert offer.reference in page
        assert "Single-offer award" in page


def test_a_call_without_weights_says_it_is_awarded_on_price_alone(
    client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user)
    login(client, world.authority)
    response = client.post(f"/procurement/lots/{world.lot.id}/call", data=_form())
    assert response.status_code == 302
    call = db.session.scalars(select(JointCall)).one()
    assert criteria_of(call) == []
    page = client.get(f"/procurement/public/calls/{call.id}").get_data(as_text=True)
    assert "Price alone (100 %)" in page
