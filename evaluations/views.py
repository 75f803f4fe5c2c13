"""Evaluation pages: the vendor's applications, the evaluator's assignments and scoring,
the authority's pipeline, consolidation and decision."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from evaluations import evidence as evidence_files
from evaluations import services
from evaluations.forms import (
    ApplyForm,
    AssignForm,
    DecideForm,
    DeclareForm,
    EvidenceForm,
    NoteForm,
    ResolveForm,
    RespondForm,
    ReturnForm,
)
from evaluations.models import AssignmentStatus, EvaluationStatus
from registry.access import roles_required
from registry.database import db, utcnow
from registry.exceptions import RuleViolation
from registry.forms import ConfirmForm
from registry.models import Role
from registry.views.actions import show_violation

bp = Blueprint("evaluations", __name__, url_prefix="/evaluations")
ANY_PARTY = (Role.VENDOR, Role.EVALUATOR, Role.AUTHORITY)


def _redirect_detail(evaluation_id: int) -> Response:
    return redirect(url_for("evaluations.detail", evaluation_id=evaluation_id))


# --- vendor -----------------------------------------------------------------------------


@bp.get("/")
@roles_required(Role.VENDOR)
def index() -> str:
    """The vendor's evaluations, in every state."""
    status = request.args.get("status", "")
    page = db.paginate(
        services.visible_statement(g.user, status),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "evaluations/mine.html", page=page, status=status, statuses=list(EvaluationStatus)
    )


@bp.route("/apply", methods=["GET", "POST"])
@roles_required(Role.VENDOR)
def apply() -> Any:
    """Apply with one of one's published solutions against a norm version in force."""
    form = ApplyForm()
    form.solution_id.choices = [
        SelectChoice(s.id, s.name) for s in services.own_published_solutions(g.user)
    ]
    form.version_id.choices = [
        SelectChoice(v.id, f"{v.label} — {v.norm.title}") for v in services.published_versions()
    ]
    if form.validate_on_submit():
        try:
            created = services.apply_for_evaluation(
                g.user, form.solution_id.data, form.version_id.data
            )
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash("Your application is saved as a draft. Attach evidence, then submit.", "success")
            return _redirect_detail(created.id)
    return render_template("evaluations/apply.html", form=form)


def _evidence_form(evaluation: Any) -> EvidenceForm:
    form = EvidenceForm()
    form.criterion_id.choices = [SelectChoice("", "General (the whole application)")] + [
        SelectChoice(str(c.id), f"{c.code} — {c.title}")
        for c in evaluation.norm_version.ordered_criteria()
    ]
    return form


@bp.get("/<int:evaluation_id>")
@roles_required(*ANY_PARTY)
def detail(evaluation_id: int) -> str:
    """One evaluation as the viewer may see it (an evaluator before declaring sees little)."""
    evaluation = services.get_evaluation(g.user, evaluation_id)
    return _detail_page(evaluation)


def _detail_page(evaluation: Any, **forms: Any) -> str:
    user = g.user
    details = services.may_see_details(user, evaluation)
    result = None
    # The vendor sees its result per criterion once decided, not while it is being decided.
    if (
        details
        and evaluation.status in (EvaluationStatus.SCORED, EvaluationStatus.DECIDED)
        and (user.role is not Role.VENDOR or evaluation.status is EvaluationStatus.DECIDED)
    ):
        result = services.consolidation(evaluation)
    assign_form = forms.get("assign_form") or AssignForm(formdata=None)
    assign_form.evaluator_id.choices = [
        SelectChoice(u.id, f"{u.full_name} — {u.organisation.name}")
        for u in services.eligible_evaluators()
    ]
    decide_form = forms.get("decide_form") or DecideForm(formdata=None)
    levels = services.decision_levels(evaluation, result.level if result else None)
    decide_form.level.choices = [SelectChoice("", "— not certified —")] + [
        SelectChoice(name, name) for name in levels
    ]
    if result and not decide_form.level.data:
        decide_form.level.data = result.level or ""
    return render_template(
        "evaluations/detail.html",
        evaluation=evaluation,
        details=details,
        assignment=services.assignment_of(user, evaluation),
        result=result,
        show_all_scores=services.may_see_all_scores(user, evaluation),
        missing=services.missing_evidence(evaluation) if details else [],
        overdue=services.is_overdue(evaluation),
        note_form=forms.get("note_form") or NoteForm(vendor_note=evaluation.vendor_note),
        evidence_form=forms.get("evidence_form") or _evidence_form(evaluation),
        respond_form=forms.get("respond_form") or RespondForm(formdata=None),
        return_form=forms.get("return_form") or ReturnForm(formdata=None),
        assign_form=assign_form,
        resolve_form=forms.get("resolve_form") or ResolveForm(formdata=None),
        resolve_error_criterion=forms.get("resolve_criterion"),
        decide_form=decide_form,
        confirm=ConfirmForm(),
        editable=evaluation.status in services.EDITABLE_BY_VENDOR,
        withdrawable=evaluation.status in services.WITHDRAWABLE,
        Status=EvaluationStatus,
        AssignmentStatus=AssignmentStatus,
    )


