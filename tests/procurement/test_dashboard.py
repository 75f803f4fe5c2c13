"""The scale figures: pure functions checked against hand-computed examples, and the
authority's dashboard page with its accessible charts."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from procurement import charts
from procurement.dashboard import (
    CallInput,
    DemandInput,
    LotInput,
    lot_figures,
    median,
    overview,
    scale,
    share,
    sme_share,
)
from procurement.models import NeedStatus
from registry.models import OrganisationKind, User
from tests.procurement import public_builders as build

AWARDED_CALL = CallInput(
    reference="CALL-00001",
    deadline_passed=True,
    bidder_sizes=("startup", "large"),
    awarded=True,
    winner_size="startup",
    total_value=Decimal("42500"),
    counterfactual_value=Decimal("50000"),
)
LOT_A = LotInput(
    reference="LOT-00001",
    title="Video analysis",
    status="awarded",
    currency="EUR",
    buyer_quantities=(10, 20, 30),
    estimated_unit_price=Decimal("800"),
    estimated_saving=Decimal("0.2"),
    call=AWARDED_CALL,
)
LOT_B = LotInput(
    reference="LOT-00002",
    title="Access control",
    status="call_opened",
    currency="EUR",
    buyer_quantities=(5, 15),
    estimated_unit_price=Decimal("100"),
    estimated_saving=Decimal("0.5"),
    # Still taking offers: its offers are sealed and count nowhere.
    call=CallInput("CALL-00002", deadline_passed=False, bidder_sizes=("sme", "sme", "sme")),
)
LOT_CANCELLED = LotInput(
    reference="LOT-00003",
    title="Drones",
    status="cancelled",
    currency="EUR",
    buyer_quantities=(1, 1),
    estimated_unit_price=Decimal("1"),
    estimated_saving=Decimal("0.1"),
)


def test_median_scale_and_shares() -> None:
    assert median([30, 10, 20]) == 20
    assert median([4, 1, 3, 2]) == Decimal("2.5")
    with pytest.raises(ValueError, match="median"):
        median([])
    # 60 licences pooled; the median buyer buys 20: the lot is 3 times a typical purchase.
    assert scale([10, 20, 30]) == 3
    assert scale([5, 15]) == 2
    assert share(60, 80) == Decimal("0.75") and share(1, 0) is None
    assert sme_share(["startup", "sme", "large", None]) == Decimal("0.5")
    assert sme_share([]) is None


def test_lot_figures_by_hand() -> None:
    figures = lot_figures(LOT_A)
    assert (figures.buyers, figures.quantity, figures.median_buyer_quantity) == (3, 60, 20)
    assert figures.scale == 3
    # 60 × 800 = 48 000 pooled; at a 20 % estimated saving, 60 000 buying alone.
    assert figures.estimated_cost == 48000 and figures.estimated_cost_alone == 60000
    # 1 − 42 500 / 50 000.
    assert figures.realised_saving == Decimal("0.15") and figures.offers == 2
    sealed = lot_figures(LOT_B)
    assert sealed.offers is None and sealed.realised_saving is None and sealed.scale == 2


def test_overview_by_hand() -> None:
    demand = [
        DemandInput(60, eligible=True, pooled=True),
        DemandInput(20, eligible=True, pooled=False),
        # Left out for too few certified solutions: not eligible, not counted.
        DemandInput(100, eligible=False, pooled=False),
    ]
    summary = overview([LOT_A, LOT_B, LOT_CANCELLED], demand)
    assert summary.lots == 2
    assert summary.buyers_per_lot == Decimal("2.5") and summary.scale == Decimal("2.5")
    assert (summary.eligible_quantity, summary.pooled_quantity) == (80, 60)
    assert summary.pooled_share == Decimal("0.75")
    # 1 − (48 000 + 2 000) / (60 000 + 4 000).
    assert summary.estimated_saving == Decimal("0.21875")
    assert summary.realised_saving == Decimal("0.15") and summary.awarded_lots == 1
    assert summary.calls_past_deadline == 1 and summary.offers_per_call == 2
    assert summary.sme_offer_share == Decimal("0.5") and summary.offers == 2
    assert summary.sme_award_share == 1 and summary.awards == 1
    empty = overview([], [])
    assert empty.lots == 0 and empty.pooled_share is None and empty.estimated_saving is None
    assert empty.offers_per_call is None and empty.sme_award_share is None


def test_a_chart_is_an_accessible_image_with_its_values_as_text() -> None:
    svg = charts.bar_chart(
        "Buyers per lot",
        "How many buyers each lot pools.",
        [
            charts.Row("LOT-1 <Video>", (charts.Bar(3, "3"),)),
            charts.Row("LOT-2", (charts.Bar(-0.5, "−0.5 %"),)),
        ],
    )
    assert 'role="img"' in svg and "aria-labelledby=" in svg
    assert "<title id=" in svg and "<desc id=" in svg and "How many buyers" in svg
    assert "LOT-1 &lt;Video&gt;" in svg and ">3</text>" in svg and "−0.5 %" in svg
    paired = charts.bar_chart(
        "Saving",
        "Estimated and realised.",
        [charts.Row("LOT-1", (charts.Bar(8, "8.0 %"), charts.Bar(20, "20.0 %")))],
        series=("Estimated", "Realised"),
    )
    # The second series differs by a pattern, and every bar names its series in words.
    assert "<pattern" in paired and "Estimated: 8.0 %" in paired and "Realised: 20.0 %" in paired


def test_the_dashboard_shows_the_figures_to_the_authority_only(
    app: Flask,
    client: FlaskClient,
    login: Callable[..., Any],
    create_user: Callable[..., User],
) -> None:
    authority = create_user(kind=OrganisationKind.AUTHORITY)
    login(client, authority)
    empty = client.get("/procurement/dashboard").get_data(as_text=True)
    assert "No lot yet" in empty and "No call has been awarded yet" in empty
    scene = build.scene(authority)
    call = build.open_call(scene)
    startup, _ = build.two_offers(scene, call)
    build.pass_deadline(call)
    build.award(scene, call, startup, dropout_buyers=(0,))
    build.loose_need(scene.buyers[0], 40, NeedStatus.OPEN)
    build.loose_need(scene.buyers[1], 100, NeedStatus.UNMATCHED, "too_few_vendors")
    page = client.get("/procurement/dashboard").get_data(as_text=True)
    for fact in (
        "<dt>Buyers per lot</dt><dd>3.0 on average",
        "3.0 × a typical buyer",
        # 60 pooled of 60 + 40 eligible; the unmatched 100 had too few vendors.
        "60.0 % (60 of 100 units)",
        "Estimated saving</dt><dd>8.0 %",
        "Realised saving</dt><dd>20.0 % over 1 awarded lot",
        "2.0 over 1 call past the deadline",
        "50.0 % of 2 offers",
        "100.0 % of 1 award",
        'role="img"',
        "<title id=",
        "Figures per lot (1)",
        "Saving per awarded lot",
        "53,125.00 EUR",
        "Eligible demand",
    ):
        assert fact in page, fact
    buyer = create_user(kind=OrganisationKind.BUYER)
    other = app.test_client()
    login(other, buyer)
    assert other.get("/procurement/dashboard").status_code == 403
    assert app.test_client().get("/procurement/dashboard").status_code == 302
