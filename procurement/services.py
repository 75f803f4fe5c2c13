"""Buyer needs, aggregation rounds and lots: the checks that guard each change, and the audit.

Decided here (PROCUREMENT.md leaves them open):

- A need's pages are the buyer's own: another buyer's need answers 404 whatever its state;
  vendors, evaluators and the authority get 403 on them (the authority sees needs through the
  lots and the unmatched list of a round).
- "Certified solutions able to meet a need": published solutions whose primary category is the
  need's, holding a VALID, unexpired label under any version of the need's norm at a level rank
  at least the need's minimum. A need without a norm is met by any published solution of its
  category holding any valid label (a certified solution, whatever the norm).
- Re-running a round deletes every *proposed* lot (members and all) and puts its needs and the
  unmatched ones back to open before pooling again; confirmed and frozen lots, and their
  needs, are left alone.
- A buyer that declines leaves the lot at once and its need is open again; at freezing, the
  figures (and the requirement, which a strict decliner may have set) are recomputed from the
  remaining members with the pure functions of procurement.aggregation.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app, has_request_context, url_for
from sqlalchemy import Select, and_, select
from sqlalchemy.orm import selectinload

from catalog.models import Solution, SolutionStatus
from catalog.plain_text import check_length, multi_line, one_line
from catalog.regions import NATIONWIDE, REGIONS
from evaluations.models import Label, LabelStatus
from procurement import aggregation, curves
from procurement.aggregation import AggregationParameters, NeedInput, PriceCurve
from procurement.models import (
    CURRENCIES,
    MAX_LEVEL_RANK,
    MAX_UPLIFT,
    NOTES_MAX,
    AggregationRound,
    Lot,
    LotMember,
    LotStatus,
    Need,
    NeedStatus,
    NeedUnit,
)
from registry import audit
from registry.access import require_role, require_same_organisation
from registry.database import db, utcnow
from registry.exceptions import NotVisible, RuleViolation
from registry.mail import send_mail
from registry.models import Role, TechnologyCategory, User
from registry.norms.models import Norm, NormLevel, NormStatus, NormVersion

TITLE_MAX = 200
MAX_QUANTITY = 10_000_000
# A unit price above this is a typing error, not a purchase (and keeps sums in the columns).
MAX_UNIT_PRICE = Decimal("100000000")
MAX_YEARS_AHEAD = 10
MAX_ID = 2**31 - 1
_CENT = Decimal("0.01")
_SAVING_STEP = Decimal("0.000001")


# --- needs ------------------------------------------------------------------------------------


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


def today() -> dt.date:
    """Today's date in UTC."""
    return utcnow().date()


def region_path(code: str) -> tuple[str, ...]:
    """A catalog region code as an administrative path, broadest first: FR-BRE → (FR, FR-BRE)."""
    return (NATIONWIDE,) if code == NATIONWIDE else (NATIONWIDE, code)


def _require_buyer(actor: User | None) -> User:
    return require_role(actor, Role.BUYER)


def get_own_need(actor: User | None, need_id: int) -> Need:
    """The actor's own need (buyers only); another buyer's answers 404."""
    buyer = _require_buyer(actor)
    need = db.session.get(Need, need_id) if 0 < need_id <= MAX_ID else None
    if need is None:
        raise NotVisible()
    require_same_organisation(buyer, need.buyer_id)
    return need


def buyer_needs(actor: User | None, status: NeedStatus | None = None) -> Select[Need]:
    """The actor's organisation's needs, newest first."""
    buyer = _require_buyer(actor)
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
    if price != price.quantize(_CENT):
        raise RuleViolation("Give the price to the cent at most.", "max_unit_price")
    return price.quantize(_CENT)


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
                f"The norm {norm.code} is for {norm.category.name}, not {category.name}.", "norm"
            )
    rank = data.min_level_rank
    if isinstance(rank, bool) or not isinstance(rank, int) or not 0 <= rank <= MAX_LEVEL_RANK:
        raise RuleViolation("Choose a label level.", "min_level_rank")
    if rank and norm is None:
        raise RuleViolation("A minimum label level needs a norm.", "min_level_rank")
    if norm is not None and rank > len(level_names(norm)):
        raise RuleViolation(f"The norm {norm.code} has no such level.", "min_level_rank")
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
    buyer = _require_buyer(actor)
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
    buyer = _require_buyer(actor)
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
    buyer = _require_buyer(actor)
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
    buyer = _require_buyer(actor)
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


