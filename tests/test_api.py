"""The OpenAPI document validates, every path answers as described, and keeps its contract."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import (
    BadRequest,
    Forbidden,
    Gone,
    NotAcceptable,
    RequestEntityTooLarge,
    ServiceUnavailable,
    Unauthorized,
)

from registry.api import API_PREFIX
from registry.exceptions import TooManyAttempts


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with `$ref`s resolvable against the whole document."""
    return {**schema, "$defs": {}, "components": document["components"]}


def test_openapi_document_is_valid(client: FlaskClient) -> None:
    response = client.get(f"{API_PREFIX}/openapi.json")
    assert response.status_code == 200
    document = response.json
    assert document is not None
    validate(document)
    assert document["openapi"].startswith("3.1")


def test_responses_carry_etags_and_honour_if_none_match(client: FlaskClient) -> None:
    first = client.get(f"{API_PREFIX}/openapi.json")
    etag = first.headers["ETag"]
    again = client.get(f"{API_PREFIX}/openapi.json", headers={"If-None-Match": etag})
    assert again.status_code == 304


def _example_path(template: str, examples: dict[str, str]) -> str:
    return re.sub(r"{(\w+)}", lambda m: examples[m.group(1)], template)


def test_every_listed_path_answers_as_described(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner
) -> None:
    """On the demo data, each GET path answers 200 with a body matching its documented schema.

    Paths with parameters take their example value from the parameter's `example`.
    """
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    document = client.get(f"{API_PREFIX}/openapi.json").json
    assert document is not None
    for template, item in document["paths"].items():
        operation = item.get("get")
        # Paths marked with the vendor extension x-requires-login answer 401 anonymously.
        if operation is None or operation.get("x-requires-login"):
            continue
        examples = {
            p["name"]: str(p.get("example", ""))
            for p in operation.get("parameters", []) + item.get("parameters", [])
            if "name" in p and p.get("in") == "path"
        }
        response = client.get(API_PREFIX + _example_path(template, examples))
        assert response.status_code == 200, f"{template}: {response.status_code}"
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        validator = Draft202012Validator(_resolve(document, schema))
        errors = sorted(validator.iter_errors(response.json), key=str)
        assert not errors, f"{template}: {errors[0].message}"


# --- the contract: parameters held to the document, errors as RFC 9457 problem details ----


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Each GET path (with example path values) and its resolved parameters."""
    shared = document["components"]["parameters"]
    for template, item in document["paths"].items():
        parameters = [
            shared[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p
            for p in item["get"].get("parameters", [])
        ]
        examples = {p["name"]: str(p.get("example", 1)) for p in parameters if p["in"] == "path"}
        yield API_PREFIX + _example_path(template, examples), parameters


def _invalid_values(schema: dict[str, Any]) -> list[str]:
    """Query string values that break `schema`."""
    kinds = {schema["type"]} if isinstance(schema.get("type"), str) else set(schema.get("type", []))
    values = []
    if "integer" in kinds:
        values += ["abc", "1.5", "", "9" * 5000]
        if "minimum" in schema:
            values.append(str(schema["minimum"] - 1))
        if "maximum" in schema:
            values.append(str(schema["maximum"] + 1))
    if "enum" in schema:
        values += ["not-a-value", ""]
    return values


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem details body with this status."""
    assert response.status_code == status, response.get_data(as_text=True)[:200]
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status and body["type"] == "about:blank" and body["title"]
    return dict(body)


def test_every_declared_parameter_refuses_what_its_schema_refuses(client: FlaskClient) -> None:
    """Wrong types, out-of-range numbers, unknown enum values and repeats: 400.

    The problem names the parameter. Derived from the document itself, so a new parameter is
    covered the moment it is declared. Undeclared parameters are ignored.
    """
    document = client.get(f"{API_PREFIX}/openapi.json").json
    assert document is not None
    checked = 0
    for path, parameters in _operations(document):
        assert client.get(path, query_string={"_": "1700000000"}).status_code != 400
        for parameter in parameters:
            if parameter["in"] != "query":
                continue
            name, schema = parameter["name"], parameter["schema"]
            for value in _invalid_values(schema.get("items", schema)):
                body = assert_problem(client.get(path, query_string={name: value}), 400)
                assert body["parameter"] == name and name in body["detail"], (path, name, value)
                checked += 1
            if schema.get("type") != "array":
                body = assert_problem(
                    client.get(path, query_string=[(name, "1"), (name, "1")]), 400
                )
                assert body["parameter"] == name
    assert checked > 50


