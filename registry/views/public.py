"""Home page and health check."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import text

from registry.database import db
from registry.priorities import services
from registry.priorities.models import NATIONAL_SCOPE

bp = Blueprint("public", __name__)


@bp.get("/")
def home() -> str:
    """The front page: what the registry is, and where to go."""
    national = services.current_version(services.get_map(NATIONAL_SCOPE))
    return render_template(
        "registry/home.html",
        categories=services.categories(),
        activities=services.activities(),
        priority_version=national,
        priority_grid=services.grid_of(national) if national else None,
    )


@bp.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    """200 when the database answers, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # any failure to reach the database is "unhealthy"
        db.session.rollback()
        return {"status": "unavailable", "database": type(error).__name__}, 503
    return {"status": "ok", "database": "ok"}, 200
