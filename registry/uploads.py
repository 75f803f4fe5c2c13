"""Uploaded files (evidence, call documents): checking an upload's name and content, storing it
atomically, finding it, and the columns of a row that names one (``StoredFileMixin``).

The extension must be one we accept *and* the first bytes must agree with it; text files must
be clean UTF-8 that does not look like markup a browser would run. Files are stored outside the
web root under a random name; the name the vendor gave is kept only for display, cleaned.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import os
import re
import secrets
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from flask import Response, current_app, send_file
from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from registry.database import UTCDateTime, utcnow
from registry.exceptions import RuleViolation
from registry.files import write_atomically

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DISPLAY_NAME_MAX = 120
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "txt": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
}
ACCEPTED = ", ".join(sorted({ext.upper() for ext in CONTENT_TYPES} - {"JPEG"}))
_MAGIC = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
}
# Markup a browser (or an SVG viewer) would render or run if the file were ever sniffed.
_ACTIVE_MARKERS = ("<html", "<svg", "<script", "<!doctype", "<iframe", "<?xml")
# Bidirectional controls (e.g. U+202E) make "gpj.exe" look like "exe.jpg".
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ALLOWED_TEXT_CONTROLS = {"\t", "\n", "\r", "\f"}
_TEMPORARY_PREFIX = ".upload-"
# A temporary file older than this was left by a killed process (a write takes milliseconds).
STALE_TEMPORARY_SECONDS = 3600
# The column order a model's own columns take to come after the stored-file columns.
AFTER_STORED_FILE = 1
# A row whose file was deleted at the end of its retention period keeps its other columns
# (name, size, SHA-256) and a stored name with this prefix, which names no file.
PURGED_PREFIX = "purged:"


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks: its bytes, display name, type and hash."""

    data: bytes
    display_name: str
    extension: str
    content_type: str
    sha256: str


