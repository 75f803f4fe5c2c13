"""The label status forms beyond the plain ones: suspension with an end date and corrective
actions, reinstatement after a recorded verification, reduction, the vendor's responses (to a
suspension and to a revocation notice) and the vendor's termination of its certification.

Routes are added to the labels blueprint (`views.bp`), so their endpoints are `labels.*`.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, url_for
from wtforms import DateField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from evaluations.labels import revocation, status_changes, suspensions
from evaluations.labels.publishing import find_public_label, warm_label_pdf
from evaluations.labels.views import bp
from evaluations.models import Label, LabelRevocationProposal
from registry.access import roles_required
from registry.database import db
from registry.exceptions import RuleViolation
from registry.forms import InputForm
from registry.models import Role

TEXT_MAX = status_changes.MAX_REASON_LENGTH
PUBLIC_HINT = "Required. Published in the decision log and e-mailed to the vendor."


class SuspendForm(InputForm):
    """A suspension: public reason, end date, corrective actions."""

    reason = TextAreaField(
        "Public reason", validators=[InputRequired(), Length(max=TEXT_MAX)], description=PUBLIC_HINT
    )
    ends_on = DateField(
        "Suspended until",
        validators=[Optional()],
        description="At most the scheme's maximum; empty: the maximum. Unresolved on that "
        "day, the label is withdrawn.",
    )
    corrective_actions = TextAreaField(
        "Corrective actions required",
        validators=[Optional(), Length(max=TEXT_MAX)],
        description="What the vendor must do; empty: the reason.",
    )


class ReinstateForm(InputForm):
    """A reinstatement: what the officer verified, and why no response was needed if none."""

    reason = TextAreaField(
        "What you verified",
        validators=[InputRequired(), Length(max=TEXT_MAX)],
        description="Required. Recorded with the suspension and published as the reason.",
    )
    no_response_reason = TextAreaField(
        "Why no vendor response was needed",
        validators=[Optional(), Length(max=TEXT_MAX)],
        description="Only when the vendor has not responded to the corrective actions.",
    )


class RevocationForm(InputForm):
    """A revocation proposal, an emergency with its justification."""

    reason = TextAreaField(
        "Public reason", validators=[InputRequired(), Length(max=TEXT_MAX)], description=PUBLIC_HINT
    )
    emergency_reason = TextAreaField(
        "Emergency: why the vendor cannot be given notice first",
        validators=[Optional(), Length(max=TEXT_MAX)],
        description="Leave empty to send the vendor a notice and wait for its response or the "
        "response deadline.",
    )


class ReduceForm(InputForm):
    """A reduction: a lower level and/or versions out of the scope, with a public reason."""

    level = SelectField("Lower level", choices=[], validate_choice=False)
    versions = SelectMultipleField("Versions to remove from the scope", choices=[], coerce=int)
    reason = TextAreaField(
        "Public reason", validators=[InputRequired(), Length(max=TEXT_MAX)], description=PUBLIC_HINT
    )


class ResponseForm(InputForm):
    """The vendor's response (to a suspension or a revocation notice)."""

    response = TextAreaField("Your response", validators=[InputRequired(), Length(max=TEXT_MAX)])


class TerminateForm(InputForm):
    """The vendor ends its certification."""

    reason = TextAreaField(
        "Why you end the certification",
        validators=[InputRequired(), Length(max=TEXT_MAX)],
        description="Required. Published in the decision log.",
    )


def _label(number: str) -> Label:
    label = find_public_label(number)
    if label is None:
        abort(404)
    return label


def _done(number: str, message: str, label: Label | None = None, target: str = "manage") -> Any:
    db.session.commit()
    if label is not None:
        # The PDF prints the status: render the new one now, not on a visitor's request.
        warm_label_pdf(label)
    flash(message, "success")
    return redirect(url_for(f"labels.{target}", number=number))


def _refused(number: str, error: RuleViolation, target: str = "manage") -> Any:
    db.session.rollback()
    flash(error.message, "error")
    return redirect(url_for(f"labels.{target}", number=number))


@bp.app_template_global()
def label_status_records(label: Label) -> dict[str, Any]:
    """The label's suspension records and pending revocation, for its pages."""
    return {
        "suspensions": suspensions.suspensions_of(label),
        "open_suspension": status_changes.open_suspension(label),
        "revocation": revocation.pending_revocation(label),
        "max_days": status_changes.suspension_max_days(),
        "may_reduce": label.status in status_changes.LIVE_STATUSES,
    }


@bp.post("/labels/<number>/suspend")
@roles_required(Role.AUTHORITY)
def suspend(number: str) -> Any:
    """Suspend a valid label until an end date, with the corrective actions required."""
    label = _label(number)
    form = SuspendForm()
    if not form.validate_on_submit():
        flash("Give a reason and a valid end date.", "error")
        return redirect(url_for("labels.manage", number=number))
    try:
        status_changes.suspend_label(
            g.user,
            label,
            form.reason.data or "",
            ends_on=form.ends_on.data,
            corrective_actions=(form.corrective_actions.data or "").strip() or None,
        )
    except RuleViolation as error:
        return _refused(number, error)
    return _done(number, f"Label {number} is suspended. The vendor was notified.", label)


