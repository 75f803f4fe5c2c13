"""The self-declaration made with each offer, and the evidence asked of the provisional winner
before the award (directive 2014/24, art. 57 to 59)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from procurement.calls.access import declarations, evidence
from procurement.calls.access.declarations import SelfDeclaration, no_grounds
from procurement.calls.access.models import OfferDeclaration, WinnerEvidence
from procurement.calls.models import CallStatus, JointCall, Offer
from procurement.calls.services import awarding, offers
from procurement.ocds.call_releases import call_releases
from registry.database import db, utcnow
from registry.dates import when
from registry.exceptions import AccessDenied, NotVisible, RuleViolation
from registry.mail import read_outbox
from registry.models import AuditEntry, User
from registry.uploads import check_upload
from tests.procurement.calls.call_builders import (
    CallWorld,
    call_world,
    declaration_form,
    make_offer,
    offer_data,
    open_call,
    pass_deadline,
    solution_of,
)

Login = Callable[..., Any]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ASKED_FOR = "Extract of the criminal record; certificate of tax and social security payments."


def _opened(
    create_user: Callable[..., User], vendors: int = 2
) -> tuple[CallWorld, JointCall, list[Offer]]:
    """Offers from the cheapest to the dearest, the deadline passed and the offers opened."""
    world = call_world(
        create_user,
        buyers=2,
        vendors=vendors,
        outsiders=0,
        quantities=[40, 30],
        ceilings=["1000", "900"],
    )
    call = open_call(world)
    made = [
        make_offer(vendor, call, [(1, str(600 + 50 * index))])
        for index, vendor in enumerate(world.vendors)
    ]
    pass_deadline(call)
    db.session.commit()
    return world, call, made


def _due(days: int = 10) -> dt.datetime:
    return utcnow() + dt.timedelta(days=days)


def _pdf() -> Any:
    return check_upload("criminal-record.pdf", io.BytesIO(PDF))


def _actions(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_an_offer_without_a_complete_declaration_is_refused_and_nothing_is_saved(
    create_user: Callable[..., User],
) -> None:
    world = call_world(create_user, buyers=2, vendors=1, outsiders=0)
    call = open_call(world)
    vendor = world.vendors[0]
    data = offer_data(vendor)
    missing = dataclasses.replace(data, declaration=None)
    with pytest.raises(RuleViolation, match="Make the self-declaration"):
        offers.submit_offer(vendor, call, missing)
    db.session.rollback()
    answers = dict(no_grounds().answers)
    del answers["taxes"]
    unanswered = dataclasses.replace(
        data, declaration=SelfDeclaration(answers=answers, meets_selection=True)
    )
    with pytest.raises(RuleViolation, match="taxes or social security") as refused:
        offers.submit_offer(vendor, call, unanswered)
    assert refused.value.field == "ground_taxes"
    db.session.rollback()
    concerned = SelfDeclaration(
        answers={**no_grounds().answers, "insolvency": True}, meets_selection=True
    )
    with pytest.raises(RuleViolation, match="describe the measures"):
        offers.submit_offer(vendor, call, dataclasses.replace(data, declaration=concerned))
    db.session.rollback()
    with pytest.raises(RuleViolation, match="selection criteria"):
        offers.submit_offer(
            vendor, call, dataclasses.replace(data, declaration=no_grounds(meets_selection=False))
        )
    db.session.rollback()
    assert db.session.scalars(select(Offer)).all() == []
    assert db.session.scalars(select(OfferDeclaration)).all() == []

    made = make_offer(vendor, call)
    row = declarations.declaration_of(made)
    assert row is not None and row.concerned == "" and row.meets_selection
    # An edit without the declaration changes nothing.
    with pytest.raises(RuleViolation, match="Make the self-declaration"):
        offers.update_offer(vendor, made, missing)


def test_the_offer_form_refuses_an_offer_without_the_declaration(
    client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, buyers=2, vendors=1, outsiders=0)
    call = open_call(world)
    vendor = world.vendors[0]
    login(client, vendor)
    form = client.get(f"/procurement/calls/{call.id}/offer").get_data(as_text=True)
    assert "Self-declaration" in form and "Grave professional misconduct" in form
    data = {
        "solution": str(solution_of(vendor).id),
        "lead_time_days": "30",
        "tier_quantity_1": "1",
        "tier_price_1": "900",
    }
    refused = client.post(f"/procurement/calls/{call.id}/offer", data=data)
    assert "Answer yes or no." in refused.get_data(as_text=True)
    assert db.session.scalars(select(Offer)).all() == []
    concerned = {**data, **declaration_form(), "ground_conflict": "yes"}
    refused = client.post(f"/procurement/calls/{call.id}/offer", data=concerned)
    assert "describe the measures" in refused.get_data(as_text=True)
    assert db.session.scalars(select(Offer)).all() == []
    measures = "The director concerned left the board and takes no part in this procedure."
    done = client.post(
        f"/procurement/calls/{call.id}/offer", data={**concerned, "measures": measures}
    )
    assert done.status_code == 302
    made = db.session.scalars(select(Offer)).one()
    row = declarations.declaration_of(made)
    assert row is not None and row.concerned == "conflict" and row.measures == measures


def test_the_authority_reads_the_declaration_after_the_opening(
    client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world, call, made = _opened(create_user)
    login(client, world.authority)
    page = client.get(f"/procurement/calls/{call.id}/offers/{made[0].id}/eligibility")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Self-declaration" in text
    assert "Concerned by no exclusion ground" in text
    assert "Meets the selection criteria" in text


def test_the_award_waits_for_the_winners_evidence_once_asked(
    app: Flask, create_user: Callable[..., User]
) -> None:
    world, call, (cheaper, dearer) = _opened(create_user)
    assert awarding.provisional_winner(call) == cheaper
    row = awarding.ask_winner_evidence(world.authority, call, ASKED_FOR, _due())
    db.session.commit()
    assert row.offer_id == cheaper.id and row.status == evidence.ASKED
    mail = [
        m
        for m in read_outbox(app.config["OUTBOX_DIR"])
        if m.to == world.vendors[0].email and "supporting documents" in m.subject
    ]
    assert mail and ASKED_FOR in mail[0].body
    with pytest.raises(RuleViolation, match="no document uploaded yet"):
        awarding.award_call(world.authority, call)
    db.session.rollback()
    # Nobody else uploads for the winner, and the authority accepts nothing without documents.
    with pytest.raises(NotVisible):
        evidence.upload(world.vendors[1], row, _pdf())
    db.session.rollback()
    with pytest.raises(RuleViolation, match="No document is uploaded yet"):
        evidence.decide(world.authority, row, True, "Fine.")
    db.session.rollback()

    evidence.upload(world.vendors[0], row, _pdf())
    db.session.commit()
    assert row.status == evidence.SUBMITTED and len(row.documents) == 1
    with pytest.raises(RuleViolation, match="awaiting your decision"):
        awarding.award_call(world.authority, call)
    db.session.rollback()
    evidence.decide(world.authority, row, True, "The documents confirm the declaration.")
    db.session.commit()
    awarding.award_call(world.authority, call)
    db.session.commit()
    assert call.status is CallStatus.AWARDED
    assert call.award is not None and call.award.offer_id == cheaper.id
    assert [len(_actions(a)) for a in ("offer.evidence_asked", "offer.evidence_uploaded")] == [
        1,
        1,
    ]
    decided = _actions("offer.evidence_decided")
    assert len(decided) == 1 and decided[0].object_id == str(cheaper.id)


def test_a_rejected_winner_is_excluded_and_the_next_offer_is_asked(
    app: Flask, create_user: Callable[..., User]
) -> None:
    world, call, (cheaper, dearer, _) = _opened(create_user, vendors=3)
    first = awarding.ask_winner_evidence(world.authority, call, ASKED_FOR, _due())
    db.session.commit()
    # One request at a time: another offer is asked only once this one is rejected.
    with pytest.raises(RuleViolation, match="is not rejected"):
        evidence.ask(world.authority, call, dearer, ASKED_FOR, _due())
    db.session.rollback()
    evidence.upload(world.vendors[0], first, _pdf())
    reason = "The tax certificate shows unpaid social security contributions."
    evidence.decide(world.authority, first, False, reason)
    db.session.commit()
    assert awarding.compliance(call)[cheaper.id] == f"supporting evidence rejected: {reason}"
    assert awarding.provisional_winner(call) == dearer
    mail = [
        m
        for m in read_outbox(app.config["OUTBOX_DIR"])
        if m.to == world.vendors[0].email and "are rejected" in m.subject
    ]
    assert mail and reason in mail[0].body
    with pytest.raises(RuleViolation, match=f"{dearer.reference}: not asked yet"):
        awarding.award_call(world.authority, call)
    db.session.rollback()

    second = awarding.ask_winner_evidence(world.authority, call, ASKED_FOR, _due())
    assert second.offer_id == dearer.id
    evidence.upload(world.vendors[1], second, _pdf())
    evidence.decide(world.authority, second, True, "Complete and in force.")
    db.session.commit()
    awarding.award_call(world.authority, call)
    db.session.commit()
    assert call.award is not None and call.award.offer_id == dearer.id
    assert reason in call.award.rationale


def test_evidence_past_its_deadline_is_refused_and_may_be_rejected_without_documents(
    create_user: Callable[..., User],
) -> None:
    world, call, (cheaper, dearer) = _opened(create_user)
    row = awarding.ask_winner_evidence(world.authority, call, ASKED_FOR, _due())
    db.session.commit()
    with pytest.raises(RuleViolation, match="deadline in the future"):
        evidence.ask(world.authority, call, dearer, ASKED_FOR, utcnow())
    with pytest.raises(RuleViolation, match="rejected without them only after its deadline"):
        evidence.decide(world.authority, row, False, "Nothing came.")
    db.session.rollback()
    row = db.session.scalars(select(WinnerEvidence)).one()
    row.due_at = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(RuleViolation, match="deadline for the evidence passed"):
        evidence.upload(world.vendors[0], row, _pdf())
    db.session.rollback()
    evidence.decide(world.authority, row, False, "Nothing came by the deadline.")
    db.session.commit()
    assert awarding.provisional_winner(call) == dearer
    # Only before the award, and only the authority, ask.
    with pytest.raises(AccessDenied):
        awarding.ask_winner_evidence(world.vendors[1], call, ASKED_FOR, _due())


def test_the_evidence_pages_ask_upload_and_decide(
    client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world, call, (cheaper, _) = _opened(create_user)
    path = f"/procurement/calls/{call.id}/evidence"
    login(client, world.authority)
    page = client.get(path).get_data(as_text=True)
    assert "No evidence asked yet" in page and "Provisional winner now: " in page
    assert cheaper.reference in page
    missing = client.post(path, data={"asked_for": "", "due_on": ""})
    assert missing.status_code == 400
    assert "Say which documents you ask." in missing.get_data(as_text=True)
    due = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    assert client.post(path, data={"asked_for": ASKED_FOR, "due_on": due}).status_code == 302
    row = db.session.scalars(select(WinnerEvidence)).one()
    assert row.offer_id == cheaper.id and when(row.due_at)[11:16] == "23:59"
    client.post(f"/procurement/calls/{call.id}/award")
    db.session.expire_all()
    waiting = db.session.get(JointCall, call.id)
    assert waiting is not None and waiting.status is CallStatus.OPEN  # the award waits
    client.post("/logout")

    upload = f"/procurement/calls/{call.id}/evidence/{row.id}/upload"
    login(client, world.vendors[1])
    assert client.get(upload).status_code == 404  # another vendor's request
    client.post("/logout")
    login(client, world.vendors[0])
    offer_page = client.get(f"/procurement/calls/{call.id}/offers/{cheaper.id}")
    assert "Supporting documents" in offer_page.get_data(as_text=True)
    assert "No document uploaded yet" in client.get(upload).get_data(as_text=True)
    sent = client.post(
        upload,
        data={"file": (io.BytesIO(PDF), "tax-certificate.pdf")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302
    assert "tax-certificate.pdf" in client.get(upload).get_data(as_text=True)
    client.post("/logout")

    login(client, world.authority)
    decision = f"/procurement/calls/{call.id}/evidence/{row.id}/decision"
    no_reason = client.post(decision, data={"decision": "accept", "reason": ""})
    assert no_reason.status_code == 400
    assert "Give the reason." in no_reason.get_data(as_text=True)
    accepted = client.post(decision, data={"decision": "accept", "reason": "In order."})
    assert accepted.status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert "Accepted" in page and "tax-certificate.pdf" in page
    document = db.session.scalars(select(WinnerEvidence)).one().documents[0]
    download = client.get(f"/procurement/calls/{call.id}/evidence/{row.id}/documents/{document.id}")
    assert download.status_code == 200 and download.data == PDF


def test_an_offer_whose_evidence_was_rejected_is_published_as_disqualified(
    create_user: Callable[..., User],
) -> None:
    world, call, (cheaper, dearer) = _opened(create_user)
    first = awarding.ask_winner_evidence(world.authority, call, ASKED_FOR, _due())
    evidence.upload(world.vendors[0], first, _pdf())
    evidence.decide(world.authority, first, False, "The certificate is not in force.")
    second = awarding.ask_winner_evidence(world.authority, call, ASKED_FOR, _due())
    evidence.upload(world.vendors[1], second, _pdf())
    evidence.decide(world.authority, second, True, "In order.")
    awarding.award_call(world.authority, call)
    db.session.commit()
    release = call_releases(call)[-1]
    statuses = {bid["id"]: bid["status"] for bid in release["bids"]["details"]}
    assert statuses == {cheaper.reference: "disqualified", dearer.reference: "valid"}
    lowest = next(s for s in release["bids"]["statistics"] if s["measure"] == "lowestValidBidValue")
    assert lowest["value"] == float(650 * call.lot.firm_quantity)
