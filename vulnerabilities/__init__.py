"""Vulnerability handling: coordinated disclosure, cases, CSAF advisories and VEX, label effects."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this package's blueprints, navigation, commands and demo data."""
    from vulnerabilities import (
        labels,
        models,  # noqa: F401 - its tables must be known to migrations
    )

    labels.register(app)

    # The blueprint shared by the intake and the case pages: its routes are imported first.
    from vulnerabilities import intake  # noqa: F401 - its routes join the blueprint
    from vulnerabilities.blueprint import bp

    if bp.name not in app.blueprints:
        app.register_blueprint(bp)
