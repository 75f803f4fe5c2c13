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
    from registry.norms.demo import seed_norms
    from registry.norms.views import (  # noqa: F401 - importing them registers their routes
        admin,
        criteria,
        draft_editor,
        norm_pages,
        public,
        publication,
        sections,
    )

    app.register_blueprint(public.bp)
    app.register_blueprint(admin.bp)
    api.init_app(app)
    add_nav_entry(app, NavEntry("Norms", "norms.index", ALL_ROLES, 20))
    add_demo_seeder(app, "norms", seed_norms, order=20)
