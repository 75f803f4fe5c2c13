"""Pages of the register of evaluation bodies.

The public reads the accredited evaluation bodies; the authority records accreditations and
decides on the evaluators the bodies propose; a body's members read their body's entry and its
administrators propose members for approval. Each action is a form → a service of
`evaluations.bodies.services` → commit → redirect.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from evaluations.bodies import services
from evaluations.bodies.forms import (
    AccreditationForm,
    DecisionNoteForm,
    ProposeEvaluatorForm,
    WithdrawForm,
    scope_data,
)
from evaluations.bodies.models import Accreditation, ApprovalStatus
from registry.access import login_required, roles_required
from registry.database import db
from registry.exceptions import NotVisible, RuleViolation
from registry.models import (
    Organisation,
    OrganisationKind,
    Role,
    TechnologyCategory,
    User,
)
from registry.norms.models import Norm
from registry.views.actions import commit_or_report, show_violation

bp = Blueprint("bodies", __name__)


def _page_size() -> int:
    return int(current_app.config["PER_PAGE"])


# --- the public register ------------------------------------------------------------------


@bp.get("/evaluation-bodies")
def public_register() -> str:
    """Every active evaluation body with an accreditation valid today, its scope and dates."""
    return render_template(
        "bodies/public_register.html",
        bodies=services.publicly_accredited_bodies(),
        describe_scope=services.describe_scope,
    )


# --- the authority's list and a body's page -----------------------------------------------


@bp.get("/bodies")
@roles_required(Role.AUTHORITY)
def index() -> str:
    """Every evaluation body with its accreditations and where each stands today."""
    page = db.paginate(
        select(Organisation)
        .where(Organisation.kind == OrganisationKind.EVALUATION_BODY)
        .order_by(Organisation.name),
        per_page=_page_size(),
        error_out=False,
    )
    return render_template(
        "bodies/index.html",
        page=page,
        accreditations_of=services.accreditations_of,
        state=services.accreditation_state,
    )


@bp.get("/bodies/mine")
@roles_required(Role.EVALUATOR)
def mine() -> Response:
    """An evaluator's way to their own body's page."""
    user: User = g.user
    return redirect(url_for("bodies.body", organisation_id=user.organisation_id))


@bp.get("/bodies/<int:organisation_id>")
@login_required
def body(organisation_id: int) -> str:
    """One body: its accreditations, its members and their approval (authority, own members)."""
    user: User = g.user
    organisation = services.evaluation_body(user, organisation_id)
    return render_template(
        "bodies/body.html",
        organisation=organisation,
        accreditations=services.accreditations_of(organisation),
        evaluators=services.evaluators_of(organisation),
        state=services.accreditation_state,
        describe_scope=services.describe_scope,
        approval_text=services.APPROVAL_TEXT,
        is_authority=user.role is Role.AUTHORITY,
        is_body_admin=user.organisation_id == organisation.id and user.is_org_admin,
        withdraw_form=WithdrawForm(formdata=None),
        pending=ApprovalStatus.PENDING,
        approved=ApprovalStatus.APPROVED,
    )


# --- accreditations -----------------------------------------------------------------------


def _with_choices(form: AccreditationForm) -> AccreditationForm:
    categories = db.session.scalars(
        select(TechnologyCategory).order_by(TechnologyCategory.position)
    ).all()
    norms = db.session.scalars(select(Norm).order_by(Norm.code)).all()
    category_choices = [SelectChoice("", "— none —")] + [
        SelectChoice(str(c.id), c.name) for c in categories
    ]
    names = {c.id: c.name for c in categories}
    norm_choices = [SelectChoice("", "Every norm of the category")] + [
        SelectChoice(str(n.id), f"{n.code} — {n.title} ({names.get(n.category_id, '')})")
        for n in norms
    ]
    for entry in form.scope:
        entry.form.category.choices = category_choices
        entry.form.norm.choices = norm_choices
    return form


def _data(form: AccreditationForm) -> services.AccreditationData:
    return services.AccreditationData(
        accreditation_body=form.accreditation_body.data or "",
        standard=form.standard.data or "",
        certificate_number=form.certificate_number.data or "",
        valid_from=form.valid_from.data,
        valid_until=form.valid_until.data,
        scope=form.scope_rows(),
    )


def _accreditation(accreditation_id: int) -> Accreditation:
    accreditation = db.session.get(Accreditation, accreditation_id)
    if accreditation is None:
        raise NotVisible()
    return accreditation


def _body_for_authority(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or organisation.kind is not OrganisationKind.EVALUATION_BODY:
        raise NotVisible()
    return organisation


@bp.route("/bodies/<int:organisation_id>/accreditations/new", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY)
def new_accreditation(organisation_id: int) -> Any:
    """The authority records an accreditation of the body."""
    organisation = _body_for_authority(organisation_id)
    form = _with_choices(AccreditationForm(data={"scope": scope_data([])}))
    if form.validate_on_submit():
        try:
            services.record_accreditation(g.user, organisation, _data(form))
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash("The accreditation is recorded.", "success")
            return redirect(url_for("bodies.body", organisation_id=organisation.id))
    return render_template(
        "bodies/accreditation_form.html", form=form, organisation=organisation, accreditation=None
    )


@bp.route("/bodies/accreditations/<int:accreditation_id>/edit", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY)
def edit_accreditation(accreditation_id: int) -> Any:
    """The authority corrects an accreditation's facts, dates or scope."""
    accreditation = _accreditation(accreditation_id)
    organisation = accreditation.organisation
    rows = [(row.category_id, row.norm_id) for row in accreditation.scope]
    form = _with_choices(
        AccreditationForm(
            data={
                "accreditation_body": accreditation.accreditation_body,
                "standard": accreditation.standard,
                "certificate_number": accreditation.certificate_number,
                "valid_from": accreditation.valid_from,
                "valid_until": accreditation.valid_until,
                "scope": scope_data(rows),
            }
        )
    )
    if accreditation.withdrawn_at is None and form.validate_on_submit():
        try:
            services.update_accreditation(g.user, accreditation, _data(form))
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash("The accreditation is changed.", "success")
            return redirect(url_for("bodies.body", organisation_id=organisation.id))
    return render_template(
        "bodies/accreditation_form.html",
        form=form,
        organisation=organisation,
        accreditation=accreditation,
    )


