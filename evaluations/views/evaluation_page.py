"""The evaluation page as each party sees it, and the helpers that run a form or a confirmed
action on it and show the page again when it fails."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, g, redirect, render_template, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from evaluations.forms import (
    ApplicationReviewForm,
    AssignForm,
    DecideForm,
    DecisionReviewForm,
    EvidenceForm,
    NoteForm,
    RemoveAssignmentForm,
    ResolveForm,
    RespondForm,
    ReturnForm,
)
from evaluations.impartiality.checks import involvement, review_required, reviews_of
from evaluations.labels.publishing import public_statement_of
from evaluations.models import AssignmentStatus, EvaluationStatus
from evaluations.services.application import missing_evidence
from evaluations.services.decision import consensus_recorded_by, decision_levels
from evaluations.services.scores import consolidation, may_see_all_scores
from evaluations.services.transitions import EDITABLE_BY_VENDOR, WITHDRAWABLE
from evaluations.services.visibility import (
    assignment_of,
    eligible_evaluators,
    get_evaluation,
    is_overdue,
    may_see_details,
)
from evaluations.views.blueprint import ANY_PARTY, bp
from registry.access import roles_required
from registry.database import db
from registry.exceptions import RuleViolation
from registry.forms import ConfirmForm
from registry.models import Role
from registry.views.actions import commit_or_report, show_violation


def redirect_detail(evaluation_id: int) -> Response:
    """Back to the evaluation page."""
    return redirect(url_for("evaluations.detail", evaluation_id=evaluation_id))


def evidence_form(evaluation: Any) -> EvidenceForm:
    """The evidence upload form, offering the norm version's criteria."""
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
    evaluation = get_evaluation(g.user, evaluation_id)
    return detail_page(evaluation)


def detail_page(evaluation: Any, **forms: Any) -> str:
    """Render the evaluation page; a form given by name replaces its blank one."""
    user = g.user
    details = may_see_details(user, evaluation)
    result = None
    # The vendor sees its result per criterion once decided, not while it is being decided.
    if (
        details
        and evaluation.status in (EvaluationStatus.SCORED, EvaluationStatus.DECIDED)
        and (user.role is not Role.VENDOR or evaluation.status is EvaluationStatus.DECIDED)
    ):
        result = consolidation(evaluation)
    assign_form = forms.get("assign_form") or AssignForm(formdata=None)
    assign_form.evaluator_id.choices = [
        SelectChoice(u.id, f"{u.full_name} — {u.organisation.name}") for u in eligible_evaluators()
    ]
    decide_form = forms.get("decide_form") or DecideForm(formdata=None)
    levels = decision_levels(evaluation, result.level if result else None)
    decide_form.level.choices = [SelectChoice("", "— not certified —")] + [
        SelectChoice(name, name) for name in levels
    ]
    if result and not decide_form.level.data:
        decide_form.level.data = result.level or ""
    review_form = forms.get("review_form") or DecisionReviewForm(formdata=None)
    review_form.recommended_level.choices = [SelectChoice("", "— not certified —")] + [
        SelectChoice(name, name) for name in levels
    ]
    if result and not review_form.recommended_level.data:
        review_form.recommended_level.data = result.level or ""
    reviews = reviews_of(evaluation) if user.role is Role.AUTHORITY else []
    return render_template(
        "evaluations/detail.html",
        evaluation=evaluation,
        details=details,
        assignment=assignment_of(user, evaluation),
        result=result,
        show_all_scores=may_see_all_scores(user, evaluation),
        missing=missing_evidence(evaluation) if details else [],
        overdue=is_overdue(evaluation),
        note_form=forms.get("note_form") or NoteForm(vendor_note=evaluation.vendor_note),
        evidence_form=forms.get("evidence_form") or evidence_form(evaluation),
        respond_form=forms.get("respond_form") or RespondForm(formdata=None),
        return_form=forms.get("return_form") or ReturnForm(formdata=None),
        assign_form=assign_form,
        resolve_form=forms.get("resolve_form") or ResolveForm(formdata=None),
        resolve_error_criterion=forms.get("resolve_criterion"),
        decide_form=decide_form,
        issued_event=(
            public_statement_of(evaluation.id)
            if evaluation.status is EvaluationStatus.DECIDED
            else None
        ),
        consensus_by_me=consensus_recorded_by(evaluation, user),
        application_review_form=forms.get("application_review_form")
        or ApplicationReviewForm(formdata=None),
        remove_form=forms.get("remove_form") or RemoveAssignmentForm(formdata=None),
        review_form=review_form,
        reviews=reviews,
        reviewed_by_me=any(r.reviewer_id == user.id for r in reviews),
        review_by_other=any(r.reviewer_id != user.id for r in reviews),
        review_needed=review_required("certified", result.level if result else None),
        my_involvement=involvement(user, evaluation) if user.role is Role.AUTHORITY else [],
        confirm=ConfirmForm(),
        editable=evaluation.status in EDITABLE_BY_VENDOR,
        withdrawable=evaluation.status in WITHDRAWABLE,
        Status=EvaluationStatus,
        AssignmentStatus=AssignmentStatus,
    )


def form_action(
    evaluation_id: int,
    form: FlaskForm,
    form_name: str,
    action: Callable[[Any], Any],
    done: str,
    roles: tuple[Role, ...],
) -> Any:
    """Run a form's action on the evaluation and commit, or show the page with errors."""
    evaluation = get_evaluation(g.user, evaluation_id)
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
            return redirect_detail(evaluation_id)
    else:
        db.session.rollback()
    evaluation = get_evaluation(g.user, evaluation_id)
    return detail_page(evaluation, **{form_name: form}), 400


def confirmed_action(evaluation_id: int, action: Callable[[], Any], done: str) -> Response:
    """Run a confirmed action on the evaluation and commit, flashing the outcome."""
    if ConfirmForm().validate_on_submit():
        commit_or_report(action, done)
    return redirect_detail(evaluation_id)
