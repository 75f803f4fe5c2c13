"""Joint-call eligibility follows a label's basis: a label due for re-certification, a
suspended vendor or an archived solution makes no vendor eligible, and the vendor is told why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from catalog.services import archive_solution
from procurement.calls.models import Offer
from procurement.calls.services.eligibility import (
    eligible_solutions,
    eligible_vendor_ids,
    ineligibility_reason,
)
from procurement.calls.services.offers import submit_offer
from procurement.services.eligibility import certified_labels
from registry.database import db
from registry.dates import today
from registry.exceptions import RuleViolation
from registry.models import Organisation, User
from registry.norms.services import withdraw_norm
from registry.services import approve_organisation, suspend_organisation
from tests.evaluations.labels.label_builders import supersede
from tests.procurement.calls.call_builders import call_world, offer_data, open_call, solution_of

Login = Callable[..., Any]


def test_a_label_due_for_recertification_does_not_make_a_vendor_eligible(
    client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, buyers=2, vendors=2, outsiders=0)
    call = open_call(world)
    vendor = world.vendors[0]
    assert vendor.organisation_id in eligible_vendor_ids(world.lot)
    supersede(world.version, today() - dt.timedelta(days=1))

    assert eligible_vendor_ids(world.lot) == set()
    assert eligible_solutions(vendor.organisation_id, world.lot) == []
    login(client, vendor)
    listing = client.get("/procurement/calls").get_data(as_text=True)
    assert "You cannot offer" in listing
    page = client.get(f"/procurement/calls/{call.id}").get_data(as_text=True)
    assert "is due for re-certification" in page
    assert "does not make a solution eligible for a joint call" in page
    assert "Make an offer" not in page
    with pytest.raises(RuleViolation, match="due for re-certification"):
        submit_offer(vendor, call, offer_data(vendor))
    db.session.rollback()
    assert db.session.scalar(select(func.count(Offer.id))) == 0
    # Buyers' needs are no longer met by it either (one query for certified labels).
    assert certified_labels([world.lot.category_id]) == []


def test_a_transition_date_still_ahead_keeps_the_vendor_eligible(
    create_user: Callable[..., User],
) -> None:
    world = call_world(create_user, buyers=2, vendors=1, outsiders=0)
    supersede(world.version, today() + dt.timedelta(days=10))
    assert eligible_vendor_ids(world.lot) == {world.vendors[0].organisation_id}


def test_a_withdrawn_norm_makes_no_vendor_eligible(create_user: Callable[..., User]) -> None:
    world = call_world(create_user, buyers=2, vendors=2, outsiders=0)
    withdraw_norm(world.authority, world.version.norm, "Superseded by law.")
    db.session.commit()
    assert eligible_vendor_ids(world.lot) == set()
    reason = ineligibility_reason(world.vendors[0].organisation_id, world.lot)
    assert "due for re-certification" in reason


def test_a_suspended_vendor_and_an_archived_solution_are_not_eligible(
    app: Flask, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, buyers=2, vendors=2, outsiders=0)
    suspended, archiving = world.vendors
    organisation = db.session.get(Organisation, suspended.organisation_id)
    assert organisation is not None
    with app.test_request_context():
        suspend_organisation(world.authority, organisation, "Inquiry")
    archive_solution(archiving, solution_of(archiving))
    db.session.commit()
    assert eligible_vendor_ids(world.lot) == set()
    # Reactivating the organisation does not make it eligible again: its labels stay suspended.
    with app.test_request_context():
        approve_organisation(world.authority, organisation)
    db.session.commit()
    assert eligible_vendor_ids(world.lot) == set()
