"""Evaluations, evidence, scoring, decisions, labels, credentials and their verification."""

from __future__ import annotations

import click
from flask import Flask


def init_app(app: Flask) -> None:
    """Register this package's blueprints, navigation, commands and demo data."""
    import evaluations.bodies.models  # noqa: F401 - its tables, as below
    import evaluations.impartiality.models  # noqa: F401 - their tables, as below
    from evaluations import (
        agreement,
        cli,
        models,  # noqa: F401 - its tables must be known to migrations
        queue_sources,
        records,
        surveillance,
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
    _init_scheme_registers(app)
    # Surveillance of valid labels: programmes, activities, the daily job, the list to suspend.
    surveillance.init_app(app)
    agreement.init_app(app)
    queue_sources.init_app(app)
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
    # Impartiality: how long a confirmation of one's declarations of interests stays current,
    # and the levels whose certification needs a second officer's review ("*": every level;
    # add "rejected" for rejections too).
    app.config.setdefault("IMPARTIALITY_DECLARATION_MONTHS", 12)
    app.config.setdefault("DECISION_REVIEW_LEVELS", "*")
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

    _init_suspensions(app)
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


def _init_scheme_registers(app: Flask) -> None:
    """The register of evaluation bodies and evaluators, declarations of interests, the
    impartiality risk register and committee: pages, navigation, settings and demo data."""
    import evaluations.bodies.views
    import evaluations.impartiality.views
    from evaluations.registers_demo import seed_demo_registers
    from registry.cli import add_demo_seeder
    from registry.models import Role
    from registry.navigation import AUTHORITY, NavEntry, add_nav_entry

    app.config.setdefault("IMPARTIALITY_DECLARATION_MONTHS", 12)
    app.register_blueprint(evaluations.bodies.views.bp)
    app.register_blueprint(evaluations.impartiality.views.bp)
    staff = frozenset({Role.AUTHORITY, Role.EVALUATOR})
    evaluator = frozenset({Role.EVALUATOR})
    for label, endpoint, roles, order in (
        ("Evaluation bodies", "bodies.index", AUTHORITY, 83),
        ("Evaluator approvals", "bodies.approvals", AUTHORITY, 84),
        ("Impartiality", "impartiality.risks", AUTHORITY, 85),
        ("Our accreditation and evaluators", "bodies.mine", evaluator, 83),
        ("My declarations of interests", "impartiality.interests", staff, 86),
    ):
        add_nav_entry(app, NavEntry(label, endpoint, roles, order, on_dashboard=roles))
    add_demo_seeder(app, "registers", seed_demo_registers, order=42)


def _init_suspensions(app: Flask) -> None:
    """Suspension with an end date and its escalation, reduction, termination: their table,
    settings, demo data and routes (on the labels blueprint, so before it is registered)."""
    from evaluations.labels import suspension_models, suspension_views  # noqa: F401
    from evaluations.labels.demo_suspensions import seed_demo_suspensions
    from registry.cli import add_demo_seeder

    app.config.setdefault("SUSPENSION_MAX_DAYS", 42)
    app.config.setdefault("REVOCATION_NOTICE_DAYS", 14)
    add_demo_seeder(app, "suspensions", seed_demo_suspensions, order=57)
