"""Priority maps: the authority's versioned grid of security activity x technology category.

Other packages read the published priorities with
`registry.priorities.services.current_levels(scope)`: a dict from (activity code, category code)
to a `PriorityLevel` (`registry.priorities.models`, a str enum: "high", ...).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the priorities' pages, API, navigation entry and demo data."""
    from registry import cli
    from registry.navigation import ALL_ROLES, NavEntry, add_nav_entry
    from registry.priorities import api, views
    from registry.priorities.demo import seed_priority_maps

    app.register_blueprint(views.bp)
    api.init_app(app)
    add_nav_entry(app, NavEntry("Priorities", "priorities.index", ALL_ROLES, 10))
    cli.add_demo_seeder(app, "priority maps", seed_priority_maps, order=10)
