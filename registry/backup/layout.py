"""What a backup folder holds, and the error every step of a backup or restore raises.

A backup is a folder:

- ``database.sqlite3`` (SQLite, made with SQLite's online backup API, so it is consistent while
  other processes write) or ``database.dump`` (PostgreSQL, ``pg_dump --format=custom`` run
  inside an exported repeatable-read snapshot);
- ``uploads/``: the upload folder (the stored files of the tables registered with
  ``hooks.register_file_table``: evidence, call documents). Stored files never change once
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
"""

from __future__ import annotations

from typing import Final

MANIFEST_NAME: Final = "manifest.json"
FORMAT_VERSION: Final = 1
SQLITE_FILE: Final = "database.sqlite3"
DUMP_FILE: Final = "database.dump"
UPLOADS: Final = "uploads"
KEYS: Final = "keys"
KEYS_MANIFEST: Final = "keys.json"
EXCLUDED_NOTE: Final = (
    "Derived data is not included: cached label PDFs (PDF_CACHE_DIR) are rendered again on "
    "demand, and the search index (SEARCH_INDEX_DIR) is rebuilt from the database by restore."
)


class BackupError(Exception):
    """A backup or restore was refused or failed; the message says why, for the operator."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
