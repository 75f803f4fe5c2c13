"""Making a backup.

The backup is written into a temporary folder beside the target, then renamed into place.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any, Final

from flask import current_app

from registry.backup.files import copy_file, fsync_tree, index_by_name, regular_files, sha256_of
from registry.backup.layout import (
    DUMP_FILE,
    EXCLUDED_NOTE,
    FORMAT_VERSION,
    KEYS,
    KEYS_MANIFEST,
    MANIFEST_NAME,
    SQLITE_FILE,
    UPLOADS,
    BackupError,
)
from registry.backup.snapshot import FileRow, database_kind, snapshot_postgresql, snapshot_sqlite
from registry.database import utcnow

ATTEMPTS: Final = 5


def _app_version() -> str:
    try:
        return metadata.version("safetech-registry")
    except metadata.PackageNotFoundError:  # pragma: no cover - always installed here
        return "unknown"


def _sync_uploads(target: Path, copied: dict[str, tuple[str, int]]) -> int:
    """Copy the upload files not copied yet (stored files never change once written)."""
    source = Path(current_app.config["UPLOAD_DIR"])
    count = 0
    for path in regular_files(source):
        relative = path.relative_to(source).as_posix()
        if relative in copied:
            continue
        try:
            copied[relative] = copy_file(path, target / relative)
            count += 1
        except FileNotFoundError:  # deleted while we walked
            (target / relative).unlink(missing_ok=True)
    return count


def _row_problems(rows: list[FileRow], copied: dict[str, tuple[str, int]]) -> list[str]:
    """The snapshot's file rows whose file is not among the copies, or differs from its row."""
    by_name = index_by_name(copied)
    problems = []
    for row in rows:
        found = by_name.get(row.stored_name, [])
        if not found:
            problems.append(f"{row.table} #{row.id}: file {row.stored_name} is missing")
        elif all(copied[path] != (row.sha256, row.size) for path in found):
            problems.append(f"{row.table} #{row.id}: file {row.stored_name} does not match its row")
    return problems


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
        copy_file(path, target / path.name, mode=0o600)
        present.add(path.stem)
    try:
        named = {str(item["id"]) for item in json.loads(manifest)["keys"]}
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(f"{source / KEYS_MANIFEST} is damaged: {error}") from error
    if missing := sorted(named - present):
        raise BackupError(f"the keys folder {source} lacks private keys of {missing}")
    fd = os.open(target / KEYS_MANIFEST, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(manifest)
        handle.flush()
        os.fsync(handle.fileno())


def create_backup(target: str | os.PathLike[str]) -> dict[str, Any]:
    """Write a backup into ``target`` (absent or an empty folder); return its manifest."""
    destination = Path(target).absolute()
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise BackupError(f"{destination} is not empty; back up into a new or empty folder")
    destination.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{destination.name}.partial-", dir=destination.parent))
    try:
        manifest = _write_backup(work)
        fsync_tree(work)
        work.chmod(0o700)
        work.replace(destination)
        fsync_tree(destination.parent)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def _write_backup(work: Path) -> dict[str, Any]:
    kind = database_kind()
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
        snapshot = snapshot_postgresql(work) if kind == "postgresql" else snapshot_sqlite(work)
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
