"""Backups and restores: a consistent copy of the database, the uploaded files and the keys.

- ``layout``: what a backup folder holds (file names, format version, the manifest's parts)
  and ``BackupError``;
- ``files``: SHA-256 and size of a file, fsync'd copies, walking the upload folder;
- ``snapshot``: the database kind, ``pg_dump``/``pg_restore`` runs, the consistent snapshot
  and the facts read from it (``FileRow``, ``Snapshot``);
- ``create``: ``create_backup``, writing the folder into place;
- ``restore``: ``read_manifest``, ``restore_backup`` into an empty instance and
  ``remember_keys_folder`` (what start-up found in the keys folder);
- ``verify``: ``verify_restored``, the ``RestoreReport`` and ``stored_file_rows``.
"""

from __future__ import annotations

from registry.backup.create import ATTEMPTS, create_backup
from registry.backup.files import regular_files, sha256_of
from registry.backup.layout import (
    DUMP_FILE,
    EXCLUDED_NOTE,
    FILE_TABLES,
    FORMAT_VERSION,
    KEYS,
    KEYS_MANIFEST,
    MANIFEST_NAME,
    SQLITE_FILE,
    UPLOADS,
    BackupError,
)
from registry.backup.restore import read_manifest, remember_keys_folder, restore_backup
from registry.backup.snapshot import FileRow, Query, Snapshot
from registry.backup.verify import Check, RestoreReport, stored_file_rows, verify_restored

__all__ = [
    "ATTEMPTS",
    "DUMP_FILE",
    "EXCLUDED_NOTE",
    "FILE_TABLES",
    "FORMAT_VERSION",
    "KEYS",
    "KEYS_MANIFEST",
    "MANIFEST_NAME",
    "SQLITE_FILE",
    "UPLOADS",
    "BackupError",
    "Check",
    "FileRow",
    "Query",
    "RestoreReport",
    "Snapshot",
    "create_backup",
    "read_manifest",
    "regular_files",
    "remember_keys_folder",
    "restore_backup",
    "sha256_of",
    "stored_file_rows",
    "verify_restored",
]
