"""Procedure rules by value: the estimated value, the EU threshold, the regime and its offer period.

Decided here:

- The estimated value of a call is its lot's maximum quantity × estimated unit price (the value
  of a framework agreement counts its options, Directive 2014/24/EU art. 5).
- The regime is decided on the value of every lot of the same aggregation round for the same
  need — same technology category, norm, unit and currency, the key the aggregation pools needs
  by (procurement.aggregation) — so that splitting a need into lots cannot dodge a threshold
  (art. 5(9), (10)). Lots already cancelled or unsuccessful count too: the need was estimated.
- Thresholds for supplies and services (EU_THRESHOLD_CENTRAL, 140 000 EUR, and
  EU_THRESHOLD_SUB_CENTRAL, 216 000 EUR, the 2026–2027 values), chosen by
  CONTRACTING_AUTHORITY_LEVEL (central or sub_central). At or above it: the open procedure with
  at least EU_MIN_OFFER_DAYS (30: 35 days reduced by 5 for electronic submission, art. 27(4)),
  never less than PROCUREMENT_MIN_OFFER_DAYS; below it: PROCUREMENT_MIN_OFFER_DAYS.
- The notice's CPV codes come from the lot's category (CPV_CODES overrides the mapping), its
  review body from REVIEW_BODY, its times are shown in TIMEZONE with the zone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from procurement.calls.legal import cpv
from procurement.calls.legal.models import Regime
from procurement.calls.limits import min_offer_days
from procurement.models import Lot
from registry.database import db
from registry.dates import local_zone

DEFAULT_THRESHOLD_CENTRAL = Decimal("140000")
DEFAULT_THRESHOLD_SUB_CENTRAL = Decimal("216000")
DEFAULT_EU_MIN_OFFER_DAYS = 30
DEFAULT_REVIEW_BODY = (
    "Tribunal administratif de Paris, 7 rue de Jouy, 75181 Paris Cedex 04, France "
    "(greffe.ta-paris@juradm.fr): référé précontractuel (Code de justice administrative, "
    "art. L551-1) until the contract is signed"
)
LEVELS = ("central", "sub_central")
# The technology categories' CPV codes (Regulation (EC) No 213/2008) with their published check
# digits (procurement.calls.legal.cpv).
DEFAULT_CPV_CODES: dict[str, tuple[str, ...]] = {
    "systems-integration": ("35120000-1", "72220000-3"),
    "video-analysis": ("48730000-4", "35125300-2"),
    "access-id-control": ("42961100-1", "35120000-1"),
    "flow-modeling": ("48000000-8",),
    "public-alert": ("35120000-1",),
    "sensors-drones-robotics": ("35120000-1",),
    "data-collection": ("48000000-8",),
    "data-analysis": ("48000000-8",),
    "video-protection": ("35125300-2", "32323500-8"),
    "command-coordination": ("35120000-1", "48000000-8"),
    "cybersecurity": ("48730000-4",),
}
FALLBACK_CPV = ("35120000-1",)
CPV_FORMAT = re.compile(r"^\d{8}(-\d)?$")


def valid_cpv(code: str) -> bool:
    """Whether the code has a CPV's shape: 8 digits, optionally a dash and the check digit."""
    return bool(CPV_FORMAT.match(code))


def contracting_level() -> str:
    """central or sub_central (CONTRACTING_AUTHORITY_LEVEL; anything else is sub_central)."""
    level = str(current_app.config.get("CONTRACTING_AUTHORITY_LEVEL", "sub_central"))
    return level if level in LEVELS else "sub_central"


def threshold() -> Decimal:
    """The EU threshold for supplies and services of this contracting authority, in EUR."""
    if contracting_level() == "central":
        return Decimal(
            str(current_app.config.get("EU_THRESHOLD_CENTRAL", DEFAULT_THRESHOLD_CENTRAL))
        )
    return Decimal(
        str(current_app.config.get("EU_THRESHOLD_SUB_CENTRAL", DEFAULT_THRESHOLD_SUB_CENTRAL))
    )


def eu_min_offer_days() -> int:
    """The shortest offer period of an open procedure with electronic submission."""
    return int(current_app.config.get("EU_MIN_OFFER_DAYS", DEFAULT_EU_MIN_OFFER_DAYS))


def lot_value(lot: Lot) -> Decimal:
    """A lot's estimated value: its maximum quantity at its estimated unit price."""
    return Decimal(lot.maximum_quantity) * lot.estimated_unit_price


def regime_for(total: Decimal, limit: Decimal) -> Regime:
    """The regime of a value against a threshold: at or above it, the open procedure."""
    return Regime.EU_OPEN if total >= limit else Regime.BELOW_THRESHOLD


def need_total(values: Iterable[Decimal]) -> Decimal:
    """The value of a need split into lots: the sum of its lots' values."""
    return sum(values, Decimal(0))


def same_need_lots(lot: Lot) -> list[Lot]:
    """Every lot of the lot's aggregation round for the same need (the lot itself included)."""
    return list(
        db.session.scalars(
            select(Lot)
            .where(
                Lot.round_id == lot.round_id,
                Lot.category_id == lot.category_id,
                Lot.norm_id.is_(None) if lot.norm_id is None else Lot.norm_id == lot.norm_id,
                Lot.unit == lot.unit,
                Lot.currency == lot.currency,
            )
            .order_by(Lot.id)
        )
    )


def split_regimes(values: Sequence[Decimal], limit: Decimal) -> list[Regime]:
    """The regime of each lot of a need split into lots of these values: the total decides."""
    total = need_total(values)
    return [regime_for(total, limit) for _ in values]


def lot_regime(lot: Lot) -> tuple[Decimal, Decimal, Regime]:
    """The lot's value, its round's value for the same need, and the regime that total decides."""
    lots = same_need_lots(lot)
    values = [lot_value(other) for other in lots]
    regimes = split_regimes(values, threshold())
    return lot_value(lot), need_total(values), regimes[[other.id for other in lots].index(lot.id)]


def regime_min_offer_days(regime: Regime) -> int:
    """The shortest offer period the regime allows."""
    if regime is Regime.EU_OPEN:
        return max(eu_min_offer_days(), min_offer_days())
    return min_offer_days()


def cpv_codes(category_code: str) -> tuple[str, ...]:
    """The CPV codes of a technology category, with their check digits (CPV_CODES, checked at
    start by procurement.calls.legal.cpv, then the default mapping)."""
    configured = current_app.config.get("CPV_CODES") or {}
    if isinstance(configured, dict) and category_code in configured:
        found = configured[category_code]
        codes = (found,) if isinstance(found, str) else tuple(str(code) for code in found)
        valid = tuple(cpv.full_code(code) for code in codes if cpv.problem(code) is None)
        if valid:
            return valid
    return DEFAULT_CPV_CODES.get(category_code, FALLBACK_CPV)


def review_body() -> str:
    """The body that hears a review of the procedure, with its address."""
    return str(current_app.config.get("REVIEW_BODY") or DEFAULT_REVIEW_BODY)


def local_stamp(moment: dt.datetime) -> str:
    """A moment in the notice's local time, to the minute, with its zone's name and offset."""
    zone = local_zone()
    local = moment.astimezone(zone)
    return f"{local.strftime('%Y-%m-%d %H:%M')} {zone.key} ({local.strftime('%Z, UTC%z')})"
