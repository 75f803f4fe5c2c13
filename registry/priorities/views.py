"""Pages of the priority maps: the public heatmaps and history, and the authority's drafts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from registry import arguments
from registry.access import current_user, role_of, roles_required
from registry.database import db
from registry.exceptions import RuleViolation
from registry.forms import ConfirmForm
from registry.models import Role
from registry.priorities import services
from registry.priorities.forms import DraftGridForm, NewRegionForm, PublishForm, draft_grid_form
from registry.priorities.grid import grid_problems
from registry.priorities.models import NATIONAL_SCOPE, PriorityMap, PriorityMapVersion
from registry.wording import counted

bp = Blueprint("priorities", __name__, url_prefix="/priorities")
VERSIONS_PER_PAGE = 25


def _published_map_or_404(scope: str) -> PriorityMap:
    """A map the public may see: the national one always (maybe empty), a region once published."""
    priority_map = services.get_map(scope)
    if priority_map is None and scope == NATIONAL_SCOPE:
        return PriorityMap(slug=NATIONAL_SCOPE, region="", last_number=0)
    if priority_map is None or (priority_map.last_number == 0 and not priority_map.is_national):
        abort(404)
    return priority_map


def _version_or_404(priority_map: PriorityMap, number: int) -> PriorityMapVersion:
    version = services.published_version(priority_map, number) if priority_map.id else None
    if version is None:
        abort(404)
    return version


def _is_authority() -> bool:
    return role_of(current_user()) is Role.AUTHORITY


def _current_page(scope: str) -> str:
    priority_map = _published_map_or_404(scope)
    version = services.current_version(priority_map) if priority_map.id else None
    return render_template(
        "registry/priorities/current.html",
        priority_map=priority_map,
        version=version,
        grid=services.grid_of(version),
        scopes=services.published_maps(),
        can_edit=_is_authority(),
    )


@bp.get("")
def index() -> str:
    """The current national priority map as a heatmap, with the other scopes one click away."""
    return _current_page(NATIONAL_SCOPE)


@bp.get("/<scope>")
def current(scope: str) -> Any:
    """The current published map of one scope."""
    if scope == NATIONAL_SCOPE:
        return redirect(url_for("priorities.index"))
    return _current_page(scope)


@bp.get("/<scope>/versions")
def versions(scope: str) -> str:
    """Every published version of a scope, newest first, with what each one changed."""
    priority_map = _published_map_or_404(scope)
    page = None
    rows = []
    if priority_map.id:
        page = db.paginate(
            services.published_versions_statement(priority_map),
            per_page=VERSIONS_PER_PAGE,
            error_out=False,
        )
        for version in page.items:
            previous = (
                services.published_version(priority_map, version.number - 1)
                if version.number and version.number > 1
                else None
            )
            rows.append((version, len(services.compare_versions(previous, version))))
    return render_template(
        "registry/priorities/versions.html", priority_map=priority_map, page=page, rows=rows
    )


@bp.get("/<scope>/versions/<int:number>")
def version(scope: str, number: int) -> str:
    """One published version, current or not."""
    priority_map = _published_map_or_404(scope)
    shown = _version_or_404(priority_map, number)
    return render_template(
        "registry/priorities/version.html",
        priority_map=priority_map,
        version=shown,
        grid=services.grid_of(shown),
        is_current=shown.number == priority_map.last_number,
    )


def _number_argument(name: str) -> int | None:
    raw = request.args.get(name, "")
    if not raw.strip():
        return None
    number = arguments.parse_integer(raw, 1, arguments.MAX_ID)
    if number is None:
        abort(404)
    return number


@bp.get("/<scope>/compare")
def compare(scope: str) -> str:
    """What changed between two published versions (by default: the current and the one before)."""
    priority_map = _published_map_or_404(scope)
    last = priority_map.last_number
    to_number = _number_argument("to") or last
    from_number = _number_argument("from")
    if from_number is None:
        from_number = max(to_number - 1, 1) if to_number else 0
    before = after = None
    changes = []
    if last:
        before = _version_or_404(priority_map, from_number)
        after = _version_or_404(priority_map, to_number)
        changes = services.compare_versions(before, after)
    return render_template(
        "registry/priorities/compare.html",
        priority_map=priority_map,
        before=before,
        after=after,
        changes=changes,
        numbers=list(range(last, 0, -1)),
        names=_axis_names(),
    )


def _axis_names() -> dict[str, str]:
    names = {a.code: a.name for a in services.activities()}
    names.update({c.code: c.name for c in services.categories()})
    return names


# ---------------------------------------------------------------- the authority's pages


def _map_for_authority(scope: str) -> PriorityMap:
    if scope == NATIONAL_SCOPE:
        return services.ensure_national_map(g.user)
    priority_map = services.get_map(scope)
    if priority_map is None:
        abort(404)
    return priority_map


def _map_and_draft(scope: str) -> tuple[PriorityMap, PriorityMapVersion | None]:
    priority_map = services.get_map(scope)
    if priority_map is None:
        if scope != NATIONAL_SCOPE:
            abort(404)
        return PriorityMap(slug=NATIONAL_SCOPE, region="", last_number=0), None
    return priority_map, services.draft_of(priority_map)


def _manage_page(region_form: NewRegionForm) -> str:
    maps = services.all_maps()
    if not any(m.is_national for m in maps):
        maps.insert(0, PriorityMap(slug=NATIONAL_SCOPE, region="", last_number=0))
    rows = [(m, services.draft_of(m) if m.id else None) for m in maps]
    return render_template(
        "registry/priorities/manage.html",
        rows=rows,
        region_form=region_form,
        confirm=ConfirmForm(),
    )


@bp.get("/manage")
@roles_required(Role.AUTHORITY)
def manage() -> str:
    """Every scope with its current version and draft; start drafts and regional maps here."""
    return _manage_page(NewRegionForm())


@bp.post("/manage/regions")
@roles_required(Role.AUTHORITY)
def new_region() -> Any:
    """Create a regional map and its first draft (a copy of the current national map)."""
    form = NewRegionForm()
    if form.validate_on_submit():
        try:
            priority_map = services.create_regional_map(g.user, form.region.data or "")
            services.start_draft(g.user, priority_map)
        except RuleViolation as error:
            db.session.rollback()
            form.region.errors = [*form.region.errors, error.message]
        else:
            db.session.commit()
            flash(f"Draft priority map for {priority_map.title} started.", "success")
            return redirect(url_for("priorities.edit_draft", scope=priority_map.slug))
    return _manage_page(form)


@bp.post("/manage/<scope>/draft/start")
@roles_required(Role.AUTHORITY)
def start_draft(scope: str) -> Response:
    """Start a draft from the scope's current version."""
    priority_map = _map_for_authority(scope)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.start_draft(g.user, priority_map)
    except RuleViolation as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("priorities.manage"))
    db.session.commit()
    flash(f"Draft of the {priority_map.title} map started.", "success")
    return redirect(url_for("priorities.edit_draft", scope=priority_map.slug))


