"""Vulnerability handling: coordinated disclosure, cases, CSAF advisories and VEX, label effects."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this package's blueprints, navigation, commands and demo data."""
    from vulnerabilities import (
        catalog_facts,
        daily,
        labels,
        models,  # noqa: F401 - its tables must be known to migrations
        suspension,
    )
    from vulnerabilities.cli import vulnerabilities_group

    _init_cases(app)
    _init_publication(app)
    labels.register(app)
    # Label effects: the authority's list to suspend, and the daily job.
    suspension.register(app)
    vulnerabilities_group.add_command(daily.daily_command)
    # Buyers: the catalog and procurement show the open vulnerabilities of solutions.
    catalog_facts.register(app)
    app.cli.add_command(vulnerabilities_group)
    _init_demo(app)


def _init_cases(app: Flask) -> None:
    """The public report form, security.txt, the case pages, the CSAF import pages."""
    import vulnerabilities.csaf.views
    from registry.models import Role
    from registry.navigation import NavEntry, add_nav_entry

    # Routes cannot join a registered blueprint: the modules that add them are imported first.
    from vulnerabilities import intake, views  # noqa: F401 - their routes join the blueprint
    from vulnerabilities.blueprint import bp

    app.register_blueprint(bp)
    app.register_blueprint(vulnerabilities.csaf.views.bp)
    # On the dashboard: the vendor's header has no room left at desktop width.
    managers = frozenset({Role.VENDOR, Role.AUTHORITY})
    add_nav_entry(
        app,
        NavEntry(
            "Vulnerabilities", "vulnerabilities.cases_list", managers, 35, on_dashboard=managers
        ),
    )


def _init_publication(app: Flask) -> None:
    """Public advisories, their Atom feed, the CSAF provider layout and the JSON API."""
    from registry.navigation import ALL_ROLES, SIGNED_IN, NavEntry, add_nav_entry
    from vulnerabilities import advisories, advisories_api

    app.register_blueprint(advisories.bp)
    app.register_blueprint(advisories_api.bp)
    advisories_api.describe(app)
    add_nav_entry(
        app, NavEntry("Advisories", "advisories.index", ALL_ROLES, 45, on_dashboard=SIGNED_IN)
    )


def _init_demo(app: Flask) -> None:
    """Demo cases on demo labels, after the labels' and maintenance demos."""
    from registry import cli
    from vulnerabilities.demo import seed_demo_vulnerabilities

    cli.add_demo_seeder(app, "vulnerabilities", seed_demo_vulnerabilities, order=60)
