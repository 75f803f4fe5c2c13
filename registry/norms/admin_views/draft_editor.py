"""The draft editor (settings, discarding a draft) and what every editing route shares: finding
the version a URL names, where to go back after an edit, and refusing a version that is no
longer a draft.
"""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, url_for
from werkzeug.wrappers import Response

from registry.access import roles_required
from registry.database import db
from registry.exceptions import RuleViolation
from registry.forms import ConfirmForm
from registry.models import Role
from registry.norms import drafting, services
from registry.norms.admin_views.blueprint import _form_error, bp
from registry.norms.forms import SectionForm, VersionSettingsForm
from registry.norms.models import NormVersion
from registry.views.actions import commit_or_report


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


def _redirecting_action(version: NormVersion, action: Any, done: str) -> Response:
    """Run a button's service call; report a refusal as a message."""
    commit_or_report(action, done)
    return _back(version)
