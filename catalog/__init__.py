"""Solutions, the search index, the public catalog and open-data exports."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this package's blueprints, navigation, commands and demo data."""
    from catalog import (
        api,
        indexer,
        search,
        search_api,
        search_models,  # noqa: F401 - its tables must be known to migrations
    )
    from catalog import cli as search_cli
    from catalog.catalog_views import bp as catalog_search_bp
    from catalog.demo import seed_demo_solutions
    from catalog.markdown import render_markdown
    from catalog.views import bp, manage_bp
    from registry.backup.hooks import register_restore_rebuild
    from registry.cli import add_demo_seeder
    from registry.models import Role
    from registry.navigation import ALL_ROLES, AUTHORITY, NavEntry, add_nav_entry

    app.register_blueprint(bp)
    app.register_blueprint(manage_bp)
    api.init_app(app)
    app.register_blueprint(catalog_search_bp)
    search_api.init_app(app)
    search_cli.register_commands(app)
    search.listen_to_vendor_status(app)
    app.jinja_env.filters["markdown"] = render_markdown
    add_nav_entry(app, NavEntry("Catalog", "catalog_search.catalog", ALL_ROLES, 19))
    add_nav_entry(
        app, NavEntry("Solutions", "catalog.solutions", ALL_ROLES, 20, on_dashboard=AUTHORITY)
    )
    add_nav_entry(app, NavEntry("My solutions", "solutions.index", frozenset({Role.VENDOR}), 21))
    add_nav_entry(
        app, NavEntry("Market gaps", "catalog.market_gaps", AUTHORITY, 70, on_dashboard=AUTHORITY)
    )
    add_demo_seeder(app, "solutions", seed_demo_solutions, order=30)
    register_restore_rebuild(app, indexer.rebuild_after_restore)
    from catalog import list_views

    list_views.init_app(app)
