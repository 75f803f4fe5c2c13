"""The authority's eligibility page of an opened offer: what was recorded at the deadline, what
holds now, the decisions taken, and the form to take one."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for

from procurement.calls.access import frozen
from procurement.calls.access.forms import EligibilityDecisionForm
from procurement.calls.services import reading
from registry.access import roles_required
from registry.database import db
from registry.exceptions import RuleViolation
from registry.models import Role
from registry.views.actions import show_violation

bp = Blueprint("calls_access", __name__, url_prefix="/procurement")


@bp.app_context_processor
def _frozen_eligibility() -> dict[str, Any]:
    """Lets the call page show each offer's eligibility recorded at the deadline."""
    return {"frozen_eligibility": frozen.records}


@bp.route("/calls/<int:call_id>/offers/<int:offer_id>/eligibility", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY)
def eligibility(call_id: int, offer_id: int) -> Any:
    """An opened offer's eligibility at the deadline, and the authority's decision on it."""
    found = reading.get_call(g.user, call_id)
    if found.offers_opened_at is None:
        abort(404)  # sealed: nothing to decide on before the opening officers open the offers
    offer = reading.get_offer(g.user, found, offer_id)
    form = EligibilityDecisionForm()
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate():
            try:
                frozen.record_decision(
                    g.user, offer, form.decision.data == "eligible", form.reason.data or ""
                )
            except RuleViolation as error:
                show_violation(form, error)
            else:
                db.session.commit()
                flash(
                    f"The decision on {offer.reference} is recorded and the vendor is told.",
                    "success",
                )
                return redirect(url_for("calls.call", call_id=call_id))
    record = frozen.records(found).get(offer.id)
    context = {
        "call": found,
        "lot": found.lot,
        "offer": offer,
        "record": record,
        "now": frozen.checks_now(found, [offer])[offer.id],
        "decisions": frozen.decisions([offer.id])[offer.id],
        "form": form,
    }
    return render_template("procurement/calls/access/eligibility.html", **context), status
