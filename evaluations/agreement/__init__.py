"""The certification agreement (ISO/IEC 17065 4.1.2), the mark and its pack (4.1.3), and the
public information on certification (4.6)."""

from __future__ import annotations

from flask import Flask

DEFAULT_FEES_TEXT = """\
Fees for evaluation, certification and surveillance are set by the authority and published
by it. Ask the authority for the current schedule before you apply; the evaluation body's own
fees for testing are agreed between you and the body.
"""


def init_app(app: Flask) -> None:
    """Register the agreement pages, the public information page and the demo agreement."""
    from evaluations.agreement import (
        info,
        models,  # noqa: F401 - its tables must be known to migrations
        views,
    )
    from evaluations.agreement.demo import seed_demo_agreement
    from registry.cli import add_demo_seeder
    from registry.models import Role
    from registry.navigation import NavEntry, add_nav_entry

    app.config.setdefault("CERTIFICATION_FEES_TEXT", DEFAULT_FEES_TEXT)
    app.register_blueprint(views.bp)
    app.register_blueprint(info.bp)
    managers = frozenset({Role.VENDOR, Role.AUTHORITY})
    add_nav_entry(
        app,
        NavEntry("Certification agreement", "agreement.index", managers, 32, on_dashboard=managers),
    )
    # Applying needs an accepted agreement: before the demo evaluations (order 40).
    add_demo_seeder(app, "certification agreement", seed_demo_agreement, order=38)
