"""Contract modifications (art. 72): the limits of each ground, the maximum orders are checked
against, the audit, the pages, the OCDS amendment releases and the eForms modification notice."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from procurement.calls.models import ContractLine
from procurement.calls.modifications.models import ContractModification, ModificationGround
from procurement.calls.modifications.services import modify_line
from procurement.calls.orders import services
from procurement.calls.orders.models import CallOrder
from procurement.ocds.call_releases import call_releases
from procurement.ocds.packages import publish_all
from procurement.publication.releases import stored_releases
from registry.database import db, utcnow
from registry.exceptions import AccessDenied, RuleViolation
from registry.models import AuditEntry, User
from tests.procurement.calls.orders.order_builders import framework
from tests.procurement.ocds import ocds_cove, ocds_schema
from tests.procurement.ocds.test_ocds_cove import unexplained

Login = Callable[..., Any]
B, C, DE_MINIMIS = (
    ModificationGround.ADDITIONAL,
    ModificationGround.UNFORESEEABLE,
    ModificationGround.DE_MINIMIS,
)


def _line(line_id: int) -> ContractLine:
    line = db.session.get(ContractLine, line_id)
    assert line is not None
    return line


def test_each_increase_under_72_1_b_and_c_is_capped_at_half_the_initial_value(
    create_user: Callable[..., User],
) -> None:
    world = framework(create_user)
    line = world.lines[0]  # firm 10, maximum 15 at 900: initial value 13 500, half 6 750
    authority = world.world.authority
    for ground in (B, C):
        with pytest.raises(RuleViolation, match="at most 50 %.*6750.00.*adds 7200.00"):
            modify_line(authority, line, ground, "Eight more licences.", maximum=23)
        db.session.rollback()
    first = modify_line(authority, line, B, "Seven more licences.", maximum=22)
    db.session.commit()
    assert (first.maximum_before, first.maximum_after) == (15, 22)
    assert first.value_change == Decimal(6300)
    # Each modification is measured on its own against the initial value, not the modified one.
    second = modify_line(authority, line, C, "Seven more after a flood.", maximum=29)
    db.session.commit()
    assert second.value_change == 6300 and line.maximum_in_force == 29
    with pytest.raises(RuleViolation, match="adds 7200.12"):
        modify_line(authority, line, C, "A higher price.", unit_price=Decimal("1148.28"))
    db.session.rollback()


def test_de_minimis_modifications_together_stay_below_ten_percent_and_the_threshold(
    app: Flask, create_user: Callable[..., User]
) -> None:
    world = framework(create_user)
    line = world.lines[0]  # 10 % of 13 500 is 1 350
    authority = world.world.authority
    modify_line(authority, line, DE_MINIMIS, "One more licence.", maximum=16)
    db.session.commit()
    with pytest.raises(RuleViolation, match="change it by 1800.00.*below 1350.00"):
        modify_line(authority, line, DE_MINIMIS, "Another licence.", maximum=17)
    db.session.rollback()
    # Net cumulative: a cut brings the sum back, after which one more unit fits again.
    modify_line(authority, line, DE_MINIMIS, "One licence less.", maximum=15)
    modify_line(authority, line, DE_MINIMIS, "One more licence again.", maximum=16)
    db.session.commit()
    # Below the EU threshold too: with a threshold of 500, even one unit (900) is refused on
    # the other line, whose 10 % (of 25 × 900) would allow it.
    app.config["EU_THRESHOLD_SUB_CENTRAL"] = "500"
    with pytest.raises(RuleViolation, match="EU threshold \\(500\\).*below 500.00"):
        modify_line(authority, world.lines[1], DE_MINIMIS, "One more licence.", maximum=26)
    db.session.rollback()


def test_orders_check_against_the_modified_maximum_and_price_and_the_maximum_keeps_orders(
    create_user: Callable[..., User],
) -> None:
    world = framework(create_user)
    line = world.lines[0]
    buyer, authority = world.buyer_of(line), world.world.authority
    services.place_order(buyer, line, 15)
    db.session.commit()
    with pytest.raises(RuleViolation, match="0 units remain"):
        services.place_order(buyer, line, 1)
    db.session.rollback()
    modify_line(
        authority,
        line,
        B,
        "Five more licences at a lower price.",
        maximum=20,
        unit_price=Decimal("800.00"),
    )
    db.session.commit()
    order = services.place_order(buyer, line, 5)
    db.session.commit()
    assert order.unit_price == Decimal("800.00") and order.value == Decimal("4000.00")
    with pytest.raises(RuleViolation, match="maximum of 20 .*0 units remain"):
        services.place_order(buyer, line, 1)
    db.session.rollback()
    with pytest.raises(RuleViolation, match="20 units already ordered"):
        modify_line(authority, line, ModificationGround.NON_SUBSTANTIAL, "Fewer.", maximum=19)
    db.session.rollback()
    assert _line(line.id).maximum_in_force == 20
    # A shorter term ends ordering earlier.
    last = world.award.contract_start + dt.timedelta(days=3)
    modify_line(
        authority, line, ModificationGround.REVIEW_CLAUSE, "Review clause 4.", maximum=25, end=last
    )
    db.session.commit()
    after = dt.datetime.combine(last, dt.time(12), tzinfo=dt.UTC) + dt.timedelta(days=1)
    with pytest.raises(RuleViolation, match=f"ended on {last}"):
        services.place_order(buyer, line, 1, now=after)


def test_only_the_authority_modifies_a_signed_line_and_each_modification_is_audited(
    create_user: Callable[..., User],
) -> None:
    world = framework(create_user, signed=False)
    line = world.lines[0]
    authority = world.world.authority
    with pytest.raises(RuleViolation, match="not signed yet"):
        modify_line(authority, line, B, "More.", maximum=16)
    line.signed_at = utcnow()
    db.session.commit()
    with pytest.raises(AccessDenied):
        modify_line(world.buyer_of(line), line, B, "More.", maximum=16)
    with pytest.raises(RuleViolation, match="Describe the modification"):
        modify_line(authority, line, B, "  ", maximum=16)
    with pytest.raises(RuleViolation, match="nothing would change"):
        modify_line(authority, line, B, "Same.", maximum=15)
    modification = modify_line(authority, line, B, "One more licence.", maximum=16)
    db.session.commit()
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "call.modify")).one()
    assert entry.actor_id == authority.id
    data = json.loads(entry.data)
    assert data["ground"] == "72-1-b" and data["maximum"] == [15, 16]
    assert data["value_change"] == "900.00"
    assert modification.reference in entry.summary


GROUNDS = st.sampled_from([B, C, DE_MINIMIS, ModificationGround.NON_SUBSTANTIAL])
STEP = st.one_of(
    st.tuples(st.just("order"), st.integers(min_value=1, max_value=12)),
    st.tuples(GROUNDS, st.integers(min_value=1, max_value=30)),
)


def test_no_sequence_of_orders_and_modifications_exceeds_the_maximum_in_force(
    create_user: Callable[..., User],
) -> None:
    world = framework(create_user)
    line_id = world.lines[0].id
    buyer, authority = world.buyer_of(world.lines[0]), world.world.authority

    @settings(max_examples=30, deadline=None)
    @given(steps=st.lists(STEP, max_size=10))
    def never_beyond(steps: list[tuple[Any, int]]) -> None:
        db.session.execute(delete(CallOrder).where(CallOrder.line_id == line_id))
        db.session.execute(delete(ContractModification))
        db.session.execute(
            update(ContractLine)
            .where(ContractLine.id == line_id)
            .values(ordered_quantity=0, modified_maximum_quantity=None)
        )
        db.session.commit()
        for kind, number in steps:
            line = _line(line_id)
            try:
                if kind == "order":
                    services.place_order(buyer, line, number)
                else:
                    modify_line(authority, line, kind, "A change.", maximum=number)
            except RuleViolation:
                db.session.rollback()
            else:
                db.session.commit()
            line = _line(line_id)
            orders = db.session.scalars(select(CallOrder).where(CallOrder.line_id == line_id))
            assert sum(o.quantity for o in orders) == line.ordered_quantity
            assert line.ordered_quantity <= line.maximum_in_force

    never_beyond()


def test_each_modification_is_a_contract_amendment_release_and_published_ones_stay(
    client: FlaskClient, create_user: Callable[..., User], tmp_path: Path
) -> None:
    world = framework(create_user)
    line = world.lines[0]
    call = world.award.call
    publish_all()
    before = stored_releases(call.ocid)
    modify_line(world.world.authority, line, B, "Five more licences.", maximum=20)
    modify_line(
        world.world.authority, line, DE_MINIMIS, "A lower price.", unit_price=Decimal("890.00")
    )
    db.session.commit()
    assert publish_all() == 0  # both were published with the commit that recorded them
    after = stored_releases(call.ocid)
    assert after[: len(before)] == before  # what was published stays, byte for byte
    first, second = after[len(before) :]
    assert first["tag"] == second["tag"] == ["contractAmendment"]
    (contract,) = second["contracts"]
    assert contract["id"] == line.reference
    assert [a["rationale"] for a in contract["amendments"]] == [B.label, DE_MINIMIS.label]
    assert contract["amendments"][1]["description"] == "A lower price."
    assert contract["items"][0]["unit"]["value"]["amount"] == 890.0
    # The contract's value: as signed (firm 10 × 900) + 4 500 + (20 × 890 − 20 × 900).
    assert contract["value"]["amount"] == 9000 + 4500 - 200
    assert publish_all() == 0
    body = client.get(f"/procurement/ocds/{call.ocid}.json").json
    assert body is not None
    release = ocds_schema.release_schema()
    validator = ocds_schema.package_validator(release)
    amendments = {
        **body,
        "releases": [r for r in body["releases"] if "contractAmendment" in r["tag"]],
    }
    errors = list(validator.iter_errors(amendments))
    assert not errors, errors[0].message
    # libcoveocds finds nothing unexplained, and the rules beyond the schema hold, except the
    # tender period the builders' call has (its deadline moved before its opening).
    assert not unexplained(ocds_cove.check(amendments, tmp_path).findings(), set())
    found = ocds_schema.problems(release, amendments)
    assert [p for p in found if "tenderPeriod" not in p] == []


def test_the_modification_notice_lists_each_modification(
    client: FlaskClient, create_user: Callable[..., User]
) -> None:
    world = framework(create_user)
    line = world.lines[0]
    call = world.award.call
    url = f"/procurement/public/calls/{call.id}/eforms/modification-notice.json"
    assert client.get(url).status_code == 404
    modify_line(world.world.authority, line, C, "Storm damage replacements.", maximum=18)
    db.session.commit()
    notice = client.get(url).json
    assert notice is not None
    assert (notice["BT-02-notice"], notice["BT-03-notice"]) == ("can-modif", "cont-modif")
    (entry,) = notice["modifications"]
    assert entry["BT-1501(s)-Contract"] == line.reference
    assert entry["BT-202-Contract"] == "Storm damage replacements."
    assert entry["legalGround"] == C.label
    assert [r for r in call_releases(call, utcnow()) if "contractAmendment" in r["tag"]]


def test_the_authority_records_a_modification_from_the_lines_page(
    app: Flask, client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world = framework(create_user)
    line = world.lines[0]
    url = f"/procurement/contracts/{line.id}/modifications"
    buyer_client = app.test_client()
    login(buyer_client, world.buyer_of(line))
    page = buyer_client.get(url).get_data(as_text=True)
    assert "has not been modified" in page and "Record a modification" not in page
    assert buyer_client.post(url, data={}).status_code == 403
    login(client, world.world.authority)
    refused = client.post(
        url, data={"ground": "72-1-b", "maximum": "30", "description": "Many more."}
    )
    assert refused.status_code == 400
    assert "at most 50 %" in refused.get_data(as_text=True)
    done = client.post(
        url,
        data={"ground": "72-1-b", "maximum": "20", "description": "Five more."},
        follow_redirects=True,
    )
    text = done.get_data(as_text=True)
    assert done.status_code == 200 and "MOD-" in text and "Maximum 15 → 20" in text
    assert "Art. 72(1)(b)" in text
    orders = buyer_client.get(f"/procurement/contracts/{line.id}/orders").get_data(as_text=True)
    assert "20 (firm and optional; 15 as signed)" in orders


def test_an_order_and_a_lower_maximum_at_the_same_moment_never_leave_too_much_ordered(
    app: Flask, login: Login, create_user: Callable[..., User]
) -> None:
    world = framework(create_user)
    line = world.lines[0]  # maximum 15: an order of 10, or a maximum of 9, not both
    orders_path = f"/procurement/contracts/{line.id}/orders"
    modify_path = f"/procurement/contracts/{line.id}/modifications"
    requests = []
    for user, path, data in (
        (world.buyer_of(line), orders_path, {"quantity": "10", "note": ""}),
        (
            world.world.authority,
            modify_path,
            {"ground": "72-1-e", "maximum": "9", "description": "Fewer licences."},
        ),
    ):
        client = app.test_client()
        login(client, user)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).text)
        assert token is not None
        requests.append((client, path, {**data, "csrf_token": token[1]}))
    line_id = line.id
    db.session.commit()  # this test's own read transaction must not hold SQLite's lock
    start = threading.Barrier(len(requests))
    statuses: dict[str, int] = {}

    def post(client: FlaskClient, path: str, data: dict[str, str]) -> None:
        start.wait()
        statuses[path] = client.post(path, data=data).status_code

    threads = [threading.Thread(target=post, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses.values()) == [302, 400]
    stored = _line(line_id)
    assert stored.ordered_quantity <= stored.maximum_in_force
    if statuses[orders_path] == 302:
        assert (stored.ordered_quantity, stored.maximum_in_force) == (10, 15)
    else:
        assert (stored.ordered_quantity, stored.maximum_in_force) == (0, 9)
