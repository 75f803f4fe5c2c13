"""The authority's console: organisations, users, staff accounts and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import func, or_, select
from werkzeug.wrappers import Response

from registry import arguments, sealing, services
from registry.access import roles_required
from registry.database import db
from registry.exceptions import RuleViolation
from registry.forms import (
    KIND_FILTER_CHOICES,
    STATUS_FILTER_CHOICES,
    ConfirmForm,
    CreateStaffForm,
    ReasonForm,
)
from registry.models import (
    AuditEntry,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Role,
    User,
)
from registry.views.actions import run_confirmed

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _contains(column: Any, text: str) -> Any:
    """Case-insensitive substring match in which % and _ are plain characters."""
    return func.lower(column).contains(text.lower(), autoescape=True)


def _organisation(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        abort(404)
    return organisation


@bp.get("/")
@roles_required(Role.AUTHORITY)
def index() -> Response:
    """The console opens on organisations awaiting approval."""
    return redirect(url_for("admin.organisations", status="pending"))


@bp.get("/organisations")
@roles_required(Role.AUTHORITY)
def organisations() -> str:
    """All organisations, filterable by kind, status and name."""
    status = request.args.get("status", "")
    kind = request.args.get("kind", "")
    q = request.args.get("q", "").strip()[:100]
    statement = select(Organisation).order_by(
        Organisation.created_at.desc(), Organisation.id.desc()
    )
    if status in {s.value for s in OrganisationStatus}:
        statement = statement.where(Organisation.status == OrganisationStatus(status))
    if kind in {k.value for k in OrganisationKind}:
        statement = statement.where(Organisation.kind == OrganisationKind(kind))
    if q:
        statement = statement.where(_contains(Organisation.name, q))
    page = db.paginate(statement, per_page=25, error_out=False)
    return render_template(
        "registry/admin_organisations.html",
        page=page,
        status=status,
        kind=kind,
        q=q,
        status_choices=STATUS_FILTER_CHOICES,
        kind_choices=KIND_FILTER_CHOICES,
    )


@bp.get("/organisations/<int:organisation_id>")
@roles_required(Role.AUTHORITY)
def organisation_detail(organisation_id: int) -> str:
    """One organisation with its members and recent audit entries."""
    organisation = _organisation(organisation_id)
    entries = db.session.scalars(
        sealing.visible(
            current_app,
            select(AuditEntry)
            .where(AuditEntry.organisation_id == organisation.id)
            .order_by(AuditEntry.seq.desc())
            .limit(20),
        )
    ).all()
    return render_template(
        "registry/admin_organisation.html",
        organisation=organisation,
        entries=entries,
        look_alikes=services.similar_organisations(organisation),
        reason_form=ReasonForm(),
        confirm=ConfirmForm(),
    )


@bp.post("/organisations/<int:organisation_id>/approve")
@roles_required(Role.AUTHORITY)
def approve(organisation_id: int) -> Response:
    """Approve a pending organisation or reactivate a suspended one."""
    organisation = _organisation(organisation_id)
    run_confirmed(
        lambda: services.approve_organisation(g.user, organisation),
        f"{organisation.name} is active.",
    )
    return redirect(url_for("admin.organisation_detail", organisation_id=organisation_id))


def _with_reason(organisation_id: int, action: Any, done: str) -> Any:
    organisation = _organisation(organisation_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            action(g.user, organisation, form.reason.data or "")
        except RuleViolation as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(f"{organisation.name} {done}.", "success")
            return redirect(url_for("admin.organisation_detail", organisation_id=organisation_id))
    else:
        flash("Give a reason.", "error")
    return redirect(url_for("admin.organisation_detail", organisation_id=organisation_id))


@bp.post("/organisations/<int:organisation_id>/suspend")
@roles_required(Role.AUTHORITY)
def suspend(organisation_id: int) -> Any:
    """Suspend an organisation (its members are signed out)."""
    return _with_reason(organisation_id, services.suspend_organisation, "is suspended")


@bp.post("/organisations/<int:organisation_id>/reject")
@roles_required(Role.AUTHORITY)
def reject(organisation_id: int) -> Any:
    """Turn down a pending registration."""
    return _with_reason(organisation_id, services.reject_organisation, "was rejected")


@bp.get("/users")
@roles_required(Role.AUTHORITY)
def users() -> str:
    """Every account, searchable by name or e-mail."""
    q = request.args.get("q", "").strip()[:100]
    statement = select(User).join(Organisation).order_by(User.email)
    if q:
        statement = statement.where(or_(_contains(User.email, q), _contains(User.full_name, q)))
    page = db.paginate(statement, per_page=50, error_out=False)
    return render_template("registry/admin_users.html", page=page, q=q, confirm=ConfirmForm())


@bp.post("/users/<int:user_id>/reset-totp")
@roles_required(Role.AUTHORITY)
def reset_totp(user_id: int) -> Response:
    """Clear a lost second factor."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        services.reset_second_factor(g.user, user)
        db.session.commit()
        flash(f"{user.email} will set up a new second factor at next sign-in.", "success")
    return redirect(url_for("admin.users", q=user.email))


@bp.route("/staff/new", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY)
def new_staff() -> Any:
    """Another authority account, created by an authority user."""
    form = CreateStaffForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                g.user,
                services.authority_organisation(),
                form.email.data or "",
                form.full_name.data or "",
                form.password.data or "",
            )
        except RuleViolation as error:
            db.session.rollback()
            field = getattr(form, error.field or "", None)
            (field.errors if field is not None else form.form_errors).append(error.message)
        else:
            db.session.commit()
            flash(f"{user.email} can now sign in and will set up a second factor.", "success")
            return redirect(url_for("admin.users", q=user.email))
    return render_template("registry/admin_new_staff.html", form=form)


@bp.get("/audit")
@roles_required(Role.AUTHORITY)
def audit_log() -> str:
    """The audit log, newest first, filterable by action, object, actor and date."""
    args = request.args
    action = args.get("action", "").strip()[:80]
    object_type = args.get("object_type", "").strip()[:40]
    object_id = args.get("object_id", "").strip()[:80]
    actor = args.get("actor", "").strip()[:254]
    organisation_id = arguments.integer_argument("organisation_id")
    # Sealed entries (offers on a call not yet opened) are left out of the page and its count.
    statement = sealing.visible(current_app, select(AuditEntry).order_by(AuditEntry.seq.desc()))
    if action:
        statement = statement.where(AuditEntry.action.startswith(action, autoescape=True))
    if object_type:
        statement = statement.where(AuditEntry.object_type == object_type)
    if object_id:
        statement = statement.where(AuditEntry.object_id == object_id)
    if organisation_id is not None:
        statement = statement.where(AuditEntry.organisation_id == organisation_id)
    if actor:
        statement = statement.where(_contains(AuditEntry.actor_label, actor))
    for name, op in (("since", "__ge__"), ("until", "__lt__")):
        raw = args.get(name, "")
        if raw:
            try:
                day = dt.date.fromisoformat(raw)
            except ValueError:
                flash(f"'{raw}' is not a date (YYYY-MM-DD); that filter was ignored.", "error")
                continue
            moment = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
            if name == "until":
                moment += dt.timedelta(days=1)
            statement = statement.where(getattr(AuditEntry.at, op)(moment))
    page = db.paginate(statement, per_page=50, error_out=False)
    return render_template("registry/admin_audit.html", page=page, args=args)
