"""Solutions, the search index, the public catalog and open-data exports."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this package's blueprints, navigation, commands and demo data."""
    from catalog import api, changes_views, lists, queue_sources, search, versions_views
    from catalog.demo import seed_demo_solutions
    from catalog.markdown import render_markdown
    from catalog.models import VersionSbom
    from catalog.views import bp, manage_bp
    from registry.backup.hooks import register_file_table
    from registry.cli import add_demo_seeder
    from registry.models import Role
    from registry.navigation import ALL_ROLES, AUTHORITY, NavEntry, add_nav_entry

    app.register_blueprint(bp)
    app.register_blueprint(manage_bp)
    app.register_blueprint(versions_views.bp)
    app.register_blueprint(changes_views.bp)
    api.init_app(app)
    search.init_app(app)
    app.jinja_env.filters["markdown"] = render_markdown
    add_nav_entry(app, NavEntry("Catalog", "catalog_search.catalog", ALL_ROLES, 19))
    add_nav_entry(app, NavEntry("My solutions", "solutions.index", frozenset({Role.VENDOR}), 21))
    add_nav_entry(
        app, NavEntry("Market gaps", "catalog.market_gaps", AUTHORITY, 70, on_dashboard=AUTHORITY)
    )
    # Vendors' requests to change certified facts wait for the authority's decision.
    add_nav_entry(
        app,
        NavEntry("Change requests", "changes.queue", AUTHORITY, 43, on_dashboard=AUTHORITY),
    )
    add_demo_seeder(app, "solutions", seed_demo_solutions, order=30)
    lists.init_app(app)
    queue_sources.init_app(app)
    register_file_table(app, VersionSbom.__tablename__)
