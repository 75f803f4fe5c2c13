"""The evaluator's pages: assignments, the declaration of conflicts and scoring."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from evaluations.forms import DeclareForm
from evaluations.maintenance import is_overdue as maintenance_overdue
from evaluations.maintenance import reviews_of
from evaluations.models import AssignmentStatus, EvaluationStatus
from evaluations.services.assignment import declare_conflict
from evaluations.services.scores import consolidation, may_see_all_scores, save_score, score_value
from evaluations.services.scores import submit_scores as submit_assignment_scores
from evaluations.services.visibility import (
    assignments_statement,
    evidence_by_criterion,
    get_assignment,
)
from evaluations.views.blueprint import bp
from registry.access import roles_required
from registry.database import db
from registry.exceptions import RuleViolation
from registry.forms import ConfirmForm
from registry.models import Role
from registry.text import clean_text
from registry.views.actions import show_violation


@bp.get("/assignments")
@roles_required(Role.EVALUATOR)
def assignments() -> str:
    """The evaluator's assignments: declare conflicts first, then score."""
    page = db.paginate(
        assignments_statement(g.user),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "evaluations/assignments.html",
        page=page,
        AssignmentStatus=AssignmentStatus,
        declare_form=DeclareForm(formdata=None),
        reviews=reviews_of(g.user),
        review_overdue=maintenance_overdue,
    )


@bp.post("/assignments/<int:assignment_id>/declare")
@roles_required(Role.EVALUATOR)
def declare(assignment_id: int) -> Any:
    """Declare a conflict of interest, or none."""
    assignment = get_assignment(g.user, assignment_id)
    form = DeclareForm()
    if form.validate_on_submit():
        try:
            declare_conflict(
                g.user, assignment, form.has_conflict.data == "yes", form.note.data or ""
            )
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            if form.has_conflict.data == "yes":
                flash("Your conflict is recorded; the authority will assign someone else.", "info")
                return redirect(url_for("evaluations.assignments"))
            # The scoring page says why scoring has not opened yet; the flash claims it only
            # when it has (the second evaluator's declaration opens it for both).
            opened = (
                assignment.status is AssignmentStatus.SCORING
                and assignment.evaluation.status is EvaluationStatus.IN_REVIEW
            )
            flash(
                "Declaration recorded. You can now score." if opened else "Declaration recorded.",
                "success",
            )
            return redirect(url_for("evaluations.score", assignment_id=assignment_id))
    else:
        db.session.rollback()
    return render_template(
        "evaluations/declare.html",
        assignment=get_assignment(g.user, assignment_id),
        form=form,
    ), 400


@bp.route("/assignments/<int:assignment_id>/score", methods=["GET", "POST"])
@roles_required(Role.EVALUATOR)
def score(assignment_id: int) -> Any:
    """Score criterion by criterion beside the evidence; saving keeps what was typed."""
    assignment = get_assignment(g.user, assignment_id)
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
            value = clean_text(request.form.get(f"value-{criterion.id}", ""))
            text = clean_text(request.form.get(f"justification-{criterion.id}", ""), multiline=True)
            typed[f"value-{criterion.id}"] = value
            typed[f"justification-{criterion.id}"] = text
            if only and only != str(criterion.id):
                continue
            if not value and not text.strip():
                continue
            try:
                save_score(g.user, assignment, criterion, value, text)
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
    assignment = get_assignment(g.user, assignment_id)
    evaluation = assignment.evaluation
    saved_scores = {s.criterion_id: s for s in assignment.scores}
    show_all = may_see_all_scores(g.user, evaluation)
    return render_template(
        "evaluations/score.html",
        assignment=assignment,
        evaluation=evaluation,
        criteria=criteria,
        saved=saved_scores,
        typed=typed,
        errors=errors,
        show_all=show_all,
        result=consolidation(evaluation) if show_all else None,
        evidence_by_criterion=evidence_by_criterion(evaluation),
        confirm=ConfirmForm(),
        editable=assignment.status is AssignmentStatus.SCORING
        and evaluation.status is EvaluationStatus.IN_REVIEW,
        score_value=score_value,
    ), status


@bp.post("/assignments/<int:assignment_id>/submit")
@roles_required(Role.EVALUATOR)
def submit_scores(assignment_id: int) -> Response:
    """Submit one's scores, once."""
    assignment = get_assignment(g.user, assignment_id)
    if ConfirmForm().validate_on_submit():
        try:
            submit_assignment_scores(g.user, assignment)
        except RuleViolation as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash("Your scores are submitted. You can now see the other evaluators'.", "success")
    return redirect(url_for("evaluations.score", assignment_id=assignment_id))
