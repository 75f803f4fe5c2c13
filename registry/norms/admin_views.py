"""The authority's norm pages: new norm, details, withdrawal, new draft, the draft editor and
publication. Every editing route calls a service that refuses anything but a draft; for a
version that is no longer a draft, the pages say so and send back to its public page.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from registry.access import roles_required
from registry.database import db
from registry.exceptions import RuleViolation
from registry.forms import ConfirmForm
from registry.models import Role, TechnologyCategory
from registry.norms import drafting, services
from registry.norms.forms import (
    CriterionForm,
    MoveForm,
    NormDetailsForm,
    NormForm,
    PublishForm,
    SectionForm,
    VersionSettingsForm,
    WithdrawForm,
)
from registry.norms.models import CriterionKind, NormCriterion, NormSection, NormVersion
from registry.views.actions import commit_or_report

bp = Blueprint("norm_admin", __name__, url_prefix="/admin/norms")


def _category_choices() -> list[SelectChoice]:
    categories = db.session.scalars(
        select(TechnologyCategory).order_by(TechnologyCategory.position)
    )
    return [SelectChoice(str(c.id), c.name) for c in categories]


def _section_choices(version: NormVersion) -> list[SelectChoice]:
    return [SelectChoice(str(s.id), s.title) for s in version.sections]


def _form_error(form: Any, error: RuleViolation) -> None:
    """Show a service's refusal next to the field it names, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY)
def new_norm() -> Any:
    """Create a norm; its draft version 1 opens in the editor."""
    form = NormForm()
    form.category_id.choices = _category_choices()
    if form.validate_on_submit():
        try:
            norm = services.create_norm(
                g.user,
                form.code.data or "",
                form.title.data or "",
                form.category_id.data or 0,
                form.description.data or "",
            )
        except RuleViolation as error:
            db.session.rollback()
            _form_error(form, error)
        else:
            db.session.commit()
            flash(f"Norm {norm.code} created. Draft version 1 is ready to fill in.", "success")
            return redirect(url_for("norm_admin.editor", code=norm.code, number=1))
    return render_template("registry/norms/norm_form.html", form=form, norm=None)


@bp.route("/<code>/edit", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY)
def edit_norm(code: str) -> Any:
    """Change a norm's title, category and description."""
    norm = services.find_norm(g.user, code)
    form = NormDetailsForm(obj=norm)
    form.category_id.choices = _category_choices()
    if form.validate_on_submit():
        try:
            services.update_norm_details(
                g.user,
                norm,
                form.title.data or "",
                form.category_id.data or 0,
                form.description.data or "",
            )
        except RuleViolation as error:
            db.session.rollback()
            _form_error(form, error)
        else:
            db.session.commit()
            flash(f"{norm.code} updated.", "success")
            return redirect(url_for("norms.norm", code=norm.code))
    return render_template("registry/norms/norm_form.html", form=form, norm=norm)


@bp.route("/<code>/withdraw", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY)
def withdraw(code: str) -> Any:
    """Withdraw a norm, with a reason, after showing what that does."""
    norm = services.find_norm(g.user, code)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            services.withdraw_norm(g.user, norm, form.reason.data or "")
        except RuleViolation as error:
            db.session.rollback()
            _form_error(form, error)
        else:
            db.session.commit()
            flash(f"{norm.code} is withdrawn.", "success")
            return redirect(url_for("norms.norm", code=norm.code))
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


# ---------------------------------------------------------------------------- draft editor


def _version(code: str, number: int) -> NormVersion:
    norm = services.find_norm(g.user, code)
    return services.find_version(g.user, norm, number)


def _back(version: NormVersion) -> Response:
    """Where to go after an edit: the editor of a draft, the public page of anything else."""
    endpoint = "norm_admin.editor" if version.is_draft else "norms.version"
    return redirect(url_for(endpoint, code=version.norm.code, number=version.number))


def _refuse_frozen(version: NormVersion) -> Response | None:
    """No editing page exists for a version that is not a draft: say so and show it."""
    if version.is_draft:
        return None
    flash(
        f"{version.label} is {version.status.value}: published versions never change. "
        "Start a new draft to change the norm.",
        "error",
    )
    return _back(version)


def _settings_form(version: NormVersion) -> VersionSettingsForm:
    data: dict[str, Any] = {
        "validity_months": version.validity_months,
        "standards": "\n".join(s.reference for s in version.standards),
        "change_note": version.change_note,
    }
    for n, level in enumerate(version.levels, 1):
        data[f"level_{n}_name"] = level.name
        data[f"level_{n}_minimum"] = level.minimum_percent
    return VersionSettingsForm(formdata=None, data=data, prefix="settings")


def _render_editor(
    version: NormVersion,
    settings_form: VersionSettingsForm | None = None,
    section_form: SectionForm | None = None,
) -> str:
    return render_template(
        "registry/norms/editor.html",
        norm=version.norm,
        version=version,
        settings_form=settings_form or _settings_form(version),
        section_form=section_form or SectionForm(formdata=None, prefix="section"),
        confirm=ConfirmForm(),
        problems=services.publication_problems(version),
    )


@bp.get("/<code>/versions/<int:number>/edit")
@roles_required(Role.AUTHORITY)
def editor(code: str, number: int) -> Any:
    """The draft editor: settings, sections and criteria."""
    version = _version(code, number)
    return _refuse_frozen(version) or _render_editor(version)


