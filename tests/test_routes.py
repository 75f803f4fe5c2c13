"""Every route, for every role: the status each one gets (docs/SECURITY.md, "Access control").

The cases live in tests/route_cases/, one module per part of the application. A new route
without a case fails `test_every_route_is_covered`, so each capability adds its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from registry.models import Organisation, User
from tests.routing import ROLES, build_world, collect_cases, path_values

CASES, WORLD_EXTENDERS = collect_cases()


@pytest.fixture
def world(
    app: Flask, create_organisation: Callable[..., Organisation], create_user: Callable[..., User]
) -> dict[str, Any]:
    """One organisation per role with two members each, plus a second vendor and a pending one."""
    return build_world(app, create_organisation, create_user, WORLD_EXTENDERS)


@pytest.mark.parametrize("role", ROLES)
def test_route_access_by_role(app: Flask, world: dict[str, Any], login: Any, role: str) -> None:
    client = app.test_client()
    actor = world["people"].get(role)
    if actor is not None:
        login(client, actor)
    values = path_values(world, role)
    failures = []
    for case in CASES:
        path = case.path.format(**values)
        response = client.open(path, method=case.method, data=case.data)
        expected = case.expected[role]
        if response.status_code != expected:
            failures.append(
                f"{case.method} {path}: got {response.status_code}, expected {expected}"
            )
        assert b"Traceback" not in response.data
        # One charset: clients disagree on which of two to believe.
        content_type = response.headers.get("Content-Type", "").lower()
        if content_type.count("charset=") > 1:
            failures.append(f"{case.method} {path}: Content-Type {content_type}")
        # Absolute URLs name BASE_URL, never the host the request came to (here localhost).
        if b"//localhost" in response.data:
            failures.append(f"{case.method} {path}: names the request's host")
    assert not failures, f"as {role}:\n" + "\n".join(failures)


def test_every_route_is_covered(app: Flask) -> None:
    covered = {(case.endpoint, case.method) for case in CASES}
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if (rule.endpoint, method) not in covered:
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert not missing, "routes without an access expectation:\n" + "\n".join(missing)
