"""The route walk's shared world: every case of tests/route_cases/ and the objects they name.

`CASES` holds every module's cases in phase order; `build_world` makes one organisation per
role (two members each), a second vendor, a pending one and an invitation, then lets each
module add its objects; `path_values` gives the values a case's path names for one role.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import current_app

from registry.database import db
from registry.models import Invitation, Organisation, OrganisationKind, OrganisationStatus, User
from registry.services import invite_user
from tests.routing import Case

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


CASES, WORLD_EXTENDERS = collect_cases()


def build_world(
    create_organisation: Callable[..., Organisation], create_user: Callable[..., User]
) -> dict[str, Any]:
    """One organisation per role with two members each, plus a second vendor and a pending one,
    and every route module's objects; committed."""
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
    with current_app.test_request_context():
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


def path_values(world: dict[str, Any], actor: User | None) -> dict[str, int]:
    """The values the cases' paths name, seen from the actor (anonymous: None)."""
    people = world["people"]
    own_org = (actor or people["vendor"]).organisation
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
