"""The surveillance pages: the authority's list and programmes, the vendor's and the
evaluator's activities, one activity's page with the step its viewer may take.

Each step is a form → a service of `evaluations.surveillance.services` → commit → redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from evaluations.labels.publishing import find_public_label, warm_label_pdf
from evaluations.labels.status_changes import suspend_label
from evaluations.surveillance import lists, services
from evaluations.surveillance.forms import (
    AssignRetestForm,
    AttestForm,
    ProgrammeForm,
    RetestResultForm,
    ReviewResultForm,
    SuspendForm,
)
from evaluations.surveillance.models import ActivityKind, ActivityStatus, SurveillanceActivity
from registry.access import roles_required
from registry.arguments import integer_argument
from registry.database import db
from registry.dates import today
from registry.exceptions import NotVisible, RuleViolation
from registry.models import Role, User
from registry.norms.models import Norm
from registry.views.actions import show_violation

bp = Blueprint("surveillance", __name__)

ADMIN = "/admin/surveillance"


def _choice(value: str | None, allowed: type[ActivityKind] | type[ActivityStatus]) -> Any:
    try:
        return allowed(value) if value else None
    except ValueError:
        return None


# --- the authority's list -----------------------------------------------------------------


def _suspend_forms(rows: list[lists.ToSuspend]) -> dict[str, SuspendForm]:
    return {
        row.label.number: SuspendForm(formdata=None, reason=row.reason, prefix=row.label.number)
        for row in rows
    }


def _admin_page(forms: dict[str, SuspendForm] | None = None, status: int = 200) -> Any:
    kind = _choice(request.args.get("kind"), ActivityKind)
    state = _choice(request.args.get("status"), ActivityStatus)
    if state is ActivityStatus.DONE:
        state = None
    norm_id = integer_argument("norm")
    norms = db.session.scalars(select(Norm).order_by(Norm.code)).all()
    if norm_id is not None and norm_id not in {norm.id for norm in norms}:
        norm_id = None
    page = db.paginate(
        lists.open_activities(kind=kind, status=state, norm_id=norm_id),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    rows = lists.labels_to_suspend()
    filters = {
        "kind": kind.value if kind else "",
        "status": state.value if state else "",
        "norm": norm_id or "",
    }
    return render_template(
        "surveillance/admin.html",
        page=page,
        filters=filters,
        args={k: v for k, v in filters.items() if v},
        kinds=list(ActivityKind),
        statuses=[ActivityStatus.OPEN, ActivityStatus.OVERDUE],
        norms=norms,
        rows=rows,
        forms=forms or _suspend_forms(rows),
        today=today(),
    ), status


@bp.get(ADMIN)
@roles_required(Role.AUTHORITY)
def admin() -> Any:
    """Open and overdue activities (filtered, paginated) and the labels to suspend."""
    return _admin_page()


@bp.post(f"{ADMIN}/to-suspend/<number>")
@roles_required(Role.AUTHORITY)
def suspend(number: str) -> Any:
    """Suspend a label of the list with the (edited) prepared reason."""
    label = find_public_label(number)
    if label is None:
        raise NotVisible()
    rows = lists.labels_to_suspend()
    if not any(row.label.id == label.id for row in rows):
        flash(f"Label {number} is no longer on the list to suspend.", "info")
        return redirect(url_for("surveillance.admin"))
    form = SuspendForm(prefix=number)
    if not form.validate_on_submit():
        forms = _suspend_forms(rows)
        forms[number] = form
        return _admin_page(forms, 400)
    try:
        suspend_label(g.user, label, form.reason.data or "")
    except RuleViolation as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("surveillance.admin"))
    db.session.commit()
    warm_label_pdf(label)
    flash(f"Label {number} is suspended. The vendor and the followers were told.", "success")
    return redirect(url_for("surveillance.admin"))


# --- programmes ---------------------------------------------------------------------------


@bp.get(f"{ADMIN}/programmes")
@roles_required(Role.AUTHORITY)
def programmes() -> str:
    """Each norm's programme in force (its own or the defaults)."""
    page = db.paginate(
        select(Norm).order_by(Norm.code),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "surveillance/programmes.html",
        page=page,
        programme_of=services.programme_of,
        defaults=services.default_programme(),
    )


def _norm(code: str) -> Norm:
    norm = db.session.scalar(select(Norm).where(Norm.code == code))
    if norm is None:
        raise NotVisible()
    return norm


