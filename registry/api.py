"""The JSON API's shared parts: pagination, ETags, errors and the merged OpenAPI document.

Each package adds its own routes to an `/api/v1` blueprint of its own and describes them with
`add_openapi(app, paths=..., schemas=...)`; `/api/v1/openapi.json` serves the union.

The document is also the API's only parameter check: before any `/api/v1` view runs,
`check_parameters` finds the matched route's operation in the document and holds every path
and query parameter to its declared schema, so a declaration and its enforcement cannot differ.
Errors are RFC 9457 problem details (`application/problem+json`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request, url_for
from jsonschema import Draft202012Validator
from sqlalchemy import Select, func, select

from registry import arguments
from registry.database import db

API_PREFIX = "/api/v1"
MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50
# The highest page a list serves and the highest id an integer parameter may name (the
# databases' 32-bit integer keys): beyond them a request is refused, not quietly capped.
MAX_PAGE = arguments.MAX_PAGE
PROBLEM_MEDIA_TYPE = "application/problem+json"

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


def problem_response(
    status: int,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> Response:
    """An RFC 9457 problem details body: `about:blank`, the status phrase, and the `detail`."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        **extensions,
    }
    if detail:
        body["detail"] = detail
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
        status=status,
        mimetype=PROBLEM_MEDIA_TYPE,
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers.update(headers or {})
    return response


def api_error(status: int, message: str) -> Response:
    """A problem details answer with `message` as its detail."""
    return problem_response(status, message)


def page_number(limit: int = MAX_PAGE) -> int:
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
# Declared on every operation by `openapi_document`: any request may be malformed, name
# something that does not exist, or use a method the path does not answer.
COMMON_RESPONSES = {
    "400": {"$ref": "#/components/responses/BadRequest"},
    "404": NOT_FOUND_RESPONSE,
    "405": {"$ref": "#/components/responses/MethodNotAllowed"},
}


def problem_content() -> dict[str, Any]:
    """The OpenAPI `content` of a problem details body."""
    return {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def problem_response_description(description: str) -> dict[str, Any]:
    """An OpenAPI response whose body is a problem details object."""
    return {"description": description, "content": problem_content()}


def ok_response(schema: dict[str, Any], description: str) -> dict[str, Any]:
    """An OpenAPI 200 response with a JSON body of `schema`."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def schema_ref(name: str) -> dict[str, str]:
    """A reference to the schema `name` of the OpenAPI document's components."""
    return {"$ref": f"#/components/schemas/{name}"}


def array_of(name: str) -> dict[str, Any]:
    """The OpenAPI schema of a list of the component schema `name`."""
    return {"type": "array", "items": schema_ref(name)}


def extended_schema(base: str, required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    """The component schema `base` with more properties, some of them required."""
    return {
        "allOf": [
            schema_ref(base),
            {"type": "object", "required": required, "properties": properties},
        ]
    }


def one_object_responses(name: str, description: str) -> dict[str, Any]:
    """The responses of a GET of one object: the schema `name`, not modified, or not found."""
    return {
        "200": ok_response(schema_ref(name), description),
        "304": NOT_MODIFIED_RESPONSE,
        "404": NOT_FOUND_RESPONSE,
    }


def id_parameter(name: str, where: str, description: str = "", example: int = 1) -> dict[str, Any]:
    """An OpenAPI parameter holding a database id (1 to the largest 32-bit key)."""
    parameter: dict[str, Any] = {
        "name": name,
        "in": where,
        "required": where == "path",
        "schema": {"type": "integer", "minimum": 1, "maximum": arguments.MAX_ID},
    }
    if description:
        parameter["description"] = description
    if where == "path":
        parameter["example"] = example
    return parameter


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


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri-reference"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string", "format": "uri-reference"},
        "parameter": {
            "type": "string",
            "description": "The request parameter that was refused (400 only).",
        },
    },
}


# A NUL is no text: every request carrying one is refused (registry.http), so every text
# parameter says so.
NO_NUL_PATTERN = "^[^\\u0000]*$"


def _no_nul(schema: dict[str, Any]) -> dict[str, Any]:
    """A free text schema (or an array of them) with the rule that a NUL is refused."""
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        return {**schema, "items": _no_nul(schema["items"])}
    if schema.get("type") == "string" and not {"pattern", "enum", "format"} & set(schema):
        return {**schema, "pattern": NO_NUL_PATTERN}
    return schema


