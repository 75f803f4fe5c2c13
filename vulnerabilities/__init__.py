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

    # Buyers: the catalog and procurement show the open vulnerabilities of solutions.
    from vulnerabilities import catalog_facts

    catalog_facts.register(app)
