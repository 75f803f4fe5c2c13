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

    # Label effects: the authority's list to suspend, and the daily job.
    from vulnerabilities import cli, daily, suspension

    suspension.register(app)
    cli.cli.add_command(daily.daily_command)
    cli.register(app)
