"""What the packages above tell backup about their data, registered at their ``init_app``.

Backup knows the registry's own tables only. A package whose rows name stored files registers
those tables (``register_file_table``), so a backup checks their files and a restore verifies
them; a package whose data a restore must verify registers a check (``register_restore_check``),
and one whose derived data a restore rebuilds registers that rebuild
(``register_restore_rebuild``). A restore runs the checks in registration order, then the
rebuilds; each returns one line of the restore report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from flask import Flask, current_app


@dataclass(frozen=True)
class Check:
    """One line of the restore report."""

    name: str
    ok: bool
    detail: str


# Given the backup's manifest, verify (or rebuild then verify) the restored data.
RestoreCheck = Callable[[dict[str, Any]], Check]

_EXTENSION: Final = "backup.registrations"


@dataclass
class Registrations:
    """The stored-file tables, restore checks and restore rebuilds of one app."""

    file_tables: list[str] = field(default_factory=list)
    checks: list[RestoreCheck] = field(default_factory=list)
    rebuilds: list[RestoreCheck] = field(default_factory=list)


def _of(app: Flask) -> Registrations:
    registrations: Registrations = app.extensions.setdefault(_EXTENSION, Registrations())
    return registrations


def register_file_table(app: Flask, table: str) -> None:
    """Name a table whose rows name a stored file by (stored_name, sha256, size_bytes)."""
    tables = _of(app).file_tables
    if table not in tables:
        tables.append(table)


def register_restore_check(app: Flask, check: RestoreCheck) -> None:
    """Verify restored data: ``check(manifest)`` returns its line of the restore report."""
    _of(app).checks.append(check)


def register_restore_rebuild(app: Flask, rebuild: RestoreCheck) -> None:
    """Rebuild derived data after a restore (after every check), returning its report line."""
    _of(app).rebuilds.append(rebuild)


def registrations() -> Registrations:
    """What the packages of the current app registered."""
    return _of(current_app._get_current_object())  # type: ignore[attr-defined]


def file_tables() -> tuple[str, ...]:
    """The tables of the current app whose rows name a stored file, in registration order."""
    return tuple(registrations().file_tables)
