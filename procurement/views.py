"""Buyer needs, aggregation rounds and lots (joint calls, offers and awards come later)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from catalog.regions import REGIONS
from catalog.vulnerability_facts import open_vulnerabilities
from procurement.aggregation.pricing import MIN_POINTS_FOR_FIT
from procurement.forms import AggregationForm, NeedForm
from procurement.models import Lot, LotMember, LotStatus, Need, NeedStatus, NeedUnit
from procurement.services import confirmation, eligibility, rounds
from procurement.services.needs import (
    buyer_needs,
    create_need,
    get_own_need,
    level_name,
    update_need,
)
from procurement.services.needs import open_need as open_need_service
from procurement.services.needs import withdraw_need as withdraw_need_service
from registry import arguments
from registry.access import roles_required
from registry.database import db
from registry.dates import today
from registry.exceptions import RuleViolation
from registry.forms import ConfirmForm
from registry.models import Role
from registry.priorities.services import categories
from registry.views.actions import run_confirmed, show_violation
from registry.wording import counted

bp = Blueprint("procurement", __name__, url_prefix="/procurement")


def _helpers() -> dict[str, Any]:
    return {
        "region_names": REGIONS,
        "level_name": level_name,
        "confirm": ConfirmForm(),
    }


# --- buyer: needs -------------------------------------------------------------------------


@bp.get("/needs")
@roles_required(Role.BUYER)
def needs() -> str:
    """The buyer organisation's needs by status, and its lots awaiting an answer."""
    status_text = request.args.get("status", "")
    status = NeedStatus(status_text) if status_text in {s.value for s in NeedStatus} else None
    found = db.session.scalars(buyer_needs(g.user, status)).all()
    memberships = confirmation.buyer_memberships(g.user)
    return render_template(
        "procurement/needs.html",
        needs=found,
        status=status.value if status else "",
        statuses=list(NeedStatus),
        memberships=memberships,
        places=confirmation.current_places(memberships),
        **_helpers(),
    )


@bp.route("/needs/new", methods=["GET", "POST"])
@roles_required(Role.BUYER)
def new_need() -> Any:
    """Start a need as a draft, optionally "like" a catalog solution (category and norm)."""
    if request.method == "POST":
        form = NeedForm()
    else:
        prefill: dict[str, Any] = {}
        like = arguments.integer_argument("like_solution")
        if like is not None:
            category, norm = eligibility.like_solution(like)
            prefill = {"category": category, "norm": norm or ""}
        else:
            prefill = {
                "category": request.args.get("category", ""),
                "norm": request.args.get("norm", ""),
            }
        form = NeedForm(data={"region_code": "FR", "min_level_rank": "0", **prefill})
    if form.validate_on_submit():
        try:
            created = create_need(g.user, form.to_data())
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash(f"“{created.title}” is saved as a draft. Open it when it is ready.", "success")
            return redirect(url_for("procurement.need", need_id=created.id))
    return render_template("procurement/need_form.html", form=form, need=None)


@bp.get("/needs/<int:need_id>")
@roles_required(Role.BUYER)
def need(need_id: int) -> str:
    """One of the buyer's needs, with the certified solutions that currently meet it."""
    found = get_own_need(g.user, need_id)
    solutions = eligibility.matching_solutions(found)
    return render_template(
        "procurement/need.html",
        need=found,
        solutions=solutions,
        vulnerabilities=open_vulnerabilities([solution.id for solution in solutions]),
        memberships=[m for m in confirmation.buyer_memberships(g.user) if m.need_id == found.id],
        **_helpers(),
    )


@bp.route("/needs/<int:need_id>/edit", methods=["GET", "POST"])
@roles_required(Role.BUYER)
def edit_need(need_id: int) -> Any:
    """Change a draft, open or unmatched need."""
    found = get_own_need(g.user, need_id)
    form = NeedForm() if request.method == "POST" else NeedForm.for_need(found)
    if form.validate_on_submit():
        try:
            update_need(g.user, found, form.to_data())
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash("Changes saved.", "success")
            return redirect(url_for("procurement.need", need_id=found.id))
    return render_template("procurement/need_form.html", form=form, need=found)


def _need_action(need_id: int, action: Callable[..., Need], done: str) -> Response:
    found = get_own_need(g.user, need_id)
    run_confirmed(lambda: action(g.user, found), f"“{found.title}” {done}.")
    return redirect(url_for("procurement.need", need_id=need_id))


