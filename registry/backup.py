"""Backups and restores: a consistent copy of the database, the uploaded files and the keys.

A backup is a folder:

- ``database.sqlite3`` (SQLite, made with SQLite's online backup API, so it is consistent while
  other processes write) or ``database.dump`` (PostgreSQL, ``pg_dump --format=custom`` run
  inside an exported repeatable-read snapshot);
- ``uploads/``: the upload folder (evidence, call documents). Stored files never change once
  written, so they are copied just before the database snapshot and again just after it (new
  files only), then checked: every file a row of the snapshot names is there with its SHA-256.
  A file uploaded after the snapshot is harmless (no row names it). Should a file the snapshot
  names still be missing (uploaded and deleted again within moments), a newer snapshot is taken;
- ``keys/``: the label signing keys (``keys.json`` read first, then the ``*.key`` files, so
  every key the manifest names is present);
- ``manifest.json``: every file with its SHA-256 and size, the database kind, the Alembic
  revision, the row count of every table, the audit chain's head, the public address labels
  were signed for, when and by which version the backup was made.

Cached label PDFs and the search index are derived from the database and left out: a restore
rebuilds the index; PDFs are rendered again when first asked for.

The backup is written into a temporary folder beside the target, then renamed into place.

A restore goes into an empty instance only (no table in the database, nothing in the upload
folder or the keys folder), after every hash of the manifest has been checked; it then verifies
the result (audit chain, files against their rows, label credentials against the restored keys,
migrations at head, search index rebuilt and matching).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump / pg_restore, with argument lists
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Final

from flask import Flask, current_app
from sqlalchemy import text
from sqlalchemy.engine import URL, Connection, make_url

from registry.database import db, utcnow

MANIFEST_NAME: Final = "manifest.json"
FORMAT_VERSION: Final = 1
SQLITE_FILE: Final = "database.sqlite3"
DUMP_FILE: Final = "database.dump"
UPLOADS: Final = "uploads"
KEYS: Final = "keys"
KEYS_MANIFEST: Final = "keys.json"
# Tables whose rows name a stored file by (stored_name, sha256, size_bytes).
FILE_TABLES: Final = ("evidence", "call_document")
EXCLUDED_NOTE: Final = (
    "Derived data is not included: cached label PDFs (PDF_CACHE_DIR) are rendered again on "
    "demand, and the search index (SEARCH_INDEX_DIR) is rebuilt from the database by restore."
)
ATTEMPTS: Final = 5
# What this app found in its keys folder before start-up made the first key (see restore).
_KEYS_AT_START: Final = "backup.keys_at_start"
_CHUNK: Final = 1024 * 1024
_TABLES_SQL: Final = {
    "postgresql": "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()",
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
}


class BackupError(Exception):
    """A backup or restore was refused or failed; the message says why, for the operator."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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


@dataclass(frozen=True)
class Check:
    """One line of the restore report."""

    name: str
    ok: bool
    detail: str


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


# --- small helpers -------------------------------------------------------------------------------


def remember_keys_folder(app: Flask) -> None:
    """Note what the keys folder held before this app made its first key (restore needs it).

    Start-up creates a signing key when there is none, so a fresh instance that restore will
    fill already holds one key. That key, made by this very process for an empty database, has
    signed nothing and may be replaced; any other key may have, and makes restore refuse.
    """
    folder = Path(app.config["KEYS_DIR"])
    names = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    app.extensions[_KEYS_AT_START] = names


