"""A draft's criteria: add, change, move and delete."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from registry.access import roles_required
from registry.database import db
from registry.forms import ConfirmForm
from registry.models import Role
from registry.norms import drafting
from registry.norms.forms import CriterionForm, MoveForm
from registry.norms.models import CriterionKind, NormCriterion, NormVersion
from registry.norms.views.admin import bp
from registry.norms.views.draft_editor import (
    button_action,
    refuse_frozen,
    save_draft_form,
    version_of,
)
from registry.norms.views.sections import section_of


def _section_choices(version: NormVersion) -> list[SelectChoice]:
    return [SelectChoice(str(s.id), s.title) for s in version.sections]


def _criterion(version: NormVersion, criterion_id: int) -> NormCriterion:
    criterion = db.session.get(NormCriterion, criterion_id)
    if criterion is None or criterion.version_id != version.id:
        abort(404)
    return criterion


def _criterion_data(form: CriterionForm) -> drafting.CriterionData:
    return drafting.CriterionData(
        section_id=form.section_id.data or 0,
        code=form.code.data or "",
        title=form.title.data or "",
        guidance=form.guidance.data or "",
        kind=CriterionKind(form.kind.data),
        weight=form.weight.data if form.weight.data is not None else 0,
        mandatory=bool(form.mandatory.data),
        evidence_required=bool(form.evidence_required.data),
    )


def _to_criterion(version: NormVersion, criterion: NormCriterion, verb: str) -> Response:
    """Say the criterion was added or saved, and show it in the editor."""
    flash(f"Criterion {criterion.code} {verb}.", "success")
    return redirect(
        url_for("norm_admin.editor", code=version.norm.code, number=version.number)
        + f"#section-{criterion.section_id}"
    )


def _render_criterion_form(
    version: NormVersion, form: CriterionForm, criterion: NormCriterion | None
) -> Any:
    return render_template(
        "registry/norms/criterion_form.html",
        norm=version.norm,
        version=version,
        form=form,
        criterion=criterion,
    )


@bp.route(
    "/<code>/versions/<int:number>/sections/<int:section_id>/criteria/new",
    methods=["GET", "POST"],
)
@roles_required(Role.AUTHORITY)
def new_criterion(code: str, number: int, section_id: int) -> Any:
    """Add a criterion to a section of a draft."""
    version = version_of(code, number)
    section = section_of(version, section_id)
    refused = refuse_frozen(version)
    if refused is not None:
        return refused
    form = CriterionForm()
    form.section_id.choices = _section_choices(version)
    if request.method == "GET":
        form.section_id.data = section.id
        form.kind.data = CriterionKind.SCORED.value
    if form.validate_on_submit():
        saved = save_draft_form(
            version,
            form,
            lambda: drafting.add_criterion(g.user, version, _criterion_data(form)),
            lambda added: _to_criterion(version, added, "added"),
        )
        if saved is not None:
            return saved
    return _render_criterion_form(version, form, None)


@bp.route("/<code>/versions/<int:number>/criteria/<int:criterion_id>/edit", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY)
def edit_criterion(code: str, number: int, criterion_id: int) -> Any:
    """Change a criterion of a draft."""
    version = version_of(code, number)
    criterion = _criterion(version, criterion_id)
    refused = refuse_frozen(version)
    if refused is not None:
        return refused
    form = CriterionForm(obj=criterion)
    form.section_id.choices = _section_choices(version)
    if request.method == "GET":
        form.kind.data = criterion.kind.value
    if form.validate_on_submit():
        saved = save_draft_form(
            version,
            form,
            lambda: drafting.update_criterion(g.user, criterion, _criterion_data(form)),
            lambda _: _to_criterion(version, criterion, "saved"),
        )
        if saved is not None:
            return saved
    return _render_criterion_form(version, form, criterion)


@bp.post("/<code>/versions/<int:number>/criteria/<int:criterion_id>/move")
@roles_required(Role.AUTHORITY)
def move_criterion(code: str, number: int, criterion_id: int) -> Response:
    """Move a criterion up or down within its section."""
    version = version_of(code, number)
    criterion = _criterion(version, criterion_id)
    form = MoveForm()
    return button_action(
        version,
        form,
        lambda: drafting.move_criterion(g.user, criterion, form.offset),
        f"Criterion {criterion.code} moved.",
    )


@bp.post("/<code>/versions/<int:number>/criteria/<int:criterion_id>/delete")
@roles_required(Role.AUTHORITY)
def delete_criterion(code: str, number: int, criterion_id: int) -> Response:
    """Delete a criterion of a draft."""
    version = version_of(code, number)
    criterion = _criterion(version, criterion_id)
    criterion_code = criterion.code
    return button_action(
        version,
        ConfirmForm(),
        lambda: drafting.delete_criterion(g.user, criterion),
        f"Criterion {criterion_code} deleted.",
    )