def test_integer_parameters_declare_their_range(client: FlaskClient) -> None:
    """An integer parameter without bounds would let an out-of-range id reach the database."""
    document = client.get(f"{API_PREFIX}/openapi.json").json
    assert document is not None
    for path, parameters in _operations(document):
        for parameter in parameters:
            schema = parameter["schema"].get("items", parameter["schema"])
            if schema.get("type") == "integer":
                assert "minimum" in schema and "maximum" in schema, (path, parameter["name"])


def test_every_api_route_is_in_the_document(app: Flask, client: FlaskClient) -> None:
    """A route the document does not describe would escape the parameter checks."""
    document = client.get(f"{API_PREFIX}/openapi.json").json
    assert document is not None
    routes = {
        re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule.removeprefix(API_PREFIX))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(API_PREFIX + "/")
    }
    assert routes - {"/openapi.json"} == set(document["paths"])


def test_every_operation_declares_the_problem_responses(client: FlaskClient) -> None:
    document = client.get(f"{API_PREFIX}/openapi.json").json
    assert document is not None
    for template, item in document["paths"].items():
        responses = item["get"]["responses"]
        for status in ("400", "404", "405"):
            assert "$ref" in responses[status], (template, status)


def test_unknown_paths_and_methods_answer_problems_with_allow(client: FlaskClient) -> None:
    assert_problem(client.get(f"{API_PREFIX}/no-such-thing"), 404)
    assert_problem(client.get(f"{API_PREFIX}/solutions/999999"), 404)
    document = client.get(f"{API_PREFIX}/openapi.json").json
    assert document is not None
    for path, _ in _operations(document):
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            response = client.open(path, method=method)
            assert_problem(response, 405)
            assert {"GET", "HEAD"} <= {m.strip() for m in response.headers["Allow"].split(",")}


def test_evaluations_answer_401_anonymously_as_declared(client: FlaskClient) -> None:
    response = client.get(f"{API_PREFIX}/evaluations")
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"]
    document = client.get(f"{API_PREFIX}/openapi.json").json
    assert document is not None
    declared = document["paths"]["/evaluations"]["get"]["responses"]["401"]
    assert "application/problem+json" in declared["content"]


@pytest.mark.parametrize(
    ("raised", "status", "header"),
    [
        (BadRequest("The query string is not valid UTF-8."), 400, None),
        (Unauthorized(), 401, None),
        (Forbidden(), 403, None),
        (NotAcceptable(), 406, None),
        (IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed")), 409, None),
        (Gone(), 410, None),
        (RequestEntityTooLarge(), 413, None),
        (TooManyAttempts(30), 429, "Retry-After"),
        (RuntimeError("boom"), 500, None),
        (OperationalError("SELECT 1", {}, Exception("database is locked")), 503, "Retry-After"),
        (ServiceUnavailable(retry_after=60), 503, "Retry-After"),
        (OSError("No space left on device"), 503, "Retry-After"),
    ],
)
def test_errors_on_api_paths_are_problem_details(
    app: Flask, client: FlaskClient, raised: Exception, status: int, header: str | None
) -> None:
    """Whatever fails under /api/, the answer is problem+json (never the HTML error page)."""

    def fail() -> str:
        raise raised

    app.add_url_rule(f"{API_PREFIX}/failing", "failing", fail)
    app.add_url_rule("/failing", "failing_page", fail)
    body = assert_problem(client.get(f"{API_PREFIX}/failing"), status)
    if isinstance(raised, BadRequest):
        assert body["detail"] == raised.description
    if status == 500:
        assert "boom" not in body.get("detail", "")
    if header:
        assert client.get(f"{API_PREFIX}/failing").headers[header]
    page = client.get("/failing")
    assert page.status_code == status and page.mimetype == "text/html"
