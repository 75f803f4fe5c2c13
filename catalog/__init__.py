"""Solutions, the search index, the public catalog and open-data exports."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this package's blueprints, navigation, commands and demo data."""
    from catalog.views import bp

    app.register_blueprint(bp)
