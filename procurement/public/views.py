"""Joint procurement in the open: public call notices and results, OCDS downloads, and the
authority's dashboard of the scale figures.

Offers are sealed: before a call's deadline nothing here says who offered or at what price.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template, request, url_for
from sqlalchemy import and_, select
from werkzeug.wrappers import Response

from catalog.regions import REGIONS
from procurement.calls.models import CallDocument, CallStatus, JointCall
from procurement.calls.savings import award_savings
from procurement.calls.services.eligibility import vulnerability_rule_text
from procurement.ocds.formats import prefix
from procurement.ocds.packages import DEFAULT_LICENSE, PAGE_SIZE, bulk_page, package, releases_for
from procurement.ocds.tender import document_url
from procurement.public import charts, dashboard
from procurement.services.needs import level_name
from registry import uploads
from registry.access import roles_required
from registry.api import api_error, json_response, page_number
from registry.database import db, utcnow
from registry.models import Role

bp = Blueprint("procurement_public", __name__, url_prefix="/procurement")
dashboard_bp = Blueprint("procurement_dashboard", __name__, url_prefix="/procurement")

PHASES = {
    "taking_offers": "Open for offers",
    "awaiting_award": "Awaiting award",
    "awarded": "Awarded",
    "unsuccessful": "Unsuccessful",
    "cancelled": "Cancelled",
}
PER_PAGE = 20


def phase_label(call: JointCall) -> str:
    """A human name for where a call stands."""
    return PHASES[call.phase]


def _phase_filter(phase: str) -> Any:
    now = utcnow()
    if phase == "taking_offers":
        return and_(JointCall.status == CallStatus.OPEN, JointCall.deadline > now)
    if phase == "awaiting_award":
        return and_(JointCall.status == CallStatus.OPEN, JointCall.deadline <= now)
    return JointCall.status == CallStatus(phase)


@bp.get("/public")
def index() -> str:
    """Every joint call, newest first, optionally of one phase."""
    phase = request.args.get("phase", "")
    statement = select(JointCall).order_by(JointCall.opened_at.desc(), JointCall.id.desc())
    if phase in PHASES:
        statement = statement.where(_phase_filter(phase))
    else:
        phase = ""
    page = db.paginate(statement, per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False)
    return render_template(
        "procurement/public/index.html",
        page=page,
        phase=phase,
        phases=PHASES,
        phase_label=phase_label,
        region_names=REGIONS,
        level_name=level_name,
    )


@bp.get("/public/calls/<int:call_id>")
def call(call_id: int) -> str:
    """The notice of a joint call and, once known, its offers count and its outcome."""
    found = db.session.get(JointCall, call_id)
    if found is None:
        abort(404)
    members = found.lot.active_members
    buyers = sorted({member.buyer.name for member in members})
    after_deadline = found.deadline_passed()
    award = found.award if found.status is CallStatus.AWARDED else None
    # The buyers that left the award, by name and the price they left at; never the ceiling,
    # which stays the buyer's own (tests/test_confidentiality.py).
    dropouts = (
        [(dropout.buyer.name, dropout.price_at_dropout) for dropout in award.dropouts]
        if award
        else []
    )
    documents = [(d, document_url(found.id, d.id)) for d in found.documents]
    return render_template(
        "procurement/public/call.html",
        call=found,
        lot=found.lot,
        members=members,
        buyers=buyers,
        documents=documents,
        after_deadline=after_deadline,
        offers_received=len(found.offers) if found.offers_opened_at else None,
        award=award,
        savings=award_savings(award) if award else None,
        dropouts=dropouts,
        phase_label=phase_label(found),
        region_names=REGIONS,
        level_name=level_name,
        vulnerability_rule_text=vulnerability_rule_text,
    )


@bp.get("/public/calls/<int:call_id>/documents/<int:document_id>")
def document(call_id: int, document_id: int) -> Response:
    """A tender document of a call, to anyone: tender documents are public."""
    found = db.session.get(CallDocument, document_id)
    if found is None or found.call_id != call_id:
        abort(404)
    try:
        return uploads.send_stored(found)
    except (OSError, ValueError):
        abort(404)


@bp.get("/public/open-data")
def open_data() -> str:
    """What is published as open contracting data, when, and under which licence."""
    return render_template(
        "procurement/public/open_data.html",
        license=DEFAULT_LICENSE,
        page_size=PAGE_SIZE,
        prefix=prefix(),
    )


@bp.get("/ocds.json")
def ocds_bulk() -> Response:
    """Every release, 500 a page, in an OCDS release package (links.next to the next page)."""
    page = page_number(limit=100_000)
    per_page = int(current_app.config.get("OCDS_PAGE_SIZE", PAGE_SIZE))
    releases, more = bulk_page(page, per_page)
    if not releases:
        # A package holds one release at least (OCDS 1.1): before anything is published,
        # there is no package to give.
        if page == 1:
            return api_error(
                404,
                "Nothing is published yet: the package starts with the first open need "
                "or joint call.",
            )
        return api_error(404, "No such page.")
    body = package(releases, url_for("procurement_public.ocds_bulk", page=page, _external=True))
    links = {}
    if more:
        links["next"] = url_for("procurement_public.ocds_bulk", page=page + 1, _external=True)
    if page > 1:
        links["prev"] = url_for("procurement_public.ocds_bulk", page=page - 1, _external=True)
    if links:
        body["links"] = links
    return json_response(body, max_age=300)


@bp.get("/ocds/<ocid>.json")
def ocds_release_package(ocid: str) -> Response:
    """The releases of one contracting (or planning) process."""
    releases = releases_for(ocid)
    if releases is None:
        return api_error(404, "No public contracting process has this ocid.")
    body = package(
        releases, url_for("procurement_public.ocds_release_package", ocid=ocid, _external=True)
    )
    return json_response(body, max_age=300)


@dashboard_bp.get("/dashboard")
@roles_required(Role.AUTHORITY)
def dashboard_page() -> str:
    """The scale figures per lot and overall, with charts and their data tables."""
    lots, demand = dashboard.load_inputs()
    figures = [dashboard.lot_figures(lot) for lot in lots]
    summary = dashboard.overview(lots, demand)
    buyers_chart = (
        charts.bar_chart(
            "Buyers per lot",
            "Number of buyers pooled in each lot; the same figures are in the table below.",
            [
                charts.Row(f"{f.reference} {f.title}", (charts.Bar(f.buyers, str(f.buyers)),))
                for f in figures
            ],
        )
        if figures
        else None
    )
    awarded = [f for f in figures if f.savings is not None]
    compared = [f for f in awarded if f.savings is not None and f.savings.claimed]
    savings_chart = (
        charts.bar_chart(
            "Observed saving per awarded lot with two offers or more",
            "For each awarded lot where at least two offers competed, the saving against the "
            "published estimate and against each buyer buying its own quantity alone from the "
            "same bidders. Single-offer awards claim no saving and are not drawn.",
            [
                charts.Row(
                    f"{f.reference} {f.title}",
                    (
                        charts.Bar(
                            float(f.saving_vs_estimate or 0) * 100, _percent(f.saving_vs_estimate)
                        ),
                        charts.Bar(
                            float(f.saving_vs_standalone or 0) * 100,
                            _percent(f.saving_vs_standalone),
                        ),
                    ),
                )
                for f in compared
            ],
            series=("Against the estimate", "Against each buyer alone"),
        )
        if compared
        else None
    )
    return render_template(
        "procurement/dashboard.html",
        figures=figures,
        summary=summary,
        buyers_chart=buyers_chart,
        savings_chart=savings_chart,
        awarded=awarded,
        compared=compared,
        percent=_percent,
    )


def _percent(fraction: Any) -> str:
    if fraction is None:
        return "—"
    return f"{float(fraction) * 100:.1f} %"
