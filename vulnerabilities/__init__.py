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

    # The case pages of the vendor and the authority. The views are imported before the
    # blueprint is registered (routes cannot join a registered blueprint); registering it once.
    from registry.models import Role
    from registry.navigation import AUTHORITY, NavEntry, add_nav_entry
    from vulnerabilities import views as case_views  # noqa: F401 - its routes join the blueprint
    from vulnerabilities.blueprint import bp as vulnerabilities_bp

    if vulnerabilities_bp.name not in app.blueprints:
        app.register_blueprint(vulnerabilities_bp)
    add_nav_entry(
        app, NavEntry("Vulnerabilities", "vulnerabilities.cases_list", frozenset({Role.VENDOR}), 35)
    )
    add_nav_entry(
        app,
        NavEntry(
            "Vulnerabilities", "vulnerabilities.cases_list", AUTHORITY, 35, on_dashboard=AUTHORITY
        ),
    )
