"""A call opened with weighted criteria is awarded on them, and the award shows every score."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from procurement.calls.models import CallStatus, JointCall
from procurement.calls.scoring.models import AwardCriterion
from procurement.calls.scoring.rules import CriterionKind
from procurement.calls.scoring.services import criteria_of, scores_of
from procurement.calls.services import awarding
from registry.database import db
from registry.exceptions import RuleViolation
from registry.models import User
from tests.procurement.calls.call_builders import (
    call_world,
    make_offer,
    open_call,
    pass_deadline,
)

WEIGHTS: dict[str, int | None] = {"price": 50, "lead_time": 50, "quality": None}


def _awarded(call: JointCall) -> JointCall:
    stored = db.session.get(JointCall, call.id)
    assert stored is not None and stored.status is CallStatus.AWARDED and stored.award
    return stored


def test_a_faster_delivery_wins_over_a_lower_price_when_lead_time_weighs_half(
    create_user: Callable[..., User],
) -> None:
    world = call_world(create_user)
    call = open_call(world, award_criteria=WEIGHTS)
    assert [(c.kind, c.weight) for c in criteria_of(call)] == [
        (CriterionKind.PRICE, 50),
        (CriterionKind.LEAD_TIME, 50),
    ]
    cheap_but_late = make_offer(world.vendors[0], call, [(1, "900.00")], lead=730)
    fast = make_offer(world.vendors[1], call, [(1, "950.00")], lead=1)
    pass_deadline(call)
    awarding.award_call(world.authority, call)
    db.session.commit()
    awarded = _awarded(call)
    assert awarded.award is not None and awarded.award.offer_id == fast.id
    ranked = scores_of(awarded.award)
    assert [(rank, offer_id) for rank, offer_id, _, _ in ranked] == [
        (1, fast.id),
        (2, cheap_but_late.id),
    ]
    assert ranked[1][3][CriterionKind.LEAD_TIME] == 0
    assert ranked[1][3][CriterionKind.PRICE] == 100
    rationale = awarded.award.rationale
    assert "Price 50 %, Lead time 50 %" in rationale
    assert f"{fast.reference}: price 94.74, lead time 100.00, weighted 97.37" in rationale
    assert "Ties go to the lower final unit price" in rationale


def test_without_criteria_the_lowest_price_wins_as_before(
    create_user: Callable[..., User],
) -> None:
    world = call_world(create_user)
    call = open_call(world)
    assert criteria_of(call) == []
    cheap = make_offer(world.vendors[0], call, [(1, "900.00")], lead=730)
    make_offer(world.vendors[1], call, [(1, "950.00")], lead=1)
    pass_deadline(call)
    awarding.award_call(world.authority, call)
    db.session.commit()
    awarded = _awarded(call)
    assert awarded.award is not None and awarded.award.offer_id == cheap.id
    assert scores_of(awarded.award) == []
    assert "lowest final unit price" in awarded.award.rationale


def test_weights_that_do_not_add_up_to_100_are_refused(
    create_user: Callable[..., User],
) -> None:
    world = call_world(create_user)
    with pytest.raises(RuleViolation, match="add up to 100"):
        open_call(world, award_criteria={"price": 60, "quality": 30})
    db.session.rollback()
    assert db.session.scalars(select(AwardCriterion)).all() == []


def test_a_single_offer_and_an_abnormally_low_price_are_flagged_in_the_award(
    create_user: Callable[..., User],
) -> None:
    world = call_world(create_user)
    call = open_call(world)
    estimate = world.lot.estimated_unit_price
    low = (estimate / 2).quantize(estimate)
    make_offer(world.vendors[0], call, [(1, str(low))])
    pass_deadline(call)
    awarding.award_call(world.authority, call)
    db.session.commit()
    awarded = _awarded(call)
    assert awarded.award is not None
    assert "Single offer: only one compliant offer was received." in awarded.award.rationale
    assert "is abnormally low" in awarded.award.rationale
