"""The price–volume curve p(Q) = p_ref·(Q/q_ref)^β: fitting it, and the saving it estimates.

Rules decided here (docs/PROCUREMENT.md gives the overview):

- Saving: the counterfactual is each *buyer* buying its own firm quantity in the lot alone, so
  qᵢ sums one buyer's needs; Q is the lot's firm quantity. p_ref and q_ref cancel out of it.
- Money and the curve use ``Decimal`` in a fixed context (28 digits), so results do not depend
  on the caller's decimal context or the platform's libm; nothing is rounded here.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from typing import NamedTuple

DEFAULT_BETA = Decimal("-0.15")
# Fixed context: the same needs must give the same figures whatever the caller's context.
DECIMAL_CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN)
# Fewer past awards than this are too few to fit a slope.
MIN_POINTS_FOR_FIT = 3

ZERO = Decimal(0)
_ONE = Decimal(1)


class PriceCurve(NamedTuple):
    """Price–volume curve p(Q) = p_ref·(Q/q_ref)^β; no reference point until awards exist."""

    p_ref: Decimal | None = None
    q_ref: Decimal | None = None
    beta: Decimal = DEFAULT_BETA

    def unit_price(self, quantity: Decimal | int) -> Decimal:
        """Estimated unit price at ``quantity``; needs a reference point."""
        if self.p_ref is None or self.q_ref is None:
            raise ValueError("this price curve has no reference point")
        with localcontext(DECIMAL_CONTEXT):
            return self.p_ref * _power(Decimal(quantity) / self.q_ref, self.beta)


def fit_price_curve(
    past_awards: Sequence[tuple[int | Decimal, Decimal]],
    default_beta: Decimal = DEFAULT_BETA,
) -> PriceCurve:
    """Fit p(Q) = p_ref·(Q/q_ref)^β to past (quantity, unit price) awards by log least squares."""
    # A logarithm needs positive values; anything else is not a usable award.
    points = [(Decimal(q), Decimal(p)) for q, p in past_awards if q > 0 and p > 0]
    if not points:
        return PriceCurve(beta=default_beta)
    with localcontext(DECIMAL_CONTEXT) as context:
        log_q = [context.ln(q) for q, _ in points]
        log_p = [context.ln(p) for _, p in points]
        n = len(points)
        mean_q = sum(log_q, ZERO) / n
        mean_p = sum(log_p, ZERO) / n
        # The least-squares line passes through the centroid of the logs, so the geometric
        # means are a reference point consistent with the fitted slope and with the default.
        p_ref = context.exp(mean_p)
        q_ref = context.exp(mean_q)
        spread = sum(((x - mean_q) ** 2 for x in log_q), ZERO)
        if n < MIN_POINTS_FOR_FIT or spread == 0:
            return PriceCurve(p_ref, q_ref, default_beta)
        beta = sum(((x - mean_q) * (y - mean_p) for x, y in zip(log_q, log_p, strict=True)), ZERO)
        beta /= spread
    # Not decreasing: no volume discount to estimate. At or below -1 the total cost would fall
    # as volume rises, which says more about the sample than about prices.
    if not -1 < beta < 0:
        beta = default_beta
    return PriceCurve(p_ref, q_ref, beta)


def estimated_saving(quantities_by_buyer: Sequence[int], beta: Decimal) -> Decimal:
    """1 − Q·p(Q) / Σ qᵢ·p(qᵢ): pooled cost against each buyer buying its quantity alone."""
    if not quantities_by_buyer or min(quantities_by_buyer) <= 0:
        raise ValueError("the saving needs at least one positive quantity")
    with localcontext(DECIMAL_CONTEXT):
        return pooling_saving(quantities_by_buyer, PowerCache(beta))


def _power(base: Decimal, exponent: Decimal) -> Decimal:
    """base^exponent for base > 0, in the fixed context."""
    # exp(y·ln x) costs half of Context.power and is just as deterministic (libmpdec).
    return DECIMAL_CONTEXT.exp(exponent * DECIMAL_CONTEXT.ln(base))


class PowerCache:
    """x^β for one curve, memoised: quantities repeat and Decimal powers are slow."""

    __slots__ = ("beta", "cache")

    def __init__(self, beta: Decimal) -> None:
        self.beta = beta
        self.cache: dict[Decimal | int, Decimal] = {}

    def __call__(self, base: Decimal | int) -> Decimal:
        """(base/q_ref)^β, computed once per base."""
        result = self.cache.get(base)
        if result is None:
            result = _power(Decimal(base), self.beta)
            self.cache[base] = result
        return result


def pooling_saving(quantities_by_buyer: Sequence[int], powers: PowerCache) -> Decimal:
    """The saving formula with p_ref·q_ref^-β cancelled out of numerator and denominator."""
    total = sum(quantities_by_buyer)
    standalone = sum((q * powers(q) for q in quantities_by_buyer), ZERO)
    return _ONE - total * powers(total) / standalone
