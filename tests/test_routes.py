"""Every route, for every role: the status each one gets (docs/SECURITY.md, "Access control").

The cases live in tests/route_cases/, one module per part of the application. A new route
without a case fails `test_every_route_is_covered`, so each capability adds its own.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from registry.database import db
from registry.models import Invitation, Organisation, OrganisationKind, OrganisationStatus, User
from registry.services import invite_user
from tests.routing import ROLES, Case


def collect_cases() -> tuple[list[Case], list[Callable[[dict[str, Any]], dict[str, int]]]]:
    """Every module in tests/route_cases/: their cases in phase order, and world extensions."""
    cases: list[Case] = []
    extenders = []
    for module_info in sorted(pkgutil.iter_modules([str(CASES_DIR)]), key=lambda m: m.name):
        module = importlib.import_module(f"tests.route_cases.{module_info.name}")
        cases.extend(module.CASES)
        if hasattr(module, "extend_world"):
            extenders.append(module.extend_world)
    return sorted(cases, key=lambda case: case.phase), extenders


CASES_DIR = Path(__file__).parent / "route_cases"
CASES, WORLD_EXTENDERS = collect_cases()


@pytest.fixture
def world(
    app: Flask, create_organisation: Callable[..., Organisation], create_user: Callable[..., User]
) -> dict[str, Any]:
    """One organisation per role with two members each, plus a second vendor and a pending one."""
    people: dict[str, User] = {}
    for role, kind in (
        ("authority", OrganisationKind.AUTHORITY),
        ("vendor", OrganisationKind.VENDOR),
        ("buyer", OrganisationKind.BUYER),
        ("evaluator", OrganisationKind.EVALUATION_BODY),
        ("other", OrganisationKind.VENDOR),
    ):
        admin = create_user(kind=kind)
        create_user(admin.organisation, is_org_admin=False, totp=False)
        people[role] = admin
    other_org = people["other"].organisation
    pending = create_organisation(OrganisationKind.VENDOR, OrganisationStatus.PENDING)
    with app.test_request_context():
        invitation = invite_user(people["other"], other_org, "newcomer@example.org")
    db.session.commit()
    world: dict[str, Any] = {
        "people": people,
        "other_org": other_org,
        "pending_org": pending,
        "invitation": invitation,
    }
    placeholders: dict[str, int] = {}
    for extend in WORLD_EXTENDERS:
        placeholders.update(extend(world))
    db.session.commit()
    world["placeholders"] = placeholders
    return world


def _member(organisation: Organisation) -> User:
    return next(u for u in organisation.users if not u.is_org_admin)


@pytest.mark.parametrize("role", ROLES)
def test_route_access_by_role(app: Flask, world: dict[str, Any], login: Any, role: str) -> None:
    client = app.test_client()
    people = world["people"]
    actor = people.get(role)
    if actor is not None:
        login(client, actor)
    own_org = (actor or people["vendor"]).organisation
    invitation: Invitation = world["invitation"]
    values = {
        "own_org": own_org.id,
        "own_member": _member(own_org).id,
        "other_org": world["other_org"].id,
        "other_member": _member(world["other_org"]).id,
        "other_invitation": invitation.id,
        "pending_org": world["pending_org"].id,
        **world["placeholders"],
    }
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