def _render_editor(
    priority_map: PriorityMap, draft: PriorityMapVersion, form: DraftGridForm
) -> str:
    base = draft.based_on
    return render_template(
        "registry/priorities/edit_draft.html",
        priority_map=priority_map,
        draft=draft,
        form=form,
        activities=services.activities(),
        categories=services.categories(),
        base=base,
        base_grid=services.grid_of(base),
        confirm=ConfirmForm(),
    )


def _filled_grid_form(
    draft: PriorityMapVersion, activities: Sequence[Any], categories: Sequence[Any]
) -> DraftGridForm:
    """The grid form showing the draft's cells as they are."""
    data: dict[str, Any] = {"lock_version": str(draft.lock_version)}
    form = draft_grid_form(activities, categories, formdata=None, data=data)
    for key, value in services.grid_values(draft).items():
        if key in form.cell_fields:
            level, rationale = form.cell(*key)
            level.data = value.level.value
            rationale.data = value.rationale
    return form


def _show_rejected_cells(form: DraftGridForm, error: services.CellsRejected) -> None:
    """Each refused cell's problem next to it; one not on the grid above the form."""
    for key, problem in error.problems.items():
        if key in form.cell_fields:
            form.add_problem(key, problem.field, problem.message)
        else:
            form.form_errors.append(problem.message)