def _text_rule(parameters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Parameters whose free text schema states that a NUL is refused."""
    return [
        (
            {**parameter, "schema": _no_nul(parameter["schema"])}
            if "schema" in parameter
            else parameter
        )
        for parameter in parameters
    ]


def _described(key: str, value: Any) -> Any:
    if key == "parameters":
        return _text_rule(value)
    if key not in {"get", "head", "post", "put", "patch", "delete"}:
        return value
    operation = {**value, "responses": {**COMMON_RESPONSES, **value["responses"]}}
    if "parameters" in operation:
        operation["parameters"] = _text_rule(operation["parameters"])
    return operation


def _with_common_responses(paths: dict[str, Any]) -> dict[str, Any]:
    """Each path's operations, with the problem responses every operation can give and the
    rule every text parameter follows."""
    return {
        template: {key: _described(key, value) for key, value in item.items()}
        for template, item in sorted(paths.items())
    }


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 description of everything registered so far."""
    spec = current_app.extensions.get("openapi", {"paths": {}, "schemas": {}})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "SafeTech Registry API",
            "version": "1.0.0",
            "summary": "Priorities, norms, certified solutions, labels and joint procurement.",
            "description": (
                "Read-only public data of the registry. Lists are paginated with `page` and "
                "`per_page`; every response carries a strong ETag (send If-None-Match to get "
                "304). Identifiers are stable integers or codes. Every parameter is checked "
                "against this document: a value of the wrong type, out of range, not in the "
                "enumeration, or given twice gets 400 (parameters an operation does not list "
                "are ignored). Errors are RFC 9457 problem details (`application/problem+json`); a "
                "refused parameter is named in the problem's `parameter` member."
            ),
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        },
        "servers": [{"url": API_PREFIX}],
        "paths": _with_common_responses(spec["paths"]),
        "components": {
            "schemas": {"Problem": PROBLEM_SCHEMA, **dict(sorted(spec["schemas"].items()))},
            "parameters": {
                "page": {
                    "name": "page",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
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
                "BadRequest": problem_response_description(
                    "A parameter is missing, malformed, out of range or given twice; the "
                    "problem's `parameter` names it."
                ),
                "NotFound": problem_response_description("No such object (or not public)."),
                "MethodNotAllowed": {
                    "description": "The path does not answer this method.",
                    "headers": {
                        "Allow": {
                            "description": "The methods the path answers.",
                            "schema": {"type": "string"},
                        }
                    },
                    "content": problem_content(),
                },
                "NotModified": {"description": "The client's copy (If-None-Match) is current."},
            },
            "securitySchemes": {
                "portalSession": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": current_app.config["SESSION_COOKIE_NAME"],
                    "description": "The session cookie of a signed-in portal user.",
                }
            },
        },
    }


# ------------------------------------------------------------------ parameter checking

_CONVERTER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
_INTEGER = re.compile(r"-?[0-9]+", re.ASCII)
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?", re.ASCII)


class ParameterError(ValueError):
    """A request parameter that does not match its declaration."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def _declared_operations() -> dict[tuple[str, str], list[dict[str, Any]]]:
    """(path template, method) to the resolved parameters of its operation, built once."""
    cached = current_app.extensions.get("openapi_operations")
    if cached is None:
        document = openapi_document()
        shared = document["components"]["parameters"]
        cached = {}
        for template, item in document["paths"].items():
            for method, operation in item.items():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                parameters = [*item.get("parameters", []), *operation.get("parameters", [])]
                cached[(template, method)] = [
                    shared[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p for p in parameters
                ]
        current_app.extensions["openapi_operations"] = cached
    return cached


def _types(schema: dict[str, Any]) -> set[str]:
    kind = schema.get("type", [])
    return {kind} if isinstance(kind, str) else set(kind)


def _coerce(name: str, raw: str, schema: dict[str, Any]) -> Any:
    """A query string value as the JSON value its schema describes."""
    types = _types(schema)
    try:
        if "integer" in types and _INTEGER.fullmatch(raw):
            return int(raw)
        if "number" in types and _NUMBER.fullmatch(raw):
            return float(raw)
    except ValueError:  # more digits than Python converts: no declared range holds it
        raise ParameterError(name, f"{name} is out of range.") from None
    if "boolean" in types and raw in {"true", "false"}:
        return raw == "true"
    if types and not types & {"string"}:
        raise ParameterError(name, f"{name} must be of type {' or '.join(sorted(types))}.")
    return raw


def _check_value(name: str, value: Any, schema: dict[str, Any]) -> None:
    error = next(iter(Draft202012Validator(schema).iter_errors(value)), None)
    if error is not None:
        raise ParameterError(name, f"{name}: {error.message}.")


def check_request_parameters(declared: list[dict[str, Any]]) -> None:
    """Hold the request's path and query parameters to `declared`; raise ParameterError.

    Query parameters the operation does not declare are ignored, as before: clients add
    cache-busting arguments and reuse one query string across paths.
    """
    for parameter in declared:
        name, schema = parameter["name"], parameter.get("schema", {})
        if parameter.get("in") == "path":
            _check_value(name, (request.view_args or {}).get(name), schema)
        elif parameter.get("in") == "query":
            values = request.args.getlist(name)
            if not values:
                if parameter.get("required"):
                    raise ParameterError(name, f"{name} is required.")
            elif "array" in _types(schema):
                items = schema.get("items", {})
                _check_value(name, [_coerce(name, v, items) for v in values], schema)
            elif len(values) > 1:
                raise ParameterError(name, f"{name} must be given once.")
            else:
                _check_value(name, _coerce(name, values[0], schema), schema)


@bp.before_app_request
def check_parameters() -> Response | None:
    """Refuse an API request whose parameters break its operation's declaration (400)."""
    rule = request.url_rule
    if rule is None or not rule.rule.startswith(API_PREFIX + "/"):
        return None
    method = "get" if request.method == "HEAD" else request.method.lower()
    template = _CONVERTER.sub(r"{\1}", rule.rule.removeprefix(API_PREFIX))
    declared = _declared_operations().get((template, method))
    if declared is None:  # the document itself, and OPTIONS
        return None
    try:
        check_request_parameters(declared)
    except ParameterError as error:
        return problem_response(400, str(error), parameter=error.name)
    return None


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 document of this API."""
    return json_response(openapi_document(), max_age=300)


def ids(values: Iterable[Any]) -> list[Any]:
    """A sorted list, for stable JSON output of sets."""
    return sorted(values)
