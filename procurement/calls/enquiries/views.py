"""Routes of a call's questions, answers and corrigenda (shown on the call's page)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, flash, g, redirect, url_for
from werkzeug.wrappers import Response

from procurement.calls import limits
from procurement.calls.enquiries import services
from procurement.calls.enquiries.forms import AnswerForm, CorrigendumForm, QuestionForm
from procurement.calls.models import JointCall
from procurement.calls.services import reading
from registry.access import roles_required
from registry.database import db
from registry.dates import when
from registry.exceptions import RuleViolation
from registry.models import Role

bp = Blueprint("call_enquiries", __name__, url_prefix="/procurement/calls/<int:call_id>")


def _page_context(call: JointCall) -> dict[str, Any]:
    """What the call pages' enquiry sections show: dates, answers, corrigenda, forms by role."""
    user = g.get("user")
    role = user.role if user is not None else None
    context: dict[str, Any] = {
        "closes_at": services.enquiries_close_at(call),
        "open": services.enquiries_open(call),
        "answered": services.answered_questions(call),
        "corrigenda": services.corrigenda_of(call),
        "close_days": services.enquiry_close_days(),
    }
    if role is Role.AUTHORITY:
        context["questions"] = services.questions_of(call)
        context["answer_forms"] = {
            question.id: _answer_form(question.id)
            for question in context["questions"]
            if question.answered_at is None
        }
        context["corrigendum_form"] = CorrigendumForm()
        context["earliest"] = services.earliest_corrigendum_deadline(call)
    elif role is Role.VENDOR:
        context["own"] = services.own_questions(user, call)
        context["question_form"] = QuestionForm()
    return context


def _answer_form(question_id: int) -> AnswerForm:
    """An answer form whose field has an id of its own on a page of several."""
    form = AnswerForm()
    form.answer.id = f"answer-{question_id}"
    # The label was bound to the old id: point it at the field, or the box has no name.
    form.answer.label.field_id = form.answer.id
    return form


def init_app(app: Flask) -> None:
    """Register the routes and the call pages' `call_enquiries(call)` helper."""
    app.register_blueprint(bp)
    app.jinja_env.globals["call_enquiries"] = _page_context


def _back(call_id: int) -> Response:
    return redirect(url_for("calls.call", call_id=call_id) + "#questions")


def _refused(form: Any, error: RuleViolation | None = None) -> None:
    db.session.rollback()
    if error is not None:
        flash(error.message, "error")
    for messages in form.errors.values():
        for message in messages:
            flash(str(message), "error")


@bp.post("/questions")
@roles_required(Role.VENDOR)
def ask(call_id: int) -> Response:
    """A vendor asks a question during the enquiry period."""
    found = reading.get_call(g.user, call_id)
    form = QuestionForm()
    if not form.validate_on_submit():
        _refused(form)
        return _back(call_id)
    try:
        question = services.ask_question(g.user, found, form.question.data or "")
    except RuleViolation as error:
        _refused(form, error)
    else:
        db.session.commit()
        flash(
            f"Your question {question.reference} is sent; its answer will be published "
            "to every vendor without your name.",
            "success",
        )
    return _back(call_id)


@bp.post("/questions/<int:question_id>/answer")
@roles_required(Role.AUTHORITY)
def answer(call_id: int, question_id: int) -> Response:
    """The authority publishes its answer to a question."""
    found = reading.get_call(g.user, call_id)
    question = services.get_question(found, question_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        _refused(form)
        return _back(call_id)
    before = found.deadline
    try:
        services.answer_question(g.user, question, form.answer.data or "")
    except RuleViolation as error:
        _refused(form, error)
    else:
        db.session.commit()
        message = f"The answer to {question.reference} is published."
        if found.deadline != before:
            message += f" Offers now close on {when(found.deadline)}."
        flash(message, "success")
    return _back(call_id)


@bp.post("/corrigenda")
@roles_required(Role.AUTHORITY)
def publish_corrigendum(call_id: int) -> Response:
    """The authority publishes a corrigendum, which extends the deadline."""
    found = reading.get_call(g.user, call_id)
    form = CorrigendumForm()
    if not form.validate_on_submit():
        _refused(form)
        return _back(call_id)
    day = form.deadline.data
    try:
        corrigendum = services.publish_corrigendum(
            g.user,
            found,
            form.description.data or "",
            limits.deadline_on(day) if day is not None else None,
        )
    except RuleViolation as error:
        _refused(form, error)
    else:
        db.session.commit()
        flash(
            f"{corrigendum.reference} is published; offers now close on "
            f"{when(corrigendum.new_deadline)}.",
            "success",
        )
    return _back(call_id)
