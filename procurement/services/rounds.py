"""Aggregation rounds: pooling the open needs into proposed lots, and reading them back.

Decided here (docs/PROCUREMENT.md gives the overview):

- Re-running a round puts the needs of every *proposed* lot and the unmatched ones back to open
  before pooling again; confirmed and frozen lots, and their needs, are left alone.
- A proposed lot the new round forms again (same category, unit, currency, region and
  requirement, same needs) keeps its row, so its reference, the request to confirm and the
  buyers' answers survive; its figures are refreshed, and answers already given are cleared
  only if those figures changed. Every other proposed lot is deleted.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from procurement import curves
from procurement.aggregation.needs import NeedInput
from procurement.aggregation.parameters import AggregationParameters
from procurement.aggregation.pooling import aggregate
from procurement.aggregation.pricing import PriceCurve
from procurement.aggregation.results import Lot as ComputedLot
from procurement.models import (
    AggregationRound,
    Lot,
    LotMember,
    LotStatus,
    Need,
    NeedStatus,
    NeedUnit,
)
from procurement.services.eligibility import eligible_solution_ids
from procurement.services.needs import region_path
from registry import audit
from registry.access import require_role
from registry.arguments import MAX_ID
from registry.database import db, utcnow
from registry.exceptions import NotVisible
from registry.models import Role, User
from registry.money import CENT, SAVING_STEP


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


# What makes a proposed lot the same lot in the next round: its key and its needs.
_LotIdentity = tuple[str, str, str, str, str | None, int, frozenset[int]]


def _stored_identity(lot: Lot) -> _LotIdentity:
    return (
        lot.category.code,
        lot.unit.value,
        lot.currency,
        lot.region_path,
        lot.norm.code if lot.norm is not None else None,
        lot.level_rank,
        frozenset(member.need_id for member in lot.active_members),
    )


def _computed_identity(computed: ComputedLot) -> _LotIdentity:
    return (
        computed.partition.category,
        computed.partition.unit,
        computed.partition.currency,
        "/".join(computed.partition.region),
        computed.requirement.norm_code,
        computed.requirement.level_rank,
        frozenset(computed.need_ids),
    )


def _release_proposed_lots() -> dict[_LotIdentity, Lot]:
    """Put the needs of every proposed lot back to open; the lots by identity."""
    lots = db.session.scalars(
        select(Lot)
        .where(Lot.status == LotStatus.PROPOSED)
        .options(selectinload(Lot.members), selectinload(Lot.category), selectinload(Lot.norm))
        .order_by(Lot.id)
    ).all()
    for lot in lots:
        for member in lot.members:
            if member.declined_at is None and member.need.status is NeedStatus.POOLED:
                member.need.status = NeedStatus.OPEN
    return {_stored_identity(lot): lot for lot in lots}


def _figures(lot: Lot) -> tuple[object, ...]:
    return (
        lot.buyers,
        lot.firm_quantity,
        lot.maximum_quantity,
        lot.total_budget,
        lot.estimated_unit_price,
        lot.earliest_need_by,
    )


def _keep_lot(
    lot: Lot, round_: AggregationRound, computed: ComputedLot, norm_ids: dict[str, int]
) -> bool:
    """The same lot formed again: new round and figures; answers stand if the figures do.
    True when the figures changed (and the answers were cleared)."""
    before = _figures(lot)
    lot.round = round_
    set_lot_figures(lot, computed, norm_ids)
    below = set(computed.needs_below_estimate)
    changed = _figures(lot) != before
    for member in lot.active_members:
        member.need.status = NeedStatus.POOLED
        member.need.unmatched_reason, member.need.unmatched_message = None, ""
        member.below_estimate = member.need_id in below
        if changed:
            member.confirmed_at = None
            member.answered_by_id = None
    return changed


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
    earlier = _release_proposed_lots()
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
    result = aggregate([need_input(need) for need in needs], counts, params)
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
    kept: list[int] = []
    asked_again: list[int] = []
    for computed in result.lots:
        same = earlier.pop(_computed_identity(computed), None)
        if same is not None:
            if _keep_lot(same, round_, computed, norm_ids):
                asked_again.append(same.id)
            kept.append(same.id)
            continue
        lot = Lot(
            round=round_,
            status=LotStatus.PROPOSED,
            category_id=category_ids[computed.partition.category],
            unit=NeedUnit(computed.partition.unit),
            currency=computed.partition.currency,
            created_at=utcnow(),
        )
        set_lot_figures(lot, computed, norm_ids)
        below = set(computed.needs_below_estimate)
        for need_input_ in computed.needs:
            need = by_id[need_input_.id]
            need.status = NeedStatus.POOLED
            need.unmatched_reason, need.unmatched_message = None, ""
            lot.members.append(
                LotMember(need=need, buyer_id=need.buyer_id, below_estimate=need.id in below)
            )
        db.session.add(lot)
    for gone in earlier.values():
        db.session.delete(gone)
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
        data={
            **stored,
            "replaced_lots": len(earlier),
            "kept_lots": kept,
            "answers_cleared_lots": asked_again,
        },
    )
    return round_


def set_lot_figures(lot: Lot, computed: ComputedLot, norm_ids: dict[str, int]) -> None:
    """Copy a computed lot's partition, requirement and figures onto the stored lot."""
    lot.region_path = "/".join(computed.partition.region)
    norm_code = computed.requirement.norm_code
    lot.norm_id = norm_ids[norm_code] if norm_code is not None else None
    lot.level_rank = computed.requirement.level_rank
    lot.buyers = len(computed.buyer_ids)
    lot.firm_quantity = computed.firm_quantity
    lot.maximum_quantity = computed.maximum_quantity
    lot.total_budget = computed.total_budget.quantize(CENT)
    lot.maximum_budget = computed.maximum_budget.quantize(CENT)
    lot.estimated_unit_price = computed.estimated_unit_price.quantize(CENT)
    lot.estimated_saving = computed.estimated_saving.quantize(SAVING_STEP)
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
