"""GET /api/v1/catalog/search: the catalog search with facet counts, as JSON."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, request

from catalog.search import index
from catalog.search.query import query
from catalog.search.views import read_arguments
from registry.api import API_PREFIX, MAX_PAGE, MAX_PER_PAGE, add_openapi, json_response

bp = Blueprint("catalog_search_api", __name__, url_prefix=API_PREFIX)
DEFAULT_PER_PAGE = 20


@bp.get("/catalog/search")
def catalog_search() -> Response:
    """Search published solutions; certified only unless `certified=0`."""
    arguments = read_arguments(request.args)
    try:
        per_page = int(request.args.get("per_page", str(DEFAULT_PER_PAGE)))
    except ValueError:
        per_page = DEFAULT_PER_PAGE
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    result = query(
        arguments.text, arguments.engine_filters(), arguments.sort, arguments.page, per_page
    )
    hits = [
        {
            "id": hit.id,
            "name": hit.fields["name"],
            "vendor": {"id": hit.fields["vendor_id"], "name": hit.fields["vendor"]},
            "category": hit.fields["category"] or None,
            "best_level": hit.fields["label_level"] or None,
            "certified": bool(hit.fields["certified_flag"]),
            "recertification_due": hit.fields.get("recertification") == "due",
            "recertification_due_norms": list(hit.fields.get("recertification_norms") or []),
            "certified_versions": list(hit.fields.get("version") or []),
            "under_remediation": bool(hit.fields.get("under_remediation")),
            "score": round(hit.score, 4),
        }
        for hit in result.hits
    ]
    return json_response(
        {
            "ids": result.ids,
            "hits": hits,
            "facets": result.facets,
            "total": result.total,
            "page": result.page,
            "per_page": result.per_page,
            "pages": result.pages,
            "suggestion": result.suggestion,
            "fuzzy": result.fuzzy,
        }
    )


def _parameters() -> list[dict[str, Any]]:
    described: list[dict[str, Any]] = [
        {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "Free text."},
        {
            "name": "certified",
            "in": "query",
            "schema": {"type": "string", "enum": ["0", "1"]},
            "description": "1 (default): only solutions with a valid label; 0: all.",
        },
        {
            "name": "sort",
            "in": "query",
            "schema": {"type": "string", "enum": list(index.SORTS)},
        },
        {
            "name": "page",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
        },
        {
            "name": "per_page",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        },
    ]
    for name in index.FACET_FIELDS:
        if name != "certified":
            described.append(
                {
                    "name": name,
                    "in": "query",
                    "schema": {"type": "array", "items": {"type": "string"}},
                    "style": "form",
                    "explode": True,
                    "description": f"Facet filter on {name}; repeat for several (OR).",
                }
            )
    described.append(
        {
            "name": "version",
            "in": "query",
            "schema": {"type": "array", "items": {"type": "string", "maxLength": 100}},
            "style": "form",
            "explode": True,
            "description": "Only solutions whose valid labels certify this version string "
            "(exact match, as the vendor declared it); repeat for several (OR). No facet counts "
            "are returned for it.",
        }
    )
    return described


HIT_SCHEMA = {
    "type": "object",
    "required": ["id", "name", "vendor", "category", "best_level", "certified", "score"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "vendor": {
            "type": "object",
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        },
        "category": {"type": ["string", "null"]},
        "best_level": {"type": ["string", "null"]},
        "certified": {"type": "boolean"},
        "recertification_due": {
            "type": "boolean",
            "description": "A valid label of the solution is due for re-certification (its "
            "norm version superseded past the transition date, or its norm withdrawn); such a "
            "label does not make the solution eligible for a joint call.",
        },
        "recertification_due_norms": {"type": "array", "items": {"type": "string"}},
        "certified_versions": {
            "type": "array",
            "items": {"type": "string"},
            "description": "The versions in the certified scope of the solution's valid labels.",
        },
        "under_remediation": {
            "type": "boolean",
            "description": "A label of the solution is marked by a disclosed vulnerability that "
            "is not yet fixed in its certified scope.",
        },
        "score": {"type": "number"},
    },
}
RESULT_SCHEMA = {
    "type": "object",
    "required": ["ids", "hits", "facets", "total", "page", "per_page", "pages", "suggestion"],
    "properties": {
        "ids": {"type": "array", "items": {"type": "integer"}},
        "hits": {"type": "array", "items": {"$ref": "#/components/schemas/CatalogSearchHit"}},
        "facets": {
            "type": "object",
            "description": "For each facet field, the number of hits each value would give.",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": {"type": "integer", "minimum": 0},
            },
        },
        "total": {"type": "integer", "minimum": 0},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1},
        "pages": {"type": "integer", "minimum": 1},
        "suggestion": {"type": ["string", "null"]},
        "fuzzy": {"type": "boolean"},
    },
}


def init_app(app: Flask) -> None:
    """Register the search API and describe it in the OpenAPI document."""
    app.register_blueprint(bp)
    add_openapi(
        app,
        paths={
            "/catalog/search": {
                "get": {
                    "summary": "Search the catalog with facet counts",
                    "operationId": "searchCatalog",
                    "parameters": _parameters(),
                    "responses": {
                        "200": {
                            "description": "A page of hits with facet counts",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/CatalogSearchResult"}
                                }
                            },
                        }
                    },
                }
            }
        },
        schemas={"CatalogSearchHit": HIT_SCHEMA, "CatalogSearchResult": RESULT_SCHEMA},
    )
