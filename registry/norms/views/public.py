"""Public norm pages: the list, a norm, a version with all its criteria, and a comparison.

Drafts answer 404 to everyone but the authority, who sees them (and links to the editor,
registry.norms.views.draft_editor) on the same pages.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from sqlalchemy import select

from registry import arguments
from registry.access import current_user
from registry.database import db
from registry.forms import ConfirmForm
from registry.models import Role, TechnologyCategory
from registry.norms import services
from registry.norms.compare import compare_versions
from registry.norms.models import NormStatus

bp = Blueprint("norms", __name__)

STATUS_CHOICES = [("", "Any status")] + [(s.value, s.label) for s in NormStatus]


def _categories() -> list[TechnologyCategory]:
    return list(
        db.session.scalars(select(TechnologyCategory).order_by(TechnologyCategory.position))
    )


def _is_authority() -> bool:
    user = current_user()
    return user is not None and user.role is Role.AUTHORITY


@bp.get("/norms")
def index() -> str:
    """Norms, filterable by category and status (the authority also sees unpublished ones)."""
    category = request.args.get("category", "").strip()[:40]
    status = request.args.get("status", "").strip()[:20]
    categories = _categories()
    if category not in {c.code for c in categories}:
        category = ""
    if status not in {s.value for s in NormStatus}:
        status = ""
    statement = services.norms_statement(current_user(), category, status)
    page = db.paginate(statement, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template(
        "registry/norms/index.html",
        page=page,
        category=category,
        status=status,
        categories=categories,
        status_choices=STATUS_CHOICES,
        is_authority=_is_authority(),
    )


@bp.get("/norms/<code>")
def norm(code: str) -> str:
    """A norm and its versions."""
    norm = services.find_norm(current_user(), code)
    authority = _is_authority()
    versions = norm.versions if authority else norm.public_versions
    return render_template(
        "registry/norms/norm.html",
        norm=norm,
        versions=list(reversed(versions)),
        is_authority=authority,
        confirm=ConfirmForm(),
    )


@bp.get("/norms/<code>/versions/<int:number>")
def version(code: str, number: int) -> str:
    """One version with all its criteria grouped by section, its levels and standards."""
    norm = services.find_norm(current_user(), code)
    version = services.find_version(current_user(), norm, number)
    previous = next(
        (
            v
            for v in reversed(norm.versions)
            if v.number < version.number and (v.is_public or _is_authority())
        ),
        None,
    )
    return render_template(
        "registry/norms/version.html",
        norm=norm,
        version=version,
        previous=previous,
        recertification_due_after=services.recertification_due_after(version),
        is_authority=_is_authority(),
    )


def _number_argument(name: str) -> int | None:
    return arguments.parse_integer(request.args.get(name, ""), 1, arguments.MAX_ID)


@bp.get("/norms/<code>/compare")
def compare(code: str) -> str:
    """Two versions side by side: criteria added, removed and changed, levels, standards."""
    norm = services.find_norm(current_user(), code)
    visible = norm.versions if _is_authority() else norm.public_versions
    numbers = [v.number for v in visible]
    old_number, new_number = _number_argument("from"), _number_argument("to")
    if old_number is None and new_number is None and len(numbers) >= 2:
        old_number, new_number = numbers[-2], numbers[-1]
    comparison = old = new = None
    if old_number is not None and new_number is not None:
        old = services.find_version(current_user(), norm, old_number)
        new = services.find_version(current_user(), norm, new_number)
        comparison = compare_versions(services.snapshot_of(old), services.snapshot_of(new))
    return render_template(
        "registry/norms/compare.html",
        norm=norm,
        versions=visible,
        old=old,
        new=new,
        comparison=comparison,
        old_number=old_number,
        new_number=new_number,
    )
