"""Buyer needs: the checks that guard each change, and the audit.

Decided here (docs/PROCUREMENT.md gives the overview):

- A need's pages are the buyer's own: another buyer's need answers 404 whatever its state;
  vendors, evaluators and the authority get 403 on them (the authority sees needs through the
  lots and the unmatched list of a round).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from catalog.plain_text import check_length, multi_line, one_line
from catalog.regions import NATIONWIDE, REGIONS
from procurement.models import (
    CURRENCIES,
    MAX_LEVEL_RANK,
    MAX_UPLIFT,
    NOTES_MAX,
    LotMember,
    Need,
    NeedStatus,
    NeedUnit,
)
from registry import audit
from registry.access import require_role, require_same_organisation
from registry.arguments import MAX_ID
from registry.database import db, utcnow
from registry.dates import today
from registry.exceptions import NotVisible, RuleViolation
from registry.models import Role, TechnologyCategory, User
from registry.money import CENT
from registry.norms.models import Norm, NormStatus

TITLE_MAX = 200
MAX_QUANTITY = 10_000_000
# A unit price above this is a typing error, not a purchase (and keeps sums in the columns).
MAX_UNIT_PRICE = Decimal("100000000")
MAX_YEARS_AHEAD = 10


@dataclass(frozen=True)
class NeedData:
    """Everything a buyer may set on a need; nothing else reaches the model."""

    title: str
    category: str  # a TechnologyCategory code
    firm_quantity: int
    unit: NeedUnit | str
    max_unit_price: Decimal | str | float
    need_by: dt.date
    region_code: str
    norm_code: str | None = None
    min_level_rank: int = 0
    optional_quantity: int = 0
    accepted_uplift: int = 0
    notes: str = ""
    currency: str = "EUR"
    requires_version_in_scope: bool = False


def region_path(code: str) -> tuple[str, ...]:
    """A catalog region code as an administrative path, broadest first: FR-BRE → (FR, FR-BRE)."""
    return (NATIONWIDE,) if code == NATIONWIDE else (NATIONWIDE, code)


def require_buyer(actor: User | None) -> User:
    """The actor, if a buyer; otherwise refused."""
    return require_role(actor, Role.BUYER)


# What ``own_row`` reads: a row that belongs to a buyer.
OwnRow = TypeVar("OwnRow", Need, LotMember)


def get_own_need(actor: User | None, need_id: int) -> Need:
    """The actor's own need (buyers only); another buyer's answers 404."""
    return own_row(require_buyer(actor), Need, need_id)


def own_row(buyer: User, model: type[OwnRow], row_id: int) -> OwnRow:
    """A need or lot membership of the buyer's organisation by id; another buyer's answers 404."""
    row = db.session.get(model, row_id) if 0 < row_id <= MAX_ID else None
    if row is None:
        raise NotVisible()
    require_same_organisation(buyer, row.buyer_id)
    return row


def buyer_needs(actor: User | None, status: NeedStatus | None = None) -> Select[Need]:
    """The actor's organisation's needs, newest first."""
    buyer = require_buyer(actor)
    statement = (
        select(Need)
        .where(Need.buyer_id == buyer.organisation_id)
        .options(selectinload(Need.category), selectinload(Need.norm))
        .order_by(Need.created_at.desc(), Need.id.desc())
    )
    if status is not None:
        statement = statement.where(Need.status == status)
    return statement


def _positive_int(value: Any, field: str, label: str, *, allow_zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuleViolation(f"{label} must be a whole number.", field)
    if value < (0 if allow_zero else 1) or value > MAX_QUANTITY:
        least = 0 if allow_zero else 1
        raise RuleViolation(f"{label} must be between {least} and {MAX_QUANTITY:,}.", field)
    return value


def _price(value: Decimal | str | float) -> Decimal:
    if isinstance(value, float) and not math.isfinite(value):
        raise RuleViolation("Give a maximum unit price as a number.", "max_unit_price")
    try:
        price = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise RuleViolation("Give a maximum unit price as a number.", "max_unit_price") from None
    if not price.is_finite():
        raise RuleViolation("Give a maximum unit price as a number.", "max_unit_price")
    if price <= 0:
        raise RuleViolation("The maximum unit price must be more than zero.", "max_unit_price")
    if price > MAX_UNIT_PRICE:
        raise RuleViolation(
            f"The maximum unit price must be at most {MAX_UNIT_PRICE:,}.", "max_unit_price"
        )
    if price != price.quantize(CENT):
        raise RuleViolation("Give the price to the cent at most.", "max_unit_price")
    return price.quantize(CENT)


def _need_by(value: Any) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise RuleViolation("Give a valid date.", "need_by")
    now = today()
    if value <= now:
        raise RuleViolation("The need-by date must be in the future.", "need_by")
    if value.year > now.year + MAX_YEARS_AHEAD:
        raise RuleViolation(f"The need-by date must be within {MAX_YEARS_AHEAD} years.", "need_by")
    return value


def level_names(norm: Norm | None) -> list[str]:
    """The level names of the norm's version in force (rank 1 first)."""
    if norm is None:
        return []
    version = norm.published_version or norm.latest_public_version
    return [level.name for level in version.levels] if version is not None else []


