"""Stored files that no row names, and their removal.

A file is written under its final name before the row that names it is committed (see
``registry.uploads.stored_file``); a worker killed between the two leaves a file no row
names. The file of a removed row is left too (see ``registry.uploads.release``), so a backup
whose snapshot still names it finds it. Such a file is never served (every download starts
from a row) but takes space and would be carried by every backup.
``flask --app app files check`` lists them; ``flask --app app files sweep`` removes those
older than a grace period, long enough for any request still on its way to its commit (a
request takes seconds; the default is an hour) and for any backup still copying files.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from registry import audit
from registry.backup.files import regular_files
from registry.backup.verify import stored_file_rows
from registry.wording import counted

GRACE_SECONDS = 3600


@dataclass(frozen=True)
class Unnamed:
    """A stored file no row names."""

    path: str  # relative to the upload folder
    size: int
    age_seconds: float


def unnamed_files() -> list[Unnamed]:
    """Files of the upload folder that no row names, oldest first.

    The rows are read before the folder is listed, so a file whose row is committed in
    between is seen with its row or, at worst, as young: the grace period covers it.
    """
    named = {row.stored_name.rsplit("/", 1)[-1] for row in stored_file_rows()}
    uploads = Path(current_app.config["UPLOAD_DIR"])
    now = time.time()
    found = []
    for path in regular_files(uploads):
        if path.name in named:
            continue
        try:
            stat = path.stat()
        except FileNotFoundError:  # removed meanwhile
            continue
        found.append(
            Unnamed(path.relative_to(uploads).as_posix(), stat.st_size, now - stat.st_mtime)
        )
    found.sort(key=lambda item: (-item.age_seconds, item.path))
    return found


def sweep(grace_seconds: float = GRACE_SECONDS) -> list[Unnamed]:
    """Remove the unnamed files older than ``grace_seconds``; audit and return them.

    The caller commits (the audit entry).
    """
    uploads = Path(current_app.config["UPLOAD_DIR"])
    removed = []
    for item in unnamed_files():
        if item.age_seconds < grace_seconds:
            continue
        (uploads / item.path).unlink(missing_ok=True)
        removed.append(item)
    if removed:
        audit.record(
            None,
            "files.sweep",
            object_type="stored_file",
            summary=f"{counted(len(removed), 'stored file')} no row named were removed",
            data={"files": [item.path for item in removed[:200]], "count": len(removed)},
        )
    return removed