@bp.route(f"{ADMIN}/programmes/<code>", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY)
def programme(code: str) -> Any:
    """Set a norm's programme."""
    norm = _norm(code)
    current = services.programme_of(norm.id)
    form = ProgrammeForm(
        formdata=request.form if request.method == "POST" else None,
        attestation_enabled=current.attestation_enabled,
        interval_months=current.attestation_interval_months,
        retest_percent=current.retest_percent,
        days_to_complete=current.days_to_complete,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                services.set_programme(
                    g.user,
                    norm,
                    attestation_enabled=bool(form.attestation_enabled.data),
                    interval_months=form.interval_months.data,
                    retest_percent=form.retest_percent.data,
                    days_to_complete=form.days_to_complete.data,
                )
            except RuleViolation as error:
                show_violation(form, error)
            else:
                db.session.commit()
                flash(f"The surveillance programme of {norm.code} is saved.", "success")
                return redirect(url_for("surveillance.programmes"))
    return render_template(
        "surveillance/programme.html", norm=norm, form=form, current=current
    ), status


# --- vendors and evaluators ---------------------------------------------------------------


@bp.get("/surveillance")
@roles_required(Role.VENDOR, Role.EVALUATOR)
def mine() -> str:
    """The vendor's open activities on its labels; the evaluator's re-tests."""
    user: User = g.user
    page = db.paginate(
        lists.activities_of(user), per_page=current_app.config["PER_PAGE"], error_out=False
    )
    return render_template("surveillance/mine.html", page=page, is_vendor=user.role is Role.VENDOR)


# --- one activity -------------------------------------------------------------------------


def _forms(activity: SurveillanceActivity, given: dict[str, FlaskForm]) -> dict[str, FlaskForm]:
    assign = given.get("assign_form") or AssignRetestForm(
        formdata=None, evaluator_id=activity.evaluator_id
    )
    assign.evaluator_id.choices = [
        SelectChoice(user.id, f"{user.full_name} ({user.organisation.name})")
        for user in services.evaluators()
    ]
    return {
        "attest_form": given.get("attest_form") or AttestForm(formdata=None),
        "assign_form": assign,
        "result_form": given.get("result_form") or RetestResultForm(formdata=None),
        "review_form": given.get("review_form") or ReviewResultForm(formdata=None),
    }


def _activity_page(
    activity: SurveillanceActivity, status: int = 200, **given: FlaskForm
) -> tuple[str, int]:
    user: User = g.user
    is_open = activity.status in services.OPEN_STATUSES
    return render_template(
        "surveillance/activity.html",
        activity=activity,
        is_open=is_open,
        can_attest=is_open
        and activity.kind is ActivityKind.ATTESTATION
        and user.role is Role.VENDOR,
        can_assign=is_open and activity.kind is ActivityKind.RETEST and user.role is Role.AUTHORITY,
        can_record=is_open
        and activity.kind is ActivityKind.RETEST
        and user.role is Role.EVALUATOR
        and activity.evaluator_id == user.id,
        can_review=is_open
        and activity.kind is ActivityKind.COMPLAINT_REVIEW
        and user.role is Role.AUTHORITY,
        is_authority=user.role is Role.AUTHORITY,
        status_text=services.STATUS_TEXT,
        **_forms(activity, given),
    ), status


@bp.get("/surveillance/activities/<int:activity_id>")
@roles_required(Role.VENDOR, Role.EVALUATOR, Role.AUTHORITY)
def activity(activity_id: int) -> tuple[str, int]:
    """One activity: label, kind, dates, status, result; and the viewer's next step."""
    return _activity_page(services.visible_activity(g.user, activity_id))


def _step(
    activity_id: int,
    form_name: str,
    form: FlaskForm,
    call: Callable[[SurveillanceActivity], str],
) -> Any:
    """Validate ``form``, run the step, commit and go back to the activity; or show errors."""
    activity = services.visible_activity(g.user, activity_id)
    _forms(activity, {form_name: form})  # gives the submitted form its choices
    if form.validate_on_submit():
        try:
            message = call(activity)
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("surveillance.activity", activity_id=activity_id))
    else:
        db.session.rollback()
    activity = services.visible_activity(g.user, activity_id)
    return _activity_page(activity, 400, **{form_name: form})


@bp.post("/surveillance/activities/<int:activity_id>/attest")
@roles_required(Role.VENDOR)
def attest(activity_id: int) -> Any:
    """The label's vendor attests (or declares changes)."""
    form = AttestForm()

    def run(activity: SurveillanceActivity) -> str:
        changed = form.changed.data == "yes"
        services.attest(g.user, activity, changed=changed, statement=form.statement.data or "")
        if changed:
            return (
                "Your attestation is recorded. Declare the changed version as a maintenance "
                "request on the label."
            )
        return "Your attestation is recorded."

    return _step(activity_id, "attest_form", form, run)


@bp.post("/surveillance/activities/<int:activity_id>/assign")
@roles_required(Role.AUTHORITY)
def assign(activity_id: int) -> Any:
    """The authority assigns the re-test to an evaluator."""
    form = AssignRetestForm()

    def run(activity: SurveillanceActivity) -> str:
        evaluator = db.session.get(User, form.evaluator_id.data)
        services.assign_retest(g.user, activity, evaluator)
        return f"The re-test is assigned, due {activity.due_on.isoformat()}."

    return _step(activity_id, "assign_form", form, run)


@bp.post("/surveillance/activities/<int:activity_id>/result")
@roles_required(Role.EVALUATOR)
def record_result(activity_id: int) -> Any:
    """The assigned evaluator records the re-test's result."""
    form = RetestResultForm()

    def run(activity: SurveillanceActivity) -> str:
        services.record_retest(
            g.user, activity, passed=form.passed.data == "pass", report=form.report.data or ""
        )
        return "The re-test result is recorded."

    return _step(activity_id, "result_form", form, run)


@bp.post("/surveillance/activities/<int:activity_id>/review")
@roles_required(Role.AUTHORITY)
def review(activity_id: int) -> Any:
    """The authority concludes a complaint review."""
    form = ReviewResultForm()

    def run(activity: SurveillanceActivity) -> str:
        services.conclude_review(
            g.user,
            activity,
            conforming=form.result.data == "conforming",
            notes=form.notes.data or "",
        )
        return "The review's result is recorded."

    return _step(activity_id, "review_form", form, run)
