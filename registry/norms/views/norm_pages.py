"""The norm's own pages: new norm, details, withdrawal and opening a new draft."""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from registry.access import roles_required
from registry.database import db
from registry.exceptions import RuleViolation
from registry.forms import ConfirmForm
from registry.models import Role, TechnologyCategory
from registry.norms import services
from registry.norms.forms import NormDetailsForm, NormForm, WithdrawForm
from registry.norms.models import Norm
from registry.norms.views.admin import bp, save_form


def _category_choices() -> list[SelectChoice]:
    categories = db.session.scalars(
        select(TechnologyCategory).order_by(TechnologyCategory.position)
    )
    return [SelectChoice(str(c.id), c.name) for c in categories]


def _created(norm: Norm) -> Response:
    """Say the norm was created and open its first draft in the editor."""
    flash(f"Norm {norm.code} created. Draft version 1 is ready to fill in.", "success")
    return redirect(url_for("norm_admin.editor", code=norm.code, number=1))


def _to_norm(norm: Norm, message: str) -> Response:
    """Say what changed and show the norm's page."""
    flash(message, "success")
    return redirect(url_for("norms.norm", code=norm.code))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY)
def new_norm() -> Any:
    """Create a norm; its draft version 1 opens in the editor."""
    form = NormForm()
    form.category_id.choices = _category_choices()
    if form.validate_on_submit():
        saved = save_form(
            form,
            lambda: services.create_norm(
                g.user,
                form.code.data or "",
                form.title.data or "",
                form.category_id.data or 0,
                form.description.data or "",
            ),
            _created,
        )
        if saved is not None:
            return saved
    return render_template("registry/norms/norm_form.html", form=form, norm=None)


@bp.route("/<code>/edit", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY)
def edit_norm(code: str) -> Any:
    """Change a norm's title, category and description."""
    norm = services.find_norm(g.user, code)
    form = NormDetailsForm(obj=norm)
    form.category_id.choices = _category_choices()
    if form.validate_on_submit():
        saved = save_form(
            form,
            lambda: services.update_norm_details(
                g.user,
                norm,
                form.title.data or "",
                form.category_id.data or 0,
                form.description.data or "",
            ),
            lambda _: _to_norm(norm, f"{norm.code} updated."),
        )
        if saved is not None:
            return saved
    return render_template("registry/norms/norm_form.html", form=form, norm=norm)


@bp.route("/<code>/withdraw", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY)
def withdraw(code: str) -> Any:
    """Withdraw a norm, with a reason, after showing what that does."""
    norm = services.find_norm(g.user, code)
    form = WithdrawForm()
    if form.validate_on_submit():
        saved = save_form(
            form,
            lambda: services.withdraw_norm(g.user, norm, form.reason.data or ""),
            lambda _: _to_norm(norm, f"{norm.code} is withdrawn."),
        )
        if saved is not None:
            return saved
    return render_template("registry/norms/withdraw.html", norm=norm, form=form)


@bp.post("/<code>/drafts")
@roles_required(Role.AUTHORITY)
def new_draft(code: str) -> Response:
    """Open the next version as a draft copied from the latest one."""
    norm = services.find_norm(g.user, code)
    if ConfirmForm().validate_on_submit():
        try:
            version = services.start_draft(g.user, norm)
        except RuleViolation as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(f"Draft version {version.number} opened, copied from the latest.", "success")
            return redirect(url_for("norm_admin.editor", code=norm.code, number=version.number))
    return redirect(url_for("norms.norm", code=norm.code))
