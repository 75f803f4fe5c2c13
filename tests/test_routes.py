"""Every route, for every role: the status each one gets (SECURITY.md, "Access control").

A new route without a line here fails `test_every_route_is_covered`, so each capability
extends this table as it adds routes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask

from registry.database import db
from registry.models import Invitation, Organisation, OrganisationKind, OrganisationStatus, User
from registry.services import invite_user

ROLES = ("anonymous", "vendor", "buyer", "evaluator", "authority")
SIGNED_IN_ROLES = ROLES[1:]


def everyone(status: int) -> dict[str, int]:
    """Same status for every role."""
    return dict.fromkeys(ROLES, status)


def signed_in(status: int, anonymous: int = 302) -> dict[str, int]:
    """Anonymous visitors are sent to sign in; every signed-in role gets `status`."""
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN_ROLES, status)}


def authority_only(status: int) -> dict[str, int]:
    """The authority's console: 403 for the other roles."""
    return {"anonymous": 302, **dict.fromkeys(SIGNED_IN_ROLES, 403), "authority": status}


def own_not_others(status: int) -> dict[str, int]:
    """Another organisation's object: 404 for its non-members, visible to the authority."""
    return {"anonymous": 302, **dict.fromkeys(SIGNED_IN_ROLES, 404), "authority": status}


@dataclass
class Case:
    """One request and what each role gets."""

    endpoint: str
    method: str
    path: str
    expected: dict[str, int]
    data: dict[str, str] = field(default_factory=dict)


# Requests run in this order for each role; state-changing ones come last, sign-out at the end.
CASES = [
    Case("public.home", "GET", "/", everyone(200)),
    Case("public.healthz", "GET", "/healthz", everyone(200)),
    Case("dev.outbox", "GET", "/dev/outbox", everyone(200)),
    Case("auth.login", "GET", "/login", {"anonymous": 200, **dict.fromkeys(SIGNED_IN_ROLES, 302)}),
    Case("auth.login", "POST", "/login", {"anonymous": 200, **dict.fromkeys(SIGNED_IN_ROLES, 302)}),
    Case("auth.totp_verify", "GET", "/login/totp", everyone(302)),
    Case("auth.totp_verify", "POST", "/login/totp", everyone(302)),
    Case("auth.totp_enrol", "GET", "/login/totp/enrol", everyone(302)),
    Case("auth.totp_enrol", "POST", "/login/totp/enrol", everyone(302)),
    Case("auth.register", "GET", "/register", everyone(200)),
    Case("auth.register", "POST", "/register", everyone(200)),
    Case("auth.accept_invitation", "GET", "/invitations/not-a-token", everyone(404)),
    Case("auth.accept_invitation", "POST", "/invitations/not-a-token", everyone(404)),
    Case("auth.change_password", "GET", "/account/password", signed_in(200)),
    Case("auth.change_password", "POST", "/account/password", signed_in(200)),
    Case("organisation.dashboard", "GET", "/dashboard", signed_in(200)),
    Case("organisation.settings", "GET", "/organisations/{own_org}/settings", signed_in(200)),
    Case(
        "organisation.settings", "GET", "/organisations/{other_org}/settings", own_not_others(200)
    ),
    Case("organisation.users", "GET", "/organisations/{own_org}/users", signed_in(200)),
    Case("organisation.users", "GET", "/organisations/{other_org}/users", own_not_others(200)),
    Case("organisation.users", "POST", "/organisations/{other_org}/users", own_not_others(200)),
    Case("organisation.users", "POST", "/organisations/{own_org}/users", signed_in(200)),
    Case("admin.index", "GET", "/admin/", authority_only(302)),
    Case("admin.organisations", "GET", "/admin/organisations", authority_only(200)),
    Case(
        "admin.organisations",
        "GET",
        "/admin/organisations?status=pending&kind=vendor&q=%25",
        authority_only(200),
    ),
    Case(
        "admin.organisation_detail", "GET", "/admin/organisations/{other_org}", authority_only(200)
    ),
    Case("admin.users", "GET", "/admin/users?q=example", authority_only(200)),
    Case(
        "admin.audit_log",
        "GET",
        "/admin/audit?action=organisation&since=2020-02-31",
        authority_only(200),
    ),
    Case("admin.new_staff", "GET", "/admin/staff/new", authority_only(200)),
    Case("admin.new_staff", "POST", "/admin/staff/new", authority_only(200)),
    Case(
        "organisation.update_settings",
        "POST",
        "/organisations/{other_org}/settings",
        own_not_others(302),
        {"website": "https://example.org"},
    ),
    Case(
        "organisation.update_settings",
        "POST",
        "/organisations/{own_org}/settings",
        signed_in(302),
        {"website": "https://example.org"},
    ),
    Case(
        "organisation.revoke_invitation",
        "POST",
        "/organisations/{other_org}/invitations/{other_invitation}/revoke",
        own_not_others(302),
    ),
    Case(
        "organisation.disable_user",
        "POST",
        "/organisations/{other_org}/users/{other_member}/disable",
        own_not_others(302),
    ),
    Case(
        "organisation.enable_user",
        "POST",
        "/organisations/{other_org}/users/{other_member}/enable",
        own_not_others(302),
    ),
    Case(
        "organisation.disable_user",
        "POST",
        "/organisations/{own_org}/users/{own_member}/disable",
        signed_in(302),
    ),
    Case(
        "organisation.enable_user",
        "POST",
        "/organisations/{own_org}/users/{own_member}/enable",
        signed_in(302),
    ),
    Case("admin.reset_totp", "POST", "/admin/users/{other_member}/reset-totp", authority_only(302)),
    Case(
        "admin.approve", "POST", "/admin/organisations/{pending_org}/approve", authority_only(302)
    ),
    Case(
        "admin.reject",
        "POST",
        "/admin/organisations/{pending_org}/reject",
        authority_only(302),
        {"reason": "incomplete"},
    ),
    Case(
        "admin.suspend",
        "POST",
        "/admin/organisations/{other_org}/suspend",
        authority_only(302),
        {"reason": "inquiry"},
    ),
    Case("auth.logout", "POST", "/logout", everyone(302)),
]


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
    return {
        "people": people,
        "other_org": other_org,
        "pending_org": pending,
        "invitation": invitation,
    }


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
