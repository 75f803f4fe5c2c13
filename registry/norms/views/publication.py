"""Publishing a draft: its problems are listed before anything is done."""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, url_for
from werkzeug.wrappers import Response

from registry import dates
from registry.access import roles_required
from registry.models import Role
from registry.norms import services
from registry.norms.forms import PublishForm
from registry.norms.models import NormVersion
from registry.norms.views.admin import bp
from registry.norms.views.draft_editor import refuse_frozen, save_draft_form, version_of


def _published(version: NormVersion) -> Response:
    """Say the version is published and show its public page."""
    flash(f"{version.label} is published. It can no longer change.", "success")
    return redirect(url_for("norms.version", code=version.norm.code, number=version.number))


@bp.route("/<code>/versions/<int:number>/publish", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY)
def publish(code: str, number: int) -> Any:
    """Check a draft and publish it; the problems are listed before anything is done."""
    version = version_of(code, number)
    refused = refuse_frozen(version)
    if refused is not None:
        return refused
    form = PublishForm()
    in_force = version.norm.published_version
    if form.validate_on_submit():
        saved = save_draft_form(
            version,
            form,
            lambda: services.publish_version(g.user, version, form.transition_date.data),
            lambda _: _published(version),
        )
        if saved is not None:
            return saved
    return render_template(
        "registry/norms/publish.html",
        norm=version.norm,
        version=version,
        in_force=in_force,
        form=form,
        problems=services.publication_problems(version),
        today=dates.today(),
    )
