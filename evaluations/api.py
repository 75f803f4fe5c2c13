"""GET /api/v1/evaluations: the evaluations the signed-in user may see (never public)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, g

from evaluations.models import Evaluation
from evaluations.services.visibility import visible_statement
from registry.api import (
    API_PREFIX,
    PAGE_PARAMETERS,
    add_openapi,
    api_error,
    json_response,
    page_schema,
    paginated,
    problem_response_description,
)
from registry.models import Role

bp = Blueprint("evaluations_api", __name__, url_prefix=API_PREFIX)


def serialise(evaluation: Evaluation) -> dict[str, Any]:
    """An evaluation as the API shows it: the application and, once decided, the outcome."""
    decided = evaluation.decision is not None
    return {
        "id": evaluation.id,
        "status": evaluation.status.value,
        "solution": {"id": evaluation.solution_id, "name": evaluation.solution.name},
        "vendor": {"id": evaluation.vendor_id, "name": evaluation.vendor.name},
        "norm": {
            "code": evaluation.norm_version.norm.code,
            "version": evaluation.norm_version.number,
        },
        "created_at": evaluation.created_at.isoformat(),
        "status_changed_at": evaluation.status_changed_at.isoformat(),
        "submitted_at": evaluation.submitted_at.isoformat() if evaluation.submitted_at else None,
        "decided_at": evaluation.decided_at.isoformat() if evaluation.decided_at else None,
        "decision": evaluation.decision.value if evaluation.decision else None,
        "level": evaluation.decided_level,
        "score_percent": evaluation.computed_percent if decided else None,
    }


@bp.get("/evaluations")
def evaluations() -> Response:
    """Vendors: their own; evaluators: their assignments; the authority: all. Others: 401."""
    user = g.get("user")
    if user is None:
        response = api_error(401, "Sign in to see evaluations.")
        response.headers["WWW-Authenticate"] = 'Cookie realm="safetech"'
        return response
    if user.role not in (Role.VENDOR, Role.EVALUATOR, Role.AUTHORITY):
        return api_error(403, "Your role has no evaluations.")
    response = json_response(
        paginated(visible_statement(user), serialise, "evaluations_api.evaluations")
    )
    # Personal data: never cached by shared caches, never readable cross-origin.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers.pop("Access-Control-Allow-Origin", None)
    return response


def _nullable(kind: str) -> dict[str, Any]:
    return {"type": [kind, "null"]}


SCHEMAS: dict[str, Any] = {
    "Evaluation": {
        "type": "object",
        "required": ["id", "status", "solution", "vendor", "norm", "decision", "level"],
        "properties": {
            "id": {"type": "integer"},
            "status": {
                "enum": [
                    "draft",
                    "submitted",
                    "returned",
                    "in_review",
                    "scored",
                    "decided",
                    "withdrawn",
                ]
            },
            "solution": {
                "type": "object",
                "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
            },
            "vendor": {
                "type": "object",
                "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
            },
            "norm": {
                "type": "object",
                "properties": {"code": {"type": "string"}, "version": {"type": "integer"}},
            },
            "created_at": {"type": "string", "format": "date-time"},
            "status_changed_at": {"type": "string", "format": "date-time"},
            "submitted_at": _nullable("string"),
            "decided_at": _nullable("string"),
            "decision": {"enum": ["certified", "rejected", None]},
            "level": _nullable("string"),
            "score_percent": _nullable("number"),
        },
    }
}

PATHS: dict[str, Any] = {
    "/evaluations": {
        "get": {
            "summary": "The evaluations the signed-in user may see",
            "description": (
                "Not public. Uses the portal's session cookie: vendors see their own "
                "organisation's evaluations, evaluators those assigned to them, the authority "
                "all of them. Anonymous requests get 401."
            ),
            "x-requires-login": True,
            "security": [{"portalSession": []}],
            "parameters": PAGE_PARAMETERS,
            "responses": {
                "200": {
                    "description": "A page of evaluations.",
                    "content": {
                        "application/json": {
                            "schema": page_schema("#/components/schemas/Evaluation")
                        }
                    },
                },
                "401": {
                    **problem_response_description("Not signed in."),
                    "headers": {
                        "WWW-Authenticate": {
                            "description": "The portal's session cookie is the credential.",
                            "schema": {"type": "string"},
                        }
                    },
                },
                "403": problem_response_description("The signed-in role has no evaluations."),
            },
        }
    }
}


def init_app(app: Flask) -> None:
    """Register the blueprint and describe the path."""
    app.register_blueprint(bp)
    add_openapi(app, paths=PATHS, schemas=SCHEMAS)
