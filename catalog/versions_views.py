"""The vendor's versions of a solution: declare one (with its SBOM), attach an SBOM, mark the
end of support; the owner and the authority download SBOMs."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from catalog import services
from catalog.forms import EndOfSupportForm, VersionForm
from catalog.models import Solution, SolutionVersion
from catalog.versions import attach_sbom, declare_version, mark_end_of_support, version_of
from registry import uploads
from registry.access import roles_required
from registry.database import db
from registry.exceptions import NotVisible, RuleViolation
from registry.models import Role
from registry.views.actions import commit_or_report, show_violation

bp = Blueprint("versions", __name__, url_prefix="/manage/solutions")


def _version(solution: Solution, version_id: int) -> SolutionVersion:
    found = version_of(solution.id, version_id)
    if found is None:
        raise NotVisible()
    return found


def _declare(form: VersionForm, solution: Solution) -> SolutionVersion:
    version = declare_version(
        g.user,
        solution,
        form.version.data or "",
        form.released_on.data,
        purl=form.purl.data or "",
        cpe=form.cpe.data or "",
    )
    upload = form.sbom.data
    if isinstance(upload, FileStorage) and upload.filename:
        attach_sbom(g.user, version, upload.filename, upload.stream)
    return version


@bp.route("/<int:solution_id>/versions/new", methods=["GET", "POST"])
@roles_required(Role.VENDOR)
def declare(solution_id: int) -> Any:
    """Declare a released version of one's own solution, optionally with its SBOM."""
    found = services.get_solution_for_management(g.user, solution_id)
    form = VersionForm()
    if form.validate_on_submit():
        try:
            version = _declare(form, found)
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash(f"Version {version.version} of “{found.name}” is declared.", "success")
            return redirect(url_for("solutions.detail", solution_id=found.id) + "#versions")
    return render_template("catalog/version_form.html", form=form, solution=found)


@bp.route("/<int:solution_id>/versions/<int:version_id>/end-of-support", methods=["GET", "POST"])
@roles_required(Role.VENDOR)
def end_of_support(solution_id: int, version_id: int) -> Any:
    """Mark when support of a version ends, after a confirmation: the date is final."""
    found = services.get_solution_for_management(g.user, solution_id)
    version = _version(found, version_id)
    form = EndOfSupportForm()
    if form.validate_on_submit():
        try:
            mark_end_of_support(g.user, version, form.end_of_support_on.data)
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            ends = version.end_of_support_on
            flash(f"Support of version {version.version} ends on {ends}.", "success")
            return redirect(url_for("solutions.detail", solution_id=found.id) + "#versions")
    return render_template(
        "catalog/version_end_of_support.html", form=form, solution=found, version=version
    )


@bp.post("/<int:solution_id>/versions/<int:version_id>/sbom")
@roles_required(Role.VENDOR)
def upload_sbom(solution_id: int, version_id: int) -> Response:
    """Attach the CycloneDX SBOM of a version declared without one."""
    found = services.get_solution_for_management(g.user, solution_id)
    version = _version(found, version_id)
    commit_or_report(
        lambda: _attach_uploaded(version), f"The SBOM of version {version.version} is attached."
    )
    return redirect(url_for("solutions.detail", solution_id=found.id) + "#versions")


def _attach_uploaded(version: SolutionVersion) -> None:
    upload = request.files.get("sbom")
    if upload is None or not upload.filename:
        raise RuleViolation("Choose the SBOM file.", "sbom")
    attach_sbom(g.user, version, upload.filename, upload.stream)


@bp.get("/<int:solution_id>/versions/<int:version_id>/sbom")
@roles_required(Role.VENDOR, Role.AUTHORITY)
def sbom(solution_id: int, version_id: int) -> Response:
    """A version's SBOM, as an attachment, to its vendor and the authority only."""
    found = services.get_solution_for_management(g.user, solution_id)
    version = _version(found, version_id)
    if version.sbom is None:
        raise NotVisible()
    return uploads.send_stored(version.sbom)
