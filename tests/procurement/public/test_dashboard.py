"""The scale figures: pure functions checked against hand-computed examples, and the
authority's dashboard page with its accessible charts."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from procurement.calls.award import Tier, observed_savings
from procurement.models import NeedStatus
from procurement.public import charts
from procurement.public.dashboard import (
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
from registry.models import OrganisationKind, User
from tests.procurement import public_builders

# 60 licences at 700 against 60 × 800 published; alone, 10 and 20 at 880 (the large firm's
# flat price), 30 at 750 (the startup's tier from 25): 8 800 + 17 600 + 22 500 = 48 900.
AWARDED_SAVINGS = observed_savings(
    [10, 20, 30],
    Decimal("700"),
    Decimal("800"),
    [
        (Tier(1, Decimal("950")), Tier(25, Decimal("750")), Tier(60, Decimal("700"))),
        (Tier(1, Decimal("880")),),
    ],
)
AWARDED_CALL = CallInput(
    reference="CALL-00001",
    deadline_passed=True,
    bidder_sizes=("startup", "large"),
    awarded=True,
    winner_size="startup",
    savings=AWARDED_SAVINGS,
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
# One offer, at half the estimate: no saving is claimed, and the overall figures leave it out.
LOT_SINGLE = LotInput(
    reference="LOT-00004",
    title="Body cameras",
    status="awarded",
    currency="EUR",
    buyer_quantities=(4, 6),
    estimated_unit_price=Decimal("100"),
    estimated_saving=Decimal("0.1"),
    call=CallInput(
        "CALL-00004",
        deadline_passed=True,
        bidder_sizes=("large",),
        awarded=True,
        winner_size="large",
        savings=observed_savings(
            [4, 6], Decimal("50"), Decimal("100"), [(Tier(1, Decimal("50")),)]
        ),
    ),
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
    assert (figures.buyers, figures.quantity, figures.median_buyer_quantity) == (3, 60, Decimal(20))
    assert figures.scale == 3
    # 60 × 800 = 48 000 pooled; at a 20 % estimated saving, 60 000 buying alone.
    assert figures.estimated_cost == 48000 and figures.estimated_cost_alone == 60000
    # 1 − 42 000 / 48 000 and 1 − 42 000 / 48 900.
    assert figures.saving_vs_estimate == Decimal("0.125") and figures.offers == 2
    assert figures.saving_vs_standalone == 1 - Decimal(42000) / Decimal(48900)
    sealed = lot_figures(LOT_B)
    assert sealed.offers is None and sealed.savings is None and sealed.scale == 2
    single = lot_figures(LOT_SINGLE)
    assert single.savings is not None and not single.savings.claimed
    assert single.saving_vs_estimate is None and single.saving_vs_standalone is None


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
    # The single-offer award counts as awarded, but its figures are left out of the savings.
    with_single = overview([LOT_A, LOT_SINGLE], demand)
    assert (with_single.awarded_lots, with_single.compared_lots) == (2, 1)
    assert with_single.single_offer_lots == 1
    assert with_single.saving_vs_estimate == Decimal("0.125")
    assert (summary.eligible_quantity, summary.pooled_quantity) == (80, 60)
    assert summary.pooled_share == Decimal("0.75")
    # 1 − (48 000 + 2 000) / (60 000 + 4 000).
    assert summary.estimated_saving == Decimal("0.21875")
    assert summary.saving_vs_estimate == Decimal("0.125") and summary.awarded_lots == 1
    assert summary.saving_vs_standalone == 1 - Decimal(42000) / Decimal(48900)
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
    scene = public_builders.scene(authority)
    call = public_builders.open_call(scene)
    startup, _ = public_builders.two_offers(scene, call)
    public_builders.pass_deadline(call)
    public_builders.award(scene, call, startup, dropout_buyers=(0,))
    public_builders.loose_need(scene.buyers[0], 40, NeedStatus.OPEN)
    public_builders.loose_need(scene.buyers[1], 100, NeedStatus.UNMATCHED, "too_few_vendors")
    page = client.get("/procurement/dashboard").get_data(as_text=True)
    for fact in (
        "<dt>Buyers per lot</dt><dd>3.0 on average",
        "3.0 × a typical buyer",
        # 60 pooled of 60 + 40 eligible; the unmatched 100 had too few vendors.
        "60.0 % (60 of 100 units)",
        "Modelled saving of pooling</dt><dd>8.0 %",
        # 42 500 paid against 50 × 800 published and against 50 × 880 alone.
        "Saving against the published estimate</dt><dd>-6.2 %",
        "(1 awarded lot with two offers or more)",
        "Saving against each buyer buying alone</dt><dd>3.4 %",
        "2.0 over 1 call past the deadline",
        "50.0 % of 2 offers",
        "100.0 % of 1 award",
        'role="img"',
        "<title id=",
        "Figures per lot (1)",
        "Savings per awarded lot, beside the number of offers (1)",
        "44,000.00 EUR",
        "Eligible demand",
    ):
        assert fact in page, fact
    buyer = create_user(kind=OrganisationKind.BUYER)
    other = app.test_client()
    login(other, buyer)
    assert other.get("/procurement/dashboard").status_code == 403
    assert app.test_client().get("/procurement/dashboard").status_code == 302
