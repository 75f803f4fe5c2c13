"""The blueprint of the vulnerability pages that are not the public advisories."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("vulnerabilities", __name__)
