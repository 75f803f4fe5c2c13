"""Sealed records: audit entries hidden from readers until their seal is broken, and checks
that sealed records still match what the audit chain recorded when they were opened.

The registry does not know what is sealed. A higher package registers, at start-up, a clause
that hides sealed entries from every audit view (``register_hidden_entries``) and a check run by
``flask audit verify`` after the chain itself (``register_check``). With nothing registered, every
entry is visible and no record is checked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from sqlalchemy import ColumnElement, Select, not_

_HIDDEN = "registry.sealing.hidden"
_CHECKS = "registry.sealing.checks"

# A clause over AuditEntry true for the entries still sealed (built per request: it may use "now").
HiddenEntries = Callable[[], ColumnElement[bool]]
# Every problem found, each naming the record at fault; none when all is well.
SealedCheck = Callable[[], Iterable[str]]


def register_hidden_entries(app: Flask, clause: HiddenEntries) -> None:
    """Hide, in every audit view, the entries for which ``clause()`` holds."""
    app.extensions.setdefault(_HIDDEN, []).append(clause)


def register_check(app: Flask, check: SealedCheck) -> None:
    """Run ``check`` in ``flask audit verify`` after the chain."""
    app.extensions.setdefault(_CHECKS, []).append(check)


# Called with (user, old password, new password) when a user changes their password.
PasswordChanged = Callable[[Any, str, str], None]
_CHANGE_HOOKS = "registry.sealing.password_changed"


def register_password_change(app: Flask, hook: PasswordChanged) -> None:
    """Run ``hook`` when a user changes their password (e.g. to re-wrap a key under it)."""
    app.extensions.setdefault(_CHANGE_HOOKS, []).append(hook)


def password_changed(app: Flask, user: Any, old_password: str, new_password: str) -> None:
    """Tell the registered hooks that ``user`` changed their password."""
    for hook in app.extensions.get(_CHANGE_HOOKS, []):
        hook(user, old_password, new_password)


def visible(app: Flask, statement: Select[Any]) -> Select[Any]:
    """``statement`` over AuditEntry without the entries still sealed."""
    for clause in app.extensions.get(_HIDDEN, []):
        statement = statement.where(not_(clause()))
    return statement


def check_sealed_records(app: Flask) -> list[str]:
    """Every problem the registered checks find."""
    return [problem for check in app.extensions.get(_CHECKS, []) for problem in check()]
