"""Surveillance during a label's validity: programmes per norm, attestations, sampled re-tests,
complaint reviews, the daily job and the authority's list of labels to suspend."""

from __future__ import annotations

from flask import Flask
from flask.cli import AppGroup

surveillance_group = AppGroup("surveillance", help="Surveillance of valid labels.")


def init_app(app: Flask) -> None:
    """Settings, tables, pages, navigation, the daily command, demo data, the label history."""
    from evaluations.surveillance import (
        daily,
        lists,
        models,  # noqa: F401 - its tables must be known to migrations
        views,
    )
    from evaluations.surveillance.demo import seed_demo_surveillance
    from registry.cli import add_demo_seeder
    from registry.models import Role
    from registry.navigation import AUTHORITY, NavEntry, add_nav_entry

    app.config.setdefault("SURVEILLANCE_ATTESTATION", True)
    app.config.setdefault("SURVEILLANCE_ATTESTATION_MONTHS", 12)
    app.config.setdefault("SURVEILLANCE_RETEST_PERCENT", 10)
    app.config.setdefault("SURVEILLANCE_DAYS", 30)
    app.register_blueprint(views.bp)
    add_nav_entry(app, NavEntry("Surveillance", "surveillance.admin", AUTHORITY, 85, AUTHORITY))
    workers = frozenset({Role.VENDOR, Role.EVALUATOR})
    add_nav_entry(app, NavEntry("Surveillance", "surveillance.mine", workers, 85, workers))
    surveillance_group.add_command(daily.daily_command)
    app.cli.add_command(surveillance_group)
    add_demo_seeder(app, "surveillance", seed_demo_surveillance, order=58)
    # The label page shows the label's surveillance history (no internal notes).
    app.add_template_global(lists.public_history, "surveillance_history")
