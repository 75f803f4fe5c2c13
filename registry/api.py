"""The JSON API's shared parts: pagination, ETags, errors and the merged OpenAPI document.

Each package adds its own routes to an `/api/v1` blueprint of its own and describes them with
`add_openapi(app, paths=..., schemas=...)`; `/api/v1/openapi.json` serves the union.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request, url_for
from sqlalchemy import Select, func, select

from registry import arguments
from registry.database import db

API_PREFIX = "/api/v1"
MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)


def json_response(payload: Any, status: int = 200, max_age: int = 60) -> Response:
    """Serialise with a strong ETag; answer 304 when the client already has this version."""
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    etag = hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]
    response = current_app.response_class(body, status=status, mimetype="application/json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    if status == 200:
        response.make_conditional(request)
    return response


def api_error(status: int, message: str) -> Response:
    """A JSON error body in the same shape the error handler uses."""
    response = json_response({"error": {"code": status, "message": message}}, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def page_number(limit: int = arguments.MAX_PAGE) -> int:
    """`page` from the query string, from 1 to `limit`; bad input gives the first page."""
    return arguments.page_argument("page", maximum=limit)


def page_arguments() -> tuple[int, int]:
    """`page` (from 1) and `per_page` (1..200) from the query string, forgiving bad input."""
    per_page = arguments.page_argument("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    return page_number(), per_page


def paginated(
    statement: Select[Any], serialise: Callable[[Any], dict[str, Any]], endpoint: str, **values: Any
) -> dict[str, Any]:
    """Run a select for one page and describe the page (total, links) the same way everywhere."""
    page, per_page = page_arguments()
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = db.session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).all()
    pages = max(1, -(-int(total or 0) // per_page))
    args = {k: v for k, v in request.args.items() if k not in {"page", "per_page"}}

    def link(number: int) -> str:
        arguments: dict[str, Any] = {**values, **args, "page": number, "per_page": per_page}
        return url_for(endpoint, **arguments)

    return {
        "items": [serialise(row) for row in rows],
        "page": page,
        "per_page": per_page,
        "total": int(total or 0),
        "pages": pages,
        "links": {
            "self": link(page),
            "first": link(1),
            "last": link(pages),
            "next": link(page + 1) if page < pages else None,
            "prev": link(page - 1) if page > 1 else None,
        },
    }


# Responses every API module's OpenAPI paths use.
NOT_FOUND_RESPONSE = {"$ref": "#/components/responses/NotFound"}
NOT_MODIFIED_RESPONSE = {"$ref": "#/components/responses/NotModified"}


def ok_response(schema: dict[str, Any], description: str) -> dict[str, Any]:
    """An OpenAPI 200 response with a JSON body of `schema`."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def page_schema(item_ref: str) -> dict[str, Any]:
    """The OpenAPI schema of a paginated list of `item_ref`."""
    link = {"type": ["string", "null"]}
    return {
        "type": "object",
        "required": ["items", "page", "per_page", "total", "pages", "links"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": item_ref}},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "total": {"type": "integer", "minimum": 0},
            "pages": {"type": "integer", "minimum": 1},
            "links": {
                "type": "object",
                "properties": {k: link for k in ("self", "first", "last", "next", "prev")},
            },
        },
    }


PAGE_PARAMETERS: list[dict[str, Any]] = [
    {"$ref": "#/components/parameters/page"},
    {"$ref": "#/components/parameters/per_page"},
]


def add_openapi(app: Flask, paths: dict[str, Any], schemas: dict[str, Any] | None = None) -> None:
    """Describe some API paths (and the schemas they use) in the published document."""
    spec = app.extensions.setdefault("openapi", {"paths": {}, "schemas": {}})
    spec["paths"].update(paths)
    spec["schemas"].update(schemas or {})


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 description of everything registered so far."""
    spec = current_app.extensions.get("openapi", {"paths": {}, "schemas": {}})
    error = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {"code": {"type": "integer"}, "message": {"type": "string"}},
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "SafeTech Registry API",
            "version": "1.0.0",
            "summary": "Priorities, norms, certified solutions, labels and joint procurement.",
            "description": (
                "Read-only public data of the registry. Lists are paginated with `page` and "
                "`per_page`; every response carries a strong ETag (send If-None-Match to get "
                "304). Identifiers are stable integers or codes."
            ),
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        },
        "servers": [{"url": API_PREFIX}],
        "paths": dict(sorted(spec["paths"].items())),
        "components": {
            "schemas": {"Error": error, **dict(sorted(spec["schemas"].items()))},
            "parameters": {
                "page": {
                    "name": "page",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "default": 1},
                },
                "per_page": {
                    "name": "per_page",
                    "in": "query",
                    "schema": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": MAX_PER_PAGE,
                        "default": DEFAULT_PER_PAGE,
                    },
                },
            },
            "responses": {
                "NotFound": {
                    "description": "No such object (or not public).",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                },
                "NotModified": {"description": "The client's copy (If-None-Match) is current."},
            },
        },
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 document of this API."""
    return json_response(openapi_document(), max_age=300)


def ids(values: Iterable[Any]) -> list[Any]:
    """A sorted list, for stable JSON output of sets."""
    return sorted(values)