# --- certified solutions able to meet a need ---------------------------------------------------


@dataclass(frozen=True)
class Certified:
    """A valid, unexpired label of a published solution, with what eligibility depends on."""

    solution_id: int
    solution_name: str
    vendor_id: int
    category_id: int
    label_id: int
    norm_id: int
    rank: int


def certified_labels(category_ids: Iterable[int], vendor_id: int | None = None) -> list[Certified]:
    """Valid, unexpired labels of published solutions in these categories (one query), by
    solution name and then strictest level first; only one vendor's when `vendor_id` is given."""
    wanted = sorted(set(category_ids))
    if not wanted:
        return []
    statement = (
        select(
            Solution.id,
            Solution.name,
            Solution.vendor_id,
            Solution.primary_category_id,
            Label.id,
            NormVersion.norm_id,
            NormLevel.position,
        )
        .join(Solution, Solution.id == Label.solution_id)
        .join(NormVersion, NormVersion.id == Label.norm_version_id)
        .outerjoin(
            NormLevel,
            and_(NormLevel.version_id == Label.norm_version_id, NormLevel.name == Label.level),
        )
        .where(
            Label.status == LabelStatus.VALID,
            Label.expires_on >= today(),
            Solution.status == SolutionStatus.PUBLISHED,
            Solution.primary_category_id.in_(wanted),
        )
        .order_by(Solution.name, Solution.id, NormLevel.position.desc(), Label.id)
    )
    if vendor_id is not None:
        statement = statement.where(Solution.vendor_id == vendor_id)
    return [
        Certified(row[0], row[1], row[2], row[3] or 0, row[4], row[5], row[6] or 0)
        for row in db.session.execute(statement)
    ]


def eligible_solution_ids(needs: Sequence[Need]) -> dict[int, set[int]]:
    """Need id → ids of the certified solutions able to meet it (one query for all needs)."""
    by_category: dict[int, list[Certified]] = defaultdict(list)
    for offer in certified_labels(need.category_id for need in needs):
        by_category[offer.category_id].append(offer)
    result: dict[int, set[int]] = {}
    for need in needs:
        result[need.id] = {
            offer.solution_id
            for offer in by_category.get(need.category_id, [])
            if need.norm_id is None
            or (offer.norm_id == need.norm_id and offer.rank >= need.min_level_rank)
        }
    return result


def matching_solutions(need: Need) -> list[Solution]:
    """The published certified solutions that currently meet the need, by name."""
    ids = eligible_solution_ids([need])[need.id]
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Solution)
            .where(Solution.id.in_(ids))
            .options(selectinload(Solution.vendor))
            .order_by(Solution.name, Solution.id)
        )
    )


def need_input(need: Need) -> NeedInput:
    """The need as the pure aggregation sees it."""
    return NeedInput(
        id=need.id,
        buyer_id=need.buyer_id,
        category=need.category.code,
        unit=need.unit.value,
        currency=need.currency,
        region=region_path(need.region_code),
        norm_code=need.norm.code if need.norm is not None else None,
        min_level_rank=need.min_level_rank,
        accepted_uplift=need.accepted_uplift,
        firm_quantity=need.firm_quantity,
        optional_quantity=need.optional_quantity,
        max_unit_price=need.max_unit_price,
        need_by=need.need_by,
    )


# --- aggregation rounds -------------------------------------------------------------------


