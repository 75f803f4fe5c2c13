"""`flask --app app vulnerabilities ...`: the commands of vulnerability handling."""

from __future__ import annotations

from flask import Flask
from flask.cli import AppGroup

cli = AppGroup("vulnerabilities", help="Vulnerability cases, advisories and their label effects.")


def register(app: Flask) -> None:
    """Add the command group to the app's CLI."""
    app.cli.add_command(cli)
