"""Joint calls: the authority opens, documents, awards or ends them; vendors offer; buyers
follow their calls and contract lines."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from catalog.vulnerability_facts import open_vulnerabilities
from procurement.calls import limits, savings
from procurement.calls.documents.services import attach_document
from procurement.calls.forms import DocumentForm, OfferForm, OpenCallForm, ReasonForm
from procurement.calls.legal import regime
from procurement.calls.legal.models import LegalBasis
from procurement.calls.models import CallStatus, JointCall
from procurement.calls.scoring.services import parse_own_criteria
from procurement.calls.sealing.services import default_threshold, officers_with_keys
from procurement.calls.services import awarding, eligibility, lifecycle, offers, reading
from procurement.models import LotStatus
from procurement.services import needs, rounds
from registry import uploads
from registry.access import roles_required
from registry.database import db
from registry.exceptions import RuleViolation
from registry.forms import ConfirmForm
from registry.models import Role
from registry.views.actions import run_confirmed, show_violation

bp = Blueprint("calls", __name__, url_prefix="/procurement")
READERS = (Role.AUTHORITY, Role.VENDOR, Role.BUYER)
PHASES = (
    ("taking_offers", "Taking offers"),
    ("awaiting_award", "Awaiting award"),
    ("awarded", "Awarded"),
    ("unsuccessful", "Unsuccessful"),
    ("cancelled", "Cancelled"),
)
PHASE_LABELS = dict(PHASES)


def _helpers() -> dict[str, Any]:
    return {
        "level_name": needs.level_name,
        "confirm": ConfirmForm(),
        "phase_labels": PHASE_LABELS,
        "requirement_text": eligibility.requirement_text,
        "call_requirement_text": eligibility.call_requirement_text,
        "vulnerability_rule_text": eligibility.vulnerability_rule_text,
    }


@bp.app_context_processor
def _lot_call() -> dict[str, Any]:
    """Lets the lot page link to the call opened from it."""
    return {"call_of_lot": reading.call_of_lot}


@bp.get("/calls")
@roles_required(*READERS)
def index() -> str:
    """Calls by phase: all of them for the authority and vendors, a buyer's own for buyers."""
    phase = request.args.get("phase", "")
    phase = phase if phase in PHASE_LABELS else ""
    page = db.paginate(
        reading.calls_for(g.user, phase), per_page=current_app.config["PER_PAGE"], error_out=False
    )
    reasons = (
        eligibility.vendor_eligibility(g.user.organisation_id, list(page.items))
        if g.user.role is Role.VENDOR
        else {}
    )
    outcomes = (
        reading.buyer_outcomes(g.user, [item.id for item in page.items])
        if g.user.role is Role.BUYER
        else {}
    )
    return render_template(
        "procurement/calls/index.html",
        page=page,
        outcomes=outcomes,
        phase=phase,
        phases=PHASES,
        reasons=reasons,
        **_helpers(),
    )


def _call_page(call: JointCall, status: int = 200, **forms: Any) -> tuple[str, int]:
    user = g.user
    context: dict[str, Any] = {"call": call, "lot": call.lot, "offer_count": None}
    context["offer_count"] = reading.offer_count(call)
    context["savings"] = savings.award_savings(call.award) if call.award else None
    if user.role is Role.AUTHORITY:
        context["offers"] = reading.unsealed_offers(user, call)
        context["compliance"] = awarding.compliance(call) if context["offers"] else {}
        context["vulnerabilities"] = open_vulnerabilities(
            {offer.solution_id for offer in context["offers"]}
        )
        context["document_form"] = forms.get("document_form") or DocumentForm()
        context["cancel_form"] = forms.get("cancel_form") or ReasonForm(prefix="cancel")
        context["unsuccessful_form"] = forms.get("unsuccessful_form") or ReasonForm(
            prefix="unsuccessful"
        )
    elif user.role is Role.VENDOR:
        context["reason"] = eligibility.ineligibility_reason(user.organisation_id, call.lot, call)
        context["own_offer"] = reading.own_offer(user, call)
    else:
        context["lines"], context["dropouts"] = reading.buyer_outcome(user, call)
    return render_template("procurement/calls/call.html", **context, **_helpers()), status


def _opened_call(call_id: int) -> JointCall:
    """The call (its offers are opened by its officers: procurement.calls.sealing)."""
    return reading.get_call(g.user, call_id)


@bp.get("/calls/<int:call_id>")
@roles_required(*READERS)
def call(call_id: int) -> tuple[str, int]:
    """A call: requirement, deadline, documents; offers (sealed), award and outcome by role."""
    return _call_page(_opened_call(call_id))