def parameters_to_dict(params: AggregationParameters) -> dict[str, Any]:
    """The round's settings as plain JSON-able values (decimals as strings)."""
    return {
        "today": params.today.isoformat(),
        "region_level": params.region_level,
        "min_buyers": params.min_buyers,
        "min_vendors": params.min_vendors,
        "min_saving": str(params.min_saving),
        "lot_value_cap": None if params.lot_value_cap is None else str(params.lot_value_cap),
        "procedure_days": params.procedure_days,
        "lead_time_days": params.lead_time_days,
        "beta": str(params.price_curve.beta),
    }


def round_curves(round_: AggregationRound) -> list[curves.FittedCurve]:
    """The curves a round fitted on past awards (empty for a round run before any award)."""
    return curves.from_stored(json.loads(round_.parameters).get("price_curves", []))


def parameters_from_dict(
    values: dict[str, Any], on: dt.date | None = None
) -> AggregationParameters:
    """Parameters from their stored form; `on` replaces the stored date (for a re-run)."""
    cap = values.get("lot_value_cap")
    return AggregationParameters(
        today=on or dt.date.fromisoformat(values["today"]),
        region_level=int(values["region_level"]),
        min_buyers=int(values["min_buyers"]),
        min_vendors=int(values["min_vendors"]),
        min_saving=Decimal(values["min_saving"]),
        lot_value_cap=None if cap is None else Decimal(cap),
        procedure_days=int(values["procedure_days"]),
        lead_time_days=int(values["lead_time_days"]),
        price_curve=PriceCurve(beta=Decimal(values["beta"])),
        price_curves={
            item.key: item.curve for item in curves.from_stored(values.get("price_curves", []))
        },
    )


def round_parameters(round_: AggregationRound) -> AggregationParameters:
    """The parameters a round was run with."""
    return parameters_from_dict(json.loads(round_.parameters))


def latest_round() -> AggregationRound | None:
    """The most recent aggregation round, if any."""
    return db.session.scalar(select(AggregationRound).order_by(AggregationRound.id.desc()).limit(1))


def _release_proposed_lots() -> int:
    """Delete every proposed lot; its pooled needs are open again. Returns how many."""
    lots = db.session.scalars(
        select(Lot).where(Lot.status == LotStatus.PROPOSED).options(selectinload(Lot.members))
    ).all()
    for lot in lots:
        for member in lot.members:
            if member.declined_at is None and member.need.status is NeedStatus.POOLED:
                member.need.status = NeedStatus.OPEN
        db.session.delete(lot)
    return len(lots)


def run_aggregation(
    actor: User | None, params: AggregationParameters, *, from_command_line: bool = False
) -> AggregationRound:
    """Pool the open needs into proposed lots, replacing the proposed lots of earlier rounds.

    The price curve of each category, unit and currency with past awards is fitted on them;
    ``params.price_curve`` (its slope) covers the others.
    """
    if not from_command_line:
        require_role(actor, Role.AUTHORITY)
    fitted = curves.fit_curves(params.price_curve.beta)
    params = replace(params, price_curves={item.key: item.curve for item in fitted})
    stored = {**parameters_to_dict(params), "price_curves": curves.to_stored(fitted)}
    replaced = _release_proposed_lots()
    for need in db.session.scalars(select(Need).where(Need.status == NeedStatus.UNMATCHED)):
        need.status = NeedStatus.OPEN
    db.session.flush()
    needs = list(
        db.session.scalars(
            select(Need)
            .where(Need.status == NeedStatus.OPEN)
            .options(selectinload(Need.category), selectinload(Need.norm))
            .order_by(Need.id)
        )
    )
    counts = {need_id: len(ids) for need_id, ids in eligible_solution_ids(needs).items()}
    result = aggregation.aggregate([need_input(need) for need in needs], counts, params)
    by_id = {need.id: need for need in needs}
    norm_ids = {need.norm.code: need.norm.id for need in needs if need.norm is not None}
    category_ids = {need.category.code: need.category_id for need in needs}

    round_ = AggregationRound(
        run_by_id=actor.id if actor is not None else None,
        run_at=utcnow(),
        parameters=audit.canonical_json(stored),
        needs_considered=len(needs),
        lots_proposed=len(result.lots),
        needs_pooled=sum(len(lot.needs) for lot in result.lots),
        needs_unmatched=len(result.unmatched),
    )
    db.session.add(round_)
    for computed in result.lots:
        lot = Lot(
            round=round_,
            status=LotStatus.PROPOSED,
            category_id=category_ids[computed.partition.category],
            unit=NeedUnit(computed.partition.unit),
            currency=computed.partition.currency,
            created_at=utcnow(),
        )
        _set_figures(lot, computed, norm_ids)
        below = set(computed.needs_below_estimate)
        for need_input_ in computed.needs:
            need = by_id[need_input_.id]
            need.status = NeedStatus.POOLED
            need.unmatched_reason, need.unmatched_message = None, ""
            lot.members.append(
                LotMember(need=need, buyer_id=need.buyer_id, below_estimate=need.id in below)
            )
        db.session.add(lot)
    for item in result.unmatched:
        need = by_id[item.need_id]
        need.status = NeedStatus.UNMATCHED
        need.unmatched_reason = item.reason.value
        need.unmatched_message = item.message
    audit.record(
        actor,
        "aggregation.run",
        round_,
        summary=(
            f"Aggregation round: {len(needs)} open needs, {len(result.lots)} lots proposed, "
            f"{len(result.unmatched)} needs unmatched"
        ),
        data={**stored, "replaced_lots": replaced},
    )
    return round_


