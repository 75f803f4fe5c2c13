"""The authority's eligibility page of an opened offer: what was recorded at the deadline, what
holds now, the vendor's self-declaration, the decisions taken, and the form to take one; the
evidence asked of the provisional winner (the authority's page, the vendor's upload page)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for

from procurement.calls.access import declarations, evidence, frozen
from procurement.calls.access.forms import (
    EligibilityDecisionForm,
    EvidenceDecisionForm,
    EvidenceRequestForm,
    EvidenceUploadForm,
)
from procurement.calls.access.models import WinnerEvidence, WinnerEvidenceDocument
from procurement.calls.models import JointCall
from procurement.calls.services import awarding, reading
from registry import uploads
from registry.access import roles_required
from registry.arguments import MAX_ID
from registry.database import db
from registry.dates import local_zone
from registry.exceptions import NotVisible, RuleViolation
from registry.models import Role
from registry.views.actions import show_violation

bp = Blueprint("calls_access", __name__, url_prefix="/procurement")


@bp.app_context_processor
def _frozen_eligibility() -> dict[str, Any]:
    """Lets the call page show each offer's eligibility recorded at the deadline."""
    return {"frozen_eligibility": frozen.records, "winner_evidence_of": evidence.request_of}


@bp.route("/calls/<int:call_id>/offers/<int:offer_id>/eligibility", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY)
def eligibility(call_id: int, offer_id: int) -> Any:
    """An opened offer's eligibility at the deadline, and the authority's decision on it."""
    found = reading.get_call(g.user, call_id)
    if found.offers_opened_at is None:
        abort(404)  # sealed: nothing to decide on before the opening officers open the offers
    offer = reading.get_offer(g.user, found, offer_id)
    form = EligibilityDecisionForm()
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate():
            try:
                frozen.record_decision(
                    g.user, offer, form.decision.data == "eligible", form.reason.data or ""
                )
            except RuleViolation as error:
                show_violation(form, error)
            else:
                db.session.commit()
                flash(
                    f"The decision on {offer.reference} is recorded and the vendor is told.",
                    "success",
                )
                return redirect(url_for("calls.call", call_id=call_id))
    record = frozen.records(found).get(offer.id)
    context = {
        "call": found,
        "lot": found.lot,
        "offer": offer,
        "record": record,
        "now": frozen.checks_now(found, [offer])[offer.id],
        "decisions": frozen.decisions([offer.id])[offer.id],
        "form": form,
        "declaration": declarations.declaration_of(offer),
        "concerned_grounds": declarations.concerned_grounds,
        "evidence": evidence.request_of(offer),
    }
    return render_template("procurement/calls/access/eligibility.html", **context), status


def _opened_call(call_id: int) -> JointCall:
    """The call, once its offers are opened (before, nothing to ask: 404)."""
    found = reading.get_call(g.user, call_id)
    if found.offers_opened_at is None:
        abort(404)
    return found


def _evidence_row(call: JointCall, evidence_id: int) -> WinnerEvidence:
    """The call's evidence request; its own vendor or the authority only."""
    row = db.session.get(WinnerEvidence, evidence_id) if 0 < evidence_id <= MAX_ID else None
    if row is None or row.call_id != call.id:
        raise NotVisible()
    if g.user.role is Role.VENDOR and row.offer.vendor_id != g.user.organisation_id:
        raise NotVisible()
    return row


def _evidence_page(
    call: JointCall,
    status: int = 200,
    ask_form: EvidenceRequestForm | None = None,
    decision_form: EvidenceDecisionForm | None = None,
    deciding: int | None = None,
) -> tuple[str, int]:
    context = {
        "call": call,
        "winner": awarding.provisional_winner(call) if call.phase == "awaiting_award" else None,
        "requests": evidence.requests_of(call),
        "status_text": evidence.STATUS_TEXT,
        "ask_form": ask_form or EvidenceRequestForm(formdata=None),
        "decision_form": decision_form or EvidenceDecisionForm(formdata=None),
        "deciding": deciding,
    }
    return render_template("procurement/calls/access/evidence.html", **context), status


@bp.route("/calls/<int:call_id>/evidence", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY)
def winner_evidence(call_id: int) -> Any:
    """The evidence asked of the provisional winner, and the form to ask it."""
    found = _opened_call(call_id)
    if request.method == "GET":
        return _evidence_page(found)
    form = EvidenceRequestForm()
    due_on = form.due_on.data
    if form.validate() and due_on is not None:
        due_at = dt.datetime.combine(due_on, dt.time(23, 59), tzinfo=local_zone()).astimezone(
            dt.UTC
        )
        try:
            row = awarding.ask_winner_evidence(g.user, found, form.asked_for.data or "", due_at)
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash(f"Evidence is asked of {row.offer.reference}; the vendor is told.", "success")
            return redirect(url_for("calls_access.winner_evidence", call_id=call_id))
    return _evidence_page(found, 400, ask_form=form)


@bp.post("/calls/<int:call_id>/evidence/<int:evidence_id>/decision")
@roles_required(Role.AUTHORITY)
def evidence_decision(call_id: int, evidence_id: int) -> Any:
    """Accept or reject the provisional winner's evidence."""
    found = _opened_call(call_id)
    row = _evidence_row(found, evidence_id)
    form = EvidenceDecisionForm()
    if form.validate():
        try:
            evidence.decide(g.user, row, form.decision.data == "accept", form.reason.data or "")
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash(
                f"The evidence of {row.offer.reference} is {row.status}; the vendor is told.",
                "success",
            )
            return redirect(url_for("calls_access.winner_evidence", call_id=call_id))
    return _evidence_page(found, 400, decision_form=form, deciding=row.id)


@bp.route("/calls/<int:call_id>/evidence/<int:evidence_id>/upload", methods=["GET", "POST"])
@roles_required(Role.VENDOR)
def evidence_upload(call_id: int, evidence_id: int) -> Any:
    """The provisional winner's vendor uploads its supporting documents."""
    found = _opened_call(call_id)
    row = _evidence_row(found, evidence_id)
    form = EvidenceUploadForm()
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate():
            try:
                upload = form.file.data
                checked = uploads.check_upload(upload.filename, upload.stream)
                document = evidence.upload(g.user, row, checked)
            except RuleViolation as error:
                show_violation(form, error)
            else:
                db.session.commit()
                flash(
                    f"{document.original_name} is uploaded; the authority decides on the evidence.",
                    "success",
                )
                return redirect(
                    url_for("calls_access.evidence_upload", call_id=call_id, evidence_id=row.id)
                )
    context = {
        "call": found,
        "row": row,
        "status_text": evidence.STATUS_TEXT,
        "form": form,
    }
    return render_template("procurement/calls/access/evidence_upload.html", **context), status


@bp.get("/calls/<int:call_id>/evidence/<int:evidence_id>/documents/<int:document_id>")
@roles_required(Role.AUTHORITY, Role.VENDOR)
def evidence_document(call_id: int, evidence_id: int, document_id: int) -> Response:
    """A supporting document, to the authority and to the vendor that uploaded it."""
    found = _opened_call(call_id)
    row = _evidence_row(found, evidence_id)
    document = (
        db.session.get(WinnerEvidenceDocument, document_id) if 0 < document_id <= MAX_ID else None
    )
    if document is None or document.evidence_id != row.id:
        raise NotVisible()
    return uploads.send_stored(document)
