"""The norms part of the JSON API: published, superseded and withdrawn versions only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Flask, Response, request, url_for

from registry.api import (
    API_PREFIX,
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
from registry.norms import services
from registry.norms.models import CriterionKind, Norm, NormStatus, NormVersion, NormVersionStatus

bp = Blueprint("norms_api", __name__, url_prefix=API_PREFIX)


def _when(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _category(norm: Norm) -> dict[str, Any]:
    return {"code": norm.category.code, "name": norm.category.name}


def norm_summary(norm: Norm) -> dict[str, Any]:
    """A norm as listed: identity, category, status and its version in force."""
    current = norm.published_version
    latest = norm.latest_public_version
    return {
        "code": norm.code,
        "title": norm.title,
        "category": _category(norm),
        "status": norm.status.value,
        "current_version": current.number if current else None,
        "latest_version": latest.number if latest else None,
        "url": url_for("norms_api.norm", code=norm.code),
        "html_url": url_for("norms.norm", code=norm.code),
    }


def _version_summary(version: NormVersion) -> dict[str, Any]:
    return {
        "id": version.id,
        "number": version.number,
        "status": version.status.value,
        "validity_months": version.validity_months,
        "published_at": _when(version.published_at),
        "superseded_at": _when(version.superseded_at),
        "transition_date": _when(version.transition_date),
        "withdrawn_at": _when(version.withdrawn_at),
        "criteria_count": len(version.criteria),
        "url": url_for("norms_api.version", code=version.norm.code, number=version.number),
    }


def norm_detail(norm: Norm) -> dict[str, Any]:
    """A norm with its public versions, newest first."""
    return {
        **norm_summary(norm),
        "description": norm.description,
        "withdrawn_at": _when(norm.withdrawn_at),
        "withdrawal_reason": norm.withdrawal_reason,
        "versions": [_version_summary(v) for v in reversed(norm.public_versions)],
    }


def version_detail(version: NormVersion) -> dict[str, Any]:
    """A public version with every criterion, grouped by section."""
    return {
        **_version_summary(version),
        "norm": {"code": version.norm.code, "title": version.norm.title},
        "category": _category(version.norm),
        "superseded_by": version.superseded_by.number if version.superseded_by else None,
        "recertification_due_after": _when(services.recertification_due_after(version)),
        "change_note": version.change_note,
        "levels": [
            {"name": name, "minimum_percent": minimum}
            for name, minimum in services.thresholds_of(version)
        ],
        "standards": [s.reference for s in version.standards],
        "sections": [
            {
                "position": section.position,
                "title": section.title,
                "criteria": [
                    {
                        "code": c.code,
                        "title": c.title,
                        "guidance": c.guidance,
                        "kind": c.kind.value,
                        "mandatory": c.mandatory,
                        "weight": c.weight,
                        "evidence_required": c.evidence_required,
                    }
                    for c in section.criteria
                ],
            }
            for section in version.sections
        ],
    }


@bp.get("/norms")
def norms() -> Response:
    """Norms with at least one public version, filterable by category code and status."""
    statement = services.norms_statement(
        None,
        request.args.get("category", "").strip()[:40],
        request.args.get("status", "").strip()[:20],
    )
    return json_response(paginated(statement, norm_summary, "norms_api.norms"))


@bp.get("/norms/<code>")
def norm(code: str) -> Response:
    """One norm and its public versions."""
    return json_response(norm_detail(services.find_norm(None, code)))


@bp.get("/norms/<code>/versions/<int:number>")
def version(code: str, number: int) -> Response:
    """One public version with all its criteria."""
    norm = services.find_norm(None, code)
    return json_response(version_detail(services.find_version(None, norm, number)))


# ---------------------------------------------------------------------------- OpenAPI

_NULLABLE_STRING = {"type": ["string", "null"]}
_NULLABLE_DATE_TIME = {"type": ["string", "null"], "format": "date-time"}
_NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
_CATEGORY = {
    "type": "object",
    "required": ["code", "name"],
    "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
}
_PUBLIC_STATUSES = [s.value for s in NormVersionStatus if s is not NormVersionStatus.DRAFT]

SCHEMAS: dict[str, Any] = {
    "NormSummary": {
        "type": "object",
        "required": ["code", "title", "category", "status", "current_version", "url"],
        "properties": {
            "code": {"type": "string", "pattern": "^[A-Z0-9]+(-[A-Z0-9]+)*$"},
            "title": {"type": "string"},
            "category": _CATEGORY,
            "status": {"enum": [s.value for s in NormStatus]},
            "current_version": {
                "type": ["integer", "null"],
                "description": "The version in force (published), if any.",
            },
            "latest_version": {"type": ["integer", "null"]},
            "url": {"type": "string"},
            "html_url": {"type": "string"},
        },
    },
    "NormVersionSummary": {
        "type": "object",
        "required": ["id", "number", "status", "validity_months", "published_at", "url"],
        "properties": {
            "id": {"type": "integer"},
            "number": {"type": "integer", "minimum": 1},
            "status": {"enum": _PUBLIC_STATUSES},
            "validity_months": {"type": "integer", "minimum": 1, "maximum": 120},
            "published_at": _NULLABLE_DATE_TIME,
            "superseded_at": _NULLABLE_DATE_TIME,
            "transition_date": {
                **_NULLABLE_DATE,
                "description": "For a superseded version: after this date its labels show "
                "re-certification due.",
            },
            "withdrawn_at": _NULLABLE_DATE_TIME,
            "criteria_count": {"type": "integer", "minimum": 0},
            "url": {"type": "string"},
        },
    },
    "Norm": extended_schema(
        "NormSummary",
        ["description", "versions"],
        {
            "description": {"type": "string"},
            "withdrawn_at": _NULLABLE_DATE_TIME,
            "withdrawal_reason": {"type": "string"},
            "versions": array_of("NormVersionSummary"),
        },
    ),
    "NormCriterion": {
        "type": "object",
        "required": ["code", "title", "kind", "mandatory", "weight", "evidence_required"],
        "properties": {
            "code": {"type": "string"},
            "title": {"type": "string"},
            "guidance": {"type": "string"},
            "kind": {"enum": [k.value for k in CriterionKind]},
            "mandatory": {
                "type": "boolean",
                "description": "Pass/fail criteria are always mandatory; a mandatory scored "
                "criterion fails the evaluation when scored 0.",
            },
            "weight": {"type": "integer", "minimum": 1, "maximum": 100},
            "evidence_required": {"type": "boolean"},
        },
    },
    "NormVersion": extended_schema(
        "NormVersionSummary",
        ["norm", "category", "levels", "standards", "sections"],
        {
            "norm": {
                "type": "object",
                "required": ["code", "title"],
                "properties": {"code": {"type": "string"}, "title": {"type": "string"}},
            },
            "category": _CATEGORY,
            "superseded_by": {"type": ["integer", "null"]},
            "recertification_due_after": _NULLABLE_DATE,
            "change_note": {"type": "string"},
            "levels": {
                "type": "array",
                "description": "Lowest level first; minimum weighted percent, with "
                "every mandatory criterion met.",
                "items": {
                    "type": "object",
                    "required": ["name", "minimum_percent"],
                    "properties": {
                        "name": {"type": "string"},
                        "minimum_percent": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": 100,
                        },
                    },
                },
            },
            "standards": {"type": "array", "items": {"type": "string"}},
            "sections": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["position", "title", "criteria"],
                    "properties": {
                        "position": {"type": "integer"},
                        "title": {"type": "string"},
                        "criteria": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/NormCriterion"},
                        },
                    },
                },
            },
        },
    ),
}

_CODE_PARAMETER = {
    "name": "code",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "example": "VA-INTEROP",
}


PATHS: dict[str, Any] = {
    "/norms": {
        "get": {
            "summary": "Norms",
            "description": "Norms with at least one published, superseded or withdrawn "
            "version, ordered by code.",
            "tags": ["norms"],
            "parameters": [
                *PAGE_PARAMETERS,
                {
                    "name": "category",
                    "in": "query",
                    "description": "A technology category code, e.g. video-analysis.",
                    "schema": {"type": "string"},
                },
                {
                    "name": "status",
                    "in": "query",
                    "schema": {"type": "string", "enum": [s.value for s in NormStatus]},
                },
            ],
            "responses": {
                "200": ok_response(
                    page_schema("#/components/schemas/NormSummary"), "A page of norms."
                ),
                "304": NOT_MODIFIED_RESPONSE,
            },
        }
    },
    "/norms/{code}": {
        "get": {
            "summary": "A norm",
            "tags": ["norms"],
            "parameters": [_CODE_PARAMETER],
            "responses": one_object_responses("Norm", "The norm and its versions."),
        }
    },
    "/norms/{code}/versions/{number}": {
        "get": {
            "summary": "A norm version with all its criteria",
            "tags": ["norms"],
            "parameters": [
                _CODE_PARAMETER,
                {
                    "name": "number",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                    "example": 1,
                },
            ],
            "responses": one_object_responses("NormVersion", "The version."),
        }
    },
}


def init_app(app: Flask) -> None:
    """Register the API routes and describe them in the OpenAPI document."""
    app.register_blueprint(bp)
    add_openapi(app, paths=PATHS, schemas=SCHEMAS)
