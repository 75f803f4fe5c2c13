"""The pages of complaints and appeals: the public form, tracking and statistics; the vendor's
appeals; the authority's list and the case page with the steps allowed now."""

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
    session,
    url_for,
)
from sqlalchemy import Select, or_, select
from wtforms.fields.choices import SelectChoice

from complaints import effects, services, statistics
from complaints.forms import AppealForm, AssignForm, ComplaintForm, DecideForm, NoteForm
from complaints.models import CaseKind, CaseStatus, ComplaintCase, Outcome, Subject
from evaluations.models import Evaluation, Label
from registry.access import login_required, roles_required
from registry.arguments import integer_argument
from registry.database import db, utcnow
from registry.dates import today
from registry.exceptions import NotVisible, RuleViolation, TooManyAttempts
from registry.models import LoginAttempt, Role, User
from registry.views.actions import commit_or_report, show_violation

bp = Blueprint("complaints", __name__)

# Complaints are counted in the sign-in attempts table under this key (not an address, so it
# never names an account), per client address, so the limit holds across workers.
THROTTLE_KEY = "complaint-filed"
THROTTLE_WINDOW = dt.timedelta(hours=1)
_FILED = "complaint_filed"


# --- throttling ---------------------------------------------------------------------------


def _remote_addr() -> str:
    return (request.remote_addr or "unknown")[:64]


def _retry_after(remote_addr: str) -> int:
    since = utcnow() - THROTTLE_WINDOW
    rows = db.session.scalars(
        select(LoginAttempt.at)
        .where(
            LoginAttempt.email == THROTTLE_KEY,
            LoginAttempt.remote_addr == remote_addr,
            LoginAttempt.at >= since,
        )
        .order_by(LoginAttempt.at)
    ).all()
    if len(rows) < int(current_app.config["COMPLAINTS_PER_HOUR"]):
        return 0
    oldest = rows[0] if rows[0].tzinfo else rows[0].replace(tzinfo=dt.UTC)
    return max(1, int((oldest + THROTTLE_WINDOW - utcnow()).total_seconds()) + 1)


# --- public -------------------------------------------------------------------------------


@bp.route("/complaints/new", methods=["GET", "POST"])
def file_complaint() -> Any:
    """Anyone files a complaint; ``?label=<number>`` names the label concerned."""
    form = ComplaintForm()
    if request.method == "GET":
        number = (request.args.get("label") or "").strip()[:20]
        if number:
            form.label.data = number
            form.subject.data = Subject.MARK_USE.value
    else:
        wait = _retry_after(_remote_addr())
        if wait:
            raise TooManyAttempts(wait)
    if form.validate_on_submit():
        try:
            case, token = services.file_complaint(
                g.user,
                subject=Subject(form.subject.data),
                description=form.description.data or "",
                label_number=form.label.data or "",
                contact_name=form.contact_name.data or "",
                contact_email=form.contact_email.data or "",
                consent=bool(form.consent.data),
            )
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.add(
                LoginAttempt(email=THROTTLE_KEY, remote_addr=_remote_addr(), succeeded=True)
            )
            db.session.commit()
            session[_FILED] = case.reference
            return redirect(url_for("complaints.filed"))
    return render_template(
        "complaints/new.html",
        form=form,
        ack_days=services.acknowledge_days(),
        decision_days=services.decision_days(),
    )


@bp.get("/complaints/filed")
def filed() -> Any:
    """The confirmation: the reference and the deadlines (the code goes by mail)."""
    reference = session.get(_FILED)
    case = None
    if isinstance(reference, str):
        case = db.session.scalar(select(ComplaintCase).where(ComplaintCase.reference == reference))
    if case is None:
        return redirect(url_for("complaints.file_complaint"))
    return render_template("complaints/filed.html", case=case)


