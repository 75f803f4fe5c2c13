"""Aggregation rounds end to end: needs of three buyers → a lot → confirmations → frozen."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from procurement.aggregation.parameters import AggregationParameters
from procurement.models import AggregationRound, Lot, LotStatus, Need, NeedStatus
from procurement.services.confirmation import (
    confirm_membership,
    decline_membership,
    freeze_lot,
    request_confirmation,
)
from procurement.services.rounds import (
    lots_in,
    parameters_from_dict,
    parameters_to_dict,
    run_aggregation,
)
from registry.database import db
from registry.dates import today
from registry.models import AuditEntry, OrganisationKind, User
from tests.procurement.need_builders import certified_market, open_need


def _market(create_user: Callable[..., User]) -> tuple[User, list[User]]:
    authority = create_user(kind=OrganisationKind.AUTHORITY)
    vendors = [create_user(kind=OrganisationKind.VENDOR) for _ in range(2)]
    certified_market(authority, vendors)
    buyers = [create_user(kind=OrganisationKind.BUYER) for _ in range(3)]
    for index, buyer in enumerate(buyers):
        open_need(buyer, norm_code="TEST-NORM", min_level_rank=1, firm_quantity=10 + 10 * index)
    return authority, buyers


def test_three_buyers_pool_confirm_and_freeze_through_the_pages(
    app: Flask,
    client: FlaskClient,
    login: Callable[..., Any],
    create_user: Callable[..., User],
) -> None:
    authority, buyers = _market(create_user)
    lonely = create_user(kind=OrganisationKind.BUYER)
    open_need(lonely, title="Drones", category="sensors-drones-robotics")
    login(client, authority)
    response = client.post(
        "/procurement/aggregation",
        data={
            "region_level": "2",
            "min_buyers": "2",
            "min_vendors": "2",
            "min_saving_percent": "5",
            "lot_value_cap": "",
            "beta": "-0.15",
            "procedure_days": "60",
            "lead_time_days": "30",
        },
    )
    assert response.status_code == 302
    page = client.get("/procurement/aggregation").get_data(as_text=True)
    assert "Too few certified solutions meet it" in page
    assert "too_few_vendors" not in page
    lot = db.session.scalars(select(Lot)).one()
    assert (lot.buyers, lot.firm_quantity, lot.maximum_quantity) == (3, 60, 75)
    assert lot.status is LotStatus.PROPOSED and lot.level_rank == 1
    assert 0 < lot.estimated_saving < 1
    assert client.get(f"/procurement/lots/{lot.id}").status_code == 200
    client.post(f"/procurement/lots/{lot.id}/request-confirmation")
    client.post("/logout")
    for buyer in buyers:
        login(client, buyer)
        member = next(m for m in lot.members if m.buyer_id == buyer.organisation_id)
        assert client.post(f"/procurement/memberships/{member.id}/confirm").status_code == 302
        client.post("/logout")
    db.session.expire_all()
    assert db.session.get(Lot, lot.id).status is LotStatus.CONFIRMED  # type: ignore[union-attr]
    login(client, authority)
    assert client.post(f"/procurement/lots/{lot.id}/freeze").status_code == 302
    db.session.expire_all()
    frozen = db.session.get(Lot, lot.id)
    assert frozen is not None and frozen.status is LotStatus.FROZEN


def test_another_buyer_cannot_answer_for_a_member(
    app: Flask, client: FlaskClient, login: Callable[..., Any], create_user: Callable[..., User]
) -> None:
    authority, buyers = _market(create_user)
    run_aggregation(authority, parameters_from_dict(_defaults()))
    db.session.commit()
    lot = db.session.scalars(select(Lot)).one()
    stranger = create_user(kind=OrganisationKind.BUYER)
    login(client, stranger)
    assert client.post(f"/procurement/memberships/{lot.members[0].id}/confirm").status_code == 404


def _defaults() -> dict[str, Any]:
    return parameters_to_dict(AggregationParameters(today=today(), min_vendors=2))


def test_a_decliner_is_released_and_the_figures_recomputed(
    app: Flask, create_user: Callable[..., User]
) -> None:
    authority, buyers = _market(create_user)
    run_aggregation(authority, parameters_from_dict(_defaults()))
    lot = db.session.scalars(select(Lot)).one()
    request_confirmation(authority, lot)
    members = {m.buyer_id: m for m in lot.members}
    decline_membership(buyers[2], members[buyers[2].organisation_id])
    confirm_membership(buyers[0], members[buyers[0].organisation_id])
    confirm_membership(buyers[1], members[buyers[1].organisation_id])
    assert lot.status is LotStatus.CONFIRMED
    freeze_lot(authority, lot)
    db.session.commit()
    assert (lot.buyers, lot.firm_quantity) == (2, 30)
    assert members[buyers[2].organisation_id].need.status is NeedStatus.OPEN


def test_a_rerun_replaces_proposed_lots_only(app: Flask, create_user: Callable[..., User]) -> None:
    authority, buyers = _market(create_user)
    run_aggregation(authority, parameters_from_dict(_defaults()))
    frozen = db.session.scalars(select(Lot)).one()
    request_confirmation(authority, frozen)
    for member in frozen.members:
        buyer = next(b for b in buyers if b.organisation_id == member.buyer_id)
        confirm_membership(buyer, member)
    freeze_lot(authority, frozen)
    more = [create_user(kind=OrganisationKind.BUYER) for _ in range(2)]
    for buyer in more:
        open_need(buyer, title="More", norm_code="TEST-NORM", min_level_rank=1)
    run_aggregation(authority, parameters_from_dict(_defaults()))
    proposed = lots_in(LotStatus.PROPOSED)
    assert len(proposed) == 1 and proposed[0].buyers == 2
    run_aggregation(authority, parameters_from_dict(_defaults()))
    db.session.commit()
    assert [lot.status for lot in db.session.scalars(select(Lot).order_by(Lot.id))] == [
        LotStatus.FROZEN,
        LotStatus.PROPOSED,
    ]
    pooled = db.session.scalars(select(Need).where(Need.status == NeedStatus.POOLED)).all()
    assert len(pooled) == 5


def test_the_command_runs_a_round(
    app: Flask, runner: FlaskCliRunner, create_user: Callable[..., User]
) -> None:
    _market(create_user)
    result = runner.invoke(args=["procurement", "aggregate", "--region-level", "1"])
    assert result.exit_code == 0, result.output
    assert "1 lot proposed with 3 needs" in result.output
    assert db.session.scalar(select(AggregationRound.run_by_id)) is None
    result = runner.invoke(args=["procurement", "aggregate", "--beta", "nan"])
    assert result.exit_code != 0


def test_a_rerun_keeps_an_unchanged_lot_its_number_and_its_pending_answers(
    app: Flask, create_user: Callable[..., User]
) -> None:
    authority, buyers = _market(create_user)
    run_aggregation(authority, parameters_from_dict(_defaults()))
    lot = db.session.scalars(select(Lot)).one()
    lot_id, reference = lot.id, lot.reference
    request_confirmation(authority, lot)
    first = next(m for m in lot.members if m.buyer_id == buyers[0].organisation_id)
    confirm_membership(buyers[0], first)
    db.session.commit()
    for _ in range(2):
        run_aggregation(authority, parameters_from_dict(_defaults()))
        db.session.commit()
    db.session.expire_all()
    kept = db.session.scalars(select(Lot)).one()
    assert (kept.id, kept.reference) == (lot_id, reference)
    assert kept.confirmation_requested_at is not None
    assert {m.buyer_id: m.answer for m in kept.members} == {
        buyers[0].organisation_id: "confirmed",
        buyers[1].organisation_id: "waiting",
        buyers[2].organisation_id: "waiting",
    }
    second = next(m for m in kept.members if m.buyer_id == buyers[1].organisation_id)
    confirm_membership(buyers[1], second)
    assert second.confirmed_at is not None


def test_a_rerun_that_changes_a_lots_needs_makes_a_new_lot(
    app: Flask, create_user: Callable[..., User]
) -> None:
    authority, _buyers = _market(create_user)
    run_aggregation(authority, parameters_from_dict(_defaults()))
    before = db.session.scalars(select(Lot)).one().id
    newcomer = create_user(kind=OrganisationKind.BUYER)
    open_need(newcomer, norm_code="TEST-NORM", min_level_rank=1)
    run_aggregation(authority, parameters_from_dict(_defaults()))
    db.session.commit()
    after = db.session.scalars(select(Lot)).one()
    assert after.id != before and after.buyers == 4
    assert after.confirmation_requested_at is None


def test_my_needs_says_what_waits_for_each_need(
    app: Flask,
    client: FlaskClient,
    login: Callable[..., Any],
    create_user: Callable[..., User],
) -> None:
    authority, buyers = _market(create_user)
    login(client, buyers[0])

    def next_step() -> str:
        page = client.get("/procurement/needs").get_data(as_text=True)
        assert "What happens next" in page
        return " ".join(page.split("What happens next", 2)[2].split())

    assert "Not yet grouped: it waits for the authority's next aggregation round." in next_step()
    run_aggregation(authority, parameters_from_dict(_defaults()))
    db.session.commit()
    lot = db.session.scalars(select(Lot)).one()
    waiting = next_step()
    assert f"In proposed lot {lot.reference}: the authority will ask you to confirm." in waiting
    assert "Confirm now" not in waiting
    request_confirmation(authority, lot)
    db.session.commit()
    asked = next_step()
    assert f"In lot {lot.reference}: the authority asks you to confirm." in asked
    member = next(m for m in lot.members if m.buyer_id == buyers[0].organisation_id)
    assert f"/procurement/memberships/{member.id}/confirm" in asked and "Confirm now" in asked
    assert client.post(f"/procurement/memberships/{member.id}/confirm").status_code == 302
    answered = next_step()
    assert f"You confirmed lot {lot.reference}: it waits for the other buyers' answers." in answered
    assert "Confirm now" not in answered


def test_a_kept_lot_whose_figures_change_asks_its_buyers_again(
    app: Flask, client: FlaskClient, login: Callable[..., Any], create_user: Callable[..., User]
) -> None:
    authority, buyers = _market(create_user)
    run_aggregation(authority, parameters_from_dict(_defaults()))
    lot = db.session.scalars(select(Lot)).one()
    request_confirmation(authority, lot)
    member = next(m for m in lot.members if m.buyer_id == buyers[0].organisation_id)
    confirm_membership(buyers[0], member)
    price = lot.estimated_unit_price
    db.session.commit()
    steeper = {**_defaults(), "beta": "-0.3"}
    run_aggregation(authority, parameters_from_dict(steeper))
    db.session.commit()
    db.session.expire_all()
    kept = db.session.scalars(select(Lot)).one()
    assert kept.id == lot.id and kept.estimated_unit_price != price
    assert kept.confirmation_requested_at is not None
    assert {m.answer for m in kept.members} == {"waiting"}
    entry = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "aggregation.run")
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    ).one()
    recorded = json.loads(entry.data)
    assert recorded["kept_lots"] == recorded["answers_cleared_lots"] == [lot.id]
    login(client, buyers[0])
    assert "Confirm now" in client.get("/procurement/needs").get_data(as_text=True)
