"""The standstill's pages: award letters, review requests and the buyers' signatures."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, url_for

from procurement.calls.legal.regime import review_body
from procurement.calls.services import reading
from procurement.calls.standstill import services
from procurement.calls.standstill.forms import AnswerForm, ReviewForm, SignForm
from registry.access import roles_required
from registry.database import db
from registry.exceptions import RuleViolation
from registry.models import Role
from registry.views.actions import show_violation

bp = Blueprint("standstill", __name__, url_prefix="/procurement")


@bp.app_context_processor
def _standstill_helpers() -> dict[str, Any]:
    """The call and public pages show the standstill and each contract's signature."""
    return {
        "standstill_local_time": services.local_time,
        "standstill_running": services.in_standstill,
        "signature_refusal": services.signature_refusal,
    }


@bp.get("/calls/<int:call_id>/letters")
@roles_required(Role.AUTHORITY, Role.VENDOR)
def letters(call_id: int) -> str:
    """The authority: who got which letter and when; a vendor: its own letter."""
    found = reading.get_call(g.user, call_id)
    return render_template(
        "procurement/calls/standstill/letters.html",
        call=found,
        letters=services.letters_for(g.user, found),
        letter_text=services.letter_text,
        review_body=review_body(),
    )


def _reviews_page(
    call_id: int, status: int = 200, review_form: ReviewForm | None = None
) -> tuple[str, int]:
    found = reading.get_call(g.user, call_id)
    return (
        render_template(
            "procurement/calls/standstill/reviews.html",
            call=found,
            reviews=services.reviews_for(g.user, found),
            may_file=g.user.role is Role.VENDOR and services.may_file_review(g.user, found),
            review_form=review_form or ReviewForm(),
            review_body=review_body(),
        ),
        status,
    )


@bp.get("/calls/<int:call_id>/review-requests")
@roles_required(Role.AUTHORITY, Role.VENDOR)
def reviews(call_id: int) -> tuple[str, int]:
    """Review requests of an awarded call: the vendor's own (and its form), all for the
    authority with their answers."""
    return _reviews_page(call_id)


@bp.post("/calls/<int:call_id>/review-requests")
@roles_required(Role.VENDOR)
def file_review(call_id: int) -> Any:
    """A bidder files a review request during the standstill."""
    found = reading.get_call(g.user, call_id)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            filed = services.file_review(g.user, found, form.grounds.data or "")
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash(
                f"Your review request {filed.reference} is filed; no contract is signed until "
                "the authority answers it.",
                "success",
            )
            return redirect(url_for("standstill.reviews", call_id=call_id))
    return _reviews_page(call_id, 400, review_form=form)


@bp.route("/calls/<int:call_id>/review-requests/<int:review_id>/answer", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY)
def answer_review(call_id: int, review_id: int) -> Any:
    """The authority upholds or dismisses a review request, with reasons."""
    found = reading.get_call(g.user, call_id)
    item = services.get_review(g.user, found, review_id)
    form = AnswerForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.answer_review(
                g.user, item, form.decision.data == "upheld", form.answer.data or ""
            )
        except RuleViolation as error:
            show_violation(form, error)
            found = reading.get_call(g.user, call_id)
            item = services.get_review(g.user, found, review_id)
            status = 400
        else:
            db.session.commit()
            flash(f"{item.reference} is answered; the vendor is told.", "success")
            return redirect(url_for("standstill.reviews", call_id=call_id))
    elif form.is_submitted():
        status = 400
    return (
        render_template(
            "procurement/calls/standstill/answer.html", call=found, item=item, form=form
        ),
        status,
    )


@bp.route("/contracts/<int:line_id>/sign", methods=["GET", "POST"])
@roles_required(Role.BUYER)
def sign(line_id: int) -> Any:
    """The buyer records its contract's signature, after the standstill."""
    line = services.get_line(g.user, line_id)
    form = SignForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.sign_contract(
                g.user,
                line,
                form.signatory_name.data or "",
                form.capacity.data or "",
                form.signed_on.data,
            )
        except RuleViolation as error:
            show_violation(form, error)
            line = services.get_line(g.user, line_id)
            status = 400
        else:
            db.session.commit()
            flash(f"The signature of {line.reference} is recorded.", "success")
            return redirect(url_for("calls.call", call_id=line.award.call_id))
    elif form.is_submitted():
        status = 400
    return (
        render_template(
            "procurement/calls/standstill/sign.html",
            line=line,
            call=line.award.call,
            form=form,
            refusal=services.signature_refusal(line),
        ),
        status,
    )


@bp.get("/contracts")
@roles_required(Role.BUYER)
def contracts() -> str:
    """The buyer's contracts: those awaiting its signature, and those signed (to order under)."""
    pending, signed = services.buyer_contracts(g.user)
    return render_template(
        "procurement/calls/standstill/contracts.html", pending=pending, signed=signed
    )
