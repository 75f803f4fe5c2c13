"""JSON API of the disclosed advisories (under /api/v1)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, url_for

from registry.api import (
    API_PREFIX,
    PAGE_PARAMETERS,
    add_openapi,
    api_error,
    id_parameter,
    json_response,
    page_schema,
    paginated,
)
from registry.arguments import integer_argument
from registry.dates import today
from vulnerabilities.advisories import (
    REFERENCE_PATTERN,
    disclosed,
    filtered,
    find_disclosed,
    severity_argument,
)
from vulnerabilities.cases import VEX_TEXT
from vulnerabilities.csaf import documents
from vulnerabilities.models import CaseStatus, ProductStatus, Severity, VulnerabilityCase

bp = Blueprint("advisories_api", __name__, url_prefix=API_PREFIX)


def _advisory_json(case: VulnerabilityCase) -> dict[str, Any]:
    history = documents.revisions(case)
    return {
        "reference": case.reference,
        "title": case.title,
        "status": case.status.value,
        "solution": {"id": case.solution_id, "name": case.solution.name},
        "vendor": {"id": case.vendor_id, "name": case.vendor.name},
        "cve": case.cve_id or None,
        "severity": case.severity.value if case.severity else None,
        "published_at": documents.stamp(history[0].at),
        "updated_at": documents.stamp(history[-1].at),
        "url": url_for("advisories.advisory", reference=case.reference, _external=True),
        "csaf_url": url_for("advisories.csaf", reference=case.reference, _external=True),
    }


def _detail_json(case: VulnerabilityCase) -> dict[str, Any]:
    data = _advisory_json(case)
    groups = documents.product_groups(case)
    data.update(
        {
            "summary": case.summary,
            "vendor_analysis": case.vendor_analysis,
            "cwe": case.cwe_id or None,
            "cvss_v3": {"vector": case.cvss_v3_vector, "score": case.cvss_v3_score}
            if case.cvss_v3_vector
            else None,
            "cvss_v4": {"vector": case.cvss_v4_vector, "score": case.cvss_v4_score}
            if case.cvss_v4_vector
            else None,
            "fixed_version": case.fixed_version.version if case.fixed_version else None,
            "vex_justification": case.vex_justification.value if case.vex_justification else None,
            "vex_text": VEX_TEXT[case.vex_justification] if case.vex_justification else None,
            "versions": {
                status.value: [
                    {"version": v.version, "purl": v.purl, "cpe": v.cpe} for v in groups[status]
                ]
                for status in documents.STATUS_ORDER
            },
        }
    )
    return data


@bp.get("/advisories")
def advisories() -> Response:
    """Disclosed advisories, newest first; filter by `severity` and `solution` (id)."""
    statement = filtered(disclosed(), severity_argument(), integer_argument("solution"))
    return json_response(paginated(statement, _advisory_json, "advisories_api.advisories"))


@bp.get("/advisories/<reference>")
def advisory(reference: str) -> Response:
    """One disclosed advisory and a link to its CSAF document."""
    case = find_disclosed(reference)
    if case is None:
        return api_error(404, "No such advisory.")
    return json_response(_detail_json(case))


_STRING = {"type": "string"}
_NULLABLE = {"type": ["string", "null"]}
_SCORE = {
    "oneOf": [
        {"type": "null"},
        {
            "type": "object",
            "required": ["vector", "score"],
            "properties": {"vector": _STRING, "score": {"type": "number"}},
        },
    ]
}
_VERSION = {
    "type": "object",
    "required": ["version", "purl", "cpe"],
    "properties": {"version": _STRING, "purl": _STRING, "cpe": _STRING},
}
_ADVISORY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "reference",
        "title",
        "status",
        "solution",
        "vendor",
        "cve",
        "severity",
        "published_at",
        "updated_at",
        "url",
        "csaf_url",
    ],
    "properties": {
        "reference": {"type": "string", "pattern": REFERENCE_PATTERN},
        "title": _STRING,
        "status": {
            "type": "string",
            "enum": [CaseStatus.CONFIRMED.value, CaseStatus.NOT_AFFECTED.value, "fixed"],
        },
        "solution": {
            "type": "object",
            "properties": {"id": {"type": "integer"}, "name": _STRING},
        },
        "vendor": {
            "type": "object",
            "properties": {"id": {"type": "integer"}, "name": _STRING},
        },
        "cve": _NULLABLE,
        "severity": {"type": ["string", "null"], "enum": [*(s.value for s in Severity), None]},
        "published_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
        "url": _STRING,
        "csaf_url": {
            "type": "string",
            "description": "The CSAF 2.0 VEX document of the advisory.",
        },
    },
}
_DETAIL_SCHEMA: dict[str, Any] = {
    "allOf": [
        {"$ref": "#/components/schemas/Advisory"},
        {
            "type": "object",
            "required": ["summary", "vendor_analysis", "cwe", "cvss_v3", "cvss_v4", "versions"],
            "properties": {
                "summary": _STRING,
                "vendor_analysis": _STRING,
                "cwe": _NULLABLE,
                "cvss_v3": _SCORE,
                "cvss_v4": _SCORE,
                "fixed_version": _NULLABLE,
                "vex_justification": _NULLABLE,
                "vex_text": _NULLABLE,
                "versions": {
                    "type": "object",
                    "description": "The solution's versions by CSAF product status.",
                    "properties": {
                        s.value: {"type": "array", "items": _VERSION} for s in ProductStatus
                    },
                },
            },
        },
    ]
}


def _json_200(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def describe(app: Flask) -> None:
    """Add the advisory paths to the OpenAPI document."""
    add_openapi(
        app,
        paths={
            "/advisories": {
                "get": {
                    "summary": "Disclosed vulnerability advisories, newest first",
                    "parameters": [
                        {
                            "name": "severity",
                            "in": "query",
                            "schema": {"type": "string", "enum": [s.value for s in Severity]},
                        },
                        id_parameter("solution", "query", "A solution id."),
                        *PAGE_PARAMETERS,
                    ],
                    "responses": {
                        "200": _json_200(
                            "A page of advisories", page_schema("#/components/schemas/Advisory")
                        ),
                    },
                }
            },
            "/advisories/{reference}": {
                "get": {
                    "summary": "One disclosed advisory with its versions by product status",
                    "description": "The CSAF 2.0 document is at `csaf_url`; the CSAF provider "
                    "metadata at /.well-known/csaf/provider-metadata.json (outside /api/v1).",
                    "parameters": [
                        {
                            "name": "reference",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "pattern": REFERENCE_PATTERN},
                            # The demo's first case, disclosed (references name their year).
                            "example": f"VULN-{today().year}-00001",
                        }
                    ],
                    "responses": {
                        "200": _json_200(
                            "The advisory", {"$ref": "#/components/schemas/AdvisoryDetail"}
                        ),
                        "404": {"$ref": "#/components/responses/NotFound"},
                    },
                }
            },
        },
        schemas={"Advisory": _ADVISORY_SCHEMA, "AdvisoryDetail": _DETAIL_SCHEMA},
    )