@bp.post("/needs/<int:need_id>/open")
@roles_required(Role.BUYER)
def open_need(need_id: int) -> Response:
    """Open a draft need to the next aggregation round."""
    return _need_action(need_id, open_need_service, "is open: the next round will consider it")


@bp.post("/needs/<int:need_id>/withdraw")
@roles_required(Role.BUYER)
def withdraw_need(need_id: int) -> Response:
    """Withdraw a need that is not pooled."""
    return _need_action(need_id, withdraw_need_service, "is withdrawn")


def _member_action(member_id: int, action: Callable[..., LotMember], done: str) -> Response:
    member = confirmation.get_own_membership(g.user, member_id)
    done = f"{done} “{member.need.title}” in {member.lot.reference}."
    run_confirmed(lambda: action(g.user, member), done)
    return redirect(url_for("procurement.needs"))


@bp.post("/memberships/<int:member_id>/confirm")
@roles_required(Role.BUYER)
def confirm_membership(member_id: int) -> Response:
    """Confirm one's need in a lot."""
    return _member_action(member_id, confirmation.confirm_membership, "You confirmed")


@bp.post("/memberships/<int:member_id>/decline")
@roles_required(Role.BUYER)
def decline_membership(member_id: int) -> Response:
    """Take one's need out of a lot; it is open again."""
    return _member_action(member_id, confirmation.decline_membership, "You declined")


# --- authority: aggregation and lots ------------------------------------------------------


def _aggregation_page(form: AggregationForm) -> str:
    latest = rounds.latest_round()
    lots = rounds.lots_in(LotStatus.PROPOSED, LotStatus.CONFIRMED, LotStatus.FROZEN)
    return render_template(
        "procurement/aggregation.html",
        form=form,
        latest=latest,
        latest_parameters=json.loads(latest.parameters) if latest else None,
        curves=rounds.round_curves(latest) if latest else [],
        category_names={category.code: category.name for category in categories()},
        unit_labels={unit.value: unit.label for unit in NeedUnit},
        min_points_for_fit=MIN_POINTS_FOR_FIT,
        proposed=[lot for lot in lots if lot.status is LotStatus.PROPOSED],
        settled=[lot for lot in lots if lot.status is not LotStatus.PROPOSED],
        unmatched=rounds.unmatched_needs(),
        **_helpers(),
    )


@bp.get("/aggregation")
@roles_required(Role.AUTHORITY)
def aggregation() -> str:
    """The last round's proposed lots and unmatched needs, and the settings for the next."""
    form = AggregationForm()
    latest = rounds.latest_round()
    if latest is not None:
        form.fill_from(rounds.round_parameters(latest))
    return _aggregation_page(form)


@bp.post("/aggregation")
@roles_required(Role.AUTHORITY)
def run_aggregation() -> Any:
    """Run a round with the given settings (replacing the proposed lots)."""
    form = AggregationForm()
    if form.validate_on_submit():
        round_ = rounds.run_aggregation(g.user, form.to_parameters(today()))
        db.session.commit()
        flash(
            f"Round run: {counted(round_.lots_proposed, 'lot')} proposed, "
            f"{counted(round_.needs_unmatched, 'need')} unmatched.",
            "success",
        )
        return redirect(url_for("procurement.aggregation"))
    return _aggregation_page(form)


@bp.get("/lots/<int:lot_id>")
@roles_required(Role.AUTHORITY)
def lot(lot_id: int) -> str:
    """A lot's figures and members, buyers above their ceiling flagged."""
    found = rounds.get_lot(g.user, lot_id)
    return render_template("procurement/lot.html", lot=found, **_helpers())


def _lot_action(lot_id: int, action: Callable[..., Lot], done: str) -> Response:
    found = rounds.get_lot(g.user, lot_id)
    run_confirmed(lambda: action(g.user, found), f"{found.reference} {done}.")
    return redirect(url_for("procurement.lot", lot_id=lot_id))


@bp.post("/lots/<int:lot_id>/request-confirmation")
@roles_required(Role.AUTHORITY)
def request_confirmation(lot_id: int) -> Response:
    """Ask the lot's buyers to confirm."""
    return _lot_action(
        lot_id, confirmation.request_confirmation, ": its buyers were asked to confirm"
    )


@bp.post("/lots/<int:lot_id>/freeze")
@roles_required(Role.AUTHORITY)
def freeze_lot(lot_id: int) -> Response:
    """Freeze a confirmed lot."""
    return _lot_action(lot_id, confirmation.freeze_lot, "is frozen")
