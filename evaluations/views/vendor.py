"""The vendor's pages: its applications, evidence files, submission, withdrawal and answers
to the authority."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, g, render_template, request
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from evaluations.agreement.services import refusal
from evaluations.forms import ApplyForm, NoteForm, RespondForm
from evaluations.models import EvaluationStatus
from evaluations.records.downloads import log_download
from evaluations.services.application import (
    apply_for_evaluation,
    attach_evidence_files,
    remove_evidence,
    respond_to_return,
    submit_application,
    update_application,
    withdraw_application,
)
from evaluations.services.visibility import (
    get_evaluation,
    get_evidence,
    own_published_solutions,
    published_versions,
    visible_statement,
)
from evaluations.views.blueprint import ANY_PARTY, bp
from evaluations.views.evaluation_page import (
    confirmed_action,
    evidence_form,
    form_action,
    redirect_detail,
)
from registry import uploads
from registry.access import roles_required
from registry.database import db
from registry.exceptions import NotVisible, RuleViolation
from registry.models import Role
from registry.views.actions import show_violation


@bp.get("/")
@roles_required(Role.VENDOR)
def index() -> str:
    """The vendor's evaluations, in every state."""
    status = request.args.get("status", "")
    page = db.paginate(
        visible_statement(g.user, status),
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
    own = own_published_solutions(g.user)
    form.solution_id.choices = [SelectChoice(s.id, s.name) for s in own]
    form.product_version_id.choices = [
        SelectChoice(v.id, f"{s.name} — version {v.version} (released {v.released_on})")
        for s in own
        for v in s.versions
    ]
    form.version_id.choices = [
        SelectChoice(v.id, f"{v.label} — {v.norm.title}") for v in published_versions()
    ]
    if form.validate_on_submit():
        try:
            created = apply_for_evaluation(
                g.user,
                form.solution_id.data,
                form.version_id.data,
                product_version_id=form.product_version_id.data,
            )
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash("Your application is saved as a draft. Attach evidence, then submit.", "success")
            return redirect_detail(created.id)
    return render_template(
        "evaluations/apply.html", form=form, agreement_refusal=refusal(g.user.organisation_id)
    )


@bp.post("/<int:evaluation_id>/note")
@roles_required(Role.VENDOR)
def note(evaluation_id: int) -> Any:
    """Save the vendor's note to the evaluators."""
    form = NoteForm()
    return form_action(
        evaluation_id,
        form,
        "note_form",
        lambda e: update_application(g.user, e, form.vendor_note.data or ""),
        "Note saved.",
        (Role.VENDOR,),
    )


@bp.post("/<int:evaluation_id>/evidence")
@roles_required(Role.VENDOR)
def upload(evaluation_id: int) -> Any:
    """Attach evidence files, all or none (checked by content, stored under generated names)."""
    evaluation = get_evaluation(g.user, evaluation_id)
    form = evidence_form(evaluation)
    chosen = [item for item in form.file.data or [] if getattr(item, "filename", "")]

    def attach(found: Any) -> None:
        criterion = int(form.criterion_id.data) if form.criterion_id.data else None
        attach_evidence_files(
            g.user,
            found,
            [(item.filename, item.stream) for item in chosen],
            criterion,
            form.description.data or "",
        )

    done = "The file is attached." if len(chosen) == 1 else f"{len(chosen)} files are attached."
    return form_action(evaluation_id, form, "evidence_form", attach, done, (Role.VENDOR,))


@bp.get("/<int:evaluation_id>/evidence/<int:evidence_id>")
@roles_required(*ANY_PARTY)
def download(evaluation_id: int, evidence_id: int) -> Response:
    """A file, as an attachment, to its vendor, the authority and declared evaluators only."""
    evaluation = get_evaluation(g.user, evaluation_id)
    item = get_evidence(g.user, evaluation, evidence_id)
    if uploads.is_purged(item.stored_name):
        raise NotVisible()
    response = uploads.send_stored(item)
    log_download(g.user, evaluation, item, "evidence")
    db.session.commit()
    return response


@bp.post("/<int:evaluation_id>/evidence/<int:evidence_id>/remove")
@roles_required(Role.VENDOR)
def remove(evaluation_id: int, evidence_id: int) -> Response:
    """Remove an evidence file while the application is editable."""
    evaluation = get_evaluation(g.user, evaluation_id)
    item = get_evidence(g.user, evaluation, evidence_id)
    return confirmed_action(
        evaluation_id, lambda: remove_evidence(g.user, evaluation, item), "File removed."
    )


@bp.post("/<int:evaluation_id>/submit")
@roles_required(Role.VENDOR)
def submit(evaluation_id: int) -> Response:
    """Submit the application to the authority."""
    evaluation = get_evaluation(g.user, evaluation_id)
    return confirmed_action(
        evaluation_id,
        lambda: submit_application(g.user, evaluation),
        "Your application is submitted.",
    )


@bp.post("/<int:evaluation_id>/withdraw")
@roles_required(Role.VENDOR)
def withdraw(evaluation_id: int) -> Response:
    """Withdraw the application."""
    evaluation = get_evaluation(g.user, evaluation_id)
    return confirmed_action(
        evaluation_id,
        lambda: withdraw_application(g.user, evaluation),
        "Your application is withdrawn.",
    )


@bp.post("/<int:evaluation_id>/respond")
@roles_required(Role.VENDOR)
def respond(evaluation_id: int) -> Any:
    """Answer the authority's request for information and resubmit."""
    form = RespondForm()
    return form_action(
        evaluation_id,
        form,
        "respond_form",
        lambda e: respond_to_return(g.user, e, form.response_text.data or ""),
        "Your answer is sent; the application is back in review.",
        (Role.VENDOR,),
    )
