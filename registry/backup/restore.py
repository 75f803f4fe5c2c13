"""Restoring a backup.

A restore goes into an empty instance only (no table in the database, nothing in the upload
folder or the keys folder), after every hash of the manifest has been checked; it then verifies
the result (audit chain, files against their rows, label credentials against the restored keys,
migrations at head, search index rebuilt and matching).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from flask import Flask, current_app
from sqlalchemy import text
from sqlalchemy.engine import make_url

from registry.backup.files import (
    copy_into,
    fsync_tree,
    regular_files,
    replace_with_copy,
    sha256_of,
)
from registry.backup.layout import (
    DUMP_FILE,
    FORMAT_VERSION,
    KEYS,
    KEYS_MANIFEST,
    MANIFEST_NAME,
    SQLITE_FILE,
    UPLOADS,
    BackupError,
)
from registry.backup.snapshot import TABLES_SQL, database_kind, pg_command_env, run_tool
from registry.backup.verify import RestoreReport, verify_restored
from registry.database import db
from registry.files import atomic_writer
from registry.wording import counted

# What this app found in its keys folder before start-up made the first key (see restore).
_KEYS_AT_START: Final = "backup.keys_at_start"


def remember_keys_folder(app: Flask) -> None:
    """Note what the keys folder held before this app made its first key (restore needs it).

    Start-up creates a signing key when there is none, so a fresh instance that restore will
    fill already holds one key. That key, made by this very process for an empty database, has
    signed nothing and may be replaced; any other key may have, and makes restore refuse.
    """
    folder = Path(app.config["KEYS_DIR"])
    names = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    app.extensions[_KEYS_AT_START] = names


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
    if database_kind() != kind:
        problems.append(
            f"the backup holds a {kind} database but this instance uses {database_kind()}"
        )
    if tables := _existing_tables():
        problems.append(
            f"the database already has {counted(len(tables), 'table')}; restore only into an empty "
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
    if database_kind() == "sqlite":
        path = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).database
        if not path or not Path(path).exists():
            return []
    with db.engine.connect() as connection:
        return [row[0] for row in connection.execute(text(TABLES_SQL[database_kind()]))]


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


def _clear(folder: Path) -> None:
    for child in folder.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def restore_backup(
    source_dir: str | os.PathLike[str], log: Callable[[str], None] = lambda _: None
) -> RestoreReport:
    """Restore a backup into this empty instance, then verify it; raise BackupError if refused."""
    source = Path(source_dir).absolute()
    manifest = read_manifest(source)
    log(f"Backup checked: {counted(len(manifest['files']), 'file')} match the manifest.")
    database = manifest["database"]
    if problems := _target_problems(database["kind"]):
        raise BackupError("refused: " + "; ".join(problems))
    if database["kind"] == "postgresql":
        _restore_postgresql(source / DUMP_FILE)
    else:
        _restore_sqlite(source / SQLITE_FILE)
    log(f"Database restored ({database['kind']}).")
    count = _restore_folder(source / UPLOADS, Path(current_app.config["UPLOAD_DIR"]), 0o640)
    log(f"{counted(count, 'uploaded file')} restored.")
    keys = Path(current_app.config["KEYS_DIR"])
    if keys.exists():
        _clear(keys)  # only the key start-up made for this empty instance (checked above)
    count = _restore_folder(source / KEYS, keys, 0o600, folder_mode=0o700)
    (keys / KEYS_MANIFEST).chmod(0o644)
    log(f"{counted(count, 'key file')} restored.")
    return verify_restored(manifest)


def _restore_sqlite(backup_file: Path) -> None:
    target = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).database
    if not target:
        raise BackupError("restore into SQLite needs a database file path")
    db.session.remove()
    db.engine.dispose()
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = f".{path.name}.restore"
    path.with_name(temporary).unlink(missing_ok=True)
    with atomic_writer(path, mode=0o600, temporary=temporary) as writer:
        copy_into(backup_file, writer)
        # The empty file start-up opened may have left a write-ahead log; it must not be
        # replayed onto the restored file.
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    fsync_tree(path.parent)


def _restore_postgresql(dump: Path) -> None:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    conninfo, env = pg_command_env(url)
    db.session.remove()
    db.engine.dispose()
    run_tool(
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
        replace_with_copy(path, destination, mode)
        count += 1
    fsync_tree(target)
    return count
