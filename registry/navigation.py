"""The role-dependent main navigation; each package adds its own entries at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, url_for

from registry.models import Role

ALL_ROLES = frozenset(Role)
SIGNED_IN = frozenset(Role) - {Role.PUBLIC}


@dataclass(frozen=True)
class NavEntry:
    """A link in the main navigation, shown to some roles."""

    label: str
    endpoint: str
    roles: frozenset[Role]
    order: int = 50


@dataclass(frozen=True)
class NavLink:
    """A resolved link for the template."""

    label: str
    url: str
    prefix: str


def add_nav_entry(app: Flask, entry: NavEntry) -> None:
    """Register an entry for the main navigation."""
    app.extensions.setdefault("navigation", []).append(entry)


def nav_items(role: str) -> list[NavLink]:
    """The links this role sees, in order."""
    entries: list[NavEntry] = current_app.extensions.get("navigation", [])
    links = []
    for entry in sorted(entries, key=lambda e: (e.order, e.label)):
        if Role(role) in entry.roles and entry.endpoint in current_app.view_functions:
            url = url_for(entry.endpoint)
            links.append(NavLink(entry.label, url, url if url != "/" else "/#"))
    return links


def init_app(app: Flask) -> None:
    """The registry's own entries."""
    add_nav_entry(app, NavEntry("Home", "public.home", ALL_ROLES, 0))
    add_nav_entry(app, NavEntry("Dashboard", "organisation.dashboard", SIGNED_IN, 5))
    add_nav_entry(
        app, NavEntry("Organisations", "admin.organisations", frozenset({Role.AUTHORITY}), 80)
    )
    add_nav_entry(app, NavEntry("Users", "admin.users", frozenset({Role.AUTHORITY}), 81))
    add_nav_entry(app, NavEntry("Audit log", "admin.audit_log", frozenset({Role.AUTHORITY}), 82))
    app.jinja_env.globals["nav_items"] = nav_items
