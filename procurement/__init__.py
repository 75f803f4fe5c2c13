"""Buyer needs, aggregation into lots, joint calls, offers, awards and OCDS."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this package's blueprints, navigation, commands and demo data."""
    from procurement import (  # noqa: F401 - their tables must be known to migrations
        call_models,
        cli,
        models,
    )
    from procurement.demo import seed_demo_procurement
    from procurement.views import bp
    from registry.cli import add_demo_seeder
    from registry.models import Role
    from registry.navigation import NavEntry, add_nav_entry

    app.register_blueprint(bp)
    app.cli.add_command(cli.procurement_group)
    add_nav_entry(app, NavEntry("My needs", "procurement.needs", frozenset({Role.BUYER}), 30))
    add_nav_entry(
        app, NavEntry("Aggregation", "procurement.aggregation", frozenset({Role.AUTHORITY}), 60)
    )
    add_demo_seeder(app, "needs and lots", seed_demo_procurement, order=60)