@bp.post("/labels/<number>/reinstate")
@roles_required(Role.AUTHORITY)
def reinstate(number: str) -> Any:
    """Reinstate a suspended label after a recorded verification."""
    label = _label(number)
    form = ReinstateForm()
    if not form.validate_on_submit():
        flash("Say what you verified; it is published in the decision log.", "error")
        return redirect(url_for("labels.manage", number=number))
    try:
        status_changes.reinstate_label(
            g.user, label, form.reason.data or "", form.no_response_reason.data or ""
        )
    except RuleViolation as error:
        return _refused(number, error)
    return _done(number, f"Label {number} is valid again. The vendor was notified.", label)


@bp.post("/labels/<number>/revocation")
@roles_required(Role.AUTHORITY)
def propose_revocation(number: str) -> Any:
    """Propose to revoke a label: the vendor gets a notice unless it is an emergency."""
    label = _label(number)
    form = RevocationForm()
    if not form.validate_on_submit():
        flash("Give a reason; it is published in the decision log.", "error")
        return redirect(url_for("labels.manage", number=number))
    try:
        proposal = revocation.propose_revocation(
            g.user, label, form.reason.data or "", form.emergency_reason.data or ""
        )
    except RuleViolation as error:
        return _refused(number, error)
    told = (
        "No notice was sent (emergency)."
        if proposal.emergency_reason
        else f"The vendor was sent a notice and may respond until {proposal.response_due_on}."
    )
    return _done(
        number, f"Revocation of label {number} proposed. It waits for a second officer. {told}"
    )


def _reduce_form(label: Label) -> ReduceForm:
    form = ReduceForm()
    form.level.choices = [("", "Keep the level")] + [
        (level.name, f"{level.name} (from {level.minimum_percent} %)")
        for level in suspensions.lower_levels(label)
    ]
    form.versions.choices = [(entry.version_id, entry.version.version) for entry in label.scope]
    return form


@bp.route("/labels/<number>/reduce", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY)
def reduce(number: str) -> Any:
    """Lower a label's level or narrow its scope instead of suspending it."""
    label = _label(number)
    form = _reduce_form(label)
    if form.validate_on_submit():
        try:
            suspensions.reduce_label(
                g.user,
                label,
                form.reason.data or "",
                level=form.level.data or None,
                remove_version_ids=form.versions.data or [],
            )
        except RuleViolation as error:
            db.session.rollback()
            form.reason.errors = [error.message]
        else:
            return _done(number, f"Label {number} is reduced. The vendor was notified.", label)
    return render_template("evaluations/labels/reduce.html", label=label, form=form)


@bp.post("/labels/<number>/suspension/response")
@roles_required(Role.VENDOR)
def respond_to_suspension(number: str) -> Any:
    """The vendor responds to the corrective actions of its label's suspension."""
    label = _label(number)
    form = ResponseForm()
    if not form.validate_on_submit():
        flash("Write your response.", "error")
        return redirect(url_for("labels.label_page", number=number))
    try:
        suspensions.respond_to_suspension(g.user, label, form.response.data or "")
    except RuleViolation as error:
        return _refused(number, error, "label_page")
    return _done(
        number, "Your response is recorded; the authority verifies it.", target="label_page"
    )


@bp.post("/labels/<number>/revocation/<int:proposal_id>/response")
@roles_required(Role.VENDOR)
def respond_to_revocation(number: str, proposal_id: int) -> Any:
    """The vendor responds to the notice of a proposed revocation."""
    label = _label(number)
    proposal = db.session.get(LabelRevocationProposal, proposal_id)
    if (
        proposal is None
        or proposal.label_id != label.id
        or g.user.organisation_id != label.vendor_id
    ):
        abort(404)
    form = ResponseForm()
    if not form.validate_on_submit():
        flash("Write your response.", "error")
        return redirect(url_for("labels.label_page", number=number))
    try:
        revocation.respond_to_revocation(g.user, proposal, form.response.data or "")
    except RuleViolation as error:
        return _refused(number, error, "label_page")
    return _done(number, "Your response is recorded; the officers read it.", target="label_page")


@bp.route("/labels/<number>/terminate", methods=["GET", "POST"])
@roles_required(Role.VENDOR)
def terminate(number: str) -> Any:
    """The vendor's administrator ends the label's certification (a confirmation page)."""
    label = _label(number)
    if g.user.organisation_id != label.vendor_id:
        abort(404)
    if not g.user.is_org_admin:
        abort(403)
    form = TerminateForm()
    if label.status in status_changes.LIVE_STATUSES and form.validate_on_submit():
        try:
            suspensions.terminate_label(g.user, label, form.reason.data or "")
        except RuleViolation as error:
            db.session.rollback()
            form.reason.errors = [error.message]
        else:
            return _done(
                number, f"The certification of label {number} has ended.", label, "label_page"
            )
    return render_template(
        "evaluations/labels/terminate.html",
        label=label,
        form=form,
        live=label.status in status_changes.LIVE_STATUSES,
    )