@bp.route("/complaints/track", methods=["GET", "POST"])
def track() -> Any:
    """The filer follows a case with its reference and the code of the acknowledgement."""
    reference = (request.values.get("reference") or "").strip()[:20]
    token = (request.values.get("token") or "").strip()[:64]
    case = services.tracked_case(reference, token) if reference and token else None
    form = NoteForm()
    if request.method == "POST":
        if case is None:
            raise NotVisible()
        if form.validate_on_submit():
            commit_or_report(
                lambda: services.withdraw_tracked(case, token, form.note.data or ""),
                f"{case.reference} was withdrawn.",
            )
        return redirect(url_for("complaints.track", reference=reference, token=token))
    return render_template(
        "complaints/track.html",
        case=case,
        asked=bool(reference or token),
        reference=reference,
        token=token,
        form=form,
        open_statuses=services.OPEN,
    )


@bp.get("/complaints/statistics", endpoint="statistics")
def statistics_page() -> str:
    """Public figures per year, complaints and appeals separately."""
    return render_template(
        "complaints/statistics.html",
        complaints=statistics.yearly(CaseKind.COMPLAINT),
        appeals=statistics.yearly(CaseKind.APPEAL),
        ack_days=services.acknowledge_days(),
        decision_days=services.decision_days(),
        appeal_days=services.appeal_days(),
    )


# --- appeals ------------------------------------------------------------------------------


@bp.route("/appeals/new", methods=["GET", "POST"])
@roles_required(Role.VENDOR)
def new_appeal() -> Any:
    """A vendor appeals its label's suspension or revocation (``?label=``) or an evaluation's
    decision (``?evaluation=``)."""
    user: User = g.user
    label: Label | None = None
    evaluation: Evaluation | None = None
    evaluation_id = integer_argument("evaluation")
    number = (request.args.get("label") or "").strip()
    if number:
        label = services.find_label(number)
        if label is None or label.vendor_id != user.organisation_id:
            raise NotVisible()
    elif evaluation_id is not None:
        evaluation = db.session.get(Evaluation, evaluation_id)
        if evaluation is None or evaluation.vendor_id != user.organisation_id:
            raise NotVisible()
    else:
        abort(404)
    deadline = (
        services.appeal_deadline_for_label(label)
        if label is not None
        else services.appeal_deadline_for_evaluation(evaluation)  # type: ignore[arg-type]
    )
    form = AppealForm()
    if form.validate_on_submit():
        try:
            case, _ = services.file_appeal(
                user, description=form.description.data or "", label=label, evaluation=evaluation
            )
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash(f"Your appeal was filed as {case.reference}.", "success")
            return redirect(url_for("complaints.case_page", reference=case.reference))
    return render_template(
        "complaints/appeal_new.html",
        form=form,
        label=label,
        evaluation=evaluation,
        deadline=deadline,
        today=today(),
    )


