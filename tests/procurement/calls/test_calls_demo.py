"""The calls demo: a call past its deadline, its offers sealed, that the demo officers open and
the authority awards in the portal; loading the demo twice changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from procurement.calls.demo import AWAITING_TITLE_SUFFIX
from procurement.calls.models import CallStatus, JointCall, Offer
from procurement.calls.sealing.services import seal_of
from registry.database import db
from registry.demo import AUTHORITY_EMAIL, DEMO_PASSWORD
from registry.models import User, VendorSize


def _awaiting() -> JointCall:
    db.session.expire_all()
    return db.session.scalars(
        select(JointCall).where(JointCall.title.like(f"%{AWAITING_TITLE_SUFFIX}"))
    ).one()


def _counts() -> tuple[int | None, int | None]:
    return (
        db.session.scalar(select(func.count(JointCall.id))),
        db.session.scalar(select(func.count(Offer.id))),
    )


def test_the_demo_call_past_its_deadline_is_opened_and_awarded_in_the_portal(
    app: Flask, runner: FlaskCliRunner, login: Callable[..., Any]
) -> None:
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    call = _awaiting()
    assert call.deadline_passed() and call.status is CallStatus.OPEN
    assert call.offers_opened_at is None and call.award is None
    assert len(call.offers) >= 3
    assert len({offer.vendor_id for offer in call.offers}) == len(call.offers)
    assert any(offer.vendor.vendor_size is VendorSize.STARTUP for offer in call.offers)
    before = _counts()

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert _counts() == before
    call = _awaiting()
    assert call.offers_opened_at is None
    call_id = call.id

    seal = seal_of(call)
    assert seal is not None
    officers = [share.officer for share in seal.shares[: seal.threshold]]
    for officer in officers:
        client = app.test_client()
        login(client, officer, DEMO_PASSWORD)
        released = client.post(
            f"/procurement/calls/{call_id}/opening", data={"password": DEMO_PASSWORD}
        )
        assert released.status_code == 302
    assert _awaiting().offers_opened_at is not None

    authority = db.session.scalars(select(User).where(User.email == AUTHORITY_EMAIL)).one()
    client = app.test_client()
    login(client, authority, DEMO_PASSWORD)
    page = client.post(f"/procurement/calls/{call_id}/award", follow_redirects=True)
    text = page.get_data(as_text=True)
    awarded = _awaiting()
    assert awarded.status is CallStatus.AWARDED, text[:3000]
    assert awarded.award is not None and awarded.award.offer.vendor_id in {
        offer.vendor_id for offer in awarded.offers
    }
    assert f"{awarded.reference} is awarded." in text
