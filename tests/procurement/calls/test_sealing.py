"""Sealed means encrypted, for the authority too (README, "Real sealing of offers").

Before a call's deadline no page, API body or mail any user can open shows an offer's price,
lead time or notes, and no table of the database (nor the SQLite file) holds them: only the
ciphertext and its hash. After the deadline k of the n named opening officers release their
share with their password; the offers are then decrypted, checked against their receipts and
one opening entry records them. ``audit verify`` names an offer whose ciphertext changed after
submission, and one whose plain content changed after the opening.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import threading
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from procurement.calls import limits
from procurement.calls.access.declarations import no_grounds
from procurement.calls.models import JointCall, Offer
from procurement.calls.sealing import crypto, services
from procurement.calls.sealing.models import OpeningShare
from procurement.calls.services import lifecycle
from procurement.calls.services.awarding import award_call
from procurement.calls.services.offers import OfferData, submit_offer, update_offer, withdraw_offer
from procurement.calls.services.opening import OPENING_ACTION
from registry.database import db
from registry.dates import today
from registry.exceptions import RuleViolation
from registry.mail import read_outbox
from registry.models import AuditEntry, Organisation, OrganisationKind, User
from registry.services import change_password
from tests.procurement.calls.call_builders import (
    CallWorld,
    call_world,
    make_offer,
    offer_data,
    open_call,
    pass_deadline,
    solution_of,
)
from tests.routing import READ, build_world, collect_cases, path_values
from tests.support import PASSWORD, mentions_number

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
        declaration=no_grounds(),
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


def _database_leaks() -> list[str]:
    """Sentinels found in any row of any table, and in the SQLite file's bytes."""
    found: list[str] = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)).all():
            dump = " ".join(str(value) for value in row)
            if NOTES in dump or any(price in dump for price in PRICES):
                found.append(f"table {table.name}: {dump[:120]}")
            if table.name == "offer" and str(LEAD_TIME) in [str(v) for v in row]:
                found.append(f"table offer: lead time {LEAD_TIME}")
    url = db.engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        db.session.commit()
        raw = b"".join(
            Path(name).read_bytes()
            for name in (url.database, f"{url.database}-wal")
            if Path(name).exists()
        )
        for sentinel in (NOTES, *PRICES):
            if sentinel.encode() in raw:
                found.append(f"SQLite file: {sentinel}")
    return found


def test_before_the_deadline_no_user_page_api_or_table_shows_a_price(
    app: Flask,
    login: Login,
    create_organisation: Callable[..., Organisation],
    create_user: Callable[..., User],
) -> None:
    world = build_world(app, create_organisation, create_user, WORLD_EXTENDERS)
    people = world["people"]
    vendor, other = people["vendor"], people["other"]
    values = path_values(world, "authority")
    call = db.session.get(JointCall, values["call_open"])
    own = db.session.get(Offer, values["own_offer"])
    theirs = db.session.get(Offer, values["other_offer"])
    assert call is not None and own is not None and theirs is not None
    assert not call.deadline_passed()
    update_offer(vendor, own, _sentinel_offer(vendor, PRICES[0]))
    withdraw_offer(other, theirs)
    submit_offer(other, call, _sentinel_offer(other, PRICES[1]))
    db.session.commit()

    assert _database_leaks() == []
    failures = []
    for role, person in people.items():
        client = app.test_client()
        login(client, person)
        role_values = path_values(world, role if role != "other" else "vendor")
        paths = [
            case.path.format(**role_values)
            for case in CASES
            if case.method == "GET" and case.phase == READ and case.expected.get(role) == 200
        ]
        paths += [
            f"/procurement/calls/{call.id}",
            f"/procurement/calls/{call.id}/offers/{own.id}",
            f"/procurement/calls/{call.id}/offers/{theirs.id}",
            f"/procurement/calls/{call.id}/offers/{own.id}/edit",
            f"/procurement/public/calls/{call.id}",
            f"/api/v1/calls/{call.id}",
            f"/procurement/ocds/{call.ocid}.json",
            "/admin/audit?action=offer",
        ]
        for path in dict.fromkeys(paths):
            try:
                formatted = path.format(**role_values)
            except KeyError:
                continue
            body = client.get(formatted).get_data().decode("utf-8", "replace")
            body = re.sub(r'value="[^"]*"', "", body)
            leaks = _leaks(body)
            if leaks:
                failures.append(f"{role} GET {formatted}: {', '.join(leaks)}")
    for message in read_outbox(app.config["OUTBOX_DIR"]):
        if _leaks(message.body):
            failures.append(f"mail to {message.to} {message.subject!r}")
    assert not failures, "\n".join(failures)

    # After the deadline two officers open: the authority reads the prices.
    pass_deadline(call)
    client = app.test_client()
    login(client, people["authority"])
    page = client.get(f"/procurement/calls/{call.id}").get_data(as_text=True)
    assert "987,654.31" in page or PRICES[0] in page
    public = client.get(f"/procurement/public/calls/{call.id}").get_data(as_text=True)
    assert "The offers were opened on" in public and "2 of the 2 named opening officers" in public


