"""The authority's pages for CSAF advisories: upload one, and settle its unmatched products."""

from __future__ import annotations

import json

from flask import Blueprint, current_app, flash, g, redirect, render_template, url_for
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectField, TextAreaField
from wtforms.validators import InputRequired, Length

from catalog.models import Solution, SolutionVersion
from registry.access import roles_required
from registry.database import db
from registry.exceptions import RuleViolation
from registry.forms import InputForm
from registry.models import Role
from registry.views.actions import commit_or_report
from vulnerabilities.csaf import importing
from vulnerabilities.csaf.validation import Problem

bp = Blueprint("csaf_import", __name__, url_prefix="/admin/vulnerabilities")

UPLOAD_MAX_BYTES = 2 * 1024 * 1024


class ImportForm(InputForm):
    """One CSAF 2.0 advisory (JSON)."""

    document = FileField(
        "CSAF 2.0 advisory (JSON)",
        validators=[FileRequired("Choose a CSAF 2.0 JSON file.")],
        description=f"A CSAF 2.0 document of at most {UPLOAD_MAX_BYTES // (1024 * 1024)} MB. "
        "It is checked against the CSAF 2.0 schema and the standard's mandatory tests.",
    )


class MatchForm(InputForm):
    """The declared version an unmatched product is."""

    version_id = SelectField("Declared version", coerce=int, validators=[InputRequired()])


class DismissForm(InputForm):
    """Why an unmatched product is dismissed."""

    reason = TextAreaField("Reason", validators=[InputRequired(), Length(min=3, max=2000)])


def _version_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(SolutionVersion.id, Solution.name, SolutionVersion.version)
        .join(Solution, Solution.id == SolutionVersion.solution_id)
        .order_by(Solution.name, SolutionVersion.released_on, SolutionVersion.id)
    ).all()
    return [(row.id, f"{row.name} {row.version}") for row in rows]


@bp.route("/import", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY)
def upload() -> str:
    """Upload a CSAF advisory and show what the import did, or why it was refused."""
    form = ImportForm()
    result = None
    if form.validate_on_submit():
        data = form.document.data.read(UPLOAD_MAX_BYTES + 1)
        name = form.document.data.filename or "upload.json"
        if len(data) > UPLOAD_MAX_BYTES:
            form.document.errors = [
                f"The file is larger than {UPLOAD_MAX_BYTES // (1024 * 1024)} MB."
            ]
        else:
            try:
                document = json.loads(data)
            except (ValueError, UnicodeDecodeError) as error:
                form.document.errors = [f"The file is not JSON: {error}"]
            else:
                try:
                    result = importing.import_advisory(g.user, document, name)
                except RuleViolation as error:
                    db.session.rollback()
                    result = importing.ImportResult(
                        refused=True, problems=[Problem("$", error.message, "import")]
                    )
                else:
                    db.session.commit()
                    if result.refused:
                        flash("The advisory was refused: see the problems below.", "error")
                    else:
                        flash(f"Advisory {result.tracking_id} imported.", "success")
    return render_template("vulnerabilities/csaf/import.html", form=form, result=result)


@bp.get("/unmatched")
@roles_required(Role.AUTHORITY)
def unmatched() -> str:
    """Products of imported advisories that matched no declared version."""
    page = db.paginate(
        importing.unresolved_products(),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    match = MatchForm()
    match.version_id.choices = _version_choices()
    return render_template(
        "vulnerabilities/csaf/unmatched.html",
        page=page,
        match=match,
    )


@bp.post("/unmatched/<int:row_id>/match")
@roles_required(Role.AUTHORITY)
def match(row_id: int) -> Response:
    """Match one unmatched product to a declared version."""
    row = importing.get_unmatched(g.user, row_id)
    form = MatchForm()
    form.version_id.choices = _version_choices()
    if not form.validate_on_submit():
        flash("Choose a declared version.", "error")
    else:
        version = db.session.get(SolutionVersion, form.version_id.data)
        if version is not None:
            commit_or_report(
                lambda: importing.match_product(g.user, row, version),
                f"Product {row.product_id} matched to {version.solution.name} {version.version}.",
            )
    return redirect(url_for("csaf_import.unmatched"))


@bp.post("/unmatched/<int:row_id>/dismiss")
@roles_required(Role.AUTHORITY)
def dismiss(row_id: int) -> Response:
    """Dismiss one unmatched product, with a reason."""
    row = importing.get_unmatched(g.user, row_id)
    form = DismissForm()
    if not form.validate_on_submit():
        flash("Give a reason for dismissing the product.", "error")
    else:
        commit_or_report(
            lambda: importing.dismiss_product(g.user, row, form.reason.data or ""),
            f"Product {row.product_id} dismissed.",
        )
    return redirect(url_for("csaf_import.unmatched"))
