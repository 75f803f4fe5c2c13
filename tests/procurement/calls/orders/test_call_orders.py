"""Orders (call-offs) under an awarded framework: who may order, how much, when, and who sees."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from procurement.calls.models import ContractLine
from procurement.calls.orders import services
from procurement.calls.orders.models import CallOrder
from registry.database import db
from registry.exceptions import NotVisible, RuleViolation
from registry.mail import read_outbox
from registry.models import AuditEntry, User
from tests.procurement.calls.orders.order_builders import framework, sign

Login = Callable[..., Any]


def _orders(line: ContractLine) -> list[CallOrder]:
    return list(db.session.scalars(select(CallOrder).where(CallOrder.line_id == line.id)))


def test_a_buyer_orders_its_firm_then_optional_quantity_up_to_its_maximum(
    app: Flask, create_user: Callable[..., User]
) -> None:
    world = framework(create_user)
    line = world.lines[0]  # firm 10, maximum 15
    buyer = world.buyer_of(line)
    first = services.place_order(buyer, line, 8)
    db.session.commit()
    second = services.place_order(buyer, line, 4)
    db.session.commit()
    assert (first.reference, first.optional_quantity) == (f"ORDER-{first.id:05d}", 0)
    assert second.optional_quantity == 2  # 8 + 4 = 12: two units beyond the firm 10
    assert second.value == line.unit_price * 4
    with pytest.raises(RuleViolation, match="3 units remain to be ordered"):
        services.place_order(buyer, line, 4)
    db.session.rollback()
    third = services.place_order(buyer, line, 3)
    db.session.commit()
    assert third.optional_quantity == 3
    assert db.session.get(ContractLine, line.id).ordered_quantity == 15  # type: ignore[union-attr]
    with pytest.raises(RuleViolation, match="0 units remain"):
        services.place_order(buyer, line, 1)


def test_orders_are_refused_before_signature_and_outside_the_framework_period(
    create_user: Callable[..., User],
) -> None:
    world = framework(create_user, signed=False)
    line = world.lines[0]
    buyer = world.buyer_of(line)
    with pytest.raises(RuleViolation, match="is not signed yet"):
        services.place_order(buyer, line, 1)
    sign([line])
    start, end = world.award.contract_start, world.award.contract_end
    before = dt.datetime.combine(start, dt.time(12), tzinfo=dt.UTC) - dt.timedelta(days=1)
    after = dt.datetime.combine(end, dt.time(12), tzinfo=dt.UTC) + dt.timedelta(days=1)
    with pytest.raises(RuleViolation, match=f"orders can be placed from {start}"):
        services.place_order(buyer, line, 1, now=before)
    with pytest.raises(RuleViolation, match=f"ended on {end}"):
        services.place_order(buyer, line, 1, now=after)
    last_day = dt.datetime.combine(end, dt.time(23, 59), tzinfo=dt.UTC)
    assert services.place_order(buyer, line, 1, now=last_day).quantity == 1
    db.session.commit()
    assert [o.quantity for o in _orders(line)] == [1]


def test_only_the_lines_buyer_orders_and_others_do_not_see_its_orders(
    create_user: Callable[..., User],
) -> None:
    world = framework(create_user)
    line, other_line = world.lines
    other_buyer = world.buyer_of(other_line)
    with pytest.raises(NotVisible):
        services.place_order(other_buyer, line, 1)
    order = services.place_order(world.buyer_of(line), line, 2)
    db.session.commit()
    vendor, loser = world.world.vendors
    assert services.get_order(vendor, order.id) is order
    assert services.get_order(world.world.authority, order.id) is order
    for stranger in (other_buyer, loser):
        with pytest.raises(NotVisible):
            services.get_order(stranger, order.id)


def test_the_database_not_the_loaded_line_decides_what_remains(
    create_user: Callable[..., User],
) -> None:
    """An order placed at the same moment by another request has already raised the total:
    the conditional update sees it although this request's line object does not."""
    world = framework(create_user)
    line = world.lines[0]  # maximum 15
    buyer = world.buyer_of(line)
    assert line.ordered_quantity == 0
    db.session.execute(
        update(ContractLine)
        .where(ContractLine.id == line.id)
        .values(ordered_quantity=12)
        .execution_options(synchronize_session=False)
    )
    assert line.ordered_quantity == 0  # the loaded object is stale
    with pytest.raises(RuleViolation, match="3 units remain"):
        services.place_order(buyer, line, 5)
    db.session.rollback()
    assert _orders(line) == []


def test_an_order_is_audited_and_mailed_to_the_vendor(
    app: Flask, create_user: Callable[..., User]
) -> None:
    world = framework(create_user)
    line = world.lines[1]
    order = services.place_order(world.buyer_of(line), line, 25, "Deliver to the town hall.")
    db.session.commit()
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "call.order").order_by(AuditEntry.seq)
    ).one()
    assert entry.summary == f"{order.reference} of 25 units on {line.reference}"
    mails = [m for m in read_outbox(app.config["OUTBOX_DIR"]) if order.reference in m.subject]
    vendor = world.world.vendors[0]
    assert {m.to for m in mails} == {vendor.email}
    assert "5 of them from the optional quantity" in mails[0].body
    assert "Deliver to the town hall." in mails[0].body


