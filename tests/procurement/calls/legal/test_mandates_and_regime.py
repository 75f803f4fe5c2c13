"""The legal frame of a joint call: buyers' mandates, the regime by value, the notice.

Worlds come from call_builders (whose frozen lots carry every buyer's mandate); the clock is the
call's deadline.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from procurement.calls import limits
from procurement.calls.legal import regime, services
from procurement.calls.legal.models import LegalBasis, Mandate, Regime
from procurement.calls.legal.services import MandateTerms
from procurement.calls.models import ContractLine
from procurement.calls.services import awarding, lifecycle
from procurement.models import Lot, LotMember, LotStatus
from registry.database import db
from registry.dates import today
from registry.exceptions import NotVisible, RuleViolation
from registry.models import AuditEntry, OrganisationKind, User
from tests.procurement.calls.call_builders import (
    CallWorld,
    call_world,
    make_offer,
    open_call,
    pass_deadline,
)

Login = Callable[..., Any]


def _member(world: CallWorld, buyer: User) -> LotMember:
    return next(m for m in world.lot.active_members if m.buyer_id == buyer.organisation_id)


def _open(world: CallWorld, days: int, **options: Any) -> Any:
    return lifecycle.open_call(
        world.authority,
        world.lot,
        "Joint call",
        "",
        limits.deadline_on(today() + dt.timedelta(days=days)),
        24,
        **options,
    )


def _actions(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


# --- mandates -------------------------------------------------------------------------------


def test_a_call_opens_only_when_every_buyer_has_signed_its_mandate(
    app: Flask, client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, buyers=2, vendors=1, outsiders=0)
    missing = world.buyers[1]
    member = _member(world, missing)
    services.withdraw_mandate(missing, member)
    db.session.commit()
    assert len(_actions("lot.mandate_withdraw")) == 1

    # The authority sees who lacks a mandate on the lot page, and opening names that buyer.
    login(client, world.authority)
    lot_page = client.get(f"/procurement/lots/{world.lot.id}").get_data(as_text=True)
    assert "Missing" in lot_page and "Signed" in lot_page
    with pytest.raises(RuleViolation) as refused:
        _open(world, limits.min_offer_days() + 1)
    assert missing.organisation.name in refused.value.message
    assert world.buyers[0].organisation.name not in refused.value.message
    db.session.rollback()

    # The buyer signs again from its own need page: a form, not a click.
    client = app.test_client()
    login(client, missing)
    need_page = client.get(f"/procurement/needs/{member.need_id}").get_data(as_text=True)
    assert "no mandate signed yet" in need_page
    path = f"/procurement/lots/{world.lot.id}/mandates/{member.id}"
    assert "Name of the signatory" in client.get(path).get_data(as_text=True)
    form = {
        "signatory_name": "Anne Le Gall",
        "signatory_capacity": "Mayor",
        "firm_quantity": "5",
        "maximum_quantity": "8",
    }
    unsigned = client.post(path, data=form)
    assert unsigned.status_code == 200
    assert "Confirm that the signatory signed the mandate." in unsigned.get_data(as_text=True)
    assert client.post(path, data={**form, "signed": "y"}).status_code == 302
    mandate = db.session.scalars(select(Mandate).where(Mandate.member_id == member.id)).one()
    assert (mandate.signatory_name, mandate.signatory_capacity) == ("Anne Le Gall", "Mayor")
    assert (mandate.firm_quantity, mandate.maximum_quantity) == (5, 8)
    assert mandate.signed_by_id == missing.id and mandate.withdrawn_at is None

    call = _open(world, limits.min_offer_days() + 1, legal_basis=LegalBasis.JOINT_PROCUREMENT)
    db.session.commit()
    assert call.legal_basis is LegalBasis.JOINT_PROCUREMENT
    opened = json.loads(_actions("call.open")[0].data or "{}")
    assert opened["legal_basis"] == "joint_procurement"
    assert mandate.id in opened["mandates"]

    # From then on the mandate binds.
    with pytest.raises(RuleViolation, match="only until a call was opened"):
        services.withdraw_mandate(missing, member)


def test_a_mandate_covers_at_most_the_buyers_need(
    app: Flask, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, buyers=2, vendors=1, outsiders=0)
    buyer = world.buyers[0]
    member = _member(world, buyer)
    need = member.need
    with pytest.raises(RuleViolation, match="firm quantity of a mandate") as too_many:
        services.sign_mandate(
            buyer,
            member,
            MandateTerms("A", "Mayor", need.firm_quantity + 1, need.firm_quantity + 1),
        )
    assert too_many.value.field == "firm_quantity"
    with pytest.raises(RuleViolation) as beyond:
        services.sign_mandate(
            buyer, member, MandateTerms("A", "Mayor", 1, need.maximum_quantity + 1)
        )
    assert beyond.value.field == "maximum_quantity"
    with pytest.raises(RuleViolation) as unnamed:
        services.sign_mandate(buyer, member, MandateTerms(" ", "Mayor", 1, 1))
    assert unnamed.value.field == "signatory_name"
    # Another buyer cannot sign for this one.
    other = create_user(kind=OrganisationKind.BUYER)
    with pytest.raises(NotVisible):
        services.sign_mandate(other, member, MandateTerms("B", "Mayor", 1, 1))


def test_the_award_contracts_only_the_mandated_quantities(
    app: Flask, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, buyers=2, vendors=1, outsiders=0, quantities=[10, 20])
    buyer = world.buyers[1]
    member = _member(world, buyer)
    services.sign_mandate(buyer, member, MandateTerms("Paul Riou", "Mayor", 12, 15))
    db.session.commit()
    call = open_call(world)
    make_offer(world.vendors[0], call)
    pass_deadline(call)
    awarding.award_call(world.authority, call)
    db.session.commit()
    line = db.session.scalars(
        select(ContractLine).where(ContractLine.buyer_id == buyer.organisation_id)
    ).one()
    assert (line.quantity, line.maximum_quantity) == (12, 15)
    assert call.award is not None and call.award.quantity == 10 + 12


# --- regime by value ------------------------------------------------------------------------


def test_above_the_threshold_the_open_procedure_needs_its_offer_period(
    app: Flask, client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, buyers=2, vendors=1, outsiders=0)
    value = regime.lot_value(world.lot)
    app.config["EU_THRESHOLD_SUB_CENTRAL"] = int(value)  # the lot's value reaches it
    with pytest.raises(RuleViolation) as refused:
        _open(world, limits.min_offer_days() + 1)
    assert refused.value.field == "deadline"
    assert "at least 30 days" in refused.value.message
    db.session.rollback()
    call = _open(world, 31)
    db.session.commit()
    assert call.regime is Regime.EU_OPEN
    assert call.estimated_value == value == call.round_need_value

    client = app.test_client()
    login(client, world.buyers[0])
    page = client.get(f"/procurement/calls/{call.id}").get_data(as_text=True)
    assert "open procedure" in page
    assert "Europe/Paris (CE" in page
    assert "Tribunal administratif de Paris" in page
    assert "48730000" in page or "35120000" in page


def test_below_the_threshold_the_general_offer_period_applies(
    app: Flask, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, buyers=2, vendors=1, outsiders=0)
    call = _open(world, limits.min_offer_days() + 1)
    assert call.regime is Regime.BELOW_THRESHOLD
    assert call.legal_basis is LegalBasis.CENTRAL_PURCHASING


def test_splitting_a_need_into_lots_of_one_round_does_not_dodge_the_threshold(
    app: Flask, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, buyers=2, vendors=1, outsiders=0)
    lot = world.lot
    value = regime.lot_value(lot)
    # A second lot of the same round for the same need, as a split by region would make.
    twin = Lot(
        round_id=lot.round_id,
        status=LotStatus.CANCELLED,
        category_id=lot.category_id,
        unit=lot.unit,
        currency=lot.currency,
        region_path="FR/53",
        norm_id=lot.norm_id,
        level_rank=lot.level_rank,
        buyers=1,
        firm_quantity=lot.firm_quantity,
        maximum_quantity=lot.maximum_quantity,
        total_budget=lot.total_budget,
        maximum_budget=lot.maximum_budget,
        estimated_unit_price=lot.estimated_unit_price,
        estimated_saving=lot.estimated_saving,
        earliest_need_by=lot.earliest_need_by,
    )
    db.session.add(twin)
    db.session.commit()
    # Each lot alone stays below the threshold; together they reach it.
    app.config["EU_THRESHOLD_SUB_CENTRAL"] = int(value + 1)
    with pytest.raises(RuleViolation, match="with the other lots of its round"):
        _open(world, limits.min_offer_days() + 1)
    db.session.rollback()
    call = _open(world, 31)
    assert call.regime is Regime.EU_OPEN
    assert call.round_need_value == 2 * value


def test_a_central_authority_has_the_lower_threshold(app: Flask) -> None:
    with app.app_context():
        app.config["CONTRACTING_AUTHORITY_LEVEL"] = "central"
        assert regime.threshold() == Decimal("140000")
        app.config["CONTRACTING_AUTHORITY_LEVEL"] = "sub_central"
        assert regime.threshold() == Decimal("216000")


@given(
    quantities=st.lists(st.integers(1, 5_000), min_size=1, max_size=12),
    cents=st.integers(1, 500_000),
    assignment=st.lists(st.integers(0, 11), min_size=12, max_size=12),
    limit=st.integers(1, 10_000_000),
)
def test_no_split_of_a_need_puts_a_lot_below_a_threshold_its_total_reaches(
    quantities: list[int], cents: int, assignment: list[int], limit: int
) -> None:
    price = Decimal(cents) / 100
    lots: dict[int, int] = {}
    for index, quantity in enumerate(quantities):
        lots[assignment[index]] = lots.get(assignment[index], 0) + quantity
    values = [Decimal(quantity) * price for quantity in lots.values()]
    threshold = Decimal(limit)
    regimes = regime.split_regimes(values, threshold)
    total = Decimal(sum(quantities)) * price
    assert len(regimes) == len(values)
    if total >= threshold:
        assert set(regimes) == {Regime.EU_OPEN}
    else:
        assert set(regimes) == {Regime.BELOW_THRESHOLD}


# --- notice ---------------------------------------------------------------------------------


def test_cpv_codes_have_their_shape_and_a_configured_mapping_wins(app: Flask) -> None:
    with app.app_context():
        for codes in regime.DEFAULT_CPV_CODES.values():
            assert all(regime.valid_cpv(code) for code in codes)
        assert not regime.valid_cpv("3512530") and not regime.valid_cpv("ABCDEFGH")
        app.config["CPV_CODES"] = {"cybersecurity": ["72212730-5"], "video-analysis": "bad"}
        assert regime.cpv_codes("cybersecurity") == ("72212730-5",)
        assert regime.cpv_codes("video-analysis") == regime.DEFAULT_CPV_CODES["video-analysis"]


def test_local_times_carry_their_zone(app: Flask) -> None:
    with app.app_context():
        winter = dt.datetime(2027, 1, 15, 12, 0, tzinfo=dt.UTC)
        assert regime.local_stamp(winter) == "2027-01-15 13:00 Europe/Paris (CET, UTC+0100)"
        app.config["TIMEZONE"] = "America/Cayenne"
        assert regime.local_stamp(winter).startswith("2027-01-15 09:00 America/Cayenne")
