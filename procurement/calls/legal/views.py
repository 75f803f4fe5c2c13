"""A buyer signs or withdraws its mandate for its need in a lot; pages read the legal facts."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from procurement.calls.legal import regime, services
from procurement.calls.legal.forms import MandateForm
from procurement.calls.legal.services import MandateTerms
from registry.access import roles_required
from registry.database import db
from registry.exceptions import RuleViolation
from registry.models import Role
from registry.views.actions import run_confirmed, show_violation

bp = Blueprint("call_legal", __name__, url_prefix="/procurement")


@bp.app_context_processor
def _legal_helpers() -> dict[str, Any]:
    """Lets the need, lot and call pages show mandates and the notice's legal facts."""
    return {
        "member_mandate": services.active_mandate,
        "lot_mandates": services.mandate_rows,
        "mandate_open_statuses": {status.value for status in services.MANDATE_OPEN},
        "call_notice": services.notice,
        "local_stamp": regime.local_stamp,
    }


@bp.route("/lots/<int:lot_id>/mandates/<int:member_id>", methods=["GET", "POST"])
@roles_required(Role.BUYER)
def sign_mandate(lot_id: int, member_id: int) -> Any:
    """The buyer records the mandate its signatory signed for its need in the lot."""
    member = services.get_own_member(g.user, lot_id, member_id)
    current = services.active_mandate(member)
    form = MandateForm()
    if request.method == "GET":
        form.firm_quantity.data = current.firm_quantity if current else member.need.firm_quantity
        form.maximum_quantity.data = (
            current.maximum_quantity if current else member.need.maximum_quantity
        )
        if current:
            form.signatory_name.data = current.signatory_name
            form.signatory_capacity.data = current.signatory_capacity
    if form.validate_on_submit():
        terms = MandateTerms(
            form.signatory_name.data or "",
            form.signatory_capacity.data or "",
            form.firm_quantity.data or 0,
            form.maximum_quantity.data or 0,
        )
        try:
            services.sign_mandate(g.user, member, terms)
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash(f"Your mandate for {member.lot.reference} is recorded.", "success")
            return redirect(url_for("procurement.need", need_id=member.need_id))
    return render_template(
        "procurement/calls/legal/sign.html", form=form, member=member, mandate=current
    )


@bp.post("/lots/<int:lot_id>/mandates/<int:member_id>/withdraw")
@roles_required(Role.BUYER)
def withdraw_mandate(lot_id: int, member_id: int) -> Response:
    """The buyer withdraws its mandate before a call opens from the lot."""
    member = services.get_own_member(g.user, lot_id, member_id)
    run_confirmed(
        lambda: services.withdraw_mandate(g.user, member),
        f"Your mandate for {member.lot.reference} is withdrawn.",
    )
    return redirect(url_for("procurement.need", need_id=member.need_id))