def _form_action(
    evaluation_id: int,
    form: FlaskForm,
    form_name: str,
    action: Callable[[Any], Any],
    done: str,
    roles: tuple[Role, ...],
) -> Any:
    evaluation = services.get_evaluation(g.user, evaluation_id)
    if g.user.role not in roles:
        from registry.exceptions import AccessDenied

        raise AccessDenied()
    if form.validate_on_submit():
        try:
            action(evaluation)
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash(done, "success")
            return _redirect_detail(evaluation_id)
    else:
        db.session.rollback()
    evaluation = services.get_evaluation(g.user, evaluation_id)
    return _detail_page(evaluation, **{form_name: form}), 400


@bp.post("/<int:evaluation_id>/note")
@roles_required(Role.VENDOR)
def note(evaluation_id: int) -> Any:
    """Save the vendor's note to the evaluators."""
    form = NoteForm()
    return _form_action(
        evaluation_id,
        form,
        "note_form",
        lambda e: services.update_application(g.user, e, form.vendor_note.data or ""),
        "Note saved.",
        (Role.VENDOR,),
    )


@bp.post("/<int:evaluation_id>/evidence")
@roles_required(Role.VENDOR)
def upload(evaluation_id: int) -> Any:
    """Attach one evidence file (checked by content, stored under a generated name)."""
    evaluation = services.get_evaluation(g.user, evaluation_id)
    form = _evidence_form(evaluation)

    def attach(found: Any) -> None:
        upload = form.file.data
        criterion = int(form.criterion_id.data) if form.criterion_id.data else None
        services.attach_evidence(
            g.user, found, upload.filename, upload.stream, criterion, form.description.data or ""
        )

    return _form_action(
        evaluation_id, form, "evidence_form", attach, "The file is attached.", (Role.VENDOR,)
    )


