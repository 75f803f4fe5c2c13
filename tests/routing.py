"""The route x role walk's vocabulary: a Case is one request and the status each role gets.

Each module in tests/route_cases/ lists the routes of one part of the application in
CASES, and may add objects to the shared world with `extend_world(world) -> placeholders`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
