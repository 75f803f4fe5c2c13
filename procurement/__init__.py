"""Buyer needs, aggregation into lots, joint calls, offers, awards and OCDS."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this package's blueprints, navigation, commands and demo data."""
    # The models modules are imported so that migrations know their tables.
    import procurement.calls.documents.models  # noqa: F401
    import procurement.calls.enquiries.models  # noqa: F401
    import procurement.calls.models  # noqa: F401
    import procurement.calls.modifications.models  # noqa: F401
    import procurement.calls.orders.models  # noqa: F401
    import procurement.calls.scoring.models  # noqa: F401
    import procurement.calls.sealing.models  # noqa: F401
    import procurement.calls.standstill.models  # noqa: F401
    import procurement.publication.models  # noqa: F401
    from procurement import cli, models  # noqa: F401
    from procurement.demo.seeding import seed_demo_procurement
    from procurement.views import bp
    from registry.cli import add_demo_seeder
    from registry.models import Role
    from registry.navigation import NavEntry, add_nav_entry

    app.register_blueprint(bp)
    app.cli.add_command(cli.procurement_group)
    from procurement import label_buyers, queue_sources

    label_buyers.register(app)
    queue_sources.init_app(app)
    add_nav_entry(app, NavEntry("My needs", "procurement.needs", frozenset({Role.BUYER}), 30))
    buyers = frozenset({Role.BUYER})
    add_nav_entry(
        app, NavEntry("My contracts", "standstill.contracts", buyers, 31, on_dashboard=buyers)
    )
    add_nav_entry(
        app, NavEntry("Aggregation", "procurement.aggregation", frozenset({Role.AUTHORITY}), 60)
    )
    add_demo_seeder(app, "needs and lots", seed_demo_procurement, order=60)
    from procurement.calls.demo import seed_demo_calls
    from procurement.calls.views import bp as calls_bp

    app.register_blueprint(calls_bp)
    from procurement.calls.legal.views import bp as call_legal_bp

    app.register_blueprint(call_legal_bp)
    import procurement.calls.enquiries.views

    procurement.calls.enquiries.views.init_app(app)
    from procurement.calls.access.views import bp as calls_access_bp

    app.register_blueprint(calls_access_bp)
    from procurement.calls.standstill.views import bp as standstill_bp

    app.register_blueprint(standstill_bp)
    from procurement.calls.orders.views import bp as call_orders_bp

    app.register_blueprint(call_orders_bp)
    from procurement.calls.modifications.views import bp as call_modifications_bp

    app.register_blueprint(call_modifications_bp)
    from procurement.calls.services import opening

    opening.init_app(app)
    import procurement.calls.scoring.views

    procurement.calls.scoring.views.init_app(app)
    from procurement.calls.sealing.views import init_app as init_sealing

    init_sealing(app)
    calls_roles = frozenset({Role.AUTHORITY, Role.VENDOR, Role.BUYER})
    add_nav_entry(app, NavEntry("Joint calls", "calls.index", calls_roles, 61))
    add_demo_seeder(app, "joint calls", seed_demo_calls, order=61)
    from procurement.publication.demo import seed_demo_identifiers, seed_demo_releases

    add_demo_seeder(app, "legal identifiers", seed_demo_identifiers, order=59)
    add_demo_seeder(app, "published releases", seed_demo_releases, order=99)
    from procurement.publication.views import bp as publication_bp

    app.register_blueprint(publication_bp)
    from procurement.publication.on_commit import install_publication_on_commit

    install_publication_on_commit()
    from procurement.calls.models import CallDocument
    from registry.backup.hooks import register_file_table

    register_file_table(app, CallDocument.__tablename__)
    # Tender documents' earlier versions; a wrong CPV_CODES setting stops the start.
    import procurement.calls.documents.views
    from procurement.calls.documents.models import CallDocumentVersion
    from procurement.calls.legal import cpv

    procurement.calls.documents.views.init_app(app)
    register_file_table(app, CallDocumentVersion.__tablename__)
    from procurement.calls.access.models import WinnerEvidenceDocument

    register_file_table(app, WinnerEvidenceDocument.__tablename__)
    cpv.check_setting(app.config.get("CPV_CODES"))
    from procurement import api
    from procurement.public.views import bp as public_bp
    from procurement.public.views import dashboard_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(dashboard_bp)
    api.init_app(app)
    add_nav_entry(
        app,
        NavEntry(
            "Joint procurement",
            "procurement_public.index",
            frozenset({Role.PUBLIC, Role.EVALUATOR}),
            62,
        ),
    )
    add_nav_entry(
        app,
        NavEntry(
            "Procurement dashboard",
            "procurement_dashboard.dashboard_page",
            frozenset({Role.AUTHORITY}),
            63,
            on_dashboard=frozenset({Role.AUTHORITY}),
        ),
    )
