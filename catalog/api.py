"""JSON API: published solutions and active vendors (never drafts, never archived content)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, request, url_for
from sqlalchemy.orm import selectinload

from catalog import services
from catalog.markdown import render_markdown
from catalog.models import Maturity, PriceBand, PriceModel, Solution, SolutionStatus
from catalog.regions import REGIONS, region_name
from catalog.vulnerability_facts import SEVERITIES, OpenVulnerability, open_vulnerabilities
from registry.api import (
    API_PREFIX,
    NOT_MODIFIED_RESPONSE,
    PAGE_PARAMETERS,
    add_openapi,
    api_error,
    id_parameter,
    json_response,
    ok_response,
    one_object_responses,
    page_schema,
    paginated,
    problem_response_description,
)
from registry.models import Organisation, VendorSize
from registry.public_address import public_url

bp = Blueprint("catalog_api", __name__, url_prefix=API_PREFIX)

# The demo data's first solution and first vendor (tests/test_api.py calls these paths).
EXAMPLE_SOLUTION_ID = 1
EXAMPLE_VENDOR_ID = 4


def _iso(value: Any) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def serialise_vendor(vendor: Organisation) -> dict[str, Any]:
    """The public facts of a vendor organisation."""
    return {
        "id": vendor.id,
        "name": vendor.name,
        "size": vendor.vendor_size.value if vendor.vendor_size else None,
        "country": vendor.country,
        "region": vendor.region,
        "website": vendor.website,
        "description": vendor.description,
        "url": url_for("catalog.vendor", organisation_id=vendor.id, _external=True),
    }


def serialise_vulnerability(item: OpenVulnerability) -> dict[str, Any]:
    """An open vulnerability as the API tells it."""
    return {
        "reference": item.reference,
        "title": item.title,
        "severity": item.severity or None,
        "score": item.score,
        "url": public_url(item.url),
    }


def serialise_solution(
    solution: Solution, vulnerabilities: list[OpenVulnerability] | None = None
) -> dict[str, Any]:
    """The public facts of a published solution (its open vulnerabilities looked up unless
    given)."""
    found = (
        open_vulnerabilities([solution.id]).get(solution.id, [])
        if vulnerabilities is None
        else vulnerabilities
    )
    category = solution.primary_category
    return {
        "id": solution.id,
        "name": solution.name,
        "vendor": {"id": solution.vendor_id, "name": solution.vendor.name},
        "primary_category": category.code if category else None,
        "activities": solution.activity_codes,
        "summary": solution.summary,
        "description_markdown": solution.description_markdown,
        "description_html": str(render_markdown(solution.description_markdown)),
        "maturity": solution.maturity.value if solution.maturity else None,
        "standards": solution.standard_codes,
        "deployment_references": solution.deployment_texts,
        "privacy": {
            "sensitive": solution.privacy_sensitive,
            "biometrics": solution.uses_biometrics,
            "facial_recognition": solution.uses_facial_recognition,
            "features": solution.privacy_features,
        },
        "price": {
            "model": solution.price_model.value if solution.price_model else None,
            "band": solution.price_band.value if solution.price_band else None,
        },
        "regions": [{"code": c, "name": region_name(c)} for c in solution.region_codes],
        "published_at": _iso(solution.published_at),
        "updated_at": _iso(solution.updated_at),
        "url": url_for("catalog.solution", solution_id=solution.id, _external=True),
        "open_vulnerabilities": [serialise_vulnerability(item) for item in found],
    }


@bp.get("/solutions")
def solutions() -> Response:
    """Published solutions, filterable by category code, activity code and vendor id."""
    vendor = request.args.get("vendor", type=int)  # checked against PATHS before the view
    statement = services.public_solutions(
        category=request.args.get("category") or None,
        activity=request.args.get("activity") or None,
        vendor_id=vendor,
    ).options(  # the full records, in a fixed number of queries per page
        selectinload(Solution.standards),
        selectinload(Solution.deployments),
        selectinload(Solution.regions),
    )
    page = paginated(statement, lambda row: row, "catalog_api.solutions")
    # One look-up of open vulnerabilities for the whole page.
    found = open_vulnerabilities([row.id for row in page["items"]])
    page["items"] = [serialise_solution(row, found.get(row.id, [])) for row in page["items"]]
    return json_response(page)


@bp.get("/solutions/<int:solution_id>")
def solution(solution_id: int) -> Response:
    """One published solution; 410 once archived, 404 for anything never public."""
    found = services.get_listed_solution(solution_id)
    if found.status is SolutionStatus.ARCHIVED:
        return api_error(410, "This solution is no longer offered.")
    return json_response(serialise_solution(found))


@bp.get("/vendors")
def vendors() -> Response:
    """Active vendor organisations."""
    page = paginated(services.public_vendors(), serialise_vendor, "catalog_api.vendors")
    return json_response(page)


@bp.get("/vendors/<int:organisation_id>")
def vendor(organisation_id: int) -> Response:
    """One active vendor with the ids of its published solutions."""
    found = services.get_public_vendor(organisation_id)
    solution_ids = services.published_solution_ids([found.id])[found.id]
    return json_response({**serialise_vendor(found), "solution_ids": solution_ids})


def _nullable_enum(values: list[str]) -> dict[str, Any]:
    return {"type": ["string", "null"], "enum": [*values, None]}


VENDOR_PROPERTIES: dict[str, Any] = {
    "id": {"type": "integer"},
    "name": {"type": "string"},
    "size": _nullable_enum([s.value for s in VendorSize]),
    "country": {"type": "string"},
    "region": {"type": "string"},
    "website": {"type": "string"},
    "description": {"type": "string"},
    "url": {"type": "string", "format": "uri"},
}
SCHEMAS: dict[str, Any] = {
    "Vendor": {
        "type": "object",
        "description": "An active vendor organisation (startup, SME or large firm).",
        "required": list(VENDOR_PROPERTIES),
        "properties": VENDOR_PROPERTIES,
    },
    "VendorDetail": {
        "type": "object",
        "required": [*VENDOR_PROPERTIES, "solution_ids"],
        "properties": {
            **VENDOR_PROPERTIES,
            "solution_ids": {
                "type": "array",
                "items": {"type": "integer"},
                "description": "Its published solutions.",
            },
        },
    },
    "Solution": {
        "type": "object",
        "description": (
            "A published solution. Standards are declared by the vendor, not verified: "
            "certification labels carry the verified results."
        ),
        "required": [
            "id",
            "name",
            "vendor",
            "primary_category",
            "activities",
            "summary",
            "description_markdown",
            "description_html",
            "maturity",
            "standards",
            "deployment_references",
            "privacy",
            "price",
            "regions",
            "published_at",
            "updated_at",
            "url",
            "open_vulnerabilities",
        ],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "vendor": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
            },
            "primary_category": {
                "type": ["string", "null"],
                "description": "A technology category code.",
            },
            "activities": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Security activity codes (a solution may serve several).",
            },
            "summary": {"type": "string"},
            "description_markdown": {"type": "string"},
            "description_html": {
                "type": "string",
                "description": "The description rendered and sanitised (no scripts, no raw HTML).",
            },
            "maturity": _nullable_enum([m.value for m in Maturity]),
            "standards": {"type": "array", "items": {"type": "string"}},
            "deployment_references": {"type": "array", "items": {"type": "string"}},
            "privacy": {
                "type": "object",
                "required": ["sensitive", "biometrics", "facial_recognition", "features"],
                "properties": {
                    "sensitive": {"type": "boolean"},
                    "biometrics": {"type": "boolean"},
                    "facial_recognition": {"type": "boolean"},
                    "features": {"type": "string"},
                },
            },
            "price": {
                "type": "object",
                "required": ["model", "band"],
                "properties": {
                    "model": _nullable_enum([p.value for p in PriceModel]),
                    "band": _nullable_enum([b.value for b in PriceBand]),
                },
            },
            "regions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["code", "name"],
                    "properties": {
                        "code": {"type": "string", "enum": list(REGIONS)},
                        "name": {"type": "string"},
                    },
                },
            },
            "published_at": {"type": ["string", "null"], "format": "date-time"},
            "updated_at": {"type": ["string", "null"], "format": "date-time"},
            "url": {"type": "string", "format": "uri"},
            "open_vulnerabilities": {
                "type": "array",
                "description": (
                    "Disclosed vulnerabilities its vendor confirmed and has not yet fixed, "
                    "worst first. A case still under embargo is never listed."
                ),
                "items": {"$ref": "#/components/schemas/OpenVulnerability"},
            },
        },
    },
    "OpenVulnerability": {
        "type": "object",
        "required": ["reference", "title", "severity", "score", "url"],
        "properties": {
            "reference": {"type": "string", "description": "The case, e.g. VULN-2026-00001."},
            "title": {"type": "string"},
            "severity": _nullable_enum(list(SEVERITIES)),
            "score": {
                "type": ["number", "null"],
                "description": "The CVSS base score (v4.0 when given, else v3.1).",
            },
            "url": {"type": "string", "format": "uri", "description": "The public advisory."},
        },
    },
}


GONE = problem_response_description(
    "The solution was public once and is no longer offered (archived)."
)


def _filter(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


PATHS: dict[str, Any] = {
    "/solutions": {
        "get": {
            "summary": "Published solutions",
            "operationId": "listSolutions",
            "tags": ["Catalog"],
            "parameters": [
                *PAGE_PARAMETERS,
                _filter("category", "A technology category code.", {"type": "string"}),
                _filter("activity", "A security activity code.", {"type": "string"}),
                id_parameter("vendor", "query", "A vendor organisation id."),
            ],
            "responses": {
                "200": ok_response(
                    page_schema("#/components/schemas/Solution"), "A page of solutions."
                ),
                "304": NOT_MODIFIED_RESPONSE,
            },
        }
    },
    "/solutions/{solution_id}": {
        "get": {
            "summary": "One published solution",
            "operationId": "getSolution",
            "tags": ["Catalog"],
            "parameters": [id_parameter("solution_id", "path", example=EXAMPLE_SOLUTION_ID)],
            "responses": {**one_object_responses("Solution", "The solution."), "410": GONE},
        }
    },
    "/vendors": {
        "get": {
            "summary": "Active vendor organisations",
            "operationId": "listVendors",
            "tags": ["Catalog"],
            "parameters": [*PAGE_PARAMETERS],
            "responses": {
                "200": ok_response(
                    page_schema("#/components/schemas/Vendor"), "A page of vendors."
                ),
                "304": NOT_MODIFIED_RESPONSE,
            },
        }
    },
    "/vendors/{organisation_id}": {
        "get": {
            "summary": "One vendor with its published solution ids",
            "operationId": "getVendor",
            "tags": ["Catalog"],
            "parameters": [id_parameter("organisation_id", "path", example=EXAMPLE_VENDOR_ID)],
            "responses": one_object_responses("VendorDetail", "The vendor."),
        }
    },
}


def init_app(app: Flask) -> None:
    """Register the API blueprint and describe its paths."""
    app.register_blueprint(bp)
    add_openapi(app, paths=PATHS, schemas=SCHEMAS)