@bp.route("/manage/<scope>/draft", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY)
def edit_draft(scope: str) -> Any:
    """Edit the draft's 66 cells; input is kept when something is refused."""
    priority_map, draft = _map_and_draft(scope)
    if draft is None:
        flash(f"The {priority_map.title} map has no draft; start one first.", "error")
        return redirect(url_for("priorities.manage"))
    activities, categories = services.activities(), services.categories()
    if request.method == "GET":
        return _render_editor(priority_map, draft, _filled_grid_form(draft, activities, categories))
    form = draft_grid_form(activities, categories)
    if not form.validate_on_submit():
        return _render_editor(priority_map, draft, form)
    try:
        changes = services.update_draft(
            g.user,
            draft,
            form.values(),
            expected_lock_version=int(form.lock_version.data or 0),
        )
    except services.CellsRejected as error:
        db.session.rollback()
        _show_rejected_cells(form, error)
        return _render_editor(priority_map, draft, form)
    except RuleViolation as error:
        db.session.rollback()
        form.form_errors.append(error.message)
        return _render_editor(priority_map, draft, form)
    db.session.commit()
    if changes:
        flash(f"Draft saved: {counted(len(changes), 'cell')} changed.", "success")
    else:
        flash("Nothing had changed; the draft is as it was.", "info")
    return redirect(url_for("priorities.edit_draft", scope=priority_map.slug))


def _render_publish(priority_map: PriorityMap, draft: PriorityMapVersion, form: PublishForm) -> str:
    current = services.current_version(priority_map)
    values = services.grid_values(draft)
    problems = grid_problems(
        values,
        [a.code for a in services.activities()],
        [c.code for c in services.categories()],
    )
    return render_template(
        "registry/priorities/publish.html",
        priority_map=priority_map,
        draft=draft,
        form=form,
        current=current,
        changes=services.compare_versions(current, draft),
        problems=problems,
        names=_axis_names(),
        next_number=priority_map.last_number + 1,
    )


@bp.route("/manage/<scope>/draft/publish", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY)
def publish(scope: str) -> Any:
    """Review what the draft changes, write the change note and publish it for good."""
    priority_map, draft = _map_and_draft(scope)
    if draft is None:
        flash(f"The {priority_map.title} map has no draft to publish.", "error")
        return redirect(url_for("priorities.manage"))
    form = PublishForm()
    if request.method == "GET":
        return _render_publish(priority_map, draft, form)
    if not form.validate_on_submit():
        return _render_publish(priority_map, draft, form)
    try:
        published = services.publish_draft(g.user, draft, form.change_note.data or "")
    except RuleViolation as error:
        db.session.rollback()
        target = form.change_note if error.field == "change_note" else None
        if target is not None:
            target.errors = [*target.errors, error.message]
        else:
            form.form_errors.append(error.message)
        return _render_publish(priority_map, draft, form)
    db.session.commit()
    flash(f"Version {published.number} of the {priority_map.title} map is published.", "success")
    if priority_map.is_national:
        return redirect(url_for("priorities.index"))
    return redirect(url_for("priorities.current", scope=priority_map.slug))


@bp.post("/manage/<scope>/draft/discard")
@roles_required(Role.AUTHORITY)
def discard(scope: str) -> Response:
    """Throw the draft away; the published versions are untouched."""
    priority_map, draft = _map_and_draft(scope)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if draft is None:
        flash(f"The {priority_map.title} map has no draft.", "info")
        return redirect(url_for("priorities.manage"))
    try:
        services.discard_draft(g.user, draft)
    except RuleViolation as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(f"The draft of the {priority_map.title} map was discarded.", "success")
    return redirect(url_for("priorities.manage"))