def _set_figures(lot: Lot, computed: aggregation.Lot, norm_ids: dict[str, int]) -> None:
    lot.region_path = "/".join(computed.partition.region)
    norm_code = computed.requirement.norm_code
    lot.norm_id = norm_ids[norm_code] if norm_code is not None else None
    lot.level_rank = computed.requirement.level_rank
    lot.buyers = len(computed.buyer_ids)
    lot.firm_quantity = computed.firm_quantity
    lot.maximum_quantity = computed.maximum_quantity
    lot.total_budget = computed.total_budget.quantize(_CENT)
    lot.maximum_budget = computed.maximum_budget.quantize(_CENT)
    lot.estimated_unit_price = computed.estimated_unit_price.quantize(_CENT)
    lot.estimated_saving = computed.estimated_saving.quantize(_SAVING_STEP)
    lot.earliest_need_by = computed.earliest_need_by


def round_lots(round_: AggregationRound) -> list[Lot]:
    """The lots a round proposed that still exist, with their members."""
    return list(
        db.session.scalars(
            select(Lot)
            .where(Lot.round_id == round_.id)
            .options(selectinload(Lot.members), selectinload(Lot.category), selectinload(Lot.norm))
            .order_by(Lot.id)
        )
    )


def unmatched_needs() -> list[Need]:
    """Needs the last round left out, with their reasons."""
    return list(
        db.session.scalars(
            select(Need)
            .where(Need.status == NeedStatus.UNMATCHED)
            .options(selectinload(Need.buyer), selectinload(Need.category))
            .order_by(Need.id)
        )
    )


def lots_in(*statuses: LotStatus) -> list[Lot]:
    """Lots in these states, oldest first (for the authority)."""
    return list(
        db.session.scalars(
            select(Lot)
            .where(Lot.status.in_(statuses))
            .options(selectinload(Lot.category))
            .order_by(Lot.id)
        )
    )


def get_lot(actor: User | None, lot_id: int) -> Lot:
    """A lot, for the authority."""
    require_role(actor, Role.AUTHORITY)
    lot = db.session.get(Lot, lot_id) if 0 < lot_id <= MAX_ID else None
    if lot is None:
        raise NotVisible()
    return lot


# --- confirmation and freezing -----------------------------------------------------------


def _needs_link() -> str:
    """The buyers' needs page as an absolute URL (the configured address outside a request)."""
    if has_request_context():
        return url_for("procurement.needs", _external=True)
    return current_app.config["BASE_URL"].rstrip("/") + "/procurement/needs"


