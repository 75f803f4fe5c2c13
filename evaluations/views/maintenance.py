"""Maintenance pages: the vendor declares a new version for a label, the authority routes and
decides, the evaluator reviews the touched criteria (evaluations.maintenance)."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from catalog.versions import version_of
from evaluations import maintenance
from evaluations.bodies.checks import evaluator_problem
from evaluations.forms import (
    DeclareForm,
    MaintenanceDecisionForm,
    MaintenanceForm,
    ReviewSummaryForm,
    RouteForm,
)
from evaluations.labels.certified import scope_entries
from evaluations.models import Label, MaintenanceRequest, MaintenanceStatus
from evaluations.services.visibility import eligible_evaluators
from evaluations.views.blueprint import ANY_PARTY, bp
from registry import dates
from registry.access import roles_required
from registry.database import db
from registry.exceptions import NotVisible, RuleViolation
from registry.forms import ConfirmForm
from registry.models import Role, User
from registry.text import clean_text
from registry.views.actions import show_violation


def _own_label(number: str) -> Label:
    label = db.session.scalar(select(Label).where(Label.number == number))
    if label is None or label.vendor_id != g.user.organisation_id:
        raise NotVisible()
    return label


def _declare_form(label: Label) -> MaintenanceForm:
    form = MaintenanceForm()
    form.version_id.choices = [
        SelectChoice(v.id, f"{v.version} (released {v.released_on.isoformat()})")
        for v in maintenance.versions_to_declare(label)
    ]
    form.touched.choices = [
        SelectChoice(c.code, f"{c.code} — {c.title}") for c in label.norm_version.ordered_criteria()
    ]
    return form


@bp.route("/labels/<number>/maintenance", methods=["GET", "POST"])
@roles_required(Role.VENDOR)
def maintenance_declare(number: str) -> Any:
    """The vendor declares a new version of a labelled solution for the label's scope."""
    label = _own_label(number)
    form = _declare_form(label)
    status = 200
    if form.validate_on_submit():
        version = version_of(label.solution_id, form.version_id.data)
        try:
            if version is None:
                raise RuleViolation("Choose a declared version of the solution.", "version_id")
            created = maintenance.declare_maintenance(
                g.user,
                label,
                version,
                form.impact_analysis.data or "",
                form.touched.data or [],
                form.security_relevant.data == "yes",
            )
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash("Your maintenance request is filed; the authority will route it.", "success")
            return redirect(url_for("evaluations.maintenance_request", request_id=created.id))
        status = 400
    elif request.method == "POST":
        db.session.rollback()
        status = 400
    return render_template(
        "maintenance/declare.html",
        label=label,
        form=form,
        scope=scope_entries(label),
        requests=maintenance.requests_of_label(label),
    ), status


@bp.get("/maintenance")
@roles_required(Role.AUTHORITY)
def maintenance_queue() -> str:
    """The authority's maintenance queue: requests awaiting routing first."""
    page = db.paginate(
        maintenance.queue_statement(), per_page=current_app.config["PER_PAGE"], error_out=False
    )
    return render_template(
        "maintenance/queue.html",
        page=page,
        Status=MaintenanceStatus,
        is_overdue=maintenance.is_overdue,
    )


def _route_form(item: MaintenanceRequest, form: RouteForm | None = None) -> RouteForm:
    form = form or RouteForm(formdata=None)
    conflicted = maintenance.conflicted_evaluator_ids(item)
    # Only those the gates of an assignment let review this label's norm and vendor.
    norm, vendor, day = item.label.norm_version.norm, item.label.vendor, dates.today()
    form.evaluator_id.choices = [SelectChoice("", "— choose —")] + [
        SelectChoice(u.id, f"{u.full_name} — {u.organisation.name}")
        for u in eligible_evaluators()
        if u.id not in conflicted and evaluator_problem(u, norm, vendor, day) is None
    ]
    return form


def request_page(item: MaintenanceRequest, status: int = 200, **forms: Any) -> Any:
    """Render a maintenance request as the viewer may see it; a form given replaces its blank."""
    user: User = g.user
    return render_template(
        "maintenance/request.html",
        item=item,
        touched=maintenance.touched_criteria(item),
        scores={s.criterion_id: s for s in item.scores},
        blocking=maintenance.blocking_criteria(item),
        show_scores=user.role is not Role.VENDOR or item.status is MaintenanceStatus.APPROVED,
        overdue=maintenance.is_overdue(item),
        scope=scope_entries(item.label),
        route_form=_route_form(item, forms.get("route_form")),
        decision_form=forms.get("decision_form") or MaintenanceDecisionForm(formdata=None),
        confirm=ConfirmForm(),
        Status=MaintenanceStatus,
        value_of=maintenance.maintenance_value,
    ), status


@bp.get("/maintenance/<int:request_id>")
@roles_required(*ANY_PARTY)
def maintenance_request(request_id: int) -> Any:
    """One maintenance request: the new version, the impact analysis, the forms of the viewer."""
    return request_page(maintenance.get_request(g.user, request_id))


@bp.post("/maintenance/<int:request_id>/route")
@roles_required(Role.AUTHORITY)
def maintenance_route(request_id: int) -> Any:
    """The authority routes the request as minor (with evaluator and due date) or major."""
    item = maintenance.get_request(g.user, request_id)
    form = _route_form(item, RouteForm())
    if form.validate_on_submit():
        evaluator = db.session.get(User, form.evaluator_id.data) if form.evaluator_id.data else None
        try:
            maintenance.route(
                g.user, item, form.kind.data, evaluator, form.due_date.data, form.note.data or ""
            )
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash(f"Routed: {item.status.label}.", "success")
            return redirect(url_for("evaluations.maintenance_request", request_id=request_id))
    else:
        db.session.rollback()
    item = maintenance.get_request(g.user, request_id)
    return request_page(item, 400, route_form=form)


