"""The public information on certification: how it works, what it costs, the rights and duties
of label holders, complaints and appeals, the agreement in force and the rules for the mark."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from catalog.markdown import render_markdown
from evaluations.agreement.services import current_version

bp = Blueprint("certification_info", __name__)


@bp.get("/certification")
def index() -> str:
    """Readable without an account."""
    version = current_version()
    return render_template(
        "agreement/certification.html",
        version=version,
        fees=render_markdown(current_app.config["CERTIFICATION_FEES_TEXT"]),
        mark_rules=render_markdown(version.mark_rules) if version is not None else None,
    )
