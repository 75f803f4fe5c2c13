"""The authority's pages: the pipeline, returns for information, assignment of evaluators,
consolidation of disagreements and the decision."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, g, render_template, request
from wtforms.fields.choices import SelectChoice

from evaluations.forms import (
    ApplicationReviewForm,
    AssignForm,
    DecideForm,
    DecisionReviewForm,
    RemoveAssignmentForm,
    ResolveForm,
    ReturnForm,
)
from evaluations.models import Assignment, EvaluationStatus
from evaluations.services.application import return_for_information
from evaluations.services.application_review import record_application_review
from evaluations.services.assignment import assign_evaluator
from evaluations.services.decision import decide as decide_evaluation
from evaluations.services.decision import record_review
from evaluations.services.replacement import remove_assignment
from evaluations.services.scores import resolve_disagreement
from evaluations.services.visibility import (
    eligible_evaluators,
    get_evaluation,
    is_overdue,
    status_counts,
    visible_statement,
)
from evaluations.views.blueprint import bp
from evaluations.views.evaluation_page import detail_page, form_action, redirect_detail
from registry import arguments
from registry.access import roles_required
from registry.database import db, utcnow
from registry.exceptions import NotVisible, RuleViolation
from registry.models import Role
from registry.views.actions import show_violation


@bp.get("/pipeline")
@roles_required(Role.AUTHORITY)
def pipeline() -> str:
    """Every evaluation by state, with the age in its current state and overdue flags."""
    status = request.args.get("status", "")
    if status not in {s.value for s in EvaluationStatus}:
        status = ""
    page = db.paginate(
        visible_statement(g.user, status),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    now = utcnow()
    return render_template(
        "evaluations/pipeline.html",
        page=page,
        status=status,
        counts=status_counts(),
        statuses=list(EvaluationStatus),
        age_days={e.id: (now - e.status_changed_at).days for e in page.items},
        overdue={e.id: is_overdue(e) for e in page.items},
    )


@bp.post("/<int:evaluation_id>/return")
@roles_required(Role.AUTHORITY)
def return_to_vendor(evaluation_id: int) -> Any:
    """Return the application to the vendor with a request for information."""
    form = ReturnForm()
    return form_action(
        evaluation_id,
        form,
        "return_form",
        lambda e: return_for_information(g.user, e, form.request_text.data or ""),
        "The application is returned to the vendor.",
        (Role.AUTHORITY,),
    )


@bp.post("/<int:evaluation_id>/assign")
@roles_required(Role.AUTHORITY)
def assign(evaluation_id: int) -> Any:
    """Assign an evaluator."""
    form = AssignForm()
    form.evaluator_id.choices = [SelectChoice(u.id, u.full_name) for u in eligible_evaluators()]
    return form_action(
        evaluation_id,
        form,
        "assign_form",
        lambda e: assign_evaluator(
            g.user,
            e,
            form.evaluator_id.data,
            form.due_date.data,
            form.same_body_reason.data or "",
        ),
        "The evaluator is assigned and notified.",
        (Role.AUTHORITY,),
    )


@bp.post("/<int:evaluation_id>/application-review")
@roles_required(Role.AUTHORITY)
def application_review(evaluation_id: int) -> Any:
    """Record that the submitted application is complete and in scope."""
    form = ApplicationReviewForm()
    return form_action(
        evaluation_id,
        form,
        "application_review_form",
        lambda e: record_application_review(g.user, e, form.note.data or ""),
        "The application review is recorded; evaluators can now be assigned.",
        (Role.AUTHORITY,),
    )


@bp.post("/<int:evaluation_id>/assignments/<int:assignment_id>/remove")
@roles_required(Role.AUTHORITY)
def remove_evaluator(evaluation_id: int, assignment_id: int) -> Any:
    """Remove an evaluator who has not submitted, so that another can be assigned."""
    form = RemoveAssignmentForm()

    def remove(evaluation: Any) -> None:
        assignment = db.session.get(Assignment, assignment_id)
        if assignment is None or assignment.evaluation_id != evaluation.id:
            raise NotVisible()
        remove_assignment(g.user, assignment, form.reason.data or "")

    return form_action(
        evaluation_id,
        form,
        "remove_form",
        remove,
        "The evaluator is removed and told; assign a replacement if needed.",
        (Role.AUTHORITY,),
    )


@bp.post("/<int:evaluation_id>/review")
@roles_required(Role.AUTHORITY)
def review(evaluation_id: int) -> Any:
    """A second officer reviews the scored evaluation before the decision."""
    form = DecisionReviewForm()
    return form_action(
        evaluation_id,
        form,
        "review_form",
        lambda e: record_review(
            g.user,
            e,
            form.outcome.data or "",
            form.recommended_decision.data or "",
            form.recommended_level.data or None,
            form.note.data or "",
        ),
        "The review is recorded; another officer takes the decision.",
        (Role.AUTHORITY,),
    )


@bp.post("/<int:evaluation_id>/resolve")
@roles_required(Role.AUTHORITY)
def resolve(evaluation_id: int) -> Any:
    """Record the consensus on a flagged criterion."""
    form = ResolveForm()
    evaluation = get_evaluation(g.user, evaluation_id)
    if form.validate_on_submit():
        try:
            resolve_disagreement(
                g.user,
                evaluation,
                arguments.parse_integer(form.criterion_id.data or "", 1, arguments.MAX_ID) or 0,
                form.value.data or "",
                form.note.data or "",
                form.outside_reason.data or "",
            )
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash("The consensus is recorded.", "success")
            return redirect_detail(evaluation_id)
    else:
        db.session.rollback()
    evaluation = get_evaluation(g.user, evaluation_id)
    page = detail_page(evaluation, resolve_form=form, resolve_criterion=form.criterion_id.data)
    return page, 400


@bp.post("/<int:evaluation_id>/decide")
@roles_required(Role.AUTHORITY)
def decide(evaluation_id: int) -> Any:
    """Certify at a level, or reject, with a rationale; certifying issues the label."""
    form = DecideForm()
    return form_action(
        evaluation_id,
        form,
        "decide_form",
        lambda e: decide_evaluation(
            g.user,
            e,
            form.decision.data or "",
            form.level.data or None,
            form.rationale.data or "",
            form.level_reason.data or "",
            public_statement=form.public_statement.data or "",
        ),
        "The decision is recorded and the vendor is told.",
        (Role.AUTHORITY,),
    )