def sha256_of(path: Path) -> tuple[str, int]:
    """The SHA-256 (hex) and size of a file."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _copy_file(source: Path, target: Path, mode: int = 0o640) -> tuple[str, int]:
    """Copy a file (fsync'd), returning the SHA-256 and size of the bytes written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with source.open("rb") as reader, os.fdopen(fd, "wb") as writer:
        while chunk := reader.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            writer.write(chunk)
        writer.flush()
        os.fsync(writer.fileno())
    return digest.hexdigest(), size


def _fsync_tree(root: Path) -> None:
    for folder, _, _ in os.walk(root):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def regular_files(root: Path) -> Iterator[Path]:
    """Regular files under ``root``, skipping hidden ones (temporary uploads, locks)."""
    if not root.is_dir():
        return
    for folder, folders, files in os.walk(root):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted(files):
            path = Path(folder) / name
            if not name.startswith(".") and path.is_file() and not path.is_symlink():
                yield path


def _database_kind() -> str:
    return "postgresql" if db.engine.dialect.name == "postgresql" else "sqlite"


def _pg_command_env(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI (without the password) and an environment carrying it."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    conninfo = url.set(drivername="postgresql", password=None)
    return conninfo.render_as_string(hide_password=False), env


def _run(command: Sequence[str], env: dict[str, str], what: str) -> None:
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


def _app_version() -> str:
    try:
        return metadata.version("safetech-registry")
    except metadata.PackageNotFoundError:  # pragma: no cover - always installed here
        return "unknown"


# --- reading a snapshot ----------------------------------------------------------------------


Query = Callable[[str], list[tuple[Any, ...]]]
_TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _count_sql(table: str) -> str:
    """SELECT count(*) of a table whose name comes from the database's own catalog."""
    if not _TABLE_NAME.fullmatch(table):
        raise BackupError(f"unexpected table name {table!r}")
    return f'SELECT count(*) FROM "{table}"'  # noqa: S608 - a checked identifier


def _read_snapshot(kind: str, tables: Iterable[str], query: Query) -> Snapshot:
    names = sorted(tables)
    counts = {name: int(query(_count_sql(name))[0][0]) for name in names}
    revision = None
    if "alembic_version" in names:
        rows = query("SELECT version_num FROM alembic_version")
        revision = rows[0][0] if rows else None
    files = []
    for table in FILE_TABLES:
        if table in names:
            sql = f"SELECT id, stored_name, sha256, size_bytes FROM {table}"  # noqa: S608
            for row in query(sql):
                files.append(FileRow(table, int(row[0]), str(row[1]), str(row[2]), int(row[3])))
    head = None
    if "audit_entry" in names:
        rows = query("SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1")
        head = {"seq": int(rows[0][0]), "hash": str(rows[0][1])} if rows else None
    return Snapshot(kind, revision, counts, files, head)


def _snapshot_sqlite(work: Path) -> Snapshot:
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
        tables = [row[0] for row in destination.execute(_TABLES_SQL["sqlite"])]
        return _read_snapshot(
            "sqlite", tables, lambda sql: list(destination.execute(sql).fetchall())
        )
    finally:
        destination.close()
        source.close()


def _snapshot_postgresql(work: Path) -> Snapshot:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    conninfo, env = _pg_command_env(url)
    with db.engine.connect() as raw:
        connection = raw.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            # pg_dump reads the very snapshot this transaction sees, and so do the facts below.
            snapshot_id = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
            _run(
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
            tables = [row[0] for row in connection.execute(text(_TABLES_SQL["postgresql"]))]
            return _read_snapshot("postgresql", tables, _sa_query(connection))


def _sa_query(connection: Connection) -> Query:
    def query(sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in connection.execute(text(sql))]

    return query


# --- backup ------------------------------------------------------------------------------------


def _sync_uploads(target: Path, copied: dict[str, tuple[str, int]]) -> int:
    """Copy the upload files not copied yet (stored files never change once written)."""
    source = Path(current_app.config["UPLOAD_DIR"])
    count = 0
    for path in regular_files(source):
        relative = path.relative_to(source).as_posix()
        if relative in copied:
            continue
        try:
            copied[relative] = _copy_file(path, target / relative)
            count += 1
        except FileNotFoundError:  # deleted while we walked
            (target / relative).unlink(missing_ok=True)
    return count


def _row_problems(rows: list[FileRow], copied: dict[str, tuple[str, int]]) -> list[str]:
    """The snapshot's file rows whose file is not among the copies, or differs from its row."""
    by_name = _index_by_name(copied)
    problems = []
    for row in rows:
        found = by_name.get(row.stored_name, [])
        if not found:
            problems.append(f"{row.table} #{row.id}: file {row.stored_name} is missing")
        elif all(copied[path] != (row.sha256, row.size) for path in found):
            problems.append(f"{row.table} #{row.id}: file {row.stored_name} does not match its row")
    return problems


def _index_by_name(paths: Iterable[str]) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for path in paths:
        index.setdefault(path.rsplit("/", 1)[-1], []).append(path)
    return index


def _copy_keys(target: Path) -> None:
    """Copy the keys: the manifest first, then the key files (written before it names them)."""
    source = Path(current_app.config["KEYS_DIR"])
    target.mkdir(mode=0o700)
    try:
        manifest = (source / KEYS_MANIFEST).read_bytes()
    except FileNotFoundError as error:
        raise BackupError(f"the keys folder {source} has no {KEYS_MANIFEST}") from error
    present = set()
    for path in sorted(source.glob("*.key")):
        _copy_file(path, target / path.name, mode=0o600)
        present.add(path.stem)
    try:
        named = {str(item["id"]) for item in json.loads(manifest)["keys"]}
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(f"{source / KEYS_MANIFEST} is damaged: {error}") from error
    if missing := sorted(named - present):
        raise BackupError(f"the keys folder {source} lacks the private key(s) {missing}")
    fd = os.open(target / KEYS_MANIFEST, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(manifest)
        handle.flush()
        os.fsync(handle.fileno())


def _clear(folder: Path) -> None:
    for child in folder.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def create_backup(target: str | os.PathLike[str]) -> dict[str, Any]:
    """Write a backup into ``target`` (absent or an empty folder); return its manifest."""
    destination = Path(target).absolute()
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise BackupError(f"{destination} is not empty; back up into a new or empty folder")
    destination.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{destination.name}.partial-", dir=destination.parent))
    try:
        manifest = _write_backup(work)
        _fsync_tree(work)
        work.chmod(0o700)
        os.replace(work, destination)
        _fsync_tree(destination.parent)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def _write_backup(work: Path) -> dict[str, Any]:
    kind = _database_kind()
    uploads = work / UPLOADS
    uploads.mkdir()
    copied: dict[str, tuple[str, int]] = {}
    # Files are copied before the snapshot (so a file deleted just after it is still there) and
    # again after it (so a file whose row the snapshot holds, uploaded meanwhile, is there too),
    # then every row of the snapshot is checked against the copies. Should a file still be
    # missing (uploaded and deleted within that window), a newer snapshot is taken.
    problems: list[str] = []
    for _ in range(ATTEMPTS):
        for name in (SQLITE_FILE, DUMP_FILE):
            (work / name).unlink(missing_ok=True)
        # Until a pass finds (almost) nothing new, so the snapshot follows the last one closely.
        for _ in range(5):
            if _sync_uploads(uploads, copied) <= 1:
                break
        snapshot = _snapshot_postgresql(work) if kind == "postgresql" else _snapshot_sqlite(work)
        if snapshot.revision is None:
            raise BackupError("the database has no migrations applied; nothing to back up")
        _sync_uploads(uploads, copied)
        problems = _row_problems(snapshot.files, copied)
        if not problems:
            break
    else:
        raise BackupError(
            "the upload folder does not match the database: " + "; ".join(problems[:20])
        )
    _copy_keys(work / KEYS)
    files = []
    for path in regular_files(work):
        digest, size = sha256_of(path)
        files.append({"path": path.relative_to(work).as_posix(), "sha256": digest, "size": size})
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": utcnow().isoformat(timespec="seconds"),
        "app_version": _app_version(),
        "base_url": current_app.config["BASE_URL"],
        "database": {
            "kind": kind,
            "file": DUMP_FILE if kind == "postgresql" else SQLITE_FILE,
            "alembic_revision": snapshot.revision,
            "row_counts": snapshot.counts,
            "audit_head": snapshot.audit_head,
            "stored_files": len(snapshot.files),
        },
        "excluded": EXCLUDED_NOTE,
        "files": files,
    }
    body = json.dumps(manifest, indent=2, sort_keys=False) + "\n"
    (work / MANIFEST_NAME).write_text(body, encoding="utf-8")
    return manifest


# --- restore -----------------------------------------------------------------------------------


def read_manifest(source: Path) -> dict[str, Any]:
    """Load a backup's manifest and check every file against it; refuse any difference."""
    if not source.is_dir():
        raise BackupError(f"{source} is not a backup folder")
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST_NAME).read_text("utf-8"))
        listed = {item["path"]: (item["sha256"], int(item["size"])) for item in manifest["files"]}
        kind = manifest["database"]["kind"]
    except FileNotFoundError as error:
        raise BackupError(f"{source} has no {MANIFEST_NAME}: not a backup") from error
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(f"{source / MANIFEST_NAME} is damaged: {error!r}") from error
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    if kind not in ("sqlite", "postgresql"):
        raise BackupError(f"unknown database kind {kind!r} in the manifest")
    present = {
        path.relative_to(source).as_posix()
        for path in source.rglob("*")
        if (path.is_file() or path.is_symlink()) and path.name != MANIFEST_NAME
    }
    if extra := sorted(present - set(listed)):
        raise BackupError(f"the backup was altered: {extra[0]} is not in the manifest")
    for relative, (digest, size) in sorted(listed.items()):
        path = source / relative
        if relative not in present or path.is_symlink() or ".." in Path(relative).parts:
            raise BackupError(f"the backup is incomplete: {relative} is missing")
        if sha256_of(path) != (digest, size):
            raise BackupError(f"the backup was altered: {relative} does not match its SHA-256")
    return manifest


def _target_problems(kind: str) -> list[str]:
    """Why the configured instance is not an empty place to restore into."""
    problems = []
    if _database_kind() != kind:
        problems.append(
            f"the backup holds a {kind} database but this instance uses {_database_kind()}"
        )
    if tables := _existing_tables():
        problems.append(
            f"the database already has {len(tables)} table(s); restore only into an empty "
            "database (do not run `db upgrade` first)"
        )
    uploads = Path(current_app.config["UPLOAD_DIR"])
    if uploads.exists() and any(uploads.iterdir()):
        problems.append(f"the upload folder {uploads} is not empty")
    keys = Path(current_app.config["KEYS_DIR"])
    if keys.exists() and _keys_made_before_start(keys):
        problems.append(f"the keys folder {keys} already holds keys")
    return problems


def _existing_tables() -> list[str]:
    if _database_kind() == "sqlite":
        path = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).database
        if not path or not Path(path).exists():
            return []
    with db.engine.connect() as connection:
        return [row[0] for row in connection.execute(text(_TABLES_SQL[_database_kind()]))]


