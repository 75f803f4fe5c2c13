"""Change requests for certified facts: the authority's queue, one request's diff and decision
forms, and the vendor's withdrawal."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, url_for
from werkzeug.wrappers import Response

from catalog import changes
from catalog.models import ChangeRequestStatus, SolutionChangeRequest
from registry.access import roles_required
from registry.database import db
from registry.forms import ConfirmForm, ReasonForm
from registry.models import Role
from registry.priorities.services import activities, categories
from registry.views.actions import commit_or_report, run_confirmed

bp = Blueprint("changes", __name__)


@dataclass(frozen=True)
class DiffRow:
    """One changed field as the page shows it: its title, the certified and requested values."""

    field: str
    title: str
    current: str
    requested: str


def _names() -> dict[str, dict[str, str]]:
    return {
        "primary_category": {category.code: category.name for category in categories()},
        "activities": {activity.code: activity.name for activity in activities()},
    }


def shown(field: str, value: Any, names: dict[str, dict[str, str]]) -> str:
    """A certified value as text: codes of categories and activities with their names."""
    if value is None or value == []:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    known = names.get(field, {})
    if isinstance(value, list):
        return "; ".join(_named(str(item), known) for item in value)
    return _named(str(value), known)


def _named(code: str, known: dict[str, str]) -> str:
    name = known.get(code)
    return f"{name} ({code})" if name else code


def diff_rows(request: SolutionChangeRequest) -> list[DiffRow]:
    """The request's changed fields only. While it is pending, the certified value is the
    record's; once decided, the value it had when the request was filed."""
    names = _names()
    current = (
        changes.certified_state(request.solution)
        if request.status is ChangeRequestStatus.PENDING
        else json.loads(request.previous)
    )
    return [
        DiffRow(
            change.field,
            change.title,
            shown(change.field, current.get(change.field, change.old), names),
            shown(change.field, change.new, names),
        )
        for change in changes.diff(request)
    ]


@bp.get("/admin/change-requests")
@roles_required(Role.AUTHORITY)
def queue() -> str:
    """Every change request: those waiting for a decision first, then the decided ones."""
    page = db.paginate(
        changes.request_queue(), per_page=current_app.config["PER_PAGE"], error_out=False
    )
    return render_template(
        "changes/queue.html",
        page=page,
        pending=changes.pending_count(),
        fields=changes.CERTIFIED_FIELDS,
        diff=changes.diff,
    )


@bp.get("/change-requests/<int:request_id>")
@roles_required(Role.AUTHORITY, Role.VENDOR)
def detail(request_id: int) -> str:
    """One request: the field-by-field diff, the vendor's reason, and the decision forms."""
    found = changes.get_request(g.user, request_id)
    return render_template(
        "changes/detail.html",
        change=found,
        rows=diff_rows(found),
        form=ReasonForm(),
        confirm=ConfirmForm(),
    )


def _decide(request_id: int, action: Any, done: str) -> Response:
    found = changes.get_request(g.user, request_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash("Give a reason: the vendor reads it.", "error")
    else:
        commit_or_report(lambda: action(g.user, found, form.reason.data or ""), done)
    return redirect(url_for("changes.detail", request_id=request_id))


@bp.post("/change-requests/<int:request_id>/approve")
@roles_required(Role.AUTHORITY)
def approve(request_id: int) -> Response:
    """Approve: the record, the catalog and the labels take the new values."""
    return _decide(
        request_id,
        changes.approve_change,
        "Change approved: the new values are the certified facts, the labels are re-signed "
        "and the vendor was told.",
    )


@bp.post("/change-requests/<int:request_id>/refuse")
@roles_required(Role.AUTHORITY)
def refuse(request_id: int) -> Response:
    """Refuse: nothing changes but the request's status."""
    return _decide(
        request_id,
        changes.refuse_change,
        "Change refused: the certified facts stay as they were. The vendor was told.",
    )


@bp.post("/change-requests/<int:request_id>/withdraw")
@roles_required(Role.VENDOR)
def withdraw(request_id: int) -> Response:
    """The vendor withdraws its pending request."""
    found = changes.get_request(g.user, request_id)
    run_confirmed(
        lambda: changes.withdraw_change(g.user, found),
        "Change request withdrawn: the certified facts stay as they are.",
    )
    return redirect(url_for("solutions.detail", solution_id=found.solution_id))