@bp.post("/<code>/versions/<int:number>/settings")
@roles_required(Role.AUTHORITY)
def save_settings(code: str, number: int) -> Any:
    """Save a draft's validity, levels, standards and change note."""
    version = _version(code, number)
    form = VersionSettingsForm(prefix="settings")
    if form.validate_on_submit():
        try:
            drafting.update_version_settings(
                g.user,
                version,
                form.validity_months.data or 0,
                form.levels(),
                form.standards_list(),
                form.change_note.data or "",
            )
        except RuleViolation as error:
            db.session.rollback()
            if not version.is_draft:
                flash(error.message, "error")
                return _back(version)
            if error.field == "levels":
                form.form_errors.append(f"Levels: {error.message}")
            else:
                _form_error(form, error)
        else:
            db.session.commit()
            flash("Settings saved.", "success")
            return _back(version)
    refused = _refuse_frozen(version)
    if refused is not None:
        return refused
    return _render_editor(version, settings_form=form)


@bp.post("/<code>/versions/<int:number>/discard")
@roles_required(Role.AUTHORITY)
def discard(code: str, number: int) -> Response:
    """Delete a draft."""
    version = _version(code, number)
    norm_code = version.norm.code
    if ConfirmForm().validate_on_submit():
        try:
            services.discard_draft(g.user, version)
        except RuleViolation as error:
            db.session.rollback()
            flash(error.message, "error")
            return _back(version)
        db.session.commit()
        flash(f"Draft version {number} of {norm_code} discarded.", "success")
    return redirect(url_for("norms.norm", code=norm_code))


def _section(version: NormVersion, section_id: int) -> NormSection:
    section = db.session.get(NormSection, section_id)
    if section is None or section.version_id != version.id:
        abort(404)
    return section


def _criterion(version: NormVersion, criterion_id: int) -> NormCriterion:
    criterion = db.session.get(NormCriterion, criterion_id)
    if criterion is None or criterion.version_id != version.id:
        abort(404)
    return criterion


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


def _redirecting_action(version: NormVersion, action: Any, done: str) -> Response:
    """Run a button's service call; report a refusal as a message."""
    commit_or_report(action, done)
    return _back(version)


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
    version = _version(code, number)
    section = _section(version, section_id)
    refused = _refuse_frozen(version)
    if refused is not None:
        return refused
    form = CriterionForm()
    form.section_id.choices = _section_choices(version)
    if request.method == "GET":
        form.section_id.data = section.id
        form.kind.data = CriterionKind.SCORED.value
    if form.validate_on_submit():
        try:
            criterion = drafting.add_criterion(g.user, version, _criterion_data(form))
        except RuleViolation as error:
            db.session.rollback()
            if not version.is_draft:
                flash(error.message, "error")
                return _back(version)
            _form_error(form, error)
        else:
            db.session.commit()
            flash(f"Criterion {criterion.code} added.", "success")
            return redirect(
                url_for("norm_admin.editor", code=version.norm.code, number=version.number)
                + f"#section-{criterion.section_id}"
            )
    return _render_criterion_form(version, form, None)


@bp.route("/<code>/versions/<int:number>/criteria/<int:criterion_id>/edit", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY)
def edit_criterion(code: str, number: int, criterion_id: int) -> Any:
    """Change a criterion of a draft."""
    version = _version(code, number)
    criterion = _criterion(version, criterion_id)
    refused = _refuse_frozen(version)
    if refused is not None:
        return refused
    form = CriterionForm(obj=criterion)
    form.section_id.choices = _section_choices(version)
    if request.method == "GET":
        form.kind.data = criterion.kind.value
    if form.validate_on_submit():
        try:
            drafting.update_criterion(g.user, criterion, _criterion_data(form))
        except RuleViolation as error:
            db.session.rollback()
            if not version.is_draft:
                flash(error.message, "error")
                return _back(version)
            _form_error(form, error)
        else:
            db.session.commit()
            flash(f"Criterion {criterion.code} saved.", "success")
            return redirect(
                url_for("norm_admin.editor", code=version.norm.code, number=version.number)
                + f"#section-{criterion.section_id}"
            )
    return _render_criterion_form(version, form, criterion)


@bp.post("/<code>/versions/<int:number>/criteria/<int:criterion_id>/move")
@roles_required(Role.AUTHORITY)
def move_criterion(code: str, number: int, criterion_id: int) -> Response:
    """Move a criterion up or down within its section."""
    version = _version(code, number)
    criterion = _criterion(version, criterion_id)
    form = MoveForm()
    if not form.validate_on_submit():
        return _back(version)
    return _redirecting_action(
        version,
        lambda: drafting.move_criterion(g.user, criterion, form.offset),
        f"Criterion {criterion.code} moved.",
    )


@bp.post("/<code>/versions/<int:number>/criteria/<int:criterion_id>/delete")
@roles_required(Role.AUTHORITY)
def delete_criterion(code: str, number: int, criterion_id: int) -> Response:
    """Delete a criterion of a draft."""
    version = _version(code, number)
    criterion = _criterion(version, criterion_id)
    if not ConfirmForm().validate_on_submit():
        return _back(version)
    criterion_code = criterion.code
    return _redirecting_action(
        version,
        lambda: drafting.delete_criterion(g.user, criterion),
        f"Criterion {criterion_code} deleted.",
    )


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
        today=services.today(),
    )