@bp.get("/<int:evaluation_id>/evidence/<int:evidence_id>")
@roles_required(*ANY_PARTY)
def download(evaluation_id: int, evidence_id: int) -> Response:
    """A file, as an attachment, to its vendor, the authority and declared evaluators only."""
    evaluation = services.get_evaluation(g.user, evaluation_id)
    item = services.get_evidence(g.user, evaluation, evidence_id)
    # Read whole (files are at most EVIDENCE_MAX_BYTES): no file handle outlives the request.
    data = evidence_files.path_of(item.stored_name).read_bytes()
    response = send_file(
        io.BytesIO(data),
        mimetype=item.content_type,
        as_attachment=True,
        download_name=item.original_name,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.post("/<int:evaluation_id>/evidence/<int:evidence_id>/remove")
@roles_required(Role.VENDOR)
def remove(evaluation_id: int, evidence_id: int) -> Response:
    """Remove an evidence file while the application is editable."""
    evaluation = services.get_evaluation(g.user, evaluation_id)
    item = services.get_evidence(g.user, evaluation, evidence_id)
    return _confirmed(
        evaluation_id, lambda: services.remove_evidence(g.user, evaluation, item), "File removed."
    )


def _confirmed(evaluation_id: int, action: Callable[[], Any], done: str) -> Response:
    if ConfirmForm().validate_on_submit():
        try:
            action()
        except RuleViolation as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(done, "success")
    return _redirect_detail(evaluation_id)


@bp.post("/<int:evaluation_id>/submit")
@roles_required(Role.VENDOR)
def submit(evaluation_id: int) -> Response:
    """Submit the application to the authority."""
    evaluation = services.get_evaluation(g.user, evaluation_id)
    return _confirmed(
        evaluation_id,
        lambda: services.submit_application(g.user, evaluation),
        "Your application is submitted.",
    )


@bp.post("/<int:evaluation_id>/withdraw")
@roles_required(Role.VENDOR)
def withdraw(evaluation_id: int) -> Response:
    """Withdraw the application."""
    evaluation = services.get_evaluation(g.user, evaluation_id)
    return _confirmed(
        evaluation_id,
        lambda: services.withdraw_application(g.user, evaluation),
        "Your application is withdrawn.",
    )


@bp.post("/<int:evaluation_id>/respond")
@roles_required(Role.VENDOR)
def respond(evaluation_id: int) -> Any:
    """Answer the authority's request for information and resubmit."""
    form = RespondForm()
    return _form_action(
        evaluation_id,
        form,
        "respond_form",
        lambda e: services.respond_to_return(g.user, e, form.response_text.data or ""),
        "Your answer is sent; the application is back in review.",
        (Role.VENDOR,),
    )


# --- authority --------------------------------------------------------------------------


@bp.get("/pipeline")
@roles_required(Role.AUTHORITY)
def pipeline() -> str:
    """Every evaluation by state, with the age in its current state and overdue flags."""
    status = request.args.get("status", "")
    if status not in {s.value for s in EvaluationStatus}:
        status = ""
    page = db.paginate(
        services.visible_statement(g.user, status),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    now = utcnow()
    return render_template(
        "evaluations/pipeline.html",
        page=page,
        status=status,
        counts=services.status_counts(),
        statuses=list(EvaluationStatus),
        age_days={e.id: (now - e.status_changed_at).days for e in page.items},
        overdue={e.id: services.is_overdue(e) for e in page.items},
    )


@bp.post("/<int:evaluation_id>/return")
@roles_required(Role.AUTHORITY)
def return_to_vendor(evaluation_id: int) -> Any:
    """Return the application to the vendor with a request for information."""
    form = ReturnForm()
    return _form_action(
        evaluation_id,
        form,
        "return_form",
        lambda e: services.return_for_information(g.user, e, form.request_text.data or ""),
        "The application is returned to the vendor.",
        (Role.AUTHORITY,),
    )


@bp.post("/<int:evaluation_id>/assign")
@roles_required(Role.AUTHORITY)
def assign(evaluation_id: int) -> Any:
    """Assign an evaluator."""
    form = AssignForm()
    form.evaluator_id.choices = [
        SelectChoice(u.id, u.full_name) for u in services.eligible_evaluators()
    ]
    return _form_action(
        evaluation_id,
        form,
        "assign_form",
        lambda e: services.assign_evaluator(g.user, e, form.evaluator_id.data, form.due_date.data),
        "The evaluator is assigned and notified.",
        (Role.AUTHORITY,),
    )


@bp.post("/<int:evaluation_id>/resolve")
@roles_required(Role.AUTHORITY)
def resolve(evaluation_id: int) -> Any:
    """Record the consensus on a flagged criterion."""
    form = ResolveForm()
    evaluation = services.get_evaluation(g.user, evaluation_id)
    if form.validate_on_submit():
        try:
            services.resolve_disagreement(
                g.user,
                evaluation,
                int(form.criterion_id.data) if form.criterion_id.data.isdigit() else 0,
                form.value.data or "",
                form.note.data or "",
            )
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash("The consensus is recorded.", "success")
            return _redirect_detail(evaluation_id)
    else:
        db.session.rollback()
    evaluation = services.get_evaluation(g.user, evaluation_id)
    page = _detail_page(evaluation, resolve_form=form, resolve_criterion=form.criterion_id.data)
    return page, 400


@bp.post("/<int:evaluation_id>/decide")
@roles_required(Role.AUTHORITY)
def decide(evaluation_id: int) -> Any:
    """Certify at a level, or reject, with a rationale; certifying issues the label."""
    form = DecideForm()
    return _form_action(
        evaluation_id,
        form,
        "decide_form",
        lambda e: services.decide(
            g.user,
            e,
            form.decision.data or "",
            form.level.data or None,
            form.rationale.data or "",
            form.level_reason.data or "",
        ),
        "The decision is recorded and the vendor is told.",
        (Role.AUTHORITY,),
    )


# --- evaluator --------------------------------------------------------------------------


@bp.get("/assignments")
@roles_required(Role.EVALUATOR)
def assignments() -> str:
    """The evaluator's assignments: declare conflicts first, then score."""
    page = db.paginate(
        services.assignments_statement(g.user),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "evaluations/assignments.html",
        page=page,
        AssignmentStatus=AssignmentStatus,
        declare_form=DeclareForm(formdata=None),
    )


@bp.post("/assignments/<int:assignment_id>/declare")
@roles_required(Role.EVALUATOR)
def declare(assignment_id: int) -> Any:
    """Declare a conflict of interest, or none."""
    assignment = services.get_assignment(g.user, assignment_id)
    form = DeclareForm()
    if form.validate_on_submit():
        try:
            services.declare_conflict(
                g.user, assignment, form.has_conflict.data == "yes", form.note.data or ""
            )
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            if form.has_conflict.data == "yes":
                flash("Your conflict is recorded; the authority will assign someone else.", "info")
                return redirect(url_for("evaluations.assignments"))
            flash("Declaration recorded. You can now score.", "success")
            return redirect(url_for("evaluations.score", assignment_id=assignment_id))
    else:
        db.session.rollback()
    return render_template(
        "evaluations/declare.html",
        assignment=services.get_assignment(g.user, assignment_id),
        form=form,
    ), 400


@bp.route("/assignments/<int:assignment_id>/score", methods=["GET", "POST"])
@roles_required(Role.EVALUATOR)
def score(assignment_id: int) -> Any:
    """Score criterion by criterion beside the evidence; saving keeps what was typed."""
    assignment = services.get_assignment(g.user, assignment_id)
    if assignment.status is AssignmentStatus.AWAITING_DECLARATION:
        return render_template(
            "evaluations/declare.html", assignment=assignment, form=DeclareForm(formdata=None)
        )
    if assignment.status is AssignmentStatus.CONFLICTED:
        flash("You declared a conflict on this evaluation.", "info")
        return redirect(url_for("evaluations.assignments"))
    evaluation = assignment.evaluation
    criteria = evaluation.norm_version.ordered_criteria()
    typed: dict[str, str] = {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            db.session.rollback()
            flash("The form could not be accepted; reload the page and try again.", "error")
            return redirect(url_for("evaluations.score", assignment_id=assignment_id))
        only = request.form.get("save", "")
        saved = 0
        for criterion in criteria:
            value = request.form.get(f"value-{criterion.id}", "").strip()
            text = request.form.get(f"justification-{criterion.id}", "")
            typed[f"value-{criterion.id}"] = value
            typed[f"justification-{criterion.id}"] = text
            if only and only != str(criterion.id):
                continue
            if not value and not text.strip():
                continue
            try:
                services.save_score(g.user, assignment, criterion, value, text)
                saved += 1
            except RuleViolation as error:
                errors[str(criterion.id)] = error.message
        if errors:
            # The valid scores are kept; the invalid ones are shown again as typed.
            db.session.commit()
            status = 400
        else:
            db.session.commit()
            flash(f"Saved ({saved} criteria).", "success")
            return redirect(url_for("evaluations.score", assignment_id=assignment_id))
    assignment = services.get_assignment(g.user, assignment_id)
    evaluation = assignment.evaluation
    saved_scores = {s.criterion_id: s for s in assignment.scores}
    show_all = services.may_see_all_scores(g.user, evaluation)
    return render_template(
        "evaluations/score.html",
        assignment=assignment,
        evaluation=evaluation,
        criteria=criteria,
        saved=saved_scores,
        typed=typed,
        errors=errors,
        show_all=show_all,
        result=services.consolidation(evaluation) if show_all else None,
        evidence_by_criterion=services.evidence_by_criterion(evaluation),
        confirm=ConfirmForm(),
        editable=assignment.status is AssignmentStatus.SCORING
        and evaluation.status is EvaluationStatus.IN_REVIEW,
        score_value=services.score_value,
    ), status


@bp.post("/assignments/<int:assignment_id>/submit")
@roles_required(Role.EVALUATOR)
def submit_scores(assignment_id: int) -> Response:
    """Submit one's scores, once."""
    assignment = services.get_assignment(g.user, assignment_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.submit_scores(g.user, assignment)
        except RuleViolation as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash("Your scores are submitted. You can now see the other evaluators'.", "success")
    return redirect(url_for("evaluations.score", assignment_id=assignment_id))