def max_bytes() -> int:
    """The configured size limit of one evidence file (EVIDENCE_MAX_BYTES)."""
    return int(current_app.config.get("EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def display_name(raw: str | None) -> str:
    """A safe name to show: no folders, control or bidi characters, NFC, at most 120 chars."""
    text = unicodedata.normalize("NFC", raw or "")
    text = re.split(r"[\\/]", text)[-1]
    text = _BIDI.sub("", text)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = text.strip().strip(".").strip()
    if len(text) > DISPLAY_NAME_MAX:
        stem, dot, extension = text.rpartition(".")
        keep = DISPLAY_NAME_MAX - len(extension) - 2
        text = f"{stem[:keep]}…{dot}{extension}" if dot and len(extension) <= 5 else text[:120]
    return text or "file"


def _extension(name: str) -> str:
    # Only the last suffix counts: "x.pdf.exe" is an .exe.
    _, dot, extension = name.rpartition(".")
    return extension.lower() if dot else ""


def _check_text(data: bytes) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise RuleViolation(
            "A text or CSV file must be UTF-8 text; this one is not.", "file"
        ) from None
    if any(ch < " " and ch not in _ALLOWED_TEXT_CONTROLS for ch in text):
        raise RuleViolation("A text or CSV file must not contain binary data.", "file")
    lowered = text.lower()
    if any(marker in lowered for marker in _ACTIVE_MARKERS):
        raise RuleViolation(
            "This file contains web markup (HTML, SVG or script), which is not accepted. "
            "Send it as a PDF instead.",
            "file",
        )


def check_upload(filename: str | None, stream: BinaryIO) -> CheckedFile:
    """Read and check an upload; raise RuleViolation with the reason when it is refused."""
    limit = max_bytes()
    data = stream.read(limit + 1)
    name = display_name(filename)
    extension = _extension(name)
    if extension not in CONTENT_TYPES:
        raise RuleViolation(f"Files of this type are not accepted. Accepted: {ACCEPTED}.", "file")
    if not data:
        raise RuleViolation("The file is empty.", "file")
    if len(data) > limit:
        raise RuleViolation(
            f"The file is larger than {limit // (1024 * 1024)} MiB; send a smaller one.", "file"
        )
    if extension in _MAGIC:
        if not data.startswith(_MAGIC[extension]):
            raise RuleViolation(
                f"The file's content is not a {extension.upper()} file, whatever its name says.",
                "file",
            )
    else:
        _check_text(data)
    return CheckedFile(
        data=data,
        display_name=name,
        extension=extension,
        content_type=CONTENT_TYPES[extension],
        sha256=hashlib.sha256(data).hexdigest(),
    )


def upload_dir() -> Path:
    """The folder evidence is stored in (UPLOAD_DIR), outside the web root."""
    return Path(current_app.config["UPLOAD_DIR"]) / "evidence"


def path_of(stored_name: str) -> Path:
    """Where a stored file lives; stored names are ours (hex + extension), never user input."""
    if not re.fullmatch(r"[0-9a-f]{32}\.[a-z]{3,4}", stored_name):
        raise ValueError("not a stored evidence name")
    return upload_dir() / stored_name


def write_file(checked: CheckedFile) -> str:
    """Write the bytes under a new random name (temporary file, fsync, rename); return it."""
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = f"{secrets.token_hex(16)}.{checked.extension}"
    temporary = f"{_TEMPORARY_PREFIX}{secrets.token_hex(8)}"
    write_atomically(folder / stored_name, checked.data, temporary=temporary)
    _remove_stale_temporaries(folder)
    return stored_name


@contextmanager
def stored_file(checked: CheckedFile) -> Iterator[str]:
    """Write the file and yield its stored name for the block that records its row; if that
    block fails, the file goes too: a row never points at a missing file, and a file never
    outlives a failed row."""
    stored_name = write_file(checked)
    try:
        yield stored_name
    except BaseException:
        delete_file(stored_name)
        raise


def _remove_stale_temporaries(folder: Path) -> None:
    # Their names never match a stored name, so they are never served; this only frees space.
    cutoff = time.time() - STALE_TEMPORARY_SECONDS
    for leftover in folder.glob(f"{_TEMPORARY_PREFIX}*"):
        try:
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()
        except FileNotFoundError:  # another worker swept it first
            continue


def delete_file(stored_name: str) -> None:
    """Remove a stored file if it is there."""
    path_of(stored_name).unlink(missing_ok=True)


def is_purged(stored_name: str) -> bool:
    """Whether a row's file was deleted at the end of its retention period."""
    return stored_name.startswith(PURGED_PREFIX)


def purged_name(table: str, row_id: int) -> str:
    """The stored name a row keeps once its file is purged (unique, naming no file)."""
    return f"{PURGED_PREFIX}{table}:{row_id}"


def release(stored_name: str) -> None:
    """Leave a file whose row is gone to ``files sweep``: its grace period starts now.

    Called once the row's removal is committed; the file is no longer named, and the sweep
    removes it when it is older than the grace period (a backup running meanwhile still finds
    every file its snapshot names).
    """
    with contextlib.suppress(FileNotFoundError):
        os.utime(path_of(stored_name))


class StoredFileMixin:
    """The columns of a row that names a stored file: its display name, stored name, type,
    size and SHA-256, when and by whom it was uploaded.

    Put on a model beside its own columns; those to come after ``sha256`` in the table take
    ``sort_order=AFTER_STORED_FILE``, as ``uploaded_at`` and ``uploaded_by_id`` do here.
    """

    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(80))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, sort_order=AFTER_STORED_FILE
    )
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id"), sort_order=AFTER_STORED_FILE
    )


def stored_file_columns(
    checked: CheckedFile, stored_name: str, uploaded_by_id: int
) -> dict[str, Any]:
    """The ``StoredFileMixin`` columns of a new row naming `checked`, stored as `stored_name`
    (from ``stored_file``) by the user `uploaded_by_id`, uploaded now."""
    return {
        "original_name": checked.display_name[:255],
        "stored_name": stored_name,
        "content_type": checked.content_type,
        "size_bytes": len(checked.data),
        "sha256": checked.sha256,
        "uploaded_at": utcnow(),
        "uploaded_by_id": uploaded_by_id,
    }


class StoredFileRow(Protocol):
    """A row that names a stored file (evidence, a tender document)."""

    stored_name: str
    content_type: str
    original_name: str


def send_stored(row: StoredFileRow) -> Response:
    """The row's file as a download the browser neither sniffs nor runs.

    Read whole (files are at most ``max_bytes()``): no file handle outlives the request. A
    missing file raises OSError, a bad stored name ValueError.
    """
    data = path_of(row.stored_name).read_bytes()
    response = send_file(
        io.BytesIO(data),
        mimetype=row.content_type,
        as_attachment=True,
        download_name=row.original_name,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
