"""The database side of a backup: its kind, the PostgreSQL client tools, and a consistent
snapshot (SQLite online backup or ``pg_dump`` in a repeatable-read transaction) with the
facts read from it (Alembic revision, row counts, file rows, audit head)."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess  # noqa: S404 - pg_dump / pg_restore, with argument lists
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from flask import current_app
from sqlalchemy import text
from sqlalchemy.engine import URL, Connection, make_url

from registry.backup.hooks import file_tables
from registry.backup.layout import DUMP_FILE, SQLITE_FILE, BackupError
from registry.database import db
from registry.uploads import PURGED_PREFIX

# The tables of the current schema, for each database kind.
TABLES_SQL: Final = {
    "postgresql": "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()",
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
}


@dataclass(frozen=True)
class FileRow:
    """A database row that names a stored file."""

    table: str
    id: int
    stored_name: str
    sha256: str
    size: int


@dataclass
class Snapshot:
    """What the database snapshot holds, read from the snapshot itself."""

    kind: str
    revision: str | None
    counts: dict[str, int]
    files: list[FileRow]
    audit_head: dict[str, Any] | None


def database_kind() -> str:
    """The kind of the configured database: ``postgresql`` or ``sqlite``."""
    return "postgresql" if db.engine.dialect.name == "postgresql" else "sqlite"


def pg_command_env(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI (without the password) and an environment carrying it."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    conninfo = url.set(drivername="postgresql", password=None)
    return conninfo.render_as_string(hide_password=False), env


def run_tool(command: Sequence[str], env: dict[str, str], what: str) -> None:
    """Run a PostgreSQL client tool; raise BackupError, naming ``what``, when it fails."""
    try:
        result = subprocess.run(  # noqa: S603 - fixed program, arguments from our config
            list(command), env=env, capture_output=True, text=True, check=False
        )
    except FileNotFoundError as error:
        raise BackupError(
            f"{command[0]} is not installed; install the PostgreSQL client tools"
        ) from error
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {result.stderr.strip()[:2000]}")


Query = Callable[[str], list[tuple[Any, ...]]]
_TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def count_sql(table: str) -> str:
    """SELECT count(*) of a table whose name comes from the database's own catalog."""
    if not _TABLE_NAME.fullmatch(table):
        raise BackupError(f"unexpected table name {table!r}")
    return f'SELECT count(*) FROM "{table}"'  # noqa: S608 - a checked identifier


def read_snapshot(
    kind: str, tables: Iterable[str], query: Query, file_table_names: Iterable[str]
) -> Snapshot:
    """The facts of a snapshot: revision, row counts, file rows (of ``file_table_names``), audit
    head."""
    names = sorted(tables)
    counts = {name: int(query(count_sql(name))[0][0]) for name in names}
    revision = None
    if "alembic_version" in names:
        rows = query("SELECT version_num FROM alembic_version")
        revision = rows[0][0] if rows else None
    files = []
    for table in file_table_names:
        if table in names:
            # A purged row's file is gone on purpose: it names no file to copy or check.
            sql = (
                f"SELECT id, stored_name, sha256, size_bytes FROM {table} "  # noqa: S608
                f"WHERE stored_name NOT LIKE '{PURGED_PREFIX}%'"
            )
            for row in query(sql):
                files.append(FileRow(table, int(row[0]), str(row[1]), str(row[2]), int(row[3])))
    head = None
    if "audit_entry" in names:
        rows = query("SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1")
        head = {"seq": int(rows[0][0]), "hash": str(rows[0][1])} if rows else None
    return Snapshot(kind, revision, counts, files, head)


def snapshot_sqlite(work: Path) -> Snapshot:
    """Copy the SQLite database into ``work`` (online backup API) and read its facts."""
    source_path = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).database
    if not source_path or not Path(source_path).is_file():
        raise BackupError(f"the SQLite database {source_path!r} does not exist")
    target = work / SQLITE_FILE
    timeout = current_app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000
    source = sqlite3.connect(source_path, timeout=timeout)
    destination = sqlite3.connect(target)
    try:
        # One step (pages=-1): the whole database is copied inside one read transaction, a
        # consistent snapshot; in WAL mode writers carry on meanwhile.
        source.backup(destination, pages=-1)
        destination.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        destination.commit()
        target.chmod(0o600)
        tables = [row[0] for row in destination.execute(TABLES_SQL["sqlite"])]
        return read_snapshot(
            "sqlite",
            tables,
            lambda sql: list(destination.execute(sql).fetchall()),
            file_tables(),
        )
    finally:
        destination.close()
        source.close()


def snapshot_postgresql(work: Path) -> Snapshot:
    """Dump the PostgreSQL database into ``work`` from one snapshot and read its facts."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    conninfo, env = pg_command_env(url)
    with db.engine.connect() as raw:
        connection = raw.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            # pg_dump reads the very snapshot this transaction sees, and so do the facts below.
            snapshot_id = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
            run_tool(
                [
                    "pg_dump",
                    "--format=custom",
                    f"--snapshot={snapshot_id}",
                    f"--file={work / DUMP_FILE}",
                    f"--dbname={conninfo}",
                ],
                env,
                "pg_dump",
            )
            (work / DUMP_FILE).chmod(0o600)
            tables = [row[0] for row in connection.execute(text(TABLES_SQL["postgresql"]))]
            return read_snapshot("postgresql", tables, sa_query(connection), file_tables())


def sa_query(connection: Connection) -> Query:
    """A ``Query`` running SQL text on a SQLAlchemy connection."""

    def query(sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in connection.execute(text(sql))]

    return query