def request_confirmation(actor: User | None, lot: Lot) -> Lot:
    """Ask every member buyer to confirm its need's place in the lot (by mail)."""
    authority = require_role(actor, Role.AUTHORITY)
    if lot.status is not LotStatus.PROPOSED:
        raise RuleViolation("Only a proposed lot can be sent to its buyers for confirmation.")
    lot.confirmation_requested_at = utcnow()
    link = _needs_link()
    notified: set[str] = set()
    for member in lot.active_members:
        for user in member.buyer.users:
            if user.is_active and user.email not in notified:
                notified.add(user.email)
                send_mail(
                    user.email,
                    f"Please confirm your need in joint-procurement lot {lot.reference}",
                    (
                        f"Your need “{member.need.title}” has been pooled with the needs of "
                        f"{lot.buyers - 1} other buyer(s) in lot {lot.reference} "
                        f"({lot.category.name}, {lot.firm_quantity} {lot.unit.label.lower()}(s), "
                        f"estimated unit price {lot.estimated_unit_price} {lot.currency}).\n\n"
                        f"Confirm or decline it on your needs page: {link}\n"
                    ),
                )
    audit.record(
        authority,
        "lot.request_confirmation",
        lot,
        summary=f"Buyers of {lot.reference} asked to confirm",
        data={"notified": len(notified)},
    )
    return lot


def buyer_memberships(actor: User | None) -> list[LotMember]:
    """The actor's organisation's lot memberships still awaiting or past an answer."""
    buyer = _require_buyer(actor)
    return list(
        db.session.scalars(
            select(LotMember)
            .join(Lot)
            .where(LotMember.buyer_id == buyer.organisation_id)
            .options(selectinload(LotMember.lot), selectinload(LotMember.need))
            .order_by(LotMember.id.desc())
        )
    )


def get_own_membership(actor: User | None, member_id: int) -> LotMember:
    """One of the actor's organisation's lot memberships; another buyer's answers 404."""
    buyer = _require_buyer(actor)
    member = db.session.get(LotMember, member_id) if 0 < member_id <= MAX_ID else None
    if member is None:
        raise NotVisible()
    require_same_organisation(buyer, member.buyer_id)
    return member


def _require_answerable(member: LotMember) -> None:
    if member.lot.status not in (LotStatus.PROPOSED, LotStatus.CONFIRMED):
        raise RuleViolation("This lot is frozen: its members can no longer change.")
    if member.lot.confirmation_requested_at is None:
        raise RuleViolation("The authority has not asked for confirmations yet.")
    if member.declined_at is not None:
        raise RuleViolation("Your organisation has already declined this lot.")


def confirm_membership(actor: User | None, member: LotMember) -> LotMember:
    """Confirm one's need in a lot; the lot is confirmed when every remaining member has."""
    buyer = _require_buyer(actor)
    require_same_organisation(buyer, member.buyer_id)
    _require_answerable(member)
    if member.confirmed_at is None:
        member.confirmed_at = utcnow()
        member.answered_by_id = buyer.id
    lot = member.lot
    if all(each.confirmed_at is not None for each in lot.active_members):
        lot.status = LotStatus.CONFIRMED
        lot.confirmed_at = utcnow()
    audit.record(
        buyer,
        "lot.confirm",
        lot,
        summary=f"{buyer.organisation.name} confirmed “{member.need.title}” in {lot.reference}",
        data={"need": member.need_id},
    )
    return member


def decline_membership(actor: User | None, member: LotMember) -> LotMember:
    """Leave a lot that is not frozen yet; the need is open again for the next round."""
    buyer = _require_buyer(actor)
    require_same_organisation(buyer, member.buyer_id)
    _require_answerable(member)
    member.declined_at = utcnow()
    member.confirmed_at = None
    member.answered_by_id = buyer.id
    member.need.status = NeedStatus.OPEN
    lot = member.lot
    remaining = lot.active_members
    if remaining and all(each.confirmed_at is not None for each in remaining):
        lot.status = LotStatus.CONFIRMED
        lot.confirmed_at = lot.confirmed_at or utcnow()
    else:
        lot.status = LotStatus.PROPOSED
        lot.confirmed_at = None
    audit.record(
        buyer,
        "lot.decline",
        lot,
        summary=f"{buyer.organisation.name} declined “{member.need.title}” in {lot.reference}",
        data={"need": member.need_id},
    )
    return member


