"""The priority maps in the JSON API: scopes, current maps and every published version.

Identifiers are stable: a scope's slug ("national", "bretagne") and a version's number. Only
published versions appear; drafts never do.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, abort, url_for
from sqlalchemy import select

from registry.api import (
    API_PREFIX,
    NOT_FOUND_RESPONSE,
    NOT_MODIFIED_RESPONSE,
    PAGE_PARAMETERS,
    add_openapi,
    array_of,
    extended_schema,
    json_response,
    ok_response,
    one_object_responses,
    page_schema,
    paginated,
)
from registry.arguments import MAX_ID
from registry.priorities import services
from registry.priorities.models import PriorityLevel, PriorityMap, PriorityMapVersion

bp = Blueprint("priorities_api", __name__, url_prefix=API_PREFIX)


def _iso(moment: Any) -> str | None:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z") if moment else None


def _published_map(scope: str) -> PriorityMap:
    priority_map = services.get_map(scope)
    if priority_map is None or priority_map.last_number == 0:
        abort(404)
    return priority_map


def _scope(priority_map: PriorityMap) -> dict[str, Any]:
    return {
        "scope": priority_map.slug,
        "name": priority_map.title,
        "region": None if priority_map.is_national else priority_map.region,
        "current_version": priority_map.last_number,
        "links": {
            "self": url_for("priorities_api.current", scope=priority_map.slug),
            "versions": url_for("priorities_api.versions", scope=priority_map.slug),
            "html": url_for("priorities.current", scope=priority_map.slug),
        },
    }


def _version_summary(version: PriorityMapVersion) -> dict[str, Any]:
    slug = version.priority_map.slug
    return {
        "scope": slug,
        "number": version.number,
        "published_at": _iso(version.published_at),
        "change_note": version.change_note,
        "current": version.number == version.priority_map.last_number,
        "links": {
            "self": url_for("priorities_api.version", scope=slug, number=version.number),
            "html": url_for("priorities.version", scope=slug, number=version.number),
        },
    }


def _version(version: PriorityMapVersion) -> dict[str, Any]:
    grid = services.grid_of(version)
    cells = []
    for activity, category in grid.order:
        value = grid.cell(activity, category)
        if value is not None:
            cells.append(
                {
                    "activity": activity,
                    "category": category,
                    "level": value.level.value,
                    "rationale": value.rationale,
                }
            )
    return {
        **_version_summary(version),
        "scope_name": version.priority_map.title,
        "activities": [{"code": a.code, "name": a.name} for a in grid.activities],
        "categories": [{"code": c.code, "name": c.name} for c in grid.categories],
        "cells": cells,
    }


@bp.get("/priorities")
def scopes() -> Response:
    """Every scope with a published map, and the number of its current version."""
    statement = (
        select(PriorityMap)
        .where(PriorityMap.last_number > 0)
        .order_by((PriorityMap.slug != "national"), PriorityMap.region, PriorityMap.id)
    )
    return json_response(paginated(statement, _scope, "priorities_api.scopes"))


@bp.get("/priorities/<scope>")
def current(scope: str) -> Response:
    """The current published version of a scope, with all its cells."""
    priority_map = _published_map(scope)
    version = services.current_version(priority_map)
    if version is None:
        abort(404)
    return json_response(_version(version))


@bp.get("/priorities/<scope>/versions")
def versions(scope: str) -> Response:
    """The published versions of a scope, newest first."""
    priority_map = _published_map(scope)
    statement = services.published_versions_statement(priority_map)
    return json_response(
        paginated(statement, _version_summary, "priorities_api.versions", scope=scope)
    )


@bp.get("/priorities/<scope>/versions/<int:number>")
def version(scope: str, number: int) -> Response:
    """One published version of a scope, with all its cells."""
    priority_map = _published_map(scope)
    found = services.published_version(priority_map, number)
    if found is None:
        abort(404)
    return json_response(_version(found))


_LINKS = {"type": "object", "additionalProperties": {"type": ["string", "null"]}}
_SCOPE_PARAMETER = {
    "name": "scope",
    "in": "path",
    "required": True,
    "description": "`national`, or a region's slug.",
    "schema": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
    "example": "national",
}
_NUMBER_PARAMETER = {
    "name": "number",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    "example": 1,
}


SCHEMAS: dict[str, Any] = {
    "PriorityScope": {
        "type": "object",
        "required": ["scope", "name", "region", "current_version", "links"],
        "properties": {
            "scope": {"type": "string", "description": "Stable identifier (slug)."},
            "name": {"type": "string"},
            "region": {"type": ["string", "null"], "description": "null for the national map."},
            "current_version": {"type": "integer", "minimum": 1},
            "links": _LINKS,
        },
    },
    "PriorityVersionSummary": {
        "type": "object",
        "required": ["scope", "number", "published_at", "change_note", "current", "links"],
        "properties": {
            "scope": {"type": "string"},
            "number": {"type": "integer", "minimum": 1},
            "published_at": {"type": "string", "format": "date-time"},
            "change_note": {"type": "string"},
            "current": {"type": "boolean"},
            "links": _LINKS,
        },
    },
    "PriorityAxis": {
        "type": "object",
        "required": ["code", "name"],
        "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
    },
    "PriorityCell": {
        "type": "object",
        "required": ["activity", "category", "level", "rationale"],
        "properties": {
            "activity": {"type": "string", "description": "Security activity code."},
            "category": {"type": "string", "description": "Technology category code."},
            "level": {"type": "string", "enum": [level.value for level in PriorityLevel]},
            "rationale": {"type": "string"},
        },
    },
    "PriorityVersion": extended_schema(
        "PriorityVersionSummary",
        ["scope_name", "activities", "categories", "cells"],
        {
            "scope_name": {"type": "string"},
            "activities": array_of("PriorityAxis"),
            "categories": array_of("PriorityAxis"),
            "cells": array_of("PriorityCell"),
        },
    ),
}

PATHS: dict[str, Any] = {
    "/priorities": {
        "get": {
            "summary": "Scopes with a published priority map",
            "operationId": "listPriorityScopes",
            "tags": ["priorities"],
            "parameters": PAGE_PARAMETERS,
            "responses": {
                "200": ok_response(
                    page_schema("#/components/schemas/PriorityScope"), "Scopes, national first."
                ),
                "304": NOT_MODIFIED_RESPONSE,
            },
        }
    },
    "/priorities/{scope}": {
        "get": {
            "summary": "The current priority map of a scope",
            "operationId": "getCurrentPriorityMap",
            "tags": ["priorities"],
            "parameters": [_SCOPE_PARAMETER],
            "responses": one_object_responses(
                "PriorityVersion", "The current published version with its 66 cells."
            ),
        }
    },
    "/priorities/{scope}/versions": {
        "get": {
            "summary": "Published versions of a scope's priority map",
            "operationId": "listPriorityVersions",
            "tags": ["priorities"],
            "parameters": [_SCOPE_PARAMETER, *PAGE_PARAMETERS],
            "responses": {
                "200": ok_response(
                    page_schema("#/components/schemas/PriorityVersionSummary"),
                    "Versions, newest first.",
                ),
                "304": NOT_MODIFIED_RESPONSE,
                "404": NOT_FOUND_RESPONSE,
            },
        }
    },
    "/priorities/{scope}/versions/{number}": {
        "get": {
            "summary": "One published version of a scope's priority map",
            "operationId": "getPriorityVersion",
            "tags": ["priorities"],
            "parameters": [_SCOPE_PARAMETER, _NUMBER_PARAMETER],
            "responses": one_object_responses("PriorityVersion", "The version with its 66 cells."),
        }
    },
}


def init_app(app: Flask) -> None:
    """Register the API routes and describe them in the OpenAPI document."""
    app.register_blueprint(bp)
    add_openapi(app, paths=PATHS, schemas=SCHEMAS)
