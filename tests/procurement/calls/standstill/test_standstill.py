"""After the award: letters to every bidder, the standstill, review requests and signatures."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, select

from evaluations.models import Label, LabelStatus
from procurement.calls.models import ContractLine, JointCall
from procurement.calls.services import awarding
from procurement.calls.standstill import services
from procurement.calls.standstill.models import AwardLetter, LetterOutcome, ReviewStatus
from procurement.ocds.call_releases import call_releases
from procurement.ocds.formats import stamp
from procurement.ocds.packages import publish_all
from procurement.publication.models import PublishedRelease
from registry.database import db, utcnow
from registry.dates import today
from registry.exceptions import RuleViolation
from registry.mail import read_outbox
from registry.models import AuditEntry, OrganisationKind, User
from tests.procurement.calls.call_builders import (
    CallWorld,
    call_world,
    make_offer,
    open_call,
    pass_deadline,
    pass_standstill,
)
from tests.procurement.ocds import ocds_schema

Login = Callable[..., Any]
PARIS = ZoneInfo("Europe/Paris")


def _switch(client: FlaskClient, login: Login, user: User) -> None:
    client.post("/logout")
    login(client, user)


def _awarded(
    create_user: Callable[..., User], *, excluded: bool = True
) -> tuple[CallWorld, JointCall]:
    """Three bidders: the cheapest wins, the next is not retained, the third (its label
    suspended before the award) is excluded."""
    world = call_world(create_user, buyers=2, vendors=3, outsiders=0)
    call = open_call(world)
    make_offer(world.vendors[0], call, [(1, "800.00")], lead=20)
    make_offer(world.vendors[1], call, [(1, "900.00")], lead=45)
    third = make_offer(world.vendors[2], call, [(1, "700.00")], lead=10)
    if excluded:
        label = db.session.get(Label, third.label_id)
        assert label is not None
        label.status = LabelStatus.SUSPENDED
        db.session.commit()
    pass_deadline(call)
    awarding.award_call(world.authority, call)
    db.session.commit()
    return world, call


@given(
    st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 12, 31)),
    st.sampled_from([10, 11]),
)
def test_the_standstill_ends_at_the_end_of_a_local_day_n_days_after_the_letters(
    moment: dt.datetime, days: int
) -> None:
    sent = moment.replace(tzinfo=dt.UTC)
    end = services.standstill_end(sent, days, PARIS)
    local_end = end.astimezone(PARIS)
    assert local_end.date() == sent.astimezone(PARIS).date() + dt.timedelta(days=days)
    assert (local_end + dt.timedelta(microseconds=1)).time() == dt.time()
    assert end - sent > dt.timedelta(days=days - 1)


def test_every_bidder_gets_a_letter_with_its_reasons_and_the_standstill_end(
    app: Flask, client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world, call = _awarded(create_user)
    award = call.award
    assert award is not None and award.offer.vendor_id == world.vendors[0].organisation_id
    assert award.standstill_ends_at == services.standstill_end(award.decided_at, 11, PARIS)
    letters = {
        letter.vendor_id: letter
        for letter in db.session.scalars(
            select(AwardLetter).where(AwardLetter.award_id == award.id)
        )
    }
    won, lost, out = (letters[v.organisation_id] for v in world.vendors)
    assert won.outcome is LetterOutcome.WON
    assert lost.outcome is LetterOutcome.NOT_RETAINED
    assert "800.00 EUR, is 100.00 EUR (11.1 %) below yours" in lost.advantages
    assert "lead time is 20 days against your 45" in lost.advantages
    assert out.outcome is LetterOutcome.EXCLUDED and "no longer holds" in out.reasons
    mails = {m.to: m for m in read_outbox(app.config["OUTBOX_DIR"]) if "Award letter" in m.subject}
    assert set(mails) == {v.email for v in world.vendors}
    body = mails[world.vendors[1].email].body
    ends = award.standstill_ends_at.astimezone(PARIS).strftime("%Y-%m-%d %H:%M %Z")
    assert f"The standstill ends on {ends}" in body and "L551-1" in body
    # The vendor reads its own letter, never another's; the authority sees who got which.
    login(client, world.vendors[1])
    page = client.get(f"/procurement/calls/{call.id}/letters").get_data(as_text=True)
    assert "Not retained" in page and "no longer holds" not in page
    _switch(client, login, world.authority)
    page = client.get(f"/procurement/calls/{call.id}/letters").get_data(as_text=True)
    assert all(v.organisation.name in page for v in world.vendors)
    assert "Won" in page and "Excluded" in page
    _switch(client, login, world.buyers[0])
    assert client.get(f"/procurement/calls/{call.id}/letters").status_code == 403


def test_no_signature_in_the_standstill_nor_while_a_review_is_open(
    app: Flask, client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world, call = _awarded(create_user, excluded=False)
    assert call.award is not None
    line = call.award.lines[0]
    buyer = next(b for b in world.buyers if b.organisation_id == line.buyer_id)
    other_buyer = next(b for b in world.buyers if b is not buyer)
    with pytest.raises(RuleViolation, match="The standstill runs until"):
        services.sign_contract(buyer, line, "A. Martin", "Mayor", today())
    db.session.rollback()
    # The losing bidder asks for a review during the standstill.
    login(client, world.vendors[1])
    response = client.post(
        f"/procurement/calls/{call.id}/review-requests",
        data={"grounds": "The winner's lead time misses our need-by dates."},
    )
    assert response.status_code == 302
    pass_standstill(call)
    with pytest.raises(RuleViolation, match="A review request is open"):
        services.sign_contract(buyer, line, "A. Martin", "Mayor", today())
    db.session.rollback()
    # Another buyer's contract: not found through the portal, refused by the service.
    _switch(client, login, other_buyer)
    assert client.get(f"/procurement/contracts/{line.id}/sign").status_code == 404
    with pytest.raises(RuleViolation, match="Only the buyer"):
        services.sign_contract(other_buyer, line, "B. Durand", "Mayor", today())
    db.session.rollback()
    # The authority dismisses it; the vendor is told; the buyer signs.
    _switch(client, login, world.authority)
    (review,) = services.reviews_of(call.award)
    response = client.post(
        f"/procurement/calls/{call.id}/review-requests/{review.id}/answer",
        data={"decision": "dismissed", "answer": "The lead time meets every need-by date."},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert review.status is ReviewStatus.DISMISSED
    subjects = {(m.to, m.subject) for m in read_outbox(app.config["OUTBOX_DIR"])}
    assert any(to == world.vendors[1].email and "dismissed" in s for to, s in subjects)
    _switch(client, login, buyer)
    response = client.post(
        f"/procurement/contracts/{line.id}/sign",
        data={"signatory_name": "A. Martin", "capacity": "Mayor", "signed_on": today().isoformat()},
    )
    assert response.status_code == 302
    db.session.expire_all()
    signed = db.session.get(ContractLine, line.id)
    assert signed is not None and signed.signed_at is not None
    assert signed.signatory == "A. Martin, Mayor" and signed.signed_by_id == buyer.id
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "call.contract_signed")
    ).one()
    assert json.loads(entry.data)["line"] == line.id and entry.object_id == str(call.id)
    page = client.get(f"/procurement/calls/{call.id}").get_data(as_text=True)
    assert "Signed on" in page and "Pending" in page
    # Twice is refused.
    again = client.post(
        f"/procurement/contracts/{line.id}/sign",
        data={"signatory_name": "A. Martin", "capacity": "Mayor", "signed_on": today().isoformat()},
    )
    assert again.status_code == 400 and "already signed" in again.get_data(as_text=True)


def test_an_upheld_review_stops_every_signature_and_late_reviews_are_refused(
    create_user: Callable[..., User],
) -> None:
    world, call = _awarded(create_user, excluded=False)
    assert call.award is not None
    with pytest.raises(RuleViolation, match="Only a vendor that offered"):
        services.file_review(create_user(kind=OrganisationKind.VENDOR), call, "Unfair.")
    db.session.rollback()
    review = services.file_review(world.vendors[1], call, "The winner's price is abnormally low.")
    services.answer_review(world.authority, review, True, "The price needs an explanation.")
    db.session.commit()
    with pytest.raises(RuleViolation, match="already answered"):
        services.answer_review(world.authority, review, False, "Changed our mind.")
    db.session.rollback()
    pass_standstill(call)
    line = call.award.lines[0]
    buyer = next(b for b in world.buyers if b.organisation_id == line.buyer_id)
    with pytest.raises(RuleViolation, match="was upheld"):
        services.sign_contract(buyer, line, "A. Martin", "Mayor", today())
    db.session.rollback()
    with pytest.raises(RuleViolation, match="The standstill has ended"):
        services.file_review(world.vendors[1], call, "Too late.")


def test_a_signature_cannot_be_dated_in_the_standstill_or_the_future(
    create_user: Callable[..., User],
) -> None:
    world, call = _awarded(create_user, excluded=False)
    pass_standstill(call)
    assert call.award is not None and call.award.standstill_ends_at is not None
    line = call.award.lines[0]
    buyer = next(b for b in world.buyers if b.organisation_id == line.buyer_id)
    with pytest.raises(RuleViolation, match="in the future"):
        services.sign_contract(buyer, line, "A. Martin", "Mayor", today() + dt.timedelta(days=2))
    db.session.rollback()
    last_day = call.award.standstill_ends_at.astimezone(PARIS).date()
    with pytest.raises(RuleViolation, match="before the end of the standstill"):
        services.sign_contract(buyer, line, "A. Martin", "Mayor", last_day)
    db.session.rollback()
    signed = services.sign_contract(
        buyer, line, "A. Martin", "Mayor", last_day + dt.timedelta(days=1)
    )
    assert signed.signed_at is not None and signed.signed_at < utcnow()


def test_ocds_awards_and_contracts_are_pending_until_signed(
    app: Flask, client: FlaskClient, create_user: Callable[..., User]
) -> None:
    world, call = _awarded(create_user, excluded=False)
    assert call.award is not None
    pass_standstill(call)
    # The call's history as it would have run: offers, then the award, then the standstill.
    call.deadline = call.award.decided_at - dt.timedelta(days=1)
    call.opened_at = call.deadline - dt.timedelta(days=35)
    db.session.commit()
    before = call_releases(call)
    assert before[-1]["contracts"][0]["status"] == "pending"
    assert all(r["awards"][0]["status"] == "pending" for r in before if "awards" in r)
    assert all("dateSigned" not in r["contracts"][0] for r in before if "contracts" in r)
    # Signed without moving the award's dates again (the standstill has passed already).
    line = call.award.lines[0]
    signer = next(b for b in world.buyers if b.organisation_id == line.buyer_id)
    services.sign_contract(signer, line, "A. Martin", "Mayor", today())
    db.session.commit()
    after = call_releases(call)
    # Published releases do not change; the signature adds one.
    assert after[: len(before)] == before
    (signed,) = after[len(before) :]
    assert signed["tag"] == ["contractUpdate"] and signed["id"].endswith("-signed")
    assert signed["awards"][0]["status"] == "active"
    (contract,) = signed["contracts"]
    assert contract["id"] == line.reference and contract["status"] == "active"
    assert line.signed_at is not None and contract["dateSigned"] == stamp(line.signed_at)
    # The test moved the call's dates into the past, which no user can do, and each move was
    # published: publish its history once, as it would have run.
    db.session.execute(delete(PublishedRelease))
    publish_all()
    response = client.get(f"/procurement/ocds/{call.ocid}.json")
    body: dict[str, Any] = response.json  # type: ignore[assignment]
    assert response.status_code == 200
    schema = ocds_schema.release_schema()
    ocds_schema.assert_valid(ocds_schema.package_validator(schema), schema, body)
