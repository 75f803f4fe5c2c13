"""Evaluations, evidence, scoring, decisions, labels, credentials and their verification."""

from __future__ import annotations

import click
from flask import Flask


def init_app(app: Flask) -> None:
    """Register this package's blueprints, navigation, commands and demo data."""
    import evaluations.bodies.models  # noqa: F401 - its tables, as below
    import evaluations.impartiality.models  # noqa: F401 - their tables, as below
    from evaluations import (
        cli,
        models,  # noqa: F401 - its tables must be known to migrations
        records,
        views,
    )
    from evaluations.labels import wellknown
    from evaluations.labels.keys import key_store

    views.init_app(app)
    _init_workflow(app)
    records.init_app(app)  # retention, legal holds, evaluators' reports
    app.register_blueprint(wellknown.bp)
    cli.register_commands(app)
    _init_labels(app)
    # The first signing key is made at start-up, not in the middle of issuing a label; the
    # store's lock makes sure several workers starting together agree on one key.
    key_store(app.config["KEYS_DIR"]).ensure_key()


def _init_workflow(app: Flask) -> None:
    """The evaluation workflow: its API, navigation entries and demo data."""
    from evaluations import api
    from evaluations.demo import seed_demo_evaluations
    from evaluations.models import Evidence
    from registry.backup.hooks import register_file_table
    from registry.cli import add_demo_seeder
    from registry.database import install_after_commit
    from registry.models import Role
    from registry.navigation import NavEntry, add_nav_entry

    app.config.setdefault("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
    api.init_app(app)
    vendor, evaluator = frozenset({Role.VENDOR}), frozenset({Role.EVALUATOR})
    authority = frozenset({Role.AUTHORITY})
    add_nav_entry(app, NavEntry("My evaluations", "evaluations.index", vendor, 30))
    add_nav_entry(app, NavEntry("My assignments", "evaluations.assignments", evaluator, 30))
    add_nav_entry(app, NavEntry("Evaluations", "evaluations.pipeline", authority, 30))
    # New versions of certified solutions wait for routing or a decision: on the dashboard.
    add_nav_entry(
        app,
        NavEntry(
            "Maintenance requests",
            "evaluations.maintenance_queue",
            authority,
            31,
            on_dashboard=authority,
        ),
    )
    add_demo_seeder(app, "evaluations", seed_demo_evaluations, order=40)
    register_file_table(app, Evidence.__tablename__)
    install_after_commit()  # evidence removal leaves its file to the sweep after commit


def _init_labels(app: Flask) -> None:
    """Labels: public pages, API, navigation, demo data (maintenance requests too), the
    catalog's label facts, expiry."""
    from evaluations import catalog_facts
    from evaluations.labels import api, basis, certified, signed_address, views
    from evaluations.labels.demo import seed_demo_labels
    from evaluations.labels.status_changes import expire_at_start_up
    from evaluations.maintenance_demo import seed_demo_change_request, seed_demo_maintenance
    from registry.backup.hooks import register_restore_check
    from registry.cli import add_demo_seeder
    from registry.navigation import ALL_ROLES, AUTHORITY, SIGNED_IN, NavEntry, add_nav_entry

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    api.describe(app)
    add_nav_entry(app, NavEntry("Labels", "labels.index", ALL_ROLES, 40))
    add_nav_entry(
        app, NavEntry("Decisions", "labels.decisions", ALL_ROLES, 41, on_dashboard=SIGNED_IN)
    )
    # The second officer finds the revocations that wait for a confirmation on the dashboard.
    add_nav_entry(
        app,
        NavEntry(
            "Revocation proposals",
            "labels.revocation_proposals",
            AUTHORITY,
            42,
            on_dashboard=AUTHORITY,
        ),
    )
    add_demo_seeder(app, "labels", seed_demo_labels, order=50)
    add_demo_seeder(app, "maintenance", seed_demo_maintenance, order=55)
    add_demo_seeder(app, "change requests", seed_demo_change_request, order=56)
    # Label facts for the catalog (pages, comparison, exports, feed, search index, market
    # gaps); follower notifications.
    catalog_facts.register(app)
    # An approved change of a solution's certified facts re-freezes and re-signs its labels.
    certified.register(app)
    # Labels follow their vendor's suspension and their norm's withdrawal.
    basis.register(app)
    expire_at_start_up(app)
    register_restore_check(app, signed_address.check_restored_credentials)
    # Labels signed for another address (the demo seeded on another port) are named as a
    # server starts; a `flask …` command runs for a moment and prints its own result.
    if click.get_current_context(silent=True) is None:
        signed_address.warn_if_signed_elsewhere(app)
