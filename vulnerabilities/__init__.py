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
    _init_demo(app)


def _init_demo(app: Flask) -> None:
    """Demo cases on demo labels, after the labels' and maintenance demos."""
    from registry import cli
    from vulnerabilities.demo import seed_demo_vulnerabilities

    cli.add_demo_seeder(app, "vulnerabilities", seed_demo_vulnerabilities, order=60)
