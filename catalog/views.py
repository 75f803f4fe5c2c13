"""Public solution and vendor pages, the vendor's own solutions, and the authority's gap view."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from catalog import changes, gaps, services
from catalog.changes_views import diff_rows
from catalog.forms import SolutionForm
from catalog.label_facts import label_provider
from catalog.models import Solution, SolutionChangeRequest, SolutionStatus
from catalog.regions import REGIONS
from catalog.vulnerability_facts import open_vulnerabilities
from registry.access import roles_required
from registry.database import db
from registry.exceptions import RuleViolation
from registry.forms import ConfirmForm
from registry.models import Role
from registry.views.actions import run_confirmed, show_violation

bp = Blueprint("catalog", __name__)
manage_bp = Blueprint("solutions", __name__, url_prefix="/manage/solutions")


# --- public pages ------------------------------------------------------------------------


@bp.get("/solutions")
def solutions() -> Response:
    """The former list of published solutions: the catalog lists the same, so it leads there."""
    # The list showed every published solution, labelled or not, so the catalog opens with
    # the certified-only filter off; its filters and compare basket carry over.
    args: dict[str, Any] = {"certified": "0"}
    if category := request.args.get("category", ""):
        args["category"] = category
    if activity := request.args.get("activity", ""):
        args["activities"] = activity
    if basket := request.args.getlist("compare"):
        args["compare"] = basket
    return redirect(url_for("catalog_search.catalog", **args), code=301)


@bp.get("/solutions/<int:solution_id>")
def solution(solution_id: int) -> Any:
    """A published solution's public page; an archived one says it is no longer offered (410)."""
    found = services.get_listed_solution(solution_id)
    if found.status is SolutionStatus.ARCHIVED:
        return render_template("catalog/solution_archived.html", solution=found), 410
    return render_template(
        "catalog/solution.html",
        solution=found,
        can_edit=services.may_edit_solution(g.user, found),
        region_names=REGIONS,
        # Every label, whatever its status: a suspended or revoked label must show here too.
        labels=label_provider().labels_for([found.id]).get(found.id, []),
        vulnerabilities=open_vulnerabilities([found.id]).get(found.id, []),
    )


@bp.get("/vendors")
def vendors() -> str:
    """Active vendor organisations."""
    page = db.paginate(
        services.public_vendors(), per_page=current_app.config["PER_PAGE"], error_out=False
    )
    counts = services.published_solution_ids([vendor.id for vendor in page.items])
    return render_template("catalog/vendors.html", page=page, counts=counts)


@bp.get("/vendors/<int:organisation_id>")
def vendor(organisation_id: int) -> str:
    """An active vendor's public profile with its published solutions."""
    found = services.get_public_vendor(organisation_id)
    offered = db.session.scalars(services.public_solutions(vendor_id=found.id)).all()
    return render_template("catalog/vendor.html", vendor=found, solutions=offered)


# --- the vendor's own solutions (read-only for the authority) ----------------------------


def _status_argument() -> SolutionStatus | None:
    value = request.args.get("status", "")
    return SolutionStatus(value) if value in {s.value for s in SolutionStatus} else None


@manage_bp.get("/")
@roles_required(Role.VENDOR, Role.AUTHORITY)
def index() -> str:
    """A vendor's solutions in every state (the authority sees every vendor's), by status."""
    status = _status_argument()
    statement = services.managed_solutions(g.user, status)
    page = db.paginate(statement, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template(
        "catalog/manage_list.html",
        page=page,
        status=status.value if status else "",
        counts=services.status_counts(g.user),
        statuses=list(SolutionStatus),
    )


def _form_page(form: SolutionForm, solution: Solution | None) -> str:
    locked = solution is not None and changes.certified_fields_locked(solution)
    return render_template(
        "catalog/solution_form.html",
        form=form,
        solution=solution,
        locked=locked,
        certified_fields=changes.CERTIFIED_FIELDS,
        pending=changes.pending_request(solution.id) if locked and solution else None,
    )


@manage_bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.VENDOR)
def new() -> Any:
    """Start a solution as a draft; everything but the name can wait until publication."""
    form = SolutionForm()
    if form.validate_on_submit():
        try:
            created = services.create_solution(g.user, form.to_data())
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash(
                f"“{created.name}” is saved as a draft. Only your organisation sees it.", "success"
            )
            return redirect(url_for("solutions.detail", solution_id=created.id))
    return _form_page(form, None)


@manage_bp.get("/<int:solution_id>")
@roles_required(Role.VENDOR, Role.AUTHORITY)
def detail(solution_id: int) -> str:
    """The solution as its vendor manages it: state, what publication still needs, actions."""
    found = services.get_solution_for_management(g.user, solution_id)
    pending = changes.pending_request(found.id)
    return render_template(
        "catalog/manage_solution.html",
        solution=found,
        problems=services.publication_problems(found),
        can_edit=services.may_edit_solution(g.user, found),
        confirm=ConfirmForm(),
        region_names=REGIONS,
        pending=pending,
        pending_rows=diff_rows(pending) if pending else [],
        past_requests=changes.past_requests(found.id),
        change_fields=changes.changed_titles,
    )


@manage_bp.route("/<int:solution_id>/edit", methods=["GET", "POST"])
@roles_required(Role.VENDOR)
def edit(solution_id: int) -> Any:
    """Edit one's own solution (another vendor's answers 404)."""
    found = services.get_solution_for_management(g.user, solution_id)
    form = SolutionForm() if request.method == "POST" else SolutionForm.for_solution(found)
    if form.validate_on_submit():
        waiting = changes.pending_request(found.id)
        try:
            services.update_solution(g.user, found, form.to_data())
        except RuleViolation as error:
            show_violation(form, error)
        else:
            filed = changes.pending_request(found.id) if waiting is None else None
            db.session.commit()
            flash(_saved_message(filed), "success")
            return redirect(url_for("solutions.detail", solution_id=found.id))
    return _form_page(form, found)


def _saved_message(filed: SolutionChangeRequest | None) -> str:
    if filed is None:
        return "Changes saved."
    return (
        f"Other changes are saved. The change of {changes.changed_titles(filed)} went to the "
        "authority as a change request: the certified facts stay as they are until it is approved."
    )


def _transition(solution_id: int, action: Any, done: str) -> Response:
    found = services.get_solution_for_management(g.user, solution_id)
    run_confirmed(lambda: action(g.user, found), f"“{found.name}” {done}.")
    return redirect(url_for("solutions.detail", solution_id=solution_id))


@manage_bp.post("/<int:solution_id>/publish")
@roles_required(Role.VENDOR)
def publish(solution_id: int) -> Response:
    """Publish a complete draft, or offer an archived solution again."""
    return _transition(solution_id, services.publish_solution, "is published in the catalog")


@manage_bp.post("/<int:solution_id>/archive")
@roles_required(Role.VENDOR)
def archive(solution_id: int) -> Response:
    """Withdraw a published solution from the catalog."""
    return _transition(solution_id, services.archive_solution, "is archived")


# --- the authority's gap view ------------------------------------------------------------


@bp.get("/admin/gaps")
@roles_required(Role.AUTHORITY)
def market_gaps() -> str:
    """Priority × published offer for each activity × category cell; gaps first."""
    return render_template(
        "catalog/gaps.html",
        report=gaps.gap_report(),
        Assessment=gaps.Assessment,
        thin_below=gaps.THIN_MARKET_BELOW,
    )
