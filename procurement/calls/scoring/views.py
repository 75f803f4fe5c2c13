"""What the call pages read of the award criteria (the published weights and the scores), the
authority's scores on its own criteria and the explanation of an abnormally low price."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, flash, g, redirect, render_template, url_for

from procurement.calls.models import JointCall
from procurement.calls.scoring import low_price
from procurement.calls.scoring.forms import (
    LowPriceAnswerForm,
    LowPriceDecisionForm,
    LowPriceRequestForm,
    OwnScoreForm,
)
from procurement.calls.scoring.models import OwnCriterion
from procurement.calls.scoring.rules import TIE_BREAK, abnormally_low
from procurement.calls.scoring.services import (
    abnormally_low_ratio,
    criteria_of,
    own_criteria_of,
    own_scores_of,
    score_own,
    scores_of,
)
from procurement.calls.services import reading
from procurement.calls.standstill.services import local_time
from registry.access import roles_required
from registry.arguments import MAX_ID
from registry.database import db
from registry.exceptions import NotVisible, RuleViolation
from registry.models import Role
from registry.views.actions import show_violation

bp = Blueprint("calls_scoring", __name__, url_prefix="/procurement")


def init_app(app: Flask) -> None:
    """Give the call templates the criteria and scores of a call; register the pages."""

    @app.context_processor
    def _scoring() -> dict[str, Any]:
        return {
            "award_criteria_of": criteria_of,
            "award_scores_of": scores_of,
            "award_tie_break": TIE_BREAK,
            "own_criteria_of": own_criteria_of,
            "own_scores_of": own_scores_of,
            "low_price_request_of": low_price.request_of,
        }

    app.register_blueprint(bp)


def _flagged(call: JointCall) -> dict[int, Any]:
    """Offer id → the reference price it is abnormally low against (best tier price)."""
    prices = {
        offer.id: min(tier.unit_price for tier in offer.tiers)
        for offer in call.offers
        if offer.tiers
    }
    return abnormally_low(prices, call.lot.estimated_unit_price, abnormally_low_ratio())


def _scores_page(
    call_id: int, status: int = 200, form: OwnScoreForm | None = None
) -> tuple[str, int]:
    found = reading.get_call(g.user, call_id)
    offers = reading.unsealed_offers(g.user, found)
    return (
        render_template(
            "procurement/calls/scoring/scores.html",
            call=found,
            offers=[offer for offer in offers if offer in found.offers],
            criteria=own_criteria_of(found),
            given=own_scores_of(found),
            requests=low_price.requests_of(found),
            flagged=_flagged(found) if offers else {},
            failed=form,
            form_for=OwnScoreForm,
            local_time=local_time,
        ),
        status,
    )


@bp.get("/calls/<int:call_id>/scores")
@roles_required(Role.AUTHORITY)
def scores(call_id: int) -> tuple[str, int]:
    """The authority's page of the opened offers: scores on its own criteria and abnormally low
    prices with their explanation requests."""
    return _scores_page(call_id)


@bp.post("/calls/<int:call_id>/offers/<int:offer_id>/criteria/<int:criterion_id>/score")
@roles_required(Role.AUTHORITY)
def score(call_id: int, offer_id: int, criterion_id: int) -> Any:
    """The authority scores one offer on one of its own criteria."""
    found = reading.get_call(g.user, call_id)
    offer = reading.get_offer(g.user, found, offer_id)
    criterion = db.session.get(OwnCriterion, criterion_id) if criterion_id <= MAX_ID else None
    if criterion is None or criterion.call_id != found.id:
        raise NotVisible()
    form = OwnScoreForm()
    if form.validate_on_submit():
        try:
            score_own(g.user, found, offer, criterion, form.score.data, form.reason.data or "")
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash(f"{offer.reference} is scored on “{criterion.name}”.", "success")
            return redirect(url_for("calls_scoring.scores", call_id=call_id))
    return _scores_page(call_id, 400, form)


def _low_price_page(
    call_id: int,
    offer_id: int,
    status: int = 200,
    *,
    request_form: LowPriceRequestForm | None = None,
    answer_form: LowPriceAnswerForm | None = None,
    decision_form: LowPriceDecisionForm | None = None,
) -> tuple[str, int]:
    found = reading.get_call(g.user, call_id)
    offer = reading.get_offer(g.user, found, offer_id)
    return (
        render_template(
            "procurement/calls/scoring/low_price.html",
            call=found,
            offer=offer,
            item=low_price.request_of(offer),
            flagged=offer.id in _flagged(found) if found.offers_opened_at else False,
            request_form=request_form or LowPriceRequestForm(),
            answer_form=answer_form or LowPriceAnswerForm(),
            decision_form=decision_form or LowPriceDecisionForm(),
            local_time=local_time,
            now_past=low_price.past_due,
        ),
        status,
    )


@bp.get("/calls/<int:call_id>/offers/<int:offer_id>/low-price")
@roles_required(Role.AUTHORITY, Role.VENDOR)
def low_price_page(call_id: int, offer_id: int) -> tuple[str, int]:
    """An offer's price explanation: the request, the vendor's answer and the decision."""
    return _low_price_page(call_id, offer_id)


@bp.post("/calls/<int:call_id>/offers/<int:offer_id>/low-price/request")
@roles_required(Role.AUTHORITY)
def low_price_request(call_id: int, offer_id: int) -> Any:
    """The authority asks the vendor to explain its price."""
    found = reading.get_call(g.user, call_id)
    offer = reading.get_offer(g.user, found, offer_id)
    form = LowPriceRequestForm()
    if form.validate_on_submit():
        try:
            low_price.request_explanation(g.user, offer, form.question.data or "")
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash(f"The vendor of {offer.reference} is asked to explain its price.", "success")
            return redirect(url_for(".low_price_page", call_id=call_id, offer_id=offer_id))
    return _low_price_page(call_id, offer_id, 400, request_form=form)


@bp.post("/calls/<int:call_id>/offers/<int:offer_id>/low-price/answer")
@roles_required(Role.VENDOR)
def low_price_answer(call_id: int, offer_id: int) -> Any:
    """The vendor explains its price."""
    found = reading.get_call(g.user, call_id)
    offer = reading.get_offer(g.user, found, offer_id)
    form = LowPriceAnswerForm()
    if form.validate_on_submit():
        try:
            low_price.answer_request(g.user, offer, form.answer.data or "")
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash("Your explanation is sent to the authority.", "success")
            return redirect(url_for(".low_price_page", call_id=call_id, offer_id=offer_id))
    return _low_price_page(call_id, offer_id, 400, answer_form=form)


@bp.post("/calls/<int:call_id>/offers/<int:offer_id>/low-price/decide")
@roles_required(Role.AUTHORITY)
def low_price_decide(call_id: int, offer_id: int) -> Any:
    """The authority accepts the explanation or rejects the offer."""
    found = reading.get_call(g.user, call_id)
    offer = reading.get_offer(g.user, found, offer_id)
    form = LowPriceDecisionForm()
    if form.validate_on_submit():
        try:
            low_price.decide_request(
                g.user, offer, form.decision.data or "", form.reason.data or ""
            )
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash(f"The decision on {offer.reference} is recorded; the vendor is told.", "success")
            return redirect(url_for(".low_price_page", call_id=call_id, offer_id=offer_id))
    return _low_price_page(call_id, offer_id, 400, decision_form=form)
