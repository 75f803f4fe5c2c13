"""Pages of impartiality: one's own declarations of interests, the authority's overview of
everyone's, the impartiality risk register and the committee's meetings."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from evaluations.impartiality import declarations, register
from evaluations.impartiality.forms import (
    DeclareInterestForm,
    EndDeclarationForm,
    MeetingForm,
    RiskForm,
)
from evaluations.impartiality.models import CommitteeMeeting, ImpartialityRisk, RiskStatus
from registry.access import roles_required
from registry.database import db
from registry.exceptions import NotVisible, RuleViolation
from registry.models import Role, User
from registry.views.actions import commit_or_report, run_confirmed, show_violation

bp = Blueprint("impartiality", __name__)
STAFF = (Role.AUTHORITY, Role.EVALUATOR)


def _page_size() -> int:
    return int(current_app.config["PER_PAGE"])


# --- one's own declarations ---------------------------------------------------------------


def _declare_form() -> DeclareInterestForm:
    form = DeclareInterestForm()
    form.vendor.choices = [SelectChoice("", "— choose —")] + [
        SelectChoice(str(vendor.id), vendor.name) for vendor in declarations.vendor_choices()
    ]
    return form


def _interests_page(form: DeclareInterestForm, status: int = 200) -> tuple[str, int]:
    user: User = g.user
    last = declarations.last_confirmation(user)
    return (
        render_template(
            "impartiality/interests.html",
            form=form,
            end_form=EndDeclarationForm(formdata=None),
            open_declarations=declarations.open_declarations(user),
            ended=declarations.ended_declarations(user),
            last=last,
            due=declarations.due_on(last),
            current=declarations.is_current(user),
            months=declarations.confirmation_months(),
        ),
        status,
    )


@bp.get("/account/interests")
@roles_required(*STAFF)
def interests() -> tuple[str, int]:
    """The signed-in person's declarations, when they last confirmed them, when that is due."""
    return _interests_page(_declare_form())


@bp.post("/account/interests/declare")
@roles_required(*STAFF)
def declare() -> Any:
    """Declare an interest in a vendor."""
    form = _declare_form()
    if form.validate_on_submit():
        vendor = form.vendor.data or ""
        try:
            declarations.declare_interest(
                g.user, int(vendor) if vendor.isdigit() else 0, form.nature.data or ""
            )
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash(
                "Your declaration is recorded. Confirm your declarations when complete.", "success"
            )
            return redirect(url_for("impartiality.interests"))
    return _interests_page(form, 400)


@bp.post("/account/interests/<int:declaration_id>/end")
@roles_required(*STAFF)
def end_declaration(declaration_id: int) -> Response:
    """End one of one's declarations, saying how the interest ended."""
    declaration = declarations.own_declaration(g.user, declaration_id)
    form = EndDeclarationForm()
    if form.validate_on_submit():
        commit_or_report(
            lambda: declarations.end_declaration(g.user, declaration, form.note.data or ""),
            f"Your declaration about {declaration.vendor.name} is ended.",
        )
    else:
        flash("Say how the interest ended.", "error")
    return redirect(url_for("impartiality.interests"))


@bp.post("/account/interests/confirm")
@roles_required(*STAFF)
def confirm() -> Response:
    """State that one's declarations are complete and current."""
    run_confirmed(
        lambda: declarations.confirm_declarations(g.user),
        "You confirmed that your declarations are complete and current.",
    )
    return redirect(url_for("impartiality.interests"))


@bp.get("/impartiality/declarations")
@roles_required(Role.AUTHORITY)
def overview() -> str:
    """Every authority user and evaluator: last confirmation, due or overdue, open interests."""
    page = db.paginate(declarations.staff_statement(), per_page=_page_size(), error_out=False)
    return render_template(
        "impartiality/overview.html",
        page=page,
        rows=declarations.standing_of(list(page.items)),
        months=declarations.confirmation_months(),
    )


# --- the risk register --------------------------------------------------------------------