def level_name(norm: Norm | None, rank: int) -> str:
    """A human name for a level rank under a norm."""
    if rank <= 0:
        return "No label level required"
    names = level_names(norm)
    return names[rank - 1] if rank <= len(names) else f"Level {rank}"


def _resolve(data: NeedData) -> tuple[TechnologyCategory, Norm | None]:
    category = db.session.scalar(
        select(TechnologyCategory).where(TechnologyCategory.code == data.category)
    )
    if category is None:
        raise RuleViolation("Choose a technology category.", "category")
    norm = None
    if data.norm_code:
        norm = db.session.scalar(select(Norm).where(Norm.code == data.norm_code))
        if norm is None or norm.status is not NormStatus.ACTIVE or not norm.is_public:
            raise RuleViolation("Choose a norm in force, or none.", "norm")
        if norm.category_id != category.id:
            raise RuleViolation(
                f"The norm {norm.code} is for {norm.category.name}, not {category.name}: "
                f"choose a norm of {category.name}, or no norm.",
                "norm",
            )
    rank = data.min_level_rank
    if isinstance(rank, bool) or not isinstance(rank, int) or not 0 <= rank <= MAX_LEVEL_RANK:
        raise RuleViolation("Choose a label level.", "min_level_rank")
    if rank and norm is None:
        raise RuleViolation(
            "A minimum label level needs a norm: choose the norm, or no label level.",
            "min_level_rank",
        )
    if norm is not None and rank > len(level_names(norm)):
        names = level_names(norm)
        raise RuleViolation(
            f"The norm {norm.code} defines {len(names)} level{'s' if len(names) != 1 else ''}"
            f" ({', '.join(names) or 'none'}): choose one of them, or no label level.",
            "min_level_rank",
        )
    return category, norm


def _apply(need: Need, data: NeedData) -> None:
    title = one_line(data.title)
    if not title:
        raise RuleViolation("Give the need a short title.", "title")
    check_length(title, TITLE_MAX, "title", "The title")
    category, norm = _resolve(data)
    try:
        unit = NeedUnit(data.unit)
    except ValueError:
        raise RuleViolation("Choose a unit.", "unit") from None
    if data.currency not in CURRENCIES:
        raise RuleViolation("Choose a currency.", "currency")
    if data.region_code not in REGIONS:
        raise RuleViolation("Choose a region.", "region_code")
    uplift = data.accepted_uplift
    if isinstance(uplift, bool) or not isinstance(uplift, int) or not 0 <= uplift <= MAX_UPLIFT:
        raise RuleViolation(f"The accepted uplift is 0 to {MAX_UPLIFT} levels.", "accepted_uplift")
    notes = check_length(multi_line(data.notes), NOTES_MAX, "notes", "The notes")
    duplicate = db.session.scalar(
        select(Need.id).where(
            Need.buyer_id == need.buyer_id, Need.title == title, Need.id != (need.id or 0)
        )
    )
    if duplicate is not None:
        raise RuleViolation("Your organisation already has a need with this title.", "title")
    need.title = title
    need.category = category
    need.category_id = category.id
    need.norm = norm
    need.norm_id = norm.id if norm is not None else None
    need.min_level_rank = data.min_level_rank
    need.firm_quantity = _positive_int(data.firm_quantity, "firm_quantity", "The firm quantity")
    need.optional_quantity = _positive_int(
        data.optional_quantity, "optional_quantity", "The optional quantity", allow_zero=True
    )
    need.unit = unit
    need.currency = data.currency
    need.max_unit_price = _price(data.max_unit_price)
    need.need_by = _need_by(data.need_by)
    need.region_code = data.region_code
    need.accepted_uplift = uplift
    need.requires_version_in_scope = bool(data.requires_version_in_scope)
    need.notes = notes
    need.updated_at = utcnow()


