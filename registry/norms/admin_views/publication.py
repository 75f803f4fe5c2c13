"""Publishing a draft: its problems are listed before anything is done."""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, url_for

from registry import dates
from registry.access import roles_required
from registry.database import db
from registry.exceptions import RuleViolation
from registry.models import Role
from registry.norms import services
from registry.norms.admin_views.blueprint import _form_error, bp
from registry.norms.admin_views.draft_editor import _back, _refuse_frozen, _version
from registry.norms.forms import PublishForm


@bp.route("/<code>/versions/<int:number>/publish", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY)
def publish(code: str, number: int) -> Any:
    """Check a draft and publish it; the problems are listed before anything is done."""
    version = _version(code, number)
    refused = _refuse_frozen(version)
    if refused is not None:
        return refused
    form = PublishForm()
    in_force = version.norm.published_version
    if form.validate_on_submit():
        try:
            services.publish_version(g.user, version, form.transition_date.data)
        except RuleViolation as error:
            db.session.rollback()
            if not version.is_draft:
                flash(error.message, "error")
                return _back(version)
            _form_error(form, error)
        else:
            db.session.commit()
            flash(f"{version.label} is published. It can no longer change.", "success")
            return redirect(url_for("norms.version", code=version.norm.code, number=number))
    return render_template(
        "registry/norms/publish.html",
        norm=version.norm,
        version=version,
        in_force=in_force,
        form=form,
        problems=services.publication_problems(version),
        today=dates.today(),
    )
