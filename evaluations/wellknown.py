"""Public well-known documents: the registry's signing keys."""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from evaluations.keys import public_keys_document
from registry.api import json_response

bp = Blueprint("wellknown", __name__)


@bp.get("/.well-known/safetech-keys.json")
def keys_document() -> Response:
    """Every public key the registry signs (or signed) labels with, as Multikeys."""
    # BASE_URL, not the Host header: key ids inside signed credentials must never vary.
    document = public_keys_document(current_app.config["BASE_URL"])
    return json_response(document, max_age=3600)
