"""Pages of real sealing: an officer's opening key, and a call's opening by its officers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, url_for
from wtforms import PasswordField
from wtforms.validators import InputRequired, Length

from procurement.calls.models import JointCall
from procurement.calls.sealing import services
from procurement.calls.services import reading
from registry.access import roles_required
from registry.database import db
from registry.exceptions import RuleViolation
from registry.forms import InputForm
from registry.models import Role
from registry.passwords import MAX_LENGTH
from registry.views.actions import show_violation

bp = Blueprint("sealing", __name__)


class PasswordConfirmForm(InputForm):
    """The officer's own password, which unlocks their opening key."""

    password = PasswordField(
        "Your password",
        validators=[InputRequired(), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


@bp.route("/account/opening-key", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY)
def opening_key() -> Any:
    """Set up (or replace) one's opening key."""
    form = PasswordConfirmForm()
    if form.validate_on_submit():
        try:
            services.set_up_opening_key(g.user, form.password.data or "")
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash("Your opening key is set up; you can now be named an opening officer.", "success")
            return redirect(url_for("sealing.opening_key"))
    return render_template(
        "procurement/calls/sealing/opening_key.html",
        form=form,
        key=services.opening_key_of(g.user),
    )


def _opening_page(call: JointCall, form: PasswordConfirmForm, status: int = 200) -> Any:
    seal = services.seal_of(call)
    return (
        render_template(
            "procurement/calls/sealing/opening.html",
            call=call,
            seal=seal,
            own_share=services.share_of(seal, g.user),
            counts=services.opening_counts(call),
            form=form,
        ),
        status,
    )


@bp.get("/procurement/calls/<int:call_id>/opening")
@roles_required(Role.AUTHORITY)
def opening(call_id: int) -> Any:
    """The call's opening: its officers, the shares released, and one's own release."""
    return _opening_page(reading.get_call(g.user, call_id), PasswordConfirmForm())


@bp.post("/procurement/calls/<int:call_id>/opening")
@roles_required(Role.AUTHORITY)
def release_share(call_id: int) -> Any:
    """An opening officer releases their share with their password."""
    found = reading.get_call(g.user, call_id)
    form = PasswordConfirmForm()
    if not form.validate_on_submit():
        return _opening_page(found, form, 400)
    try:
        opened = services.release_share(g.user, found, form.password.data or "")
    except RuleViolation as error:
        show_violation(form, error)
        return _opening_page(reading.get_call(g.user, call_id), form, 400)
    db.session.commit()
    if opened:
        flash(f"The offers on {found.reference} are open.", "success")
        return redirect(url_for("calls.call", call_id=call_id))
    flash("Your share is released; the offers open when enough officers have released theirs.")
    return redirect(url_for("sealing.opening", call_id=call_id))


@bp.app_context_processor
def _sealing_counts() -> dict[str, Any]:
    return {"sealing_counts": services.opening_counts}


def init_app(app: Any) -> None:
    """Register the pages and the checks of ``flask audit verify``."""
    from registry.sealing import register_check, register_password_change

    app.register_blueprint(bp)
    register_check(app, services.check_sealed_offers)
    register_password_change(app, services.rewrap_opening_key)
