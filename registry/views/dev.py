"""The development outbox: messages the outbox mail backend wrote, for local use only."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from registry.mail import read_outbox

bp = Blueprint("dev", __name__, url_prefix="/dev")


@bp.get("/outbox")
def outbox() -> str:
    """List the newest messages; 404 unless the outbox page is enabled (never in production)."""
    if not current_app.config["SHOW_OUTBOX"]:
        abort(404)
    messages = read_outbox(current_app.config["OUTBOX_DIR"])
    return render_template("registry/outbox.html", messages=messages)
