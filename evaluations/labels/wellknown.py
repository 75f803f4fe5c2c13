"""Public documents that verifiers fetch: the registry's signing keys and its JSON-LD context."""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Response, abort, current_app, request

from evaluations.labels.documents.context import (
    CONTEXT_VERSIONS,
    JSON_LD_MEDIA_TYPE,
    safetech_context,
)
from evaluations.labels.keys import public_keys_document
from registry.api import json_response

bp = Blueprint("wellknown", __name__)

# A published context version never changes, so caches may keep it for a day.
CONTEXT_MAX_AGE = 86_400


@bp.get("/.well-known/safetech-keys.json")
def keys_document() -> Response:
    """Every public key the registry signs (or signed) labels with, as Multikeys."""
    # BASE_URL, not the Host header: key ids inside signed credentials must never vary.
    document = public_keys_document(current_app.config["BASE_URL"])
    return json_response(document, max_age=3600)


@bp.get("/contexts/safetech/v<int:version>")
def safetech_context_document(version: int) -> Response:
    """A version of the SafeTech JSON-LD context that label credentials name (v1, v2)."""
    if version not in CONTEXT_VERSIONS:
        abort(404)
    # BASE_URL again: the vocabulary IRIs in it are those the signed credentials mean.
    document = safetech_context(current_app.config["BASE_URL"], version)
    body = (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    response = current_app.response_class(body, mimetype=JSON_LD_MEDIA_TYPE)
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.make_conditional(request)
    response.headers["Cache-Control"] = f"public, max-age={CONTEXT_MAX_AGE}"
    # Verifiers in a browser load it from another origin.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