@bp.post("/bodies/accreditations/<int:accreditation_id>/withdraw")
@roles_required(Role.AUTHORITY)
def withdraw_accreditation(accreditation_id: int) -> Response:
    """The authority withdraws an accreditation early, with a reason."""
    accreditation = _accreditation(accreditation_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        commit_or_report(
            lambda: services.withdraw_accreditation(g.user, accreditation, form.reason.data or ""),
            "The accreditation is withdrawn.",
        )
    else:
        flash("Give the reason for withdrawing the accreditation.", "error")
    return redirect(url_for("bodies.body", organisation_id=accreditation.organisation_id))


# --- evaluator approvals ------------------------------------------------------------------


@bp.get("/bodies/approvals")
@roles_required(Role.AUTHORITY)
def approvals() -> str:
    """The authority's queue: evaluators proposed by their bodies, the oldest first."""
    page = db.paginate(
        services.pending_approvals_statement(), per_page=_page_size(), error_out=False
    )
    return render_template("bodies/approvals.html", page=page)


@bp.route("/bodies/<int:organisation_id>/evaluators/<int:user_id>/propose", methods=["GET", "POST"])
@roles_required(Role.EVALUATOR)
def propose_evaluator(organisation_id: int, user_id: int) -> Any:
    """A body's administrator proposes one of its members, with their competence."""
    actor: User = g.user
    member = db.session.get(User, user_id)
    if (
        not actor.is_org_admin
        or actor.organisation_id != organisation_id
        or member is None
        or member.organisation_id != organisation_id
    ):
        raise NotVisible()
    form = ProposeEvaluatorForm()
    if form.validate_on_submit():
        try:
            services.propose_evaluator(
                actor,
                member,
                services.Competence(
                    form.qualifications.data or "",
                    form.training.data or "",
                    form.experience.data or "",
                ),
            )
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash(f"{member.full_name} is proposed to the authority for approval.", "success")
            return redirect(url_for("bodies.body", organisation_id=organisation_id))
    return render_template(
        "bodies/propose.html",
        form=form,
        member=member,
        approval=services.approval_of(member),
        approval_text=services.APPROVAL_TEXT,
    )


@bp.get("/bodies/approvals/<int:approval_id>")
@login_required
def approval(approval_id: int) -> str:
    """One proposal with its competence statement and decision (authority, the body)."""
    user: User = g.user
    found = services.visible_approval(user, approval_id)
    return render_template(
        "bodies/approval.html",
        approval=found,
        approval_text=services.APPROVAL_TEXT,
        is_authority=user.role is Role.AUTHORITY,
        note_form=DecisionNoteForm(formdata=None),
        withdraw_form=WithdrawForm(formdata=None),
        pending=ApprovalStatus.PENDING,
        approved=ApprovalStatus.APPROVED,
    )


def _decide(
    approval_id: int, form: DecisionNoteForm | WithdrawForm, call: Any, done: str
) -> Response:
    user: User = g.user
    found = services.visible_approval(user, approval_id)
    if form.validate_on_submit():
        text = form.note.data if isinstance(form, DecisionNoteForm) else form.reason.data
        commit_or_report(lambda: call(user, found, text or ""), f"{found.user.full_name}: {done}.")
    else:
        flash("Check the note: it is required to refuse or withdraw.", "error")
    return redirect(url_for("bodies.approval", approval_id=approval_id))


@bp.post("/bodies/approvals/<int:approval_id>/approve")
@roles_required(Role.AUTHORITY)
def approve(approval_id: int) -> Response:
    """The authority approves a proposed evaluator."""
    return _decide(approval_id, DecisionNoteForm(), services.approve_evaluator, "approved")


@bp.post("/bodies/approvals/<int:approval_id>/refuse")
@roles_required(Role.AUTHORITY)
def refuse(approval_id: int) -> Response:
    """The authority refuses a proposed evaluator, with a note the body reads."""
    return _decide(approval_id, DecisionNoteForm(), services.refuse_evaluator, "refused")


@bp.post("/bodies/approvals/<int:approval_id>/withdraw")
@roles_required(Role.AUTHORITY)
def withdraw_approval(approval_id: int) -> Response:
    """The authority withdraws an evaluator's approval, with a reason."""
    return _decide(approval_id, WithdrawForm(), services.withdraw_approval, "approval withdrawn")