def _keys_made_before_start(keys: Path) -> bool:
    before = current_app.extensions.get(_KEYS_AT_START)
    if before is None or any(name != ".lock" for name in before):
        return any(keys.iterdir())
    # Only the key start-up just made for this empty instance is there: it signed nothing.
    now = [path for path in keys.iterdir() if path.name != ".lock"]
    manifest = keys / KEYS_MANIFEST
    if not manifest.is_file():
        return bool(now)
    try:
        listed = json.loads(manifest.read_text("utf-8"))["keys"]
    except (ValueError, KeyError, TypeError):
        return True
    return len(listed) != 1 or len(now) != 2


def restore_backup(
    source_dir: str | os.PathLike[str], log: Callable[[str], None] = lambda _: None
) -> RestoreReport:
    """Restore a backup into this empty instance, then verify it; raise BackupError if refused."""
    source = Path(source_dir).absolute()
    manifest = read_manifest(source)
    log(f"Backup checked: {len(manifest['files'])} file(s) match the manifest.")
    database = manifest["database"]
    if problems := _target_problems(database["kind"]):
        raise BackupError("refused: " + "; ".join(problems))
    if database["kind"] == "postgresql":
        _restore_postgresql(source / DUMP_FILE)
    else:
        _restore_sqlite(source / SQLITE_FILE)
    log(f"Database restored ({database['kind']}).")
    count = _restore_folder(source / UPLOADS, Path(current_app.config["UPLOAD_DIR"]), 0o640)
    log(f"{count} uploaded file(s) restored.")
    keys = Path(current_app.config["KEYS_DIR"])
    if keys.exists():
        _clear(keys)  # only the key start-up made for this empty instance (checked above)
    count = _restore_folder(source / KEYS, keys, 0o600, folder_mode=0o700)
    (keys / KEYS_MANIFEST).chmod(0o644)
    log(f"{count} key file(s) restored.")
    return verify_restored(manifest)


