"""Sealed means sealed, for the authority too (docs/SECURITY.md, "Sealing of offers").

Before a call's deadline no page, export, API body or mail the authority can open shows an
offer, its price, its lead time, its notes or its author, and the audit log shows no offer
entry (nor counts one). At the first read after the deadline one opening entry fingerprints
every offer; ``audit verify`` then names any offer changed in the database afterwards. Each
save gives the vendor a receipt; a withdrawn offer is kept as withdrawn.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select, text

from procurement.calls.models import JointCall, Offer, OfferStatus
from procurement.calls.services.awarding import award_call
from procurement.calls.services.offers import OfferData, submit_offer, update_offer, withdraw_offer
from procurement.calls.services.opening import OPENING_ACTION, content_hash, open_offers, set_hash
from registry.database import db, utcnow
from registry.mail import read_outbox
from registry.models import AuditEntry, Organisation, User
from tests.procurement.calls.call_builders import (
    call_world,
    make_offer,
    offer_data,
    open_call,
    pass_deadline,
    solution_of,
)
from tests.routing import READ, build_world, collect_cases, path_values

CASES, WORLD_EXTENDERS = collect_cases()

Login = Callable[..., Any]

# Values that exist nowhere else in the world: finding one on a page is a leak.
LEAD_TIME = 703
NOTES = "Sealed-sentinel notes zq8x"
PRICES = ("987654.31", "876543.21")


def _sentinel_offer(vendor: User, price: str) -> OfferData:
    return OfferData(
        solution_id=solution_of(vendor).id,
        lead_time_days=LEAD_TIME,
        tiers=[(1, Decimal(price))],
        notes=NOTES,
    )


def _leaks(body: str) -> list[str]:
    found = [
        sentinel
        for sentinel in (NOTES, *PRICES, *(f"{float(p):,.2f}" for p in PRICES))
        if sentinel in body
    ]
    if re.search(rf"\b{LEAD_TIME}\b\s*(days|\"|,|<)", body) or re.search(
        rf"lead_time_days\W+{LEAD_TIME}\b", body
    ):
        found.append(f"lead time {LEAD_TIME}")
    return found


def _audit_pages(offers: list[Offer], author: User) -> list[str]:
    """The audit views, with every filter that could single out an offer entry."""
    pages = [
        "/admin/audit",
        "/admin/audit?action=offer",
        "/admin/audit?action=offer.submit",
        "/admin/audit?object_type=offer",
        f"/admin/audit?actor={author.email}",
        f"/admin/audit?organisation_id={author.organisation_id}",
        f"/admin/organisations/{author.organisation_id}",
    ]
    pages += [f"/admin/audit?object_type=offer&object_id={offer.id}" for offer in offers]
    return pages


def _offer_entries() -> int:
    count = db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action.startswith("offer."))
    )
    assert count is not None
    return count


def test_the_authority_sees_no_offer_anywhere_before_the_deadline_then_the_opening(
    app: Flask,
    login: Login,
    create_organisation: Callable[..., Organisation],
    create_user: Callable[..., User],
) -> None:
    world = build_world(app, create_organisation, create_user, WORLD_EXTENDERS)
    values = path_values(world, "authority")
    people = world["people"]
    vendor, other = people["vendor"], people["other"]
    call = db.session.get(JointCall, values["call_open"])
    assert call is not None and not call.deadline_passed()
    own = db.session.get(Offer, values["own_offer"])
    theirs = db.session.get(Offer, values["other_offer"])
    assert own is not None and theirs is not None
    # Colleagues who touch no other offer: their address in the log would name the author.
    author = create_user(vendor.organisation, is_org_admin=False, totp=False)
    other_author = create_user(other.organisation, is_org_admin=False, totp=False)
    update_offer(author, own, _sentinel_offer(author, PRICES[0]))
    withdraw_offer(other_author, theirs)
    submit_offer(other_author, call, _sentinel_offer(other_author, PRICES[1]))
    db.session.commit()
    assert _offer_entries() > 0  # the chain records them; the authority must not see them

    client = app.test_client()
    login(client, people["authority"])
    paths = [
        case.path.format(**values)
        for case in CASES
        if case.method == "GET" and case.phase == READ and case.expected["authority"] == 200
    ]
    paths += [
        f"/procurement/calls/{call.id}",
        f"/procurement/public/calls/{call.id}",
        f"/api/v1/calls/{call.id}",
        "/api/v1/calls?per_page=100",
        f"/procurement/ocds/{call.ocid}.json",
        "/procurement/ocds.json",
    ]
    audit_pages = _audit_pages([own, theirs], author)
    failures = []
    for path in dict.fromkeys(paths + audit_pages):
        response = client.get(path)
        # The filter form echoes what was typed (value="…"): not an entry.
        body = re.sub(r'value="[^"]*"', "", response.get_data().decode("utf-8", "replace"))
        leaks = _leaks(body)
        if path in audit_pages or path.startswith("/admin/audit"):
            assert response.status_code == 200, path
            for offer in (own, theirs):
                if offer.reference in body or f"offer #{offer.id}<" in body:
                    leaks.append(f"an entry of {offer.reference}")
            for person in (author, other_author):
                if person.email in body and not path.startswith("/admin/organisations/"):
                    leaks.append(f"offer author {person.email}")
        if leaks:
            failures.append(f"GET {path}: {', '.join(leaks)}")
    for message in read_outbox(app.config["OUTBOX_DIR"]):
        if message.to == people["authority"].email and _leaks(message.body):
            failures.append(f"mail to the authority {message.subject!r}")
    assert not failures, "\n".join(failures)

    pass_deadline(call)
    page = client.get(f"/procurement/calls/{call.id}").get_data(as_text=True)
    assert PRICES[0].replace("987654", "987,654") in page or PRICES[0] in page
    openings = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == OPENING_ACTION, AuditEntry.object_id == str(call.id)
        )
    ).all()
    assert len(openings) == 1
    recorded = json.loads(openings[0].data)
    assert {item["offer"]: item["status"] for item in recorded["offers"]} == {
        own.reference: "submitted",
        theirs.reference: "submitted",
    }
    log = client.get("/admin/audit?action=offer").get_data(as_text=True)
    assert own.reference in log and theirs.reference in log and author.email in log
    log = client.get("/admin/audit?action=call.offers_opened").get_data(as_text=True)
    assert f"Offers on {call.reference} opened" in log


def test_the_vendor_gets_a_receipt_on_each_save(
    app: Flask, client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, buyers=2, vendors=1, outsiders=0)
    call = open_call(world)
    vendor = world.vendors[0]
    offer = make_offer(vendor, call, [(1, "812.34")])
    first = offer.content_hash
    assert re.fullmatch(r"[0-9a-f]{64}", first) and first == content_hash(offer)
    login(client, vendor)
    page = client.get(f"/procurement/calls/{call.id}/offers/{offer.id}").get_data(as_text=True)
    assert first in page and "Receipt" in page
    mails = [m for m in read_outbox(app.config["OUTBOX_DIR"]) if "Receipt" in m.subject]
    assert [m.to for m in mails] == [vendor.email] and first in mails[0].body
    update_offer(vendor, offer, offer_data(vendor, [(1, "800.00")]))
    db.session.commit()
    assert offer.content_hash != first
    mails = [m for m in read_outbox(app.config["OUTBOX_DIR"]) if "Receipt" in m.subject]
    assert len(mails) == 2 and any(offer.content_hash in m.body for m in mails)
    # The chain records the receipt hash, never a price or the lead time.
    data = db.session.scalars(
        select(AuditEntry.data).where(AuditEntry.action.startswith("offer."))
    ).all()
    assert data and all("800" not in item and "lead_time" not in item for item in data)
    assert offer.content_hash in data[-1]


def test_the_first_read_after_the_deadline_opens_once_and_the_command_is_idempotent(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    create_user: Callable[..., User],
) -> None:
    world = call_world(create_user, buyers=2, vendors=2, outsiders=0)
    call = open_call(world)
    kept = make_offer(world.vendors[0], call, [(1, "812.34")])
    gone = make_offer(world.vendors[1], call, [(1, "700.00")])
    withdraw_offer(world.vendors[1], gone)
    db.session.commit()
    assert runner.invoke(args=["procurement", "open-offers"]).output.endswith("0 call(s) opened.\n")
    pass_deadline(call)
    assert client.get(f"/api/v1/calls/{call.id}").get_json()["offers_received"] == 1
    for _ in range(2):
        assert client.get(f"/procurement/public/calls/{call.id}").status_code == 200
        result = runner.invoke(args=["procurement", "open-offers"])
        assert result.exit_code == 0 and "0 call(s) opened." in result.output
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == OPENING_ACTION)
    ).all()
    assert len(entries) == 1
    recorded = json.loads(entries[0].data)
    db.session.expire_all()
    fingerprints = [
        {"offer": offer.reference, "status": offer.status.value, "hash": content_hash(offer)}
        for offer in (db.session.get(Offer, kept.id), db.session.get(Offer, gone.id))
        if offer is not None
    ]
    assert recorded["offers"] == fingerprints
    assert recorded["set_hash"] == set_hash(fingerprints)
    assert fingerprints[1]["status"] == OfferStatus.WITHDRAWN.value
    receipt = db.session.get(Offer, kept.id)
    assert receipt is not None
    assert fingerprints[0]["hash"] == receipt.content_hash  # the receipt


def test_the_command_opens_calls_past_their_deadline(
    runner: FlaskCliRunner, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, buyers=2, vendors=1, outsiders=0)
    call = open_call(world)
    make_offer(world.vendors[0], call)
    pass_deadline(call)
    result = runner.invoke(args=["procurement", "open-offers"])
    assert result.exit_code == 0 and f"{call.reference}: offers opened." in result.output
    db.session.expire_all()
    opened = db.session.get(JointCall, call.id)
    assert opened is not None and opened.offers_opened_at is not None


def test_awarding_writes_the_opening_entry_first(create_user: Callable[..., User]) -> None:
    world = call_world(create_user, buyers=2, vendors=1, outsiders=0)
    call = open_call(world)
    make_offer(world.vendors[0], call)
    pass_deadline(call)
    award_call(world.authority, call)
    db.session.commit()
    actions = db.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.action.in_([OPENING_ACTION, "call.award"]))
        .order_by(AuditEntry.seq)
    ).all()
    assert actions == [OPENING_ACTION, "call.award"]


def test_verify_names_an_offer_changed_in_the_database_after_the_opening(
    runner: FlaskCliRunner, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, buyers=2, vendors=2, outsiders=0)
    call = open_call(world)
    untouched = make_offer(world.vendors[0], call, [(1, "812.34")])
    changed = make_offer(world.vendors[1], call, [(1, "900.00")])
    pass_deadline(call)
    assert open_offers(call)
    db.session.commit()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    db.session.execute(
        text("UPDATE offer_tier SET unit_price = 1.00 WHERE offer_id = :id"), {"id": changed.id}
    )
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert changed.reference in result.output
    assert untouched.reference not in result.output


def _open_by_reading(app: Flask, call_id: int, results: list[int]) -> None:
    response = app.test_client().get(f"/procurement/public/calls/{call_id}")
    results.append(response.status_code)


def test_two_readers_at_once_write_one_opening(
    app: Flask, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, buyers=2, vendors=2, outsiders=0)
    call = open_call(world)
    for vendor in world.vendors:
        make_offer(vendor, call)
    call_id = call.id
    call.deadline = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    results: list[int] = []
    threads = [
        threading.Thread(target=_open_by_reading, args=(app, call_id, results)) for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert results == [200] * 6, results
    db.session.rollback()  # a fresh read, after the readers' commits
    count = db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == OPENING_ACTION)
    )
    assert count == 1