@bp.post("/maintenance/<int:request_id>/decide")
@roles_required(Role.AUTHORITY)
def maintenance_decide(request_id: int) -> Any:
    """The authority approves (the version joins the scope) or refuses a reviewed request."""
    item = maintenance.get_request(g.user, request_id)
    form = MaintenanceDecisionForm()
    if form.validate_on_submit():
        action = maintenance.approve if form.decision.data == "approve" else maintenance.refuse
        try:
            action(g.user, item, form.reason.data or "")
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash(f"Decided: {item.status.label}.", "success")
            return redirect(url_for("evaluations.maintenance_request", request_id=request_id))
    else:
        db.session.rollback()
    item = maintenance.get_request(g.user, request_id)
    return request_page(item, 400, decision_form=form)


@bp.post("/maintenance/<int:request_id>/withdraw")
@roles_required(Role.VENDOR)
def maintenance_withdraw(request_id: int) -> Response:
    """The vendor withdraws an open request."""
    item = maintenance.get_request(g.user, request_id)
    if ConfirmForm().validate_on_submit():
        try:
            maintenance.withdraw(g.user, item)
        except RuleViolation as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash("Your maintenance request is withdrawn.", "success")
    return redirect(url_for("evaluations.maintenance_request", request_id=request_id))


# --- the evaluator ------------------------------------------------------------------------


def _review_page(item: MaintenanceRequest, status: int = 200, **extra: Any) -> Any:
    return render_template(
        "maintenance/review.html",
        item=item,
        touched=maintenance.touched_criteria(item),
        saved={s.criterion_id: s for s in item.scores},
        typed=extra.get("typed", {}),
        errors=extra.get("errors", {}),
        declare_form=extra.get("declare_form") or DeclareForm(formdata=None),
        summary_form=extra.get("summary_form") or ReviewSummaryForm(formdata=None),
        confirm=ConfirmForm(),
        editable=item.status is MaintenanceStatus.IN_REVIEW and item.declared_at is not None,
        overdue=maintenance.is_overdue(item),
        value_of=maintenance.maintenance_value,
    ), status


def _save_typed(item: MaintenanceRequest) -> tuple[dict[str, str], dict[str, str], int]:
    typed: dict[str, str] = {}
    errors: dict[str, str] = {}
    saved = 0
    for criterion in maintenance.touched_criteria(item):
        value = clean_text(request.form.get(f"value-{criterion.id}", ""))
        text = clean_text(request.form.get(f"justification-{criterion.id}", ""), multiline=True)
        typed[f"value-{criterion.id}"] = value
        typed[f"justification-{criterion.id}"] = text
        if not value and not text.strip():
            continue
        try:
            maintenance.save_score(g.user, item, criterion, value, text)
            saved += 1
        except RuleViolation as error:
            errors[str(criterion.id)] = error.message
    return typed, errors, saved


@bp.route("/maintenance/<int:request_id>/review", methods=["GET", "POST"])
@roles_required(Role.EVALUATOR)
def maintenance_review(request_id: int) -> Any:
    """The reviewer declares conflicts, then scores the touched criteria only."""
    item = maintenance.get_request(g.user, request_id)
    if request.method == "GET":
        return _review_page(item)
    if not ConfirmForm().validate_on_submit():
        db.session.rollback()
        flash("The form could not be accepted; reload the page and try again.", "error")
        return redirect(url_for("evaluations.maintenance_review", request_id=request_id))
    typed, errors, saved = _save_typed(item)
    # The valid scores are kept; the invalid ones are shown again as typed.
    db.session.commit()
    if errors:
        return _review_page(item, 400, typed=typed, errors=errors)
    flash(f"Saved ({saved} criteria).", "success")
    return redirect(url_for("evaluations.maintenance_review", request_id=request_id))


@bp.post("/maintenance/<int:request_id>/declare")
@roles_required(Role.EVALUATOR)
def maintenance_declare_conflict(request_id: int) -> Any:
    """The reviewer declares a conflict of interest (back to the authority) or none."""
    item = maintenance.get_request(g.user, request_id)
    form = DeclareForm()
    if form.validate_on_submit():
        conflict = form.has_conflict.data == "yes"
        try:
            maintenance.declare_conflict(g.user, item, conflict, form.note.data or "")
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            if conflict:
                flash("Your conflict is recorded; the authority will route it again.", "info")
                return redirect(url_for("evaluations.assignments"))
            flash("Declaration recorded. You can now score the touched criteria.", "success")
            return redirect(url_for("evaluations.maintenance_review", request_id=request_id))
    else:
        db.session.rollback()
    return _review_page(maintenance.get_request(g.user, request_id), 400, declare_form=form)


@bp.post("/maintenance/<int:request_id>/submit")
@roles_required(Role.EVALUATOR)
def maintenance_submit(request_id: int) -> Any:
    """The reviewer submits the review once every touched criterion is scored."""
    item = maintenance.get_request(g.user, request_id)
    form = ReviewSummaryForm()
    if form.validate_on_submit():
        try:
            maintenance.submit_review(g.user, item, form.summary.data or "")
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash("Your review is submitted; the authority decides.", "success")
            return redirect(url_for("evaluations.maintenance_review", request_id=request_id))
    else:
        db.session.rollback()
    return _review_page(maintenance.get_request(g.user, request_id), 400, summary_form=form)