@bp.route("/lots/<int:lot_id>/call", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY)
def open_call(lot_id: int) -> Any:
    """Open a joint call from a frozen lot."""
    lot = rounds.get_lot(g.user, lot_id)
    if lot.status is not LotStatus.FROZEN:
        existing = reading.call_of_lot(lot.id)
        if existing is not None:
            return redirect(url_for("calls.call", call_id=existing.id))
    form = OpenCallForm()
    officers = officers_with_keys(g.user.organisation_id)
    form.opening_officers.choices = [
        (officer.id, officer.full_name or officer.email) for officer in officers
    ]
    if request.method == "GET" and not form.title.data:
        form.opening_officers.data = [officer.id for officer in officers]
        form.opening_threshold.data = default_threshold()
        form.title.data = f"{lot.category.name}: joint call for {lot.reference}"
        form.requires_version_in_scope.data = any(
            member.need.requires_version_in_scope for member in lot.active_members
        )
    if form.validate_on_submit():
        try:
            opened = lifecycle.open_call(
                g.user,
                lot,
                form.title.data or "",
                form.description.data or "",
                limits.deadline_on(form.deadline.data),
                form.contract_months.data or 0,
                requires_version_in_scope=bool(form.requires_version_in_scope.data),
                max_open_vulnerability_severity=form.max_open_vulnerability_severity.data or None,
                award_criteria={
                    "price": form.weight_price.data,
                    "lead_time": form.weight_lead_time.data,
                    "quality": form.weight_quality.data,
                },
                legal_basis=form.legal_basis.data or LegalBasis.CENTRAL_PURCHASING,
                opening_officers=list(form.opening_officers.data or []) or None,
                opening_threshold=form.opening_threshold.data,
                own_criteria=parse_own_criteria(form.own_criteria.data),
            )
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash(f"{opened.reference} is open; eligible vendors were notified.", "success")
            return redirect(url_for("calls.call", call_id=opened.id))
    lot_regime = regime.lot_regime(lot)
    return render_template(
        "procurement/calls/open.html",
        form=form,
        lot=lot,
        min_days=regime.regime_min_offer_days(lot_regime[2]),
        regime=lot_regime[2],
        **_helpers(),
    )


@bp.post("/calls/<int:call_id>/documents")
@roles_required(Role.AUTHORITY)
def add_document(call_id: int) -> Any:
    """Attach a tender document."""
    found = reading.get_call(g.user, call_id)
    form = DocumentForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            attach_document(
                g.user,
                found,
                form.title.data or "",
                form.kind.data,
                upload.filename,
                upload.stream,
            )
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash("The document is attached.", "success")
            return redirect(url_for("calls.call", call_id=call_id))
    return _call_page(reading.get_call(g.user, call_id), 400, document_form=form)


@bp.get("/calls/<int:call_id>/documents/<int:document_id>")
@roles_required(*READERS)
def document(call_id: int, document_id: int) -> Response:
    """A tender document, as an attachment, to anyone who may see the call."""
    found = reading.get_call(g.user, call_id)
    item = lifecycle.get_document(g.user, found, document_id)
    return uploads.send_stored(item)


def _reason_action(call_id: int, prefix: str, action: Any, done: str) -> Any:
    found = reading.get_call(g.user, call_id)
    form = ReasonForm(prefix=prefix)
    if form.validate_on_submit():
        try:
            action(g.user, found, form.reason.data or "")
        except RuleViolation as error:
            if error.field is None:
                db.session.rollback()
                flash(error.message, "error")
                return redirect(url_for("calls.call", call_id=call_id))
            show_violation(form, error)
        else:
            db.session.commit()
            flash(f"{found.reference} {done}.", "success")
            return redirect(url_for("calls.call", call_id=call_id))
    return _call_page(reading.get_call(g.user, call_id), 400, **{f"{prefix}_form": form})


@bp.post("/calls/<int:call_id>/cancel")
@roles_required(Role.AUTHORITY)
def cancel(call_id: int) -> Any:
    """Cancel a call before its deadline, with a reason."""
    return _reason_action(call_id, "cancel", lifecycle.cancel_call, "is cancelled")


@bp.post("/calls/<int:call_id>/unsuccessful")
@roles_required(Role.AUTHORITY)
def unsuccessful(call_id: int) -> Any:
    """End a call without award, after its deadline, with a reason."""
    return _reason_action(
        call_id, "unsuccessful", lifecycle.declare_unsuccessful, "is unsuccessful"
    )


