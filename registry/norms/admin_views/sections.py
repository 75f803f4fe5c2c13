"""A draft's sections: add, rename, move and delete."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, render_template
from werkzeug.wrappers import Response

from registry.access import roles_required
from registry.database import db
from registry.exceptions import RuleViolation
from registry.forms import ConfirmForm
from registry.models import Role
from registry.norms import drafting
from registry.norms.admin_views.blueprint import _form_error, bp
from registry.norms.admin_views.draft_editor import (
    _back,
    _redirecting_action,
    _refuse_frozen,
    _render_editor,
    _version,
)
from registry.norms.forms import MoveForm, SectionForm
from registry.norms.models import NormSection, NormVersion


def _section(version: NormVersion, section_id: int) -> NormSection:
    section = db.session.get(NormSection, section_id)
    if section is None or section.version_id != version.id:
        abort(404)
    return section


@bp.post("/<code>/versions/<int:number>/sections")
@roles_required(Role.AUTHORITY)
def add_section(code: str, number: int) -> Any:
    """Add a section at the end of a draft."""
    version = _version(code, number)
    form = SectionForm(prefix="section")
    if form.validate_on_submit():
        try:
            section = drafting.add_section(g.user, version, form.title.data or "")
        except RuleViolation as error:
            db.session.rollback()
            if not version.is_draft:
                flash(error.message, "error")
                return _back(version)
            _form_error(form, error)
        else:
            db.session.commit()
            flash(f"Section “{section.title}” added.", "success")
            return _back(version)
    return _refuse_frozen(version) or _render_editor(version, section_form=form)


@bp.route("/<code>/versions/<int:number>/sections/<int:section_id>/edit", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY)
def edit_section(code: str, number: int, section_id: int) -> Any:
    """Rename a section."""
    version = _version(code, number)
    section = _section(version, section_id)
    refused = _refuse_frozen(version)
    if refused is not None:
        return refused
    form = SectionForm(obj=section)
    if form.validate_on_submit():
        try:
            drafting.rename_section(g.user, section, form.title.data or "")
        except RuleViolation as error:
            db.session.rollback()
            if not version.is_draft:
                flash(error.message, "error")
                return _back(version)
            _form_error(form, error)
        else:
            db.session.commit()
            flash("Section renamed.", "success")
            return _back(version)
    return render_template(
        "registry/norms/section_form.html", norm=version.norm, version=version, form=form
    )


@bp.post("/<code>/versions/<int:number>/sections/<int:section_id>/move")
@roles_required(Role.AUTHORITY)
def move_section(code: str, number: int, section_id: int) -> Response:
    """Move a section up or down."""
    version = _version(code, number)
    section = _section(version, section_id)
    form = MoveForm()
    if not form.validate_on_submit():
        return _back(version)
    return _redirecting_action(
        version,
        lambda: drafting.move_section(g.user, section, form.offset),
        f"Section “{section.title}” moved.",
    )


@bp.post("/<code>/versions/<int:number>/sections/<int:section_id>/delete")
@roles_required(Role.AUTHORITY)
def delete_section(code: str, number: int, section_id: int) -> Response:
    """Delete a section and its criteria."""
    version = _version(code, number)
    section = _section(version, section_id)
    if not ConfirmForm().validate_on_submit():
        return _back(version)
    title = section.title
    return _redirecting_action(
        version,
        lambda: drafting.delete_section(g.user, section),
        f"Section “{title}” deleted.",
    )
