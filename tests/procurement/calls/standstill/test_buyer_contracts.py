"""The buyer's contracts page: what awaits its signature (with the standstill's end and a link
to sign) and what is signed (with a link to order), each with an empty state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from procurement.calls.services import awarding
from procurement.calls.standstill import services
from registry.database import db
from registry.models import User
from tests.procurement.calls.call_builders import (
    call_world,
    make_offer,
    open_call,
    pass_deadline,
    pass_standstill,
    sign_contracts,
)

Login = Callable[..., Any]


def test_the_buyer_sees_its_contracts_to_sign_then_to_order_under(
    client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, buyers=2, vendors=2, outsiders=0)
    buyer = world.buyers[0]
    login(client, buyer)
    empty = client.get("/procurement/contracts")
    assert empty.status_code == 200
    text = empty.get_data(as_text=True)
    assert "No contract awaits your signature" in text and "No signed contract yet" in text
    assert "/procurement/contracts" in client.get("/dashboard").get_data(as_text=True)

    call = open_call(world)
    make_offer(world.vendors[0], call, [(1, "800.00")], lead=20)
    make_offer(world.vendors[1], call, [(1, "900.00")], lead=45)
    pass_deadline(call)
    awarding.award_call(world.authority, call)
    db.session.commit()
    assert call.award is not None and call.award.standstill_ends_at is not None
    (line,) = [item for item in call.award.lines if item.buyer_id == buyer.organisation_id]
    others = [item for item in call.award.lines if item.buyer_id != buyer.organisation_id]

    # In the standstill: listed with its end, not yet signable.
    text = client.get("/procurement/contracts").get_data(as_text=True)
    assert line.reference in text and all(other.reference not in text for other in others)
    assert services.local_time(call.award.standstill_ends_at) in text
    assert "The standstill runs until" in text
    assert f"/procurement/contracts/{line.id}/sign" not in text

    pass_standstill(call)
    text = client.get("/procurement/contracts").get_data(as_text=True)
    assert f"/procurement/contracts/{line.id}/sign" in text

    sign_contracts(call)
    text = client.get("/procurement/contracts").get_data(as_text=True)
    assert "No contract awaits your signature" in text
    assert f"/procurement/contracts/{line.id}/orders" in text and "Mayor" in text
