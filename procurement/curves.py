"""Price–volume curves fitted on past awards.

docs/PROCUREMENT.md: p(Q) = p_ref·(Q/q_ref)^β, β fitted on past awards, a default until there
are any. Each award is one point (awarded quantity, awarded unit price) of its lot's category, unit
and currency. A round fits one curve per such key that has awards (the pure
``aggregation.fit_price_curve``): with fewer than ``MIN_POINTS_FOR_FIT`` awards, or awards all
at one quantity, the curve keeps the round's default slope but is anchored at the awards'
geometric mean, so estimated prices start from prices actually paid. Keys without an award use
the round's default curve. The fitted curves are stored with the round, so a lot's figures and
its award's counterfactual are computed on the curve the round used.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from procurement.aggregation.pricing import MIN_POINTS_FOR_FIT, PriceCurve, fit_price_curve
from procurement.calls.models import Award, JointCall
from procurement.models import Lot
from registry.database import db
from registry.models import TechnologyCategory

CurveKey = tuple[str, str, str]


@dataclass(frozen=True)
class FittedCurve:
    """A curve of one (category, unit, currency) and the awards it was fitted on."""

    category: str
    unit: str
    currency: str
    curve: PriceCurve
    awards: int
    # Whether β comes from the awards; otherwise it is the round's default slope.
    slope_fitted: bool

    @property
    def key(self) -> CurveKey:
        """The (category, unit, currency) the curve applies to."""
        return (self.category, self.unit, self.currency)


def past_awards() -> dict[CurveKey, list[tuple[int, Decimal]]]:
    """(awarded quantity, awarded unit price) of every award, by category, unit and currency."""
    rows = db.session.execute(
        select(TechnologyCategory.code, Lot.unit, Lot.currency, Award.quantity, Award.unit_price)
        .join(JointCall, Award.call_id == JointCall.id)
        .join(Lot, JointCall.lot_id == Lot.id)
        .join(TechnologyCategory, Lot.category_id == TechnologyCategory.id)
        .order_by(Award.id)
    )
    points: dict[CurveKey, list[tuple[int, Decimal]]] = defaultdict(list)
    for category, unit, currency, quantity, unit_price in rows:
        points[(category, str(unit), currency)].append((quantity, unit_price))
    return dict(points)


def fit_curves(default_beta: Decimal) -> list[FittedCurve]:
    """One curve per (category, unit, currency) with past awards, in key order."""
    fitted = []
    for key, points in sorted(past_awards().items()):
        curve = fit_price_curve(points, default_beta)
        # fit_price_curve falls back to the default slope when the awards cannot give one.
        slope_fitted = len(points) >= MIN_POINTS_FOR_FIT and curve.beta != default_beta
        fitted.append(FittedCurve(*key, curve, len(points), slope_fitted))
    return fitted


def to_stored(curves: list[FittedCurve]) -> list[dict[str, Any]]:
    """The fitted curves as plain JSON-able values, for the round's parameters."""
    return [
        {
            "category": item.category,
            "unit": item.unit,
            "currency": item.currency,
            "p_ref": None if item.curve.p_ref is None else str(item.curve.p_ref),
            "q_ref": None if item.curve.q_ref is None else str(item.curve.q_ref),
            "beta": str(item.curve.beta),
            "awards": item.awards,
            "slope_fitted": item.slope_fitted,
        }
        for item in curves
    ]


def from_stored(values: list[dict[str, Any]]) -> list[FittedCurve]:
    """Fitted curves back from a round's stored parameters."""
    return [
        FittedCurve(
            category=value["category"],
            unit=value["unit"],
            currency=value["currency"],
            curve=PriceCurve(
                None if value["p_ref"] is None else Decimal(value["p_ref"]),
                None if value["q_ref"] is None else Decimal(value["q_ref"]),
                Decimal(value["beta"]),
            ),
            awards=int(value["awards"]),
            slope_fitted=bool(value["slope_fitted"]),
        )
        for value in values
    ]
