"""Every route, for every role: the status each one gets (SECURITY.md, "Access control").

The cases live in tests/route_cases/, one module per part of the application (collected, with
the world they name, by tests/route_world.py). A new route without a case fails
`test_every_route_is_covered`, so each capability adds its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from registry.models import Organisation, User
from tests.route_world import CASES, build_world, path_values
from tests.routing import ROLES


@pytest.fixture
def world(
    app: Flask, create_organisation: Callable[..., Organisation], create_user: Callable[..., User]
) -> dict[str, Any]:
    """One organisation per role with two members each, plus a second vendor and a pending one."""
    return build_world(create_organisation, create_user)


@pytest.mark.parametrize("role", ROLES)
def test_route_access_by_role(app: Flask, world: dict[str, Any], login: Any, role: str) -> None:
    client = app.test_client()
    actor = world["people"].get(role)
    if actor is not None:
        login(client, actor)
    values = path_values(world, actor)
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
