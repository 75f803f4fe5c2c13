"""The price–volume curve fitted on past awards (docs/PROCUREMENT.md: "β fitted on past awards, a
default until there are any"): a round anchors the curve of a category, unit and currency at
the prices awarded in it, fits its slope once there are enough awards, shows it, and the award
of a lot from that round measures its saving with that slope."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from procurement.calls.models import Award
from procurement.calls.services.awarding import award_call
from procurement.models import Lot, LotStatus
from procurement.services.rounds import round_curves
from registry.database import db
from registry.models import OrganisationKind, User
from registry.norms.models import NormVersion
from tests.procurement.calls.call_builders import (
    NORM,
    CallWorld,
    frozen_lot,
    make_offer,
    open_call,
    opening_officers,
    pass_deadline,
)
from tests.procurement.need_builders import certified_market, open_need

CENT = Decimal("0.01")


class Market:
    """An authority, two certified vendors, and new buyers on demand."""

    def __init__(self, create_user: Callable[..., User]) -> None:
        self.create_user = create_user
        self.authority = create_user(kind=OrganisationKind.AUTHORITY)
        self.vendors = [create_user(kind=OrganisationKind.VENDOR) for _ in range(2)]
        self.version: NormVersion = certified_market(self.authority, self.vendors, NORM)
        opening_officers(self.authority)  # enough officers with keys to open the sealed offers

    def buyers(self) -> list[User]:
        return [self.create_user(kind=OrganisationKind.BUYER) for _ in range(2)]

    def award(self, each: int, price: str) -> Award:
        """A frozen lot of two buyers of `each` licences, its call awarded at a flat `price`."""
        lot = frozen_lot(
            self.authority, self.buyers(), quantities=[each, each], ceilings=["5000"] * 2
        )
        return self.award_lot(lot, price)

    def award_lot(self, lot: Lot, price: str) -> Award:
        world = CallWorld(self.authority, [], self.vendors, [], self.version, lot)
        call = open_call(world)
        make_offer(self.vendors[0], call, [(1, price)])
        pass_deadline(call)
        award_call(self.authority, call)
        db.session.commit()
        assert call.award is not None
        return call.award


def curve_price(p_ref: Decimal, q_ref: int, quantity: int, beta: str) -> Decimal:
    """p_ref·(Q/q_ref)^β, computed here on its own."""
    return p_ref * (Decimal(quantity) / q_ref) ** Decimal(beta)


def test_rounds_anchor_then_fit_the_curve_on_past_awards(
    client: FlaskClient,
    runner: FlaskCliRunner,
    login: Callable[..., Any],
    create_user: Callable[..., User],
) -> None:
    market = Market(create_user)
    login(client, market.authority)
    assert "No round has been run yet" in client.get("/procurement/aggregation").get_data(
        as_text=True
    )

    # One award: 20 licences at 1000. The round that made its lot ran before any award.
    market.award(10, "1000.00")
    page = client.get("/procurement/aggregation").get_data(as_text=True)
    assert "No award yet when the last round ran" in page

    # A round now anchors the curve at that award and keeps the default slope: two buyers of
    # 50 licences (no norm, so they pool apart from the lots of the calls) are estimated at
    # 1000·(100/20)^-0.15, not from their ceilings.
    for buyer in market.buyers():
        open_need(buyer, title="Licences, any label", firm_quantity=50, max_unit_price=Decimal(900))
    form = {
        "region_level": "1",
        "min_buyers": "2",
        "min_vendors": "0",
        "min_saving_percent": "0",
        "lot_value_cap": "",
        "beta": "-0.15",
        "procedure_days": "60",
        "lead_time_days": "30",
    }
    assert client.post("/procurement/aggregation", data=form).status_code == 302
    lot = db.session.scalars(select(Lot).where(Lot.status == LotStatus.PROPOSED)).one()
    expected = curve_price(Decimal(1000), 20, 100, "-0.15")
    assert lot.estimated_unit_price.quantize(CENT) == expected.quantize(CENT)
    page = client.get("/procurement/aggregation").get_data(as_text=True)
    assert "Curves the last round fitted on past awards (1)" in page
    assert "-0.150 (default)" in page and "1,000.00 EUR at 20 units" in page
    result = runner.invoke(
        args=["procurement", "aggregate", "--region-level", "1", "--min-vendors", "0"]
    )
    assert result.exit_code == 0, result.output
    assert "curve video-analysis/licence/EUR: beta -0.150 (default, anchored at 1 award)" in (
        result.output
    )

    # Two more awards on the curve p(Q) = 1000·(Q/20)^-0.2: the slope is fitted.
    for each in (40, 160):
        price = curve_price(Decimal(1000), 20, 2 * each, "-0.2").quantize(CENT)
        market.award(each, str(price))
    pooled = frozen_lot(
        market.authority, market.buyers(), quantities=[50, 50], ceilings=["5000"] * 2
    )
    (curve,) = round_curves(pooled.round)
    assert (curve.awards, curve.slope_fitted) == (3, True)
    assert curve.curve.beta == pytest.approx(Decimal("-0.2"), abs=Decimal("0.001"))
    assert pooled.estimated_unit_price == pytest.approx(
        curve_price(Decimal(1000), 20, 100, "-0.2"), abs=Decimal("0.5")
    )
    page = client.get("/procurement/aggregation").get_data(as_text=True)
    assert "-0.200 (fitted on the awards)" in page

    # The award of that lot measures its saving against the buyers alone on the fitted slope:
    # two equal buyers pay 2^0.2 times more each alone, so the saving is 1 − 2^-0.2 ≈ 12.9 %
    # (the default slope would say 1 − 2^-0.15 ≈ 9.9 %).
    award = market.award_lot(pooled, "700.00")
    assert award.realised_saving == pytest.approx(
        1 - Decimal(2) ** Decimal("-0.2"), abs=Decimal("0.001")
    )
