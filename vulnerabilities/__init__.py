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

    # Buyers: the catalog and procurement show the open vulnerabilities of solutions.
    from vulnerabilities import catalog_facts

    catalog_facts.register(app)
    # Publication: public advisories, their Atom feed, the CSAF provider layout, the JSON API.
    from registry.navigation import ALL_ROLES, SIGNED_IN, NavEntry, add_nav_entry
    from vulnerabilities import advisories, advisories_api

    app.register_blueprint(advisories.bp)
    app.register_blueprint(advisories_api.bp)
    advisories_api.describe(app)
    add_nav_entry(
        app, NavEntry("Advisories", "advisories.index", ALL_ROLES, 45, on_dashboard=SIGNED_IN)
    )
    # The blueprint shared by the intake and the case pages: its routes are imported first.
    from vulnerabilities import intake  # noqa: F401 - its routes join the blueprint
    from vulnerabilities.blueprint import bp

    if bp.name not in app.blueprints:
        app.register_blueprint(bp)
    # CSAF import: the authority's upload and unmatched-products pages, and the commands.
    from vulnerabilities.cli import vulnerabilities_group
    from vulnerabilities.csaf import views as csaf_views

    app.register_blueprint(csaf_views.bp)
    app.cli.add_command(vulnerabilities_group)
