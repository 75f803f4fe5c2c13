"""Complaints and appeals (ISO/IEC 17065 7.13): filing, independent handling, outcomes, effects."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this package's blueprints, navigation, commands and demo data."""