def test_pages_list_orders_for_buyer_vendor_and_authority_and_the_form_refuses_clearly(
    app: Flask, client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world = framework(create_user)
    line = world.lines[0]
    buyer = world.buyer_of(line)
    login(client, buyer)
    page = client.get(f"/procurement/contracts/{line.id}/orders")
    assert page.status_code == 200
    assert "No order has been placed on this contract yet." in page.text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    assert token is not None
    refused = client.post(
        f"/procurement/contracts/{line.id}/orders",
        data={"csrf_token": token[1], "quantity": "16", "note": ""},
    )
    assert refused.status_code == 400
    assert "15 units remain to be ordered" in refused.text
    placed = client.post(
        f"/procurement/contracts/{line.id}/orders",
        data={"csrf_token": token[1], "quantity": "11", "note": ""},
    )
    assert placed.status_code == 302
    order = _orders(line)[0]
    assert placed.headers["Location"].endswith(f"/procurement/orders/{order.id}")
    shown = client.get(f"/procurement/orders/{order.id}")
    assert "of which 1 from the optional quantity" in shown.text
    call_page = client.get(f"/procurement/calls/{world.award.call_id}")
    assert "11 of 15" in call_page.text
    for reader in (world.world.vendors[0], world.world.authority):
        other_client = app.test_client()
        login(other_client, reader)
        listing = other_client.get(f"/procurement/contracts/{line.id}/orders")
        assert listing.status_code == 200 and order.reference in listing.text
        assert "Place an order" not in listing.text
    stranger_client = app.test_client()
    login(stranger_client, world.world.vendors[1])
    assert stranger_client.get(f"/procurement/orders/{order.id}").status_code == 404


ATTEMPT = st.tuples(st.integers(0, 2), st.integers(-2, 40))


def _reset(ids: list[int]) -> None:
    """Back to no order on the lines, between two examples on the same framework."""
    for order in db.session.scalars(select(CallOrder).where(CallOrder.line_id.in_(ids))):
        db.session.delete(order)
    db.session.execute(
        update(ContractLine).where(ContractLine.id.in_(ids)).values(ordered_quantity=0)
    )
    db.session.commit()


def _state(line_id: int) -> tuple[int, int]:
    line = db.session.get(ContractLine, line_id)
    assert line is not None
    return line.ordered_quantity, db.session.scalar(select(func.count(CallOrder.id))) or 0


def test_no_sequence_of_orders_exceeds_a_buyers_maximum_and_refusals_change_nothing(
    create_user: Callable[..., User],
) -> None:
    world = framework(create_user, buyers=3)
    ids = [line.id for line in world.lines]
    buyers = [world.buyer_of(line) for line in world.lines]

    @settings(max_examples=40, deadline=None)
    @given(attempts=st.lists(ATTEMPT, max_size=12))
    def orders_never_exceed(attempts: list[tuple[int, int]]) -> None:
        _reset(ids)
        for index, quantity in attempts:
            line = db.session.get(ContractLine, ids[index])
            assert line is not None
            before = _state(line.id)
            fits = 0 < quantity <= line.maximum_quantity - line.ordered_quantity
            try:
                services.place_order(buyers[index], line, quantity)
            except RuleViolation:
                db.session.rollback()
                assert not fits
                assert _state(ids[index]) == before
            else:
                db.session.commit()
                assert fits
        for line_id in ids:
            line = db.session.get(ContractLine, line_id)
            assert line is not None
            ordered = sum(order.quantity for order in _orders(line))
            assert ordered == line.ordered_quantity <= line.maximum_quantity
            optional = sum(order.optional_quantity for order in _orders(line))
            assert optional == max(0, ordered - line.quantity)

    orders_never_exceed()


def test_orders_posted_at_the_same_moment_never_exceed_the_maximum_together(
    app: Flask, login: Login, create_user: Callable[..., User]
) -> None:
    world = framework(create_user)
    line = world.lines[0]  # maximum 15: one order of 10 fits, a second does not
    buyer = world.buyer_of(line)
    path = f"/procurement/contracts/{line.id}/orders"
    prepared = []
    for _ in range(4):
        client = app.test_client()
        login(client, buyer)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).text)
        assert token is not None
        prepared.append((client, token[1]))
    line_id = line.id
    db.session.commit()  # this test's own read transaction must not hold SQLite's lock
    start = threading.Barrier(len(prepared))
    statuses: list[int] = []

    def post(client: FlaskClient, token: str) -> None:
        start.wait()
        response = client.post(path, data={"csrf_token": token, "quantity": "10", "note": ""})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=post, args=pair) for pair in prepared]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [302, 400, 400, 400]
    stored = db.session.get(ContractLine, line_id)
    assert stored is not None and stored.ordered_quantity == 10
    assert [order.quantity for order in _orders(stored)] == [10]
