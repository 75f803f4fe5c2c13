"""The agreement pages: the authority publishes versions and sees who accepted; a vendor's
administrator accepts; the mark pack of a valid label for its vendor; any version in public."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from catalog.markdown import render_markdown
from evaluations.agreement import mark, services
from evaluations.agreement.forms import AcceptForm, PublishForm
from evaluations.labels.publishing import find_public_label
from registry.access import roles_required
from registry.database import db
from registry.exceptions import RuleViolation
from registry.models import Role
from registry.views.actions import show_violation

bp = Blueprint("agreement", __name__)


@bp.get("/agreement/")
@roles_required(Role.VENDOR, Role.AUTHORITY)
def index() -> str:
    """The vendor's standing under the agreement, or the authority's versions and signatures."""
    current, latest = services.current_version(), services.latest_version()
    if g.user.role is Role.AUTHORITY:
        page = db.paginate(
            services.acceptances_query(),
            per_page=current_app.config["PER_PAGE"],
            error_out=False,
        )
        return render_template(
            "agreement/authority.html",
            versions=services.all_versions(),
            current=current,
            page=page,
        )
    organisation_id = g.user.organisation_id
    accepted = services.acceptance_of(organisation_id, latest) if latest else None
    return render_template(
        "agreement/vendor.html",
        current=current,
        latest=latest,
        accepted=accepted,
        refusal=services.refusal(organisation_id),
        acceptances=services.organisation_acceptances(organisation_id),
        form=AcceptForm(version_id=str(latest.id) if latest else ""),
        render_markdown=render_markdown,
    )


@bp.post("/agreement/accept")
@roles_required(Role.VENDOR)
def accept() -> Any:
    """An administrator of the vendor organisation accepts the newest version."""
    form = AcceptForm()
    if not form.validate_on_submit():
        flash("Tick the box to accept the agreement.", "error")
        return redirect(url_for("agreement.index"))
    try:
        version_id = int(form.version_id.data or 0)
    except ValueError:
        version_id = 0
    try:
        acceptance = services.accept_version(g.user, version_id, request.remote_addr or "")
    except RuleViolation as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("agreement.index"))
    number = acceptance.version.number
    db.session.commit()
    flash(f"Your organisation accepted version {number} of the certification agreement.", "success")
    return redirect(url_for("agreement.index"))


@bp.route("/agreement/publish", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY)
def publish() -> Any:
    """The authority publishes the next version (the newest is offered as a starting point)."""
    latest = services.latest_version()
    form = PublishForm()
    if request.method == "GET" and latest is not None:
        form.terms.data, form.mark_rules.data = latest.terms, latest.mark_rules
    if form.validate_on_submit():
        try:
            version = services.publish_version(
                g.user, form.terms.data, form.mark_rules.data, form.effective_on.data
            )
        except RuleViolation as error:
            show_violation(form, error)
        else:
            number = version.number
            db.session.commit()
            flash(
                f"Version {number} is published; vendor administrators are asked to accept it.",
                "success",
            )
            return redirect(url_for("agreement.index"))
    return render_template("agreement/publish.html", form=form, latest=latest)


@bp.get("/agreement/versions/<int:number>")
def version(number: int) -> str:
    """Any published version, in public: the terms and the rules for the mark."""
    found = services.version_by_number(number)
    if found is None:
        abort(404)
    return render_template(
        "agreement/version.html",
        version=found,
        current=services.current_version(),
        render_markdown=render_markdown,
    )


@bp.get("/labels/<number>/mark-pack")
@roles_required(Role.VENDOR)
def mark_pack(number: str) -> Any:
    """The label's mark pack (ZIP) for its vendor while the label is valid."""
    label = find_public_label(number)
    if label is None:
        abort(404)
    try:
        data = mark.mark_pack(g.user, label)
    except RuleViolation as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("labels.label_page", number=label.number))
    db.session.commit()
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="mark-pack-{label.number}.zip"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