@bp.post("/calls/<int:call_id>/award")
@roles_required(Role.AUTHORITY)
def award(call_id: int) -> Response:
    """Award the call to the best compliant offer (or find that none works)."""
    found = reading.get_call(g.user, call_id)
    if ConfirmForm().validate_on_submit():
        try:
            awarding.award_call(g.user, found)
        except RuleViolation as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            if found.status is CallStatus.AWARDED:
                flash(f"{found.reference} is awarded.", "success")
            else:
                flash(
                    f"{found.reference} is unsuccessful: {found.outcome_reason}",
                    "warning",
                )
    return redirect(url_for("calls.call", call_id=call_id))


# --- vendor: offers ------------------------------------------------------------------------


def _offer_form_page(
    call: JointCall, form: OfferForm | None, offer: Any = None, status: int = 200
) -> tuple[str, int]:
    return (
        render_template(
            "procurement/calls/offer_form.html",
            call=call,
            lot=call.lot,
            form=form,
            offer=offer,
            existing=reading.own_offer(g.user, call) if offer is None else None,
            reason=eligibility.ineligibility_reason(g.user.organisation_id, call.lot, call),
            rows=form.rows() if form is not None else [],
            **_helpers(),
        ),
        status,
    )


@bp.route("/calls/<int:call_id>/offer", methods=["GET", "POST"])
@roles_required(Role.VENDOR)
def new_offer(call_id: int) -> Any:
    """Make the organisation's one offer on a call."""
    found = reading.get_call(g.user, call_id)
    solutions = eligibility.eligible_solutions(g.user.organisation_id, found.lot, found)
    form = OfferForm(solutions, versions=eligibility.version_choices(solutions))
    if request.method == "POST":
        if not form.validate_on_submit():
            return _offer_form_page(found, form)
        try:
            made = offers.submit_offer(g.user, found, form.to_data())
        except RuleViolation as error:
            show_violation(form, error)
            return _offer_form_page(reading.get_call(g.user, call_id), form)
        db.session.commit()
        flash(
            f"Your offer {made.reference} is saved and sealed until the deadline. "
            "You can change it until then.",
            "success",
        )
        return redirect(url_for("calls.offer", call_id=call_id, offer_id=made.id))
    return _offer_form_page(found, form)


@bp.get("/calls/<int:call_id>/offers/<int:offer_id>")
@roles_required(Role.VENDOR, Role.AUTHORITY)
def offer(call_id: int, offer_id: int) -> str:
    """An offer: to its own vendor; to the authority once the deadline has passed."""
    found = _opened_call(call_id)
    item = reading.get_offer(g.user, found, offer_id)
    return render_template(
        "procurement/calls/offer.html", call=found, lot=found.lot, offer=item, **_helpers()
    )


@bp.route("/calls/<int:call_id>/offers/<int:offer_id>/edit", methods=["GET", "POST"])
@roles_required(Role.VENDOR)
def edit_offer(call_id: int, offer_id: int) -> Any:
    """Change one's offer until the deadline."""
    found = reading.get_call(g.user, call_id)
    item = reading.get_offer(g.user, found, offer_id)
    solutions = eligibility.eligible_solutions(g.user.organisation_id, found.lot, found)
    versions = eligibility.version_choices(solutions)
    if request.method == "GET":
        return _offer_form_page(found, OfferForm.for_offer(solutions, item, versions), item)
    form = OfferForm(solutions, versions=versions)
    if not form.validate_on_submit():
        return _offer_form_page(found, form, item)
    try:
        offers.update_offer(g.user, item, form.to_data())
    except RuleViolation as error:
        show_violation(form, error)
        found = reading.get_call(g.user, call_id)
        return _offer_form_page(found, form, reading.get_offer(g.user, found, offer_id))
    db.session.commit()
    flash("Your offer is changed; it stays sealed until the deadline.", "success")
    return redirect(url_for("calls.offer", call_id=call_id, offer_id=offer_id))


@bp.post("/calls/<int:call_id>/offers/<int:offer_id>/withdraw")
@roles_required(Role.VENDOR)
def withdraw_offer(call_id: int, offer_id: int) -> Response:
    """Withdraw one's offer before the deadline."""
    found = reading.get_call(g.user, call_id)
    item = reading.get_offer(g.user, found, offer_id)
    reference = item.reference
    if run_confirmed(lambda: offers.withdraw_offer(g.user, item), f"{reference} is withdrawn."):
        return redirect(url_for("calls.call", call_id=call_id))
    return redirect(url_for("calls.offer", call_id=call_id, offer_id=offer_id))
