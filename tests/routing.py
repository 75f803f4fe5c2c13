"""The route x role walk's vocabulary: a Case is one request and the status each role gets.

Each module in tests/route_cases/ lists the routes of one part of the application in
CASES, and may add objects to the shared world with `extend_world(world) -> placeholders`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask

from registry.database import db
from registry.models import Invitation, Organisation, OrganisationKind, OrganisationStatus, User
from registry.services import invite_user

ROLES = ("anonymous", "vendor", "buyer", "evaluator", "authority")
SIGNED_IN_ROLES = ROLES[1:]
READ, WRITE, FINAL = 0, 1, 2  # requests run by phase: reads, then writes, then sign-out


def everyone(status: int) -> dict[str, int]:
    """Same status for every role."""
    return dict.fromkeys(ROLES, status)


def signed_in(status: int, anonymous: int = 302) -> dict[str, int]:
    """Anonymous visitors are sent to sign in; every signed-in role gets `status`."""
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN_ROLES, status)}


def only(roles: dict[str, int], others: int = 403, anonymous: int = 302) -> dict[str, int]:
    """The given roles get their status; other signed-in roles `others`; anonymous `anonymous`."""
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN_ROLES, others), **roles}


def authority_only(status: int) -> dict[str, int]:
    """The authority's console: 403 for the other roles."""
    return only({"authority": status})


def own_not_others(status: int) -> dict[str, int]:
    """Another organisation's object: 404 for its non-members, visible to the authority."""
    return {"anonymous": 302, **dict.fromkeys(SIGNED_IN_ROLES, 404), "authority": status}


@dataclass
class Case:
    """One request and what each role gets; `path` may name world placeholders in braces."""

    endpoint: str
    method: str
    path: str
    expected: dict[str, int]
    data: dict[str, str] = field(default_factory=dict)
    phase: int = READ


CASES_DIR = Path(__file__).parent / "route_cases"


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


def build_world(
    app: Flask,
    create_organisation: Callable[..., Organisation],
    create_user: Callable[..., User],
    extenders: list[Callable[[dict[str, Any]], dict[str, int]]],
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
    for extend in extenders:
        placeholders.update(extend(world))
    db.session.commit()
    world["placeholders"] = placeholders
    return world


def _member(organisation: Organisation) -> User:
    return next(u for u in organisation.users if not u.is_org_admin)


def path_values(world: dict[str, Any], role: str) -> dict[str, int]:
    """The ids that fill the cases' path placeholders for a request made as `role`."""
    people = world["people"]
    own_org = (people.get(role) or people["vendor"]).organisation
    invitation: Invitation = world["invitation"]
    return {
        "own_org": own_org.id,
        "own_member": _member(own_org).id,
        "other_org": world["other_org"].id,
        "other_member": _member(world["other_org"]).id,
        "other_invitation": invitation.id,
        "pending_org": world["pending_org"].id,
        **world["placeholders"],
    }
