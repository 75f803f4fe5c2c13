"""Records pages: ``/admin/records`` (retention, legal holds), the evaluators' reports on an
evaluation, and the records block of the evaluation page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from evaluations.models import Evaluation, EvaluationStatus, Label
from evaluations.records import holds, reports, retention
from evaluations.records.downloads import download_log, log_download
from evaluations.records.forms import HoldForm, ReleaseForm, SignedReportForm, TestReportForm
from evaluations.records.models import HoldTarget, LegalHold
from evaluations.services.visibility import assignment_of, get_evaluation
from registry import uploads
from registry.access import roles_required
from registry.auth import record_attempt, retry_after
from registry.database import db
from registry.exceptions import NotVisible, RuleViolation
from registry.models import Role
from registry.views.actions import commit_or_report, show_violation

bp = Blueprint("records", __name__)
ANY_PARTY = (Role.VENDOR, Role.EVALUATOR, Role.AUTHORITY)


def _detail(evaluation_id: int) -> Response:
    return redirect(url_for("evaluations.detail", evaluation_id=evaluation_id))


# --- the authority's records page --------------------------------------------------------


def _page(hold_form: HoldForm | None = None, status: int = 200) -> tuple[str, int]:
    active = db.paginate(
        select(LegalHold).where(LegalHold.released_at.is_(None)).order_by(LegalHold.placed_at),
        error_out=False,
    )
    released = list(
        db.session.scalars(
            select(LegalHold)
            .where(LegalHold.released_at.is_not(None))
            .order_by(LegalHold.released_at.desc())
            .limit(20)
        )
    )
    return (
        render_template(
            "records/index.html",
            summary=retention.summary(),
            active=active,
            released=released,
            describe=holds.describe_target,
            hold_form=hold_form or HoldForm(formdata=None),
            release_form=ReleaseForm(formdata=None),
        ),
        status,
    )


@bp.get("/admin/records")
@roles_required(Role.AUTHORITY)
def index() -> tuple[str, int]:
    """Retention per record type (setting, eligible, held) and the legal holds."""
    return _page()


def _target_id(target_type: str, value: str) -> int | None:
    text = (value or "").strip()
    if target_type == HoldTarget.LABEL.value and not text.isdigit():
        return db.session.scalar(select(Label.id).where(Label.number == text.upper()))
    return int(text) if text.isdigit() and len(text) < 10 else None


@bp.post("/admin/records/holds")
@roles_required(Role.AUTHORITY)
def place_hold() -> Any:
    """Place a legal hold; from an evaluation page, back to it."""
    form = HoldForm()
    if form.validate_on_submit():
        try:
            hold = holds.place_hold(
                g.user,
                form.target_type.data,
                _target_id(form.target_type.data, form.target.data),
                form.reason.data or "",
                form.reference.data or "",
            )
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash("The legal hold is placed.", "success")
            if form.back_to_evaluation.data and hold.target_type is HoldTarget.EVALUATION:
                return _detail(hold.target_id)
            return redirect(url_for("records.index"))
    else:
        db.session.rollback()
    return _page(form, 400)


@bp.post("/admin/records/holds/<int:hold_id>/release")
@roles_required(Role.AUTHORITY)
def release_hold(hold_id: int) -> Response:
    """Release a legal hold, with a reason."""
    hold = db.session.get(LegalHold, hold_id)
    if hold is None:
        raise NotVisible()
    form = ReleaseForm()
    if form.validate_on_submit():
        commit_or_report(
            lambda: holds.release_hold(g.user, hold, form.reason.data or ""),
            "The legal hold is released.",
        )
    else:
        flash("Give the reason for the release.", "error")
    return redirect(url_for("records.index"))


# --- the evaluators' reports ---------------------------------------------------------------


def _own_assignment(evaluation_id: int) -> Any:
    evaluation = get_evaluation(g.user, evaluation_id)
    assignment = assignment_of(g.user, evaluation)
    if assignment is None:
        raise NotVisible()
    return assignment


def _flash_form_errors(form: Any) -> None:
    for errors in form.errors.values():
        for message in errors:
            flash(message, "error")


@bp.post("/evaluations/<int:evaluation_id>/reports")
@roles_required(Role.EVALUATOR)
def add_test_report(evaluation_id: int) -> Response:
    """Upload one test report (PDF) on one's assignment."""
    assignment = _own_assignment(evaluation_id)
    form = TestReportForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return _detail(evaluation_id)
    try:
        reports.add_test_report(
            g.user, assignment, form.title.data, form.file.data.filename, form.file.data.stream
        )
    except RuleViolation as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash("The test report is added.", "success")
    return _detail(evaluation_id)


@bp.post("/evaluations/<int:evaluation_id>/reports/signed")
@roles_required(Role.EVALUATOR)
def sign_report(evaluation_id: int) -> Response:
    """Upload and sign the evaluation report (a new version if one was signed before)."""
    assignment = _own_assignment(evaluation_id)
    form = SignedReportForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return _detail(evaluation_id)
    # Wrong passwords count with the failed logins: signing is no way around the throttling.
    address = request.remote_addr or ""
    wait = retry_after(g.user.email, address)
    if wait:
        flash(f"Too many wrong passwords: try again in {wait} seconds.", "error")
        return _detail(evaluation_id)
    try:
        report = reports.sign_evaluation_report(
            g.user,
            assignment,
            form.title.data,
            form.file.data.filename,
            form.file.data.stream,
            form.password.data or "",
        )
    except RuleViolation as error:
        db.session.rollback()
        if error.field == "password":
            record_attempt(g.user.email, address, False)
            db.session.commit()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(f"The evaluation report is signed (version {report.version}).", "success")
    return _detail(evaluation_id)


@bp.get("/evaluations/<int:evaluation_id>/reports/<int:report_id>")
@roles_required(*ANY_PARTY)
def download_report(evaluation_id: int, report_id: int) -> Response:
    """A report, as an attachment, to those who may see it; the download is logged."""
    evaluation = get_evaluation(g.user, evaluation_id)
    report = reports.get_report(g.user, evaluation, report_id)
    response = uploads.send_stored(report)
    log_download(g.user, evaluation, report, "report")
    db.session.commit()
    return response


# --- the records block of the evaluation page ----------------------------------------------


def records_panel(evaluation: Evaluation) -> dict[str, Any]:
    """What the evaluation page's records block shows to the current user."""
    user = g.user
    authority = user.role is Role.AUTHORITY
    listed = reports.reports_of(evaluation) if reports.may_see_reports(user, evaluation) else []
    assignment = assignment_of(user, evaluation) if user.role is Role.EVALUATOR else None
    may_report = (
        assignment is not None
        and assignment.status.value in ("scoring", "submitted")
        and evaluation.status in reports.REPORTING_STATUSES
    )
    return {
        "holds": holds.holds_on(evaluation) if authority or user.role is Role.VENDOR else [],
        "reports": listed,
        "current_signed": reports.current_signed_ids(listed),
        "log": download_log(evaluation) if authority else [],
        "authority": authority,
        "may_report": may_report,
        "test_form": TestReportForm(formdata=None),
        "signed_form": SignedReportForm(formdata=None),
        "hold_form": HoldForm(formdata=None),
        "purged": uploads.is_purged,
        "decided": evaluation.status is EvaluationStatus.DECIDED,
    }


def register_template_helpers(app: Flask) -> None:
    """Make the records block's data available to the evaluation page's template."""
    app.add_template_global(records_panel, "records_panel")
