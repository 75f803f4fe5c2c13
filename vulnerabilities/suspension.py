"""The authority's list of labels to suspend: past a case's remediation deadline without a fix.

The system prepares the list (`vulnerabilities.labels.labels_to_suspend`) and a reason naming the
case; an authority officer reads it, edits the reason if needed, and suspends through the
ordinary label status change (decision log, vendor and followers told). Reinstating after the fix
is in scope stays the label's own reinstate action.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, flash, g, redirect, render_template, url_for
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from evaluations.labels.publishing import find_public_label, warm_label_pdf
from evaluations.labels.status_changes import suspend_label
from registry.access import roles_required
from registry.database import db
from registry.dates import today
from registry.exceptions import NotVisible, RuleViolation
from registry.forms import InputForm
from registry.models import Role
from registry.navigation import AUTHORITY, NavEntry, add_nav_entry
from vulnerabilities.labels import ToSuspend, labels_to_suspend

bp = Blueprint("vulnerability_suspension", __name__)


class SuspendForm(InputForm):
    """Suspend one label of the list, with a reason that names the case."""

    reason = TextAreaField(
        "Reason (published in the decision log)",
        validators=[InputRequired("Give a reason."), Length(min=3, max=2000)],
    )
    confirm = BooleanField(
        "I confirm: the label stops counting as certification until it is reinstated.",
        validators=[DataRequired("Tick the box to confirm.")],
    )


def _forms(rows: list[ToSuspend]) -> dict[str, SuspendForm]:
    return {
        row.label.number: SuspendForm(formdata=None, reason=row.reason, prefix=row.label.number)
        for row in rows
    }


def _page(rows: list[ToSuspend], forms: dict[str, SuspendForm]) -> str:
    return render_template(
        "vulnerabilities/to_suspend.html",
        rows=rows,
        forms=forms,
        today=today(),
    )


@bp.get("/admin/vulnerabilities/to-suspend")
@roles_required(Role.AUTHORITY)
def to_suspend() -> str:
    """Labels past a case's remediation deadline, each with its suspend form."""
    rows = labels_to_suspend()
    return _page(rows, _forms(rows))


@bp.post("/admin/vulnerabilities/to-suspend/<number>")
@roles_required(Role.AUTHORITY)
def suspend(number: str) -> Any:
    """Suspend a label of the list with the (edited) reason."""
    label = find_public_label(number)
    if label is None:
        raise NotVisible()
    rows = labels_to_suspend()
    row = next((r for r in rows if r.label.id == label.id), None)
    if row is None:
        flash(f"Label {number} is no longer on the list to suspend.", "info")
        return redirect(url_for("vulnerability_suspension.to_suspend"))
    form = SuspendForm(prefix=number)
    if not form.validate_on_submit():
        forms = _forms(rows)
        forms[number] = form
        return _page(rows, forms)
    try:
        suspend_label(g.user, label, form.reason.data or "")
    except RuleViolation as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("vulnerability_suspension.to_suspend"))
    db.session.commit()
    warm_label_pdf(label)
    flash(f"Label {number} is suspended. The vendor and the followers were told.", "success")
    return redirect(url_for("vulnerability_suspension.to_suspend"))


def register(app: Flask) -> None:
    """The list's blueprint, and its entry on the authority's dashboard."""
    app.register_blueprint(bp)
    add_nav_entry(
        app,
        NavEntry(
            "Labels to suspend", "vulnerability_suspension.to_suspend", AUTHORITY, 84, AUTHORITY
        ),
    )
