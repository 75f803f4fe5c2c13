"""Buyer needs, aggregation into lots, joint calls, offers, awards and OCDS."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this package's blueprints, navigation, commands and demo data."""
    from procurement.views import bp

    app.register_blueprint(bp)
