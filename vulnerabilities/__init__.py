"""Vulnerability handling: coordinated disclosure, cases, CSAF advisories and VEX, label effects."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this package's blueprints, navigation, commands and demo data."""
    from vulnerabilities import (
        labels,
        models,  # noqa: F401 - its tables must be known to migrations
    )

    labels.register(app)

    # CSAF import: the authority's upload and unmatched-products pages, and the commands.
    from vulnerabilities.cli import vulnerabilities_group
    from vulnerabilities.csaf import views as csaf_views

    app.register_blueprint(csaf_views.bp)
    app.cli.add_command(vulnerabilities_group)
