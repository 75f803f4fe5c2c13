"""The role-dependent main navigation; each package adds its own entries at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, url_for

from registry.models import Role

ALL_ROLES = frozenset(Role)
SIGNED_IN = frozenset(Role) - {Role.PUBLIC}
AUTHORITY = frozenset({Role.AUTHORITY})


@dataclass(frozen=True)
class NavEntry:
    """A link in the main navigation, shown to some roles."""

    label: str
    endpoint: str
    roles: frozenset[Role]
    order: int = 50
    # Roles that find the entry in their dashboard's list of tools instead of the header: the
    # header keeps what each role uses most, on one line at 1280 px.
    on_dashboard: frozenset[Role] = frozenset()


@dataclass(frozen=True)
class NavLink:
    """A resolved link for the template."""

    label: str
    url: str
    prefix: str


def add_nav_entry(app: Flask, entry: NavEntry) -> None:
    """Register an entry for the main navigation."""
    app.extensions.setdefault("navigation", []).append(entry)


def _links(role: str, on_dashboard: bool) -> list[NavLink]:
    entries: list[NavEntry] = current_app.extensions.get("navigation", [])
    links = []
    for entry in sorted(entries, key=lambda e: (e.order, e.label)):
        if Role(role) not in entry.roles or entry.endpoint not in current_app.view_functions:
            continue
        if (Role(role) in entry.on_dashboard) is on_dashboard:
            url = url_for(entry.endpoint)
            links.append(NavLink(entry.label, url, url if url != "/" else "/#"))
    return links


def nav_items(role: str) -> list[NavLink]:
    """The header links this role sees, in order."""
    return _links(role, on_dashboard=False)


def dashboard_items(role: str) -> list[NavLink]:
    """The links this role finds on its dashboard rather than in the header, in order."""
    return _links(role, on_dashboard=True)


def init_app(app: Flask) -> None:
    """The registry's own entries."""
    # Signed in, the logo leads home; the header's room goes to the tools.
    add_nav_entry(app, NavEntry("Home", "public.home", frozenset({Role.PUBLIC}), 0))
    add_nav_entry(app, NavEntry("Dashboard", "organisation.dashboard", SIGNED_IN, 5))
    add_nav_entry(
        app, NavEntry("Organisations", "admin.organisations", frozenset({Role.AUTHORITY}), 80)
    )
    add_nav_entry(
        app,
        NavEntry("Users", "admin.users", AUTHORITY, 81, on_dashboard=AUTHORITY),
    )
    add_nav_entry(app, NavEntry("Audit log", "admin.audit_log", frozenset({Role.AUTHORITY}), 82))
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["dashboard_items"] = dashboard_items
