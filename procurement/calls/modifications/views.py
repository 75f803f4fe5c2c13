"""A contract line's modifications and, for the authority, the modification form."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, url_for

from procurement.calls.legal.regime import local_stamp
from procurement.calls.modifications import services
from procurement.calls.modifications.forms import ModificationForm
from procurement.calls.modifications.models import ModificationGround
from procurement.calls.orders.services import READERS, get_line
from registry.access import roles_required
from registry.database import db
from registry.exceptions import RuleViolation
from registry.models import Role
from registry.views.actions import show_violation

bp = Blueprint("call_modifications", __name__, url_prefix="/procurement")


def _page(line_id: int, form: ModificationForm | None = None, status: int = 200) -> Any:
    line = get_line(g.user, line_id)
    return (
        render_template(
            "procurement/calls/modifications/line.html",
            line=line,
            award=line.award,
            call=line.award.call,
            modifications=list(db.session.scalars(services.modifications_of_line(line))),
            initial_value=services.initial_value(line),
            local_stamp=local_stamp,
            form=(form or ModificationForm()) if g.user.role is Role.AUTHORITY else None,
        ),
        status,
    )


@bp.get("/contracts/<int:line_id>/modifications")
@roles_required(*READERS)
def line_modifications(line_id: int) -> Any:
    """A contract line's modifications, its terms in force and (for the authority) the form."""
    return _page(line_id)


@bp.post("/contracts/<int:line_id>/modifications")
@roles_required(Role.AUTHORITY)
def modify(line_id: int) -> Any:
    """The authority records a modification of a signed contract line."""
    line = get_line(g.user, line_id)
    form = ModificationForm()
    if form.validate_on_submit():
        try:
            modification = services.modify_line(
                g.user,
                line,
                ModificationGround(form.ground.data),
                form.description.data or "",
                maximum=form.maximum.data,
                unit_price=form.price(),
                end=form.end.data,
            )
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash(f"{modification.reference} of {line.reference} is recorded.", "success")
            return redirect(url_for("call_modifications.line_modifications", line_id=line.id))
    return _page(line_id, form, 400)
