"""A draft's sections: add, rename, move and delete."""

from __future__ import annotations

from typing import Any

from flask import abort, g, render_template
from werkzeug.wrappers import Response

from registry.access import roles_required
from registry.database import db
from registry.forms import ConfirmForm
from registry.models import Role
from registry.norms import drafting
from registry.norms.forms import MoveForm, SectionForm
from registry.norms.models import NormSection, NormVersion
from registry.norms.views.admin import bp
from registry.norms.views.draft_editor import (
    button_action,
    done,
    refuse_frozen,
    render_editor,
    save_draft_form,
    version_of,
)


def section_of(version: NormVersion, section_id: int) -> NormSection:
    """The section a URL names, which must belong to `version` (404 otherwise)."""
    section = db.session.get(NormSection, section_id)
    if section is None or section.version_id != version.id:
        abort(404)
    return section


@bp.post("/<code>/versions/<int:number>/sections")
@roles_required(Role.AUTHORITY)
def add_section(code: str, number: int) -> Any:
    """Add a section at the end of a draft."""
    version = version_of(code, number)
    form = SectionForm(prefix="section")
    if form.validate_on_submit():
        saved = save_draft_form(
            version,
            form,
            lambda: drafting.add_section(g.user, version, form.title.data or ""),
            lambda section: done(version, f"Section “{section.title}” added."),
        )
        if saved is not None:
            return saved
    return refuse_frozen(version) or render_editor(version, section_form=form)


@bp.route("/<code>/versions/<int:number>/sections/<int:section_id>/edit", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY)
def edit_section(code: str, number: int, section_id: int) -> Any:
    """Rename a section."""
    version = version_of(code, number)
    section = section_of(version, section_id)
    refused = refuse_frozen(version)
    if refused is not None:
        return refused
    form = SectionForm(obj=section)
    if form.validate_on_submit():
        saved = save_draft_form(
            version,
            form,
            lambda: drafting.rename_section(g.user, section, form.title.data or ""),
            lambda _: done(version, "Section renamed."),
        )
        if saved is not None:
            return saved
    return render_template(
        "registry/norms/section_form.html", norm=version.norm, version=version, form=form
    )


@bp.post("/<code>/versions/<int:number>/sections/<int:section_id>/move")
@roles_required(Role.AUTHORITY)
def move_section(code: str, number: int, section_id: int) -> Response:
    """Move a section up or down."""
    version = version_of(code, number)
    section = section_of(version, section_id)
    form = MoveForm()
    return button_action(
        version,
        form,
        lambda: drafting.move_section(g.user, section, form.offset),
        f"Section “{section.title}” moved.",
    )


@bp.post("/<code>/versions/<int:number>/sections/<int:section_id>/delete")
@roles_required(Role.AUTHORITY)
def delete_section(code: str, number: int, section_id: int) -> Response:
    """Delete a section and its criteria."""
    version = version_of(code, number)
    section = section_of(version, section_id)
    title = section.title
    return button_action(
        version,
        ConfirmForm(),
        lambda: drafting.delete_section(g.user, section),
        f"Section “{title}” deleted.",
    )