@bp.get("/appeals")
@roles_required(Role.VENDOR)
def my_appeals() -> str:
    """The vendor's own appeals, newest first."""
    user: User = g.user
    statement = select(ComplaintCase).where(
        or_(
            (ComplaintCase.kind == CaseKind.APPEAL)
            & (ComplaintCase.vendor_id == user.organisation_id),
            ComplaintCase.filed_by_id == user.id,
        )
    )
    page = db.paginate(
        statement.order_by(ComplaintCase.received_at.desc(), ComplaintCase.id.desc()),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    return render_template("complaints/my_appeals.html", page=page)


# --- the authority ------------------------------------------------------------------------


def _enum(value: str | None, kind: Any) -> Any:
    try:
        return kind(value) if value else None
    except ValueError:
        return None


def _filtered(statement: Select[Any], kind: Any, status: Any, overdue: bool) -> Select[Any]:
    if kind is not None:
        statement = statement.where(ComplaintCase.kind == kind)
    if status is not None:
        statement = statement.where(ComplaintCase.status == status)
    if overdue:
        day = today()
        statement = statement.where(
            ComplaintCase.status.in_(services.OPEN),
            or_(
                ComplaintCase.decision_due < day,
                (ComplaintCase.status == CaseStatus.RECEIVED)
                & (ComplaintCase.acknowledge_due < day),
            ),
        )
    return statement


@bp.get("/complaints")
@roles_required(Role.AUTHORITY)
def cases_list() -> str:
    """Every complaint and appeal, newest first, with filters and missed deadlines flagged."""
    kind = _enum(request.args.get("kind"), CaseKind)
    status = _enum(request.args.get("status"), CaseStatus)
    overdue = request.args.get("overdue") == "1"
    statement = _filtered(select(ComplaintCase), kind, status, overdue)
    page = db.paginate(
        statement.order_by(ComplaintCase.received_at.desc(), ComplaintCase.id.desc()),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    filters = {
        "kind": kind.value if kind else "",
        "status": status.value if status else "",
        "overdue": "1" if overdue else "",
    }
    return render_template(
        "complaints/cases.html",
        page=page,
        filters=filters,
        args={k: v for k, v in filters.items() if v},
        kinds=list(CaseKind),
        statuses=list(CaseStatus),
        overdue_of=services.is_overdue,
        any_case=db.session.scalar(select(ComplaintCase.id).limit(1)) is not None,
    )


def _case(reference: str) -> ComplaintCase:
    return services.get_case(g.user, reference)


@bp.get("/complaints/<reference>")
@login_required
def case_page(reference: str) -> str:
    """The facts, the history and the forms of the steps allowed now."""
    case = _case(reference)
    user: User = g.user
    authority = user.role is Role.AUTHORITY
    assign_form = None
    decide_form = None
    if authority and case.status in services.OPEN:
        assign_form = AssignForm()
        assign_form.handler.choices = [
            SelectChoice(u.id, u.full_name) for u in services.eligible_handlers(case)
        ]
    if authority and case.status is CaseStatus.UNDER_HANDLING and case.handler_id == user.id:
        decide_form = DecideForm()
        decide_form.effects.choices = [SelectChoice(v, t) for v, t in effects.available(case)]
    return render_template(
        "complaints/case.html",
        case=case,
        authority=authority,
        overdue=services.is_overdue(case),
        assign_form=assign_form,
        decide_form=decide_form,
        note_form=NoteForm(),
        may_withdraw=case.status in services.OPEN,
        effect_text=effects.EFFECT_TEXT,
        open_statuses=services.OPEN,
    )


def _back(case: ComplaintCase) -> Any:
    return redirect(url_for("complaints.case_page", reference=case.reference))


def _commit(call: Any, success: str) -> None:
    commit_or_report(call, success)


@bp.post("/complaints/<reference>/acknowledge")
@roles_required(Role.AUTHORITY)
def acknowledge(reference: str) -> Any:
    """The authority acknowledges a received case."""
    case = _case(reference)
    form = NoteForm()
    if form.validate_on_submit():
        _commit(
            lambda: services.acknowledge(g.user, case, form.note.data or ""),
            f"{case.reference} acknowledged.",
        )
    return _back(case)


@bp.post("/complaints/<reference>/assign")
@roles_required(Role.AUTHORITY)
def assign(reference: str) -> Any:
    """The authority assigns an independent handler."""
    case = _case(reference)
    form = AssignForm()
    form.handler.choices = [SelectChoice(u.id, u.full_name) for u in services.authority_officers()]
    if form.validate_on_submit():
        handler = db.session.get(User, form.handler.data)
        if handler is None:
            raise NotVisible()
        _commit(
            lambda: services.assign_handler(g.user, case, handler),
            f"{handler.full_name} handles {case.reference}.",
        )
    else:
        flash("Choose a handler from the list.", "error")
    return _back(case)


@bp.post("/complaints/<reference>/decide")
@roles_required(Role.AUTHORITY)
def decide(reference: str) -> Any:
    """The handler decides, with reasons and effects (after a confirmation box)."""
    case = _case(reference)
    form = DecideForm()
    form.effects.choices = [SelectChoice(v, t) for v, t in effects.EFFECT_TEXT.items()]
    if form.validate_on_submit():
        _commit(
            lambda: services.decide(
                g.user,
                case,
                Outcome(form.outcome.data),
                form.reasons.data or "",
                form.effects.data or [],
            ),
            f"{case.reference} decided.",
        )
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "error")
    return _back(case)


@bp.post("/complaints/<reference>/withdraw")
@login_required
def withdraw(reference: str) -> Any:
    """The filer (or the authority on their word) withdraws an open case."""
    case = _case(reference)
    form = NoteForm()
    if form.validate_on_submit():
        _commit(
            lambda: services.withdraw(g.user, case, form.note.data or ""),
            f"{case.reference} withdrawn.",
        )
    return _back(case)
