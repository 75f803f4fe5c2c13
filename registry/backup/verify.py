"""Verifying a restored instance: row counts, audit chain, stored files and migrations, then
the checks and rebuilds the packages registered (label credentials, the search index), each a
line of the restore report."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import text

from registry.backup.files import index_by_name, regular_files, sha256_of
from registry.backup.hooks import Check, RestoreCheck, file_tables, registrations
from registry.backup.snapshot import (
    TABLES_SQL,
    FileRow,
    count_sql,
    database_kind,
    read_snapshot,
    sa_query,
)
from registry.database import db
from registry.wording import counted


@dataclass
class RestoreReport:
    """Every verification made after a restore."""

    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every check passed."""
        return all(check.ok for check in self.checks)

    def add(self, name: str, ok: bool, detail: str) -> None:
        """Record one check."""
        self.checks.append(Check(name, ok, detail))

    def extend(self, checks: Iterable[RestoreCheck], manifest: dict[str, Any]) -> None:
        """Run registered checks, recording the line each returns."""
        for check in checks:
            self.checks.append(check(manifest))


def verify_restored(manifest: dict[str, Any]) -> RestoreReport:
    """Check the restored instance against the manifest and itself."""
    report = RestoreReport()
    database = manifest["database"]
    counts = _sa_counts()
    expected = database["row_counts"]
    differing = sorted(name for name in expected if counts.get(name) != expected[name])
    report.add(
        "row counts",
        not differing,
        f"{counted(len(expected), 'table')} as in the backup"
        if not differing
        else "differ in " + ", ".join(f"{n} ({counts.get(n)} ≠ {expected[n]})" for n in differing),
    )
    _check_audit(report, database.get("audit_head"))
    _check_files(report)
    _check_migrations(report, database["alembic_revision"])
    registered = registrations()
    report.extend(registered.checks, manifest)
    report.extend(registered.rebuilds, manifest)
    db.session.commit()
    return report


def _sa_counts() -> dict[str, int]:
    names = [row[0] for row in db.session.execute(text(TABLES_SQL[database_kind()]))]
    return {name: int(db.session.execute(text(count_sql(name))).scalar_one()) for name in names}


def _check_audit(report: RestoreReport, head: dict[str, Any] | None) -> None:
    from registry.audit import verify_chain

    chain = verify_chain()
    if not chain.ok:
        report.add(
            "audit chain",
            False,
            f"broken at entry #{chain.first_bad_seq}: {chain.problem}",
        )
        return
    last = db.session.execute(
        text("SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1")
    ).first()
    have = {"seq": int(last[0]), "hash": str(last[1])} if last else None
    if have != head:
        report.add("audit chain", False, f"head is {have}, the backup's was {head}")
        return
    at = f"head #{head['seq']} {head['hash'][:16]}…" if head else "empty"
    report.add("audit chain", True, f"intact, {chain.checked} entries, {at}")


def stored_file_rows() -> list[FileRow]:
    """Every row of this instance's database that names a stored file."""
    names = set(_sa_counts())
    query = sa_query(db.session.connection())
    tables = file_tables()
    return read_snapshot(database_kind(), [n for n in names if n in tables], query, tables).files


def _check_files(report: RestoreReport) -> None:
    uploads = Path(current_app.config["UPLOAD_DIR"])
    by_name = index_by_name(p.relative_to(uploads).as_posix() for p in regular_files(uploads))
    rows = stored_file_rows()
    bad = []
    for row in rows:
        found = by_name.get(row.stored_name, [])
        if not any(sha256_of(uploads / path) == (row.sha256, row.size) for path in found):
            state = "missing" if not found else "does not match its SHA-256"
            bad.append(f"{row.table} #{row.id} ({row.stored_name}) {state}")
    report.add(
        "stored files",
        not bad,
        f"{counted(len(rows), 'file')} match their rows" if not bad else "; ".join(bad[:20]),
    )


def _check_migrations(report: RestoreReport, revision: str) -> None:
    from alembic.script import ScriptDirectory
    from flask_migrate import upgrade

    config = current_app.extensions["migrate"].migrate.get_config()
    script = ScriptDirectory.from_config(config)
    heads = set(script.get_heads())
    if revision in heads:
        report.add("migrations", True, f"at head {revision}")
        return
    try:
        script.get_revision(revision)
    except Exception:  # alembic raises several kinds for an unknown revision
        report.add(
            "migrations",
            False,
            f"the backup is at {revision}, which this version does not know: restore it with "
            "the version that made it, then upgrade",
        )
        return
    db.session.rollback()  # the upgrade writes through its own connection
    upgrade()
    db.session.remove()
    now = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    report.add("migrations", now in heads, f"upgraded from {revision} to {now}")