def _two_offers(create_user: Callable[..., User]) -> tuple[CallWorld, JointCall, Offer, Offer]:
    world = call_world(create_user, buyers=2, vendors=2, outsiders=0)
    call = open_call(world)
    first = make_offer(world.vendors[0], call, [(1, "812.34")], lead=17)
    second = make_offer(world.vendors[1], call, [(1, "900.00")])
    return world, call, first, second


def test_the_receipt_is_the_hash_of_the_ciphertext_and_the_chain_records_no_price(
    app: Flask, create_user: Callable[..., User]
) -> None:
    world, call, offer, _ = _two_offers(create_user)
    assert offer.tiers == [] and offer.notes == "" and offer.sealed_content
    blob = base64.b64decode(offer.sealed_content)
    assert offer.content_hash == offer.sealed_hash == hashlib.sha256(blob).hexdigest()
    mails = [m for m in read_outbox(app.config["OUTBOX_DIR"]) if "Receipt" in m.subject]
    assert any(offer.content_hash in m.body for m in mails)
    first = offer.content_hash
    update_offer(world.vendors[0], offer, offer_data(world.vendors[0], [(1, "800.00")]))
    db.session.commit()
    assert offer.content_hash != first
    data = db.session.scalars(
        select(AuditEntry.data).where(AuditEntry.action.startswith("offer."))
    ).all()
    # The content hash is hex and may hold "800" by chance; a price stands alone.
    assert data and not any(
        mentions_number(item, "800") or mentions_number(item, "812") for item in data
    )


def test_k_named_officers_open_after_the_deadline_and_nobody_else(
    app: Flask, create_user: Callable[..., User]
) -> None:
    world, call, first, second = _two_offers(create_user)
    officer, colleague = world.officers
    stranger = create_user(officer.organisation)
    services.set_up_opening_key(stranger, PASSWORD)
    with pytest.raises(RuleViolation, match="after the deadline"):
        services.release_share(officer, call, PASSWORD)
    pass_deadline(call, opened=False)
    with pytest.raises(RuleViolation, match="award"):
        award_call(officer, call)
    db.session.rollback()
    with pytest.raises(RuleViolation, match="Only the opening officers"):
        services.release_share(stranger, call, PASSWORD)
    with pytest.raises(RuleViolation, match="password is not correct"):
        services.release_share(officer, call, "not the password")
    assert services.release_share(officer, call, PASSWORD) is False
    db.session.commit()
    assert call.offers_opened_at is None and first.tiers == []
    with pytest.raises(RuleViolation, match="already released"):
        services.release_share(officer, call, PASSWORD)
    assert services.release_share(colleague, call, PASSWORD) is True
    db.session.commit()
    db.session.expire_all()
    opened = db.session.get(Offer, first.id)
    assert opened is not None and opened.lead_time_days == 17
    assert [(t.min_quantity, t.unit_price) for t in opened.tiers] == [(1, Decimal("812.34"))]
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == OPENING_ACTION)).one()
    recorded = json.loads(entry.data)
    assert sorted(recorded["officers"]) == sorted([officer.id, colleague.id])
    assert [item["sealed_hash"] for item in recorded["offers"]] == [
        first.sealed_hash,
        second.sealed_hash,
    ]
    released = db.session.scalars(select(OpeningShare.released_share)).all()
    assert all(value == "" for value in released)  # no share is kept once opened


def test_the_officers_open_in_the_portal(
    app: Flask, login: Login, create_user: Callable[..., User]
) -> None:
    world, call, first, _ = _two_offers(create_user)
    pass_deadline(call, opened=False)
    for officer in world.officers:
        client = app.test_client()
        login(client, officer)
        page = client.get(f"/procurement/calls/{call.id}/opening").get_data(as_text=True)
        assert "Release my share" in page
        response = client.post(f"/procurement/calls/{call.id}/opening", data={"password": PASSWORD})
        assert response.status_code == 302
    db.session.expire_all()
    opened = db.session.get(JointCall, call.id)
    assert opened is not None and opened.offers_opened_at is not None
    page = client.get(f"/procurement/calls/{call.id}").get_data(as_text=True)
    assert "812.34" in page


