"""Schemathesis holds the served API to its OpenAPI document, on the demo data.

Every operation of `/api/v1/openapi.json` is called in-process (WSGI) with generated valid and
invalid requests, and every Schemathesis check runs on each answer: no server error, status
codes, content types, headers and bodies as declared, invalid input refused, valid input
accepted, unsupported methods answered 405 with `Allow`.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
import schemathesis
import schemathesis.engine
from flask import Flask
from schemathesis.engine import events
from schemathesis.schemas import BaseSchema

from app import create_app
from registry.api import API_PREFIX, openapi_document
from registry.database import db
from tests.conftest import BACKEND, base_config, reset_postgresql

# Bounded so that the whole module stays well under a minute on one core.
MAX_EXAMPLES = 15
# A fixed seed: the same examples in every run, so a failure in CI is one anyone can replay.
CONFIG_VALUES = {
    "seed": 20261205,
    "generation": {"max-examples": MAX_EXAMPLES, "mode": "all", "database": "none"},
    "checks": {"enabled": True},
}
CONFIG = schemathesis.Config.from_dict(CONFIG_VALUES)
# A demo vendor without a second factor (README, "Demo accounts").
DEMO_VENDOR = "vigilis@demo.example"
DEMO_PASSWORD = "safetech-demo-2026"


@pytest.fixture(scope="module")
def demo_app(database_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The application on the demo world (seeded once for the module)."""
    tmp = tmp_path_factory.mktemp("contract")
    if BACKEND == "sqlite":
        shutil.copyfile(database_template, tmp / "demo.db")
        url = f"sqlite:///{tmp / 'demo.db'}"
    else:
        reset_postgresql(database_template)
        url = database_template
    application = create_app({**base_config(tmp), "DATABASE_URL": url})
    with application.app_context():
        result = application.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        db.session.remove()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _run(
    app: Flask, config: schemathesis.Config, path: str | None = None
) -> tuple[list[str], set[str], set[int]]:
    """Run Schemathesis on every operation (or one path): failures, operations, statuses."""
    schema: BaseSchema = schemathesis.openapi.from_wsgi(
        f"{API_PREFIX}/openapi.json", app, config=config
    )
    if path is not None:
        schema = schema.include(path=path)
    problems: list[str] = []
    tested: set[str] = set()
    statuses: set[int] = set()
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            tested.add(event.recorder.label)
            statuses.update(
                i.response.status_code
                for i in event.recorder.interactions.values()
                if i.response is not None
            )
            for checks in event.recorder.checks.values():
                problems.extend(
                    f"{event.recorder.label}: {check.name}: {check.failure_info.failure.title}"
                    f" ({check.failure_info.failure.message.strip()[:300]})\n"
                    f"  {check.failure_info.code_sample}"
                    for check in checks
                    if check.failure_info is not None
                )
        elif isinstance(event, events.NonFatalError):
            problems.append(f"{event.label}: error: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            problems.append(f"engine: error: {event.exception!r}")
        elif isinstance(event, events.EngineFinished):
            problems.extend(f"after run: {failure.title}" for failure in event.failures)
    return sorted(set(problems)), tested, statuses


def test_every_operation_keeps_the_contract(demo_app: Flask) -> None:
    """Generated requests to every operation, valid and invalid: every check passes."""
    problems, tested, statuses = _run(demo_app, CONFIG)
    assert not problems, "\n".join(problems)
    assert {200, 400, 401, 404, 405} <= statuses
    with demo_app.test_request_context():
        paths = openapi_document()["paths"]
    operations = {f"{method.upper()} {path}" for path, item in paths.items() for method in item}
    assert operations <= tested


def test_signed_in_evaluations_keep_the_contract(demo_app: Flask) -> None:
    """With a vendor's session cookie, /evaluations answers pages that match the document."""
    client = demo_app.test_client()
    signed_in = client.post("/login", data={"email": DEMO_VENDOR, "password": DEMO_PASSWORD})
    assert signed_in.status_code == 302
    cookie = client.get_cookie(demo_app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    page = client.get(f"{API_PREFIX}/evaluations")
    assert page.status_code == 200 and page.json is not None and page.json["total"] > 0
    config = schemathesis.Config.from_dict(
        {**CONFIG_VALUES, "headers": {"Cookie": f"{cookie.key}={cookie.value}"}}
    )
    problems, tested, statuses = _run(demo_app, config, path="/evaluations")
    assert not problems, "\n".join(problems)
    assert "GET /evaluations" in tested and 200 in statuses