def _restore_sqlite(backup_file: Path) -> None:
    target = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).database
    if not target:
        raise BackupError("restore into SQLite needs a database file path")
    db.session.remove()
    db.engine.dispose()
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.restore")
    temporary.unlink(missing_ok=True)
    _copy_file(backup_file, temporary, mode=0o600)
    # The empty file start-up opened may have left a write-ahead log; it must not be replayed
    # onto the restored file.
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.replace(temporary, path)
    _fsync_tree(path.parent)


def _restore_postgresql(dump: Path) -> None:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    conninfo, env = _pg_command_env(url)
    db.session.remove()
    db.engine.dispose()
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={conninfo}",
            str(dump),
        ],
        env,
        "pg_restore",
    )


def _restore_folder(source: Path, target: Path, mode: int, folder_mode: int = 0o750) -> int:
    target.mkdir(mode=folder_mode, parents=True, exist_ok=True)
    count = 0
    for path in regular_files(source):
        relative = path.relative_to(source)
        destination = target / relative
        destination.parent.mkdir(mode=folder_mode, parents=True, exist_ok=True)
        temporary = destination.with_name(f".{destination.name}.restore")
        _copy_file(path, temporary, mode=mode)
        os.replace(temporary, destination)
        count += 1
    _fsync_tree(target)
    return count