def _snapshot(need: Need) -> dict[str, Any]:
    return {
        "title": need.title,
        "category": need.category.code,
        "norm": need.norm.code if need.norm else None,
        "min_level_rank": need.min_level_rank,
        "firm_quantity": need.firm_quantity,
        "optional_quantity": need.optional_quantity,
        "unit": need.unit.value,
        "currency": need.currency,
        "max_unit_price": str(need.max_unit_price),
        "need_by": need.need_by.isoformat(),
        "region": need.region_code,
        "accepted_uplift": need.accepted_uplift,
        "status": need.status.value,
    }


def create_need(actor: User | None, data: NeedData) -> Need:
    """Start a need as a draft of the actor's buyer organisation."""
    buyer = require_buyer(actor)
    need = Need(buyer_id=buyer.organisation_id, created_by_id=buyer.id, status=NeedStatus.DRAFT)
    _apply(need, data)
    db.session.add(need)
    audit.record(
        buyer, "need.create", need, summary=f"Need “{need.title}” drafted", data=_snapshot(need)
    )
    return need


def _require_editable(need: Need, doing: str) -> None:
    if not need.is_editable:
        raise RuleViolation(f"A need that is {need.status.label.lower()} cannot be {doing}.")


def update_need(actor: User | None, need: Need, data: NeedData) -> Need:
    """Change one's own draft, open or unmatched need."""
    buyer = require_buyer(actor)
    require_same_organisation(buyer, need.buyer_id)
    _require_editable(need, "changed")
    _apply(need, data)
    audit.record(
        buyer, "need.update", need, summary=f"Need “{need.title}” changed", data=_snapshot(need)
    )
    db.session.flush()
    return need


def open_need(actor: User | None, need: Need) -> Need:
    """Make a draft need open to the next aggregation round."""
    buyer = require_buyer(actor)
    require_same_organisation(buyer, need.buyer_id)
    if need.status is not NeedStatus.DRAFT:
        raise RuleViolation("Only a draft need can be opened.")
    # The date was in the future when saved; it must still be.
    _need_by(need.need_by)
    need.status = NeedStatus.OPEN
    need.opened_at = need.updated_at = utcnow()
    audit.record(buyer, "need.open", need, summary=f"Need “{need.title}” opened")
    return need


def withdraw_need(actor: User | None, need: Need) -> Need:
    """Withdraw one's own need before it is pooled (a pooled need: decline the lot first)."""
    buyer = require_buyer(actor)
    require_same_organisation(buyer, need.buyer_id)
    if need.status is NeedStatus.POOLED:
        raise RuleViolation("This need is in a lot: decline the lot first, then withdraw it.")
    _require_editable(need, "withdrawn")
    previous = need.status
    need.status = NeedStatus.WITHDRAWN
    need.withdrawn_at = need.updated_at = utcnow()
    audit.record(
        buyer,
        "need.withdraw",
        need,
        summary=f"Need “{need.title}” withdrawn",
        data={"from": previous.value},
    )
    return need