def _risk_form(risk: ImpartialityRisk | None = None) -> RiskForm:
    if risk is None:
        form = RiskForm()
    else:
        form = RiskForm(
            data={
                "title": risk.title,
                "source": risk.source,
                "description": risk.description,
                "likelihood": str(risk.likelihood),
                "impact": str(risk.impact),
                "treatment": risk.treatment,
                "owner": str(risk.owner_id) if risk.owner_id else "",
                "review_due_on": risk.review_due_on,
            }
        )
    form.owner.choices = [SelectChoice("", "— nobody yet —")] + [
        SelectChoice(str(user.id), user.full_name) for user in register.authority_users()
    ]
    return form


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _risk_data(form: RiskForm) -> register.RiskData:
    return register.RiskData(
        title=form.title.data or "",
        source=form.source.data or "",
        description=form.description.data or "",
        likelihood=_number(form.likelihood.data),
        impact=_number(form.impact.data),
        treatment=form.treatment.data or "",
        owner_id=_number(form.owner.data),
        review_due_on=form.review_due_on.data,
    )


def _risk(risk_id: int) -> ImpartialityRisk:
    risk = db.session.get(ImpartialityRisk, risk_id)
    if risk is None:
        raise NotVisible()
    return risk


@bp.get("/impartiality/risks")
@roles_required(Role.AUTHORITY)
def risks() -> str:
    """The register: open risks first, the earliest review first; overdue reviews flagged."""
    status_text = request.args.get("status", "")
    status = RiskStatus(status_text) if status_text in {s.value for s in RiskStatus} else None
    page = db.paginate(register.risks_statement(status), per_page=_page_size(), error_out=False)
    return render_template(
        "impartiality/risks.html",
        page=page,
        status=status.value if status else "",
        sources=register.RISK_SOURCES,
        rating=register.rating,
        overdue=register.review_overdue,
    )


@bp.route("/impartiality/risks/new", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY)
def new_risk() -> Any:
    """Add a risk to the register."""
    form = _risk_form()
    if form.validate_on_submit():
        try:
            risk = register.add_risk(g.user, _risk_data(form))
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash("The risk is in the register.", "success")
            return redirect(url_for("impartiality.risk", risk_id=risk.id))
    return render_template("impartiality/risk_form.html", form=form, risk=None)


@bp.route("/impartiality/risks/<int:risk_id>", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY)
def risk(risk_id: int) -> Any:
    """One risk: its rating and treatment, a form to revise it and a button to close it."""
    found = _risk(risk_id)
    form = _risk_form(found)
    if request.method == "POST" and form.validate_on_submit():
        try:
            register.update_risk(g.user, found, _risk_data(form))
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash("The risk is updated.", "success")
            return redirect(url_for("impartiality.risk", risk_id=found.id))
    return render_template(
        "impartiality/risk_form.html",
        form=form,
        risk=found,
        sources=register.RISK_SOURCES,
        rating=register.rating,
        overdue=register.review_overdue(found),
        closed=found.status is RiskStatus.CLOSED,
    )


@bp.post("/impartiality/risks/<int:risk_id>/close")
@roles_required(Role.AUTHORITY)
def close_risk(risk_id: int) -> Response:
    """Close a risk that no longer threatens impartiality."""
    found = _risk(risk_id)
    run_confirmed(lambda: register.close_risk(g.user, found), "The risk is closed.")
    return redirect(url_for("impartiality.risk", risk_id=found.id))


# --- the committee ------------------------------------------------------------------------


@bp.get("/impartiality/committee")
@roles_required(Role.AUTHORITY)
def meetings() -> str:
    """The impartiality committee's meetings, the latest first."""
    page = db.paginate(register.meetings_statement(), per_page=_page_size(), error_out=False)
    return render_template("impartiality/meetings.html", page=page)


@bp.route("/impartiality/committee/new", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY)
def new_meeting() -> Any:
    """Record a meeting of the committee."""
    form = MeetingForm()
    if form.validate_on_submit():
        try:
            meeting = register.record_meeting(
                g.user,
                register.MeetingData(
                    held_on=form.held_on.data,
                    attendees=form.attendees.data or "",
                    minutes=form.minutes.data or "",
                    decisions=form.decisions.data or "",
                ),
            )
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash("The meeting is recorded.", "success")
            return redirect(url_for("impartiality.meeting", meeting_id=meeting.id))
    return render_template("impartiality/meeting_form.html", form=form)


@bp.get("/impartiality/committee/<int:meeting_id>")
@roles_required(Role.AUTHORITY)
def meeting(meeting_id: int) -> str:
    """One meeting's attendees, minutes and decisions."""
    found = db.session.get(CommitteeMeeting, meeting_id)
    if found is None:
        raise NotVisible()
    return render_template("impartiality/meeting.html", meeting=found)