def test_officers_releasing_at_the_same_moment_open_the_offers(
    app: Flask, login: Login, create_user: Callable[..., User]
) -> None:
    world, call, first, _ = _two_offers(create_user)
    pass_deadline(call, opened=False)
    path = f"/procurement/calls/{call.id}/opening"
    prepared = []
    for officer in world.officers:
        client = app.test_client()
        login(client, officer)
        assert "Release my share" in client.get(path).get_data(as_text=True)
        prepared.append(client)
    call_id, offer_id = call.id, first.id
    db.session.commit()  # this test's own read transaction must not hold SQLite's lock
    start = threading.Barrier(len(prepared))
    statuses: list[int] = []

    def release(client: FlaskClient) -> None:
        start.wait()
        statuses.append(client.post(path, data={"password": PASSWORD}).status_code)

    threads = [threading.Thread(target=release, args=(client,)) for client in prepared]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == [302, 302]
    db.session.expire_all()
    opened = db.session.get(JointCall, call_id)
    assert opened is not None and opened.offers_opened_at is not None
    offer = db.session.get(Offer, offer_id)
    assert offer is not None and [t.unit_price for t in offer.tiers] == [Decimal("812.34")]
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == OPENING_ACTION))
    assert len(entries.all()) == 1


def test_a_call_cannot_open_without_enough_officers_with_keys(
    create_user: Callable[..., User],
) -> None:
    world = call_world(create_user, buyers=2, vendors=1, outsiders=0)
    with pytest.raises(RuleViolation, match="Name at least 3 opening officers"):
        open_call_with(world, threshold=3)
    db.session.rollback()
    lonely = create_user(kind=OrganisationKind.AUTHORITY)
    services.set_up_opening_key(lonely, PASSWORD)
    with pytest.raises(RuleViolation, match="Name only officers"):
        open_call_with(world, officers=[world.authority.id, lonely.id])


def open_call_with(
    world: CallWorld, *, threshold: int | None = None, officers: list[int] | None = None
) -> None:
    lifecycle.open_call(
        world.authority,
        world.lot,
        "A call",
        "",
        limits.deadline_on(today() + dt.timedelta(days=limits.min_offer_days() + 1)),
        24,
        opening_officers=officers,
        opening_threshold=threshold,
    )


def test_a_password_change_keeps_the_opening_key(
    create_user: Callable[..., User],
) -> None:
    world, call, _, _ = _two_offers(create_user)
    officer, colleague = world.officers
    change_password(officer, None, PASSWORD, "a-brand-new-passphrase-2026")
    db.session.commit()
    pass_deadline(call, opened=False)
    services.release_share(officer, call, "a-brand-new-passphrase-2026")
    assert services.release_share(colleague, call, PASSWORD) is True


def test_verify_names_an_offer_whose_ciphertext_changed_before_the_opening(
    runner: FlaskCliRunner, create_user: Callable[..., User]
) -> None:
    _, _, untouched, changed = _two_offers(create_user)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    other_blob = untouched.sealed_content
    db.session.execute(
        text("UPDATE offer SET sealed_content = :blob WHERE id = :id"),
        {"blob": other_blob, "id": changed.id},
    )
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert changed.reference in result.output and untouched.reference not in result.output


def test_verify_names_an_offer_changed_after_the_opening(
    runner: FlaskCliRunner, create_user: Callable[..., User]
) -> None:
    _, call, untouched, changed = _two_offers(create_user)
    pass_deadline(call)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    db.session.execute(
        text("UPDATE offer_tier SET unit_price = 1.00 WHERE offer_id = :id"), {"id": changed.id}
    )
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert changed.reference in result.output and untouched.reference not in result.output


def test_the_command_lists_the_calls_awaiting_their_officers(
    runner: FlaskCliRunner, create_user: Callable[..., User]
) -> None:
    _, call, _, _ = _two_offers(create_user)
    pass_deadline(call, opened=False)
    result = runner.invoke(args=["procurement", "open-offers"])
    assert f"{call.reference}: awaiting its opening officers (0 of 2 shares)" in result.output
    count = db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == OPENING_ACTION)
    )
    assert count == 0


@settings(max_examples=25, deadline=None)
@given(
    secret=st.binary(min_size=32, max_size=32),
    holders=st.integers(min_value=2, max_value=7),
    data=st.data(),
)
def test_any_k_shares_rebuild_the_key_and_fewer_do_not(
    secret: bytes, holders: int, data: st.DataObject
) -> None:
    threshold = data.draw(st.integers(min_value=2, max_value=holders))
    shares = crypto.split(secret, threshold, holders)
    chosen = data.draw(st.permutations(shares))[:threshold]
    assert crypto.combine(chosen) == secret
    assert crypto.combine(chosen[: threshold - 1]) != secret


@settings(max_examples=10, deadline=None)
@given(plaintext=st.binary(max_size=200), flip=st.integers(min_value=0, max_value=10_000))
def test_a_sealed_blob_opens_only_unchanged_with_its_key(plaintext: bytes, flip: int) -> None:
    private, public = crypto.new_key_pair()
    blob = crypto.seal(public, plaintext, b"ctx")
    assert crypto.unseal(private, blob, b"ctx") == plaintext
    tampered = bytearray(blob)
    tampered[flip % len(blob)] ^= 1
    with pytest.raises(crypto.SealError):
        crypto.unseal(private, bytes(tampered), b"ctx")
    with pytest.raises(crypto.SealError):
        crypto.unseal(private, blob, b"other")
