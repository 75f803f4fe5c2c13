"""Norms: versioned requirement sets (sections, criteria, levels, standards) and their pages.

Other packages read norms through `registry.norms.services` (find_norm, applicable_versions,
criteria_for_scoring, thresholds_of, recertification_due_after) and the models in
`registry.norms.models`; they never edit a version.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the norm pages, the API, the "Norms" navigation entry and the demo norms."""
    from registry.cli import add_demo_seeder
    from registry.navigation import ALL_ROLES, NavEntry, add_nav_entry
    from registry.norms import api
    from registry.norms.admin_views import bp as admin_bp
    from registry.norms.demo import seed_norms
    from registry.norms.views import bp

    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
    api.init_app(app)
    add_nav_entry(app, NavEntry("Norms", "norms.index", ALL_ROLES, 20))
    add_demo_seeder(app, "norms", seed_norms, order=20)