# --- verification ---------------------------------------------------------------------------


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
        f"{len(expected)} table(s) as in the backup"
        if not differing
        else "differ in " + ", ".join(f"{n} ({counts.get(n)} ≠ {expected[n]})" for n in differing),
    )
    _check_audit(report, database.get("audit_head"))
    _check_files(report)
    _check_migrations(report, database["alembic_revision"])
    _check_labels(report, manifest.get("base_url"))
    _check_search(report)
    db.session.commit()
    return report


def _sa_counts() -> dict[str, int]:
    names = [row[0] for row in db.session.execute(text(_TABLES_SQL[_database_kind()]))]
    return {name: int(db.session.execute(text(_count_sql(name))).scalar_one()) for name in names}


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
    query = _sa_query(db.session.connection())
    return _read_snapshot(_database_kind(), [n for n in names if n in FILE_TABLES], query).files


def _check_files(report: RestoreReport) -> None:
    uploads = Path(current_app.config["UPLOAD_DIR"])
    by_name = _index_by_name(p.relative_to(uploads).as_posix() for p in regular_files(uploads))
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
        f"{len(rows)} file(s) match their rows" if not bad else "; ".join(bad[:20]),
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


def _check_labels(report: RestoreReport, base_url: str | None) -> None:
    # Labels belong to a higher layer; their checks are looked up only when a restore runs.
    from evaluations.credentials import VerdictCode
    from evaluations.keys import public_keys_document
    from evaluations.label_documents import verify_label_credential

    keys_document = public_keys_document(current_app.config["BASE_URL"])
    # The signature and issuer are what a restore must preserve; the date is the label's own.
    signed = {VerdictCode.VALID, VerdictCode.EXPIRED, VerdictCode.NOT_YET_VALID}
    rows = db.session.execute(text("SELECT number, credential FROM label ORDER BY id")).all()
    bad = []
    for number, credential in rows:
        try:
            document = json.loads(credential)
        except ValueError:
            bad.append(f"{number}: no readable credential")
            continue
        verdict = verify_label_credential(document, keys_document)
        if verdict.code not in signed:
            bad.append(f"{number}: {verdict.code!s} ({verdict.message})")
    detail = f"{len(rows)} label credential(s) verify against the restored keys"
    if bad:
        detail = "; ".join(bad[:10]) + (f" … and {len(bad) - 10} more" if len(bad) > 10 else "")
        if base_url and base_url != current_app.config["BASE_URL"]:
            detail += (
                f". The labels were signed for {base_url}; set SAFETECH_BASE_URL to it "
                f"(this instance has {current_app.config['BASE_URL']})"
            )
    report.add("label credentials", not bad, detail)


def _check_search(report: RestoreReport) -> None:
    from catalog import indexer

    count = indexer.rebuild()
    differences = indexer.check()
    report.add(
        "search index",
        not differences,
        f"rebuilt with {count} solution(s); matches the database"
        if not differences
        else f"{len(differences)} difference(s) after the rebuild",
    )
