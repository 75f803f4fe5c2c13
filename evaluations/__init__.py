"""Evaluations, evidence, scoring, decisions, labels, credentials and their verification."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this package's blueprints, navigation, commands and demo data."""
    from evaluations.views import bp

    app.register_blueprint(bp)
