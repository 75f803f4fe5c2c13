"""The draft editor (settings, discarding a draft) and what every editing route shares: finding
the version a URL names, where to go back after an edit, and refusing a version that is no
longer a draft.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import flash, g, redirect, render_template, url_for
from werkzeug.wrappers import Response

from registry.access import roles_required
from registry.database import db
from registry.exceptions import RuleViolation
from registry.forms import ConfirmForm
from registry.models import Role
from registry.norms import drafting, services
from registry.norms.forms import SectionForm, VersionSettingsForm
from registry.norms.models import NormVersion
from registry.norms.views.admin import bp, form_error, save_form
from registry.views.actions import commit_or_report

T = TypeVar("T")


def version_of(code: str, number: int) -> NormVersion:
    """The version a URL names, as the signed-in user may see it (404 otherwise)."""
    norm = services.find_norm(g.user, code)
    return services.find_version(g.user, norm, number)


def go_back(version: NormVersion) -> Response:
    """Where to go after an edit: the editor of a draft, the public page of anything else."""
    endpoint = "norm_admin.editor" if version.is_draft else "norms.version"
    return redirect(url_for(endpoint, code=version.norm.code, number=version.number))


def refuse_frozen(version: NormVersion) -> Response | None:
    """No editing page exists for a version that is not a draft: say so and show it."""
    if version.is_draft:
        return None
    flash(
        f"{version.label} is {version.status.value}: published versions never change. "
        "Start a new draft to change the norm.",
        "error",
    )
    return go_back(version)


def _refused_unless_draft(version: NormVersion) -> Callable[[RuleViolation], Response | None]:
    """For a version that stopped being a draft, a refusal is flashed and the editor is left."""

    def refused(error: RuleViolation) -> Response | None:
        if version.is_draft:
            return None
        flash(error.message, "error")
        return go_back(version)

    return refused


def save_draft_form(
    version: NormVersion,
    form: Any,
    action: Callable[[], T],
    success: Callable[[T], Response],
    show: Callable[[Any, RuleViolation], None] = form_error,
) -> Response | None:
    """`save_form` for a draft's part: a refusal because the version is no longer a draft is
    flashed and goes back to the version's page instead of showing on the form.
    """
    return save_form(form, action, success, _refused_unless_draft(version), show)


def done(version: NormVersion, message: str) -> Response:
    """Flash that an edit succeeded and go back to the editor."""
    flash(message, "success")
    return go_back(version)


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


def render_editor(
    version: NormVersion,
    settings_form: VersionSettingsForm | None = None,
    section_form: SectionForm | None = None,
) -> str:
    """The editor page of a draft, with the forms given (kept input) or fresh ones."""
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
    version = version_of(code, number)
    return refuse_frozen(version) or render_editor(version)


def _settings_error(form: VersionSettingsForm, error: RuleViolation) -> None:
    """A refusal of the levels shows above the form, named; any other next to its field."""
    if error.field == "levels":
        form.form_errors.append(f"Levels: {error.message}")
    else:
        form_error(form, error)


@bp.post("/<code>/versions/<int:number>/settings")
@roles_required(Role.AUTHORITY)
def save_settings(code: str, number: int) -> Any:
    """Save a draft's validity, levels, standards and change note."""
    version = version_of(code, number)
    form = VersionSettingsForm(prefix="settings")
    if form.validate_on_submit():
        saved = save_draft_form(
            version,
            form,
            lambda: drafting.update_version_settings(
                g.user,
                version,
                form.validity_months.data or 0,
                form.levels(),
                form.standards_list(),
                form.change_note.data or "",
            ),
            lambda _: done(version, "Settings saved."),
            show=_settings_error,
        )
        if saved is not None:
            return saved
    refused = refuse_frozen(version)
    if refused is not None:
        return refused
    return render_editor(version, settings_form=form)


@bp.post("/<code>/versions/<int:number>/discard")
@roles_required(Role.AUTHORITY)
def discard(code: str, number: int) -> Response:
    """Delete a draft."""
    version = version_of(code, number)
    norm_code = version.norm.code
    if ConfirmForm().validate_on_submit():
        try:
            services.discard_draft(g.user, version)
        except RuleViolation as error:
            db.session.rollback()
            flash(error.message, "error")
            return go_back(version)
        db.session.commit()
        flash(f"Draft version {number} of {norm_code} discarded.", "success")
    return redirect(url_for("norms.norm", code=norm_code))


def button_action(version: NormVersion, form: Any, action: Any, message: str) -> Response:
    """A button's service call, run when its form is valid; a refusal is reported as a message.

    Either way the answer goes back to the editor (or the page of a version no longer a draft).
    """
    if form.validate_on_submit():
        commit_or_report(action, message)
    return go_back(version)
