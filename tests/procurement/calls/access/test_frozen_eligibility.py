"""Eligibility frozen at the deadline: recorded at the opening, read by the award; only the
authority's recorded decision (reason, notice to the vendor, audit entry) changes it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from evaluations.labels.status_changes import suspend_label
from evaluations.models import Label
from procurement.calls.access import frozen
from procurement.calls.access.models import EligibilityDecision, FrozenEligibility
from procurement.calls.models import CallStatus, JointCall, Offer
from procurement.calls.services import awarding, opening
from registry.database import db
from registry.exceptions import AccessDenied, RuleViolation
from registry.mail import read_outbox
from registry.models import AuditEntry, User
from tests.procurement.calls.call_builders import (
    CallWorld,
    call_world,
    make_offer,
    open_call,
    pass_deadline,
)

Login = Callable[..., Any]


def _opened(create_user: Callable[..., User]) -> tuple[CallWorld, JointCall, Offer, Offer]:
    """Two offers (the cheaper first), the deadline passed and the offers opened."""
    world = call_world(
        create_user, buyers=2, vendors=2, outsiders=0, quantities=[40, 30], ceilings=["1000", "900"]
    )
    call = open_call(world)
    cheaper = make_offer(world.vendors[0], call, [(1, "600")])
    dearer = make_offer(world.vendors[1], call, [(1, "650")])
    pass_deadline(call)
    assert call.offers_opened_at is not None  # pass_deadline opened them (k officers)
    db.session.commit()
    return world, call, cheaper, dearer


def _suspend(app: Flask, world: CallWorld, offer: Offer) -> None:
    label = db.session.get(Label, offer.label_id)
    assert label is not None
    with app.test_request_context():
        suspend_label(world.authority, label, "Firmware differs from the certified one.")
        db.session.commit()


def test_the_opening_records_each_offers_eligibility_and_its_label(
    create_user: Callable[..., User],
) -> None:
    _, call, cheaper, dearer = _opened(create_user)
    recorded = frozen.records(call)
    assert set(recorded) == {cheaper.id, dearer.id}
    for offer in (cheaper, dearer):
        assert recorded[offer.id].eligible and recorded[offer.id].label_id == offer.label_id
        assert offer.label.number in recorded[offer.id].basis
    # A second opening writes nothing more.
    assert not opening.open_offers(call)
    assert len(db.session.scalars(select(FrozenEligibility)).all()) == 2


def test_a_label_suspended_after_the_deadline_changes_nothing_at_the_award(
    app: Flask, create_user: Callable[..., User]
) -> None:
    world, call, cheaper, _ = _opened(create_user)
    _suspend(app, world, cheaper)
    assert "no longer holds" in frozen.checks_now(call, [cheaper])[cheaper.id]
    assert awarding.compliance(call)[cheaper.id] == ""
    awarding.award_call(world.authority, call)
    db.session.commit()
    assert call.status is CallStatus.AWARDED
    assert call.award is not None and call.award.offer_id == cheaper.id


def test_a_label_suspended_before_the_deadline_is_recorded_as_not_eligible(
    app: Flask, create_user: Callable[..., User]
) -> None:
    world = call_world(
        create_user, buyers=2, vendors=2, outsiders=0, quantities=[40, 30], ceilings=["1000", "900"]
    )
    call = open_call(world)
    cheaper = make_offer(world.vendors[0], call, [(1, "600")])
    dearer = make_offer(world.vendors[1], call, [(1, "650")])
    _suspend(app, world, cheaper)
    pass_deadline(call)
    awarding.award_call(world.authority, call)
    db.session.commit()
    record = frozen.records(call)[cheaper.id]
    assert not record.eligible and record.label_id is None
    assert "no longer holds" in record.reason
    assert call.award is not None and call.award.offer_id == dearer.id


def test_the_authoritys_decision_excludes_the_offer_tells_the_vendor_and_is_audited(
    app: Flask, client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world, call, cheaper, dearer = _opened(create_user)
    _suspend(app, world, cheaper)
    login(client, world.authority)
    listed = client.get(f"/procurement/calls/{call.id}").get_data(as_text=True)
    assert "Eligibility at the deadline" in listed
    assert f"{cheaper.reference}</a>: eligible on label {cheaper.label.number}" in listed
    page = client.get(f"/procurement/calls/{call.id}/offers/{cheaper.id}/eligibility")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Eligible on label" in text and "Not eligible: " in text
    path = f"/procurement/calls/{call.id}/offers/{cheaper.id}/eligibility"
    missing = client.post(path, data={"decision": "not_eligible", "reason": "  "})
    assert missing.status_code == 400 and "Give the reason" in missing.get_data(as_text=True)
    assert db.session.scalars(select(EligibilityDecision)).all() == []

    reason = "The label was suspended for firmware that differs from the certified one."
    done = client.post(path, data={"decision": "not_eligible", "reason": reason})
    assert done.status_code == 302
    db.session.expire_all()
    assert reason in awarding.compliance(call)[cheaper.id]
    vendor_mail = [
        m
        for m in read_outbox(app.config["OUTBOX_DIR"])
        if m.to == world.vendors[0].email and "is not eligible" in m.subject
    ]
    assert vendor_mail and reason in vendor_mail[0].body
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "offer.eligibility_decision")
    ).one()
    assert entry.object_id == str(cheaper.id)

    found = db.session.get(JointCall, call.id)
    assert found is not None
    awarding.award_call(world.authority, found)
    db.session.commit()
    assert found.award is not None and found.award.offer_id == dearer.id
    assert reason in found.award.rationale
    # After the award no decision is taken any more.
    with pytest.raises(RuleViolation, match="not awaiting its award"):
        frozen.record_decision(world.authority, dearer, False, "Too late.")


def test_a_later_decision_can_make_the_offer_eligible_again(
    create_user: Callable[..., User],
) -> None:
    world, call, cheaper, _ = _opened(create_user)
    frozen.record_decision(world.authority, cheaper, False, "Label under suspension.")
    assert awarding.compliance(call)[cheaper.id] != ""
    frozen.record_decision(world.authority, cheaper, True, "The suspension was lifted.")
    db.session.commit()
    assert awarding.compliance(call)[cheaper.id] == ""


def test_only_the_authority_decides_and_never_before_the_deadline(
    client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, buyers=2, vendors=1, outsiders=0)
    call = open_call(world)
    offer = make_offer(world.vendors[0], call)
    path = f"/procurement/calls/{call.id}/offers/{offer.id}/eligibility"
    login(client, world.authority)
    assert client.get(path).status_code == 404  # sealed: the offer is not visible yet
    with pytest.raises(RuleViolation, match="not awaiting its award"):
        frozen.record_decision(world.authority, offer, False, "Too early.")
    with pytest.raises(AccessDenied):
        frozen.record_decision(world.vendors[0], offer, True, "Mine.")
    db.session.rollback()
    assert db.session.scalars(select(EligibilityDecision)).all() == []
