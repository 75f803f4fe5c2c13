"""Every surface that reports an award's saving shows the observed figures beside the number of
offers, moves them with the price paid, and claims nothing for a single offer: the authority's
call page, the public call page, /api/v1/calls, the OCDS package and the dashboard."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from procurement.calls.demo import AWARDED_TITLE
from procurement.calls.models import Award, JointCall, Offer
from registry.database import db
from registry.models import OrganisationKind, User
from tests.procurement import public_builders

Reader = Callable[[FlaskClient, JointCall, Callable[..., Any], User], str]


def _authority_page(client: FlaskClient, call: JointCall, login: Any, authority: User) -> str:
    login(client, authority)
    return client.get(f"/procurement/calls/{call.id}").get_data(as_text=True)


def _public_page(client: FlaskClient, call: JointCall, login: Any, authority: User) -> str:
    return client.get(f"/procurement/public/calls/{call.id}").get_data(as_text=True)


def _api(client: FlaskClient, call: JointCall, login: Any, authority: User) -> str:
    savings = client.get(f"/api/v1/calls/{call.id}").get_json()["award"]["savings"]
    return json.dumps(savings)


def _ocds(client: FlaskClient, call: JointCall, login: Any, authority: User) -> str:
    body = client.get(f"/procurement/ocds/{call.ocid}.json").get_json()
    # Published releases never change: a repriced award is a new release, the last one.
    award = [a for r in body["releases"] if r["tag"] == ["award"] for a in r["awards"]][-1]
    return str(award["description"])


def _dashboard(client: FlaskClient, call: JointCall, login: Any, authority: User) -> str:
    login(client, authority)
    return client.get("/procurement/dashboard").get_data(as_text=True)


SURFACES: dict[str, Reader] = {
    "authority call page": _authority_page,
    "public call page": _public_page,
    "api": _api,
    "ocds": _ocds,
    "dashboard": _dashboard,
}
# 50 licences (Rennes' 10 dropped out) against 50 × 800 published and 50 × 880, the large
# firm's flat price, the lowest either bidder gives 20 or 30 licences alone.
EXPECTED = {
    # 42 500 paid: 6.25 % above the estimate, 1 − 42 500 / 44 000 ≈ 3.4 % below buyers alone.
    "850.00": {
        "authority call page": ["6.2 % more paid", "3.4 % saved"],
        "public call page": ["6.2 % more paid", "3.4 % saved"],
        "api": ['"against_estimate": -0.0625', '"against_buyers_alone": 0.0340909'],
        "ocds": ["6.2 % more paid against the published", "3.4 % saved against each buyer"],
        "dashboard": ["estimate</dt><dd>-6.2 %", "alone</dt><dd>3.4 %"],
    },
    # 38 000 paid: 5 % below the estimate, 1 − 38 000 / 44 000 ≈ 13.6 % below buyers alone.
    "760.00": {
        "authority call page": ["5.0 % saved", "13.6 % saved"],
        "public call page": ["5.0 % saved", "13.6 % saved"],
        "api": ['"against_estimate": 0.05', '"against_buyers_alone": 0.136363'],
        "ocds": ["5.0 % saved against the published", "13.6 % saved against each buyer"],
        "dashboard": ["estimate</dt><dd>5.0 %", "alone</dt><dd>13.6 %"],
    },
}


OFFERS = {
    "authority call page": "<dt>Offers received</dt><dd>2</dd>",
    "public call page": "<dt>Offers received</dt><dd>2</dd>",
    "api": '"offers": 2',
    "ocds": "Offers received: 2.",
    "dashboard": '<td data-label="Offers">2</td>',
}


def _reprice(award: Award, winner: Offer, price: str) -> None:
    """The winner had priced the lot at `price`: its tier, the award and its contract lines."""
    unit = Decimal(price)
    winner.tiers[-1].unit_price = unit
    award.unit_price = unit
    award.total_value = unit * award.quantity
    for line in award.lines:
        line.unit_price = unit
        line.value = unit * line.quantity
    db.session.commit()


@pytest.mark.parametrize("surface", list(SURFACES))
def test_the_saving_moves_with_the_price_paid_beside_the_number_of_offers(
    app: Flask,
    client: FlaskClient,
    login: Callable[..., Any],
    create_user: Callable[..., User],
    surface: str,
) -> None:
    authority = create_user(kind=OrganisationKind.AUTHORITY)
    scene = public_builders.scene(authority)
    call = public_builders.open_call(scene)
    startup, _ = public_builders.two_offers(scene, call)
    public_builders.pass_deadline(call)
    award = public_builders.award(scene, call, startup, dropout_buyers=(0,))
    read = SURFACES[surface]
    for price in ("850.00", "760.00"):
        _reprice(award, startup, price)
        text = read(app.test_client(), call, login, authority)
        for figure in EXPECTED[price][surface]:
            assert figure in text, (price, figure)
        assert "realised saving" not in text.lower()
        assert OFFERS[surface] in text


@pytest.mark.parametrize("surface", list(SURFACES))
def test_a_single_offer_award_claims_no_saving(
    app: Flask,
    client: FlaskClient,
    login: Callable[..., Any],
    create_user: Callable[..., User],
    surface: str,
) -> None:
    authority = create_user(kind=OrganisationKind.AUTHORITY)
    scene = public_builders.scene(authority)
    call = public_builders.open_call(scene)
    only = public_builders.offer(scene, call, 0, [(1, "950.00"), (50, "700.00")])
    public_builders.pass_deadline(call)
    public_builders.award(scene, call, only, dropout_buyers=(0,))
    text = SURFACES[surface](app.test_client(), call, login, authority)
    if surface == "api":
        savings = json.loads(text)
        assert savings["offers"] == 1 and savings["claimed"] is False
        assert savings["reason"] == "single offer: no saving is claimed"
        assert savings["against_estimate"] is None and savings["against_buyers_alone"] is None
        assert savings["estimate_total"] is None and savings["buyers_alone_total"] is None
        return
    assert "single offer: no saving is claimed" in text.lower()
    for claim in ("% saved", "% more paid", "realised saving"):
        assert claim not in text.lower(), claim
    if surface == "ocds":
        assert "Offers received: 1; single offer: no saving is claimed." in text
        assert "%" not in text
    if surface == "dashboard":
        assert "1 single-offer award left out" in text
        assert "Saving against the published estimate</dt><dd>—" in text


def test_the_demo_award_shows_savings_from_its_two_offers(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner
) -> None:
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        call = db.session.scalar(select(JointCall).where(JointCall.title == AWARDED_TITLE))
        assert call is not None and call.award is not None
        paid = call.award.total_value
        estimate = call.award.quantity * call.lot.estimated_unit_price
        call_id, ocid = call.id, call.ocid
    body = client.get(f"/api/v1/calls/{call_id}").get_json()["award"]["savings"]
    assert body["offers"] >= 2 and body["claimed"] is True
    assert body["against_estimate"] == pytest.approx(float(1 - paid / estimate))
    assert body["against_buyers_alone"] is not None
    page = client.get(f"/procurement/public/calls/{call_id}").get_data(as_text=True)
    assert "Against each buyer buying alone from the same bidders" in page
    assert "realised saving" not in page.lower()
    description = client.get(f"/procurement/ocds/{ocid}.json").get_json()["releases"]
    assert any(
        "Offers received: 2." in a["description"] for r in description for a in r.get("awards", [])
    )


def test_the_minimum_saving_gate_says_it_measures_the_modelled_saving_of_pooling(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    login: Callable[..., Any],
    create_user: Callable[..., User],
) -> None:
    login(client, create_user(kind=OrganisationKind.AUTHORITY))
    page = client.get("/procurement/aggregation").get_data(as_text=True)
    assert "Minimum modelled saving of pooling (%)" in page
    assert "not on any price offered" in page
    assert "Minimum estimated saving" not in page
    helped = runner.invoke(args=["procurement", "aggregate", "--help"]).output
    assert "modelled saving of pooling" in " ".join(helped.split())
