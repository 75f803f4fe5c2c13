"""Complaints and appeals (ISO/IEC 17065 7.13): filing, independent handling, outcomes, effects."""

from __future__ import annotations

from flask import Flask

# Defaults of the settings (each can be set with a SAFETECH_* variable).
DEFAULTS = {
    # Days to acknowledge a complaint or an appeal, and to decide it, from its receipt.
    "COMPLAINT_ACK_DAYS": 5,
    "COMPLAINT_DECISION_DAYS": 60,
    # Days a vendor has to appeal a decision, a suspension or a revocation.
    "APPEAL_DAYS": 30,
    # Complaints one client address may file per hour.
    "COMPLAINTS_PER_HOUR": 5,
}


def init_app(app: Flask) -> None:
    """Register this package's blueprints, navigation, commands and demo data."""
    from complaints import (
        models,  # noqa: F401 - its tables must be known to migrations
        services,
    )
    from complaints.demo import seed_demo_complaints
    from complaints.views import bp
    from registry import cli
    from registry.models import Role
    from registry.navigation import AUTHORITY, NavEntry, add_nav_entry

    for name, value in DEFAULTS.items():
        app.config.setdefault(name, value)
    app.register_blueprint(bp)
    add_nav_entry(
        app,
        NavEntry(
            "Complaints and appeals", "complaints.cases_list", AUTHORITY, 37, on_dashboard=AUTHORITY
        ),
    )
    vendors = frozenset({Role.VENDOR})
    add_nav_entry(
        app, NavEntry("Appeals", "complaints.my_appeals", vendors, 37, on_dashboard=vendors)
    )
    # The label and evaluation pages ask whether the signed-in vendor may appeal now.
    app.jinja_env.globals["can_appeal_label"] = services.can_appeal_label
    app.jinja_env.globals["can_appeal_evaluation"] = services.can_appeal_evaluation
    cli.add_demo_seeder(app, "complaints", seed_demo_complaints, order=65)