def _recompute(lot: Lot) -> None:
    """Figures of the remaining members, with the pure functions and the round's settings."""
    params = round_parameters(lot.round)
    needs = [member.need for member in lot.active_members]
    # Only the figures are wanted: no eligibility, date, buyer or saving gate.
    result = aggregation.aggregate(
        [need_input(need) for need in needs],
        {},
        AggregationParameters(
            today=dt.date(1970, 1, 1),
            region_level=params.region_level,
            min_buyers=1,
            min_vendors=0,
            min_saving=Decimal(-1),
            procedure_days=0,
            lead_time_days=0,
            price_curve=params.price_curve,
            price_curves=params.price_curves,
        ),
    )
    if len(result.lots) != 1 or len(result.lots[0].needs) != len(needs):
        raise RuleViolation("The remaining needs no longer form one lot; run a new round.")
    computed = result.lots[0]
    _set_figures(lot, computed, {need.norm.code: need.norm.id for need in needs if need.norm})
    below = set(computed.needs_below_estimate)
    for member in lot.active_members:
        member.below_estimate = member.need_id in below


def freeze_lot(actor: User | None, lot: Lot) -> Lot:
    """Freeze a lot every remaining buyer confirmed; a joint call can then be opened from it."""
    authority = require_role(actor, Role.AUTHORITY)
    if lot.status is not LotStatus.CONFIRMED:
        raise RuleViolation("A lot can be frozen only once every remaining buyer has confirmed.")
    params = round_parameters(lot.round)
    buyers = {member.buyer_id for member in lot.active_members}
    if len(buyers) < params.min_buyers:
        raise RuleViolation(
            f"Only {len(buyers)} buyer(s) remain; a lot needs at least {params.min_buyers}."
        )
    declined = [member for member in lot.members if member.declined_at is not None]
    if declined:
        _recompute(lot)
    lot.status = LotStatus.FROZEN
    lot.frozen_at = utcnow()
    lot.frozen_by_id = authority.id
    audit.record(
        authority,
        "lot.freeze",
        lot,
        summary=f"{lot.reference} frozen with {lot.buyers} buyers",
        data={
            "buyers": lot.buyers,
            "firm_quantity": lot.firm_quantity,
            "maximum_quantity": lot.maximum_quantity,
            "estimated_unit_price": str(lot.estimated_unit_price),
            "estimated_saving": str(lot.estimated_saving),
            "declined_needs": [member.need_id for member in declined],
        },
    )
    return lot


def like_solution(solution_id: int) -> tuple[str, str | None]:
    """Category and norm code to start a need "like this solution" (its strictest valid label)."""
    solution = db.session.get(Solution, solution_id) if 0 < solution_id <= MAX_ID else None
    if solution is None or solution.status is not SolutionStatus.PUBLISHED:
        raise NotVisible()
    if solution.primary_category is None:
        return "", None
    row = db.session.execute(
        select(Norm.code)
        .join(NormVersion, NormVersion.norm_id == Norm.id)
        .join(Label, Label.norm_version_id == NormVersion.id)
        .outerjoin(
            NormLevel,
            and_(NormLevel.version_id == Label.norm_version_id, NormLevel.name == Label.level),
        )
        .where(
            Label.solution_id == solution.id,
            Label.status == LabelStatus.VALID,
            Label.expires_on >= today(),
            Norm.status == NormStatus.ACTIVE,
            # A need's norm must be of the need's category: a label under another category's
            # norm (a solution may have changed its primary category) is not suggested.
            Norm.category_id == solution.primary_category_id,
        )
        .order_by(NormLevel.position.desc().nulls_last(), Label.issued_at.desc())
        .limit(1)
    ).first()
    return solution.primary_category.code, row[0] if row else None
