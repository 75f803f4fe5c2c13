"""Backups and restores: a consistent copy of the database, the uploaded files and the keys.

- ``layout``: what a backup folder holds (file names, format version, the manifest's parts)
  and ``BackupError``;
- ``files``: SHA-256 and size of a file, fsync'd copies, walking the upload folder;
- ``snapshot``: the database kind, ``pg_dump``/``pg_restore`` runs, the consistent snapshot
  and the facts read from it (``FileRow``, ``Snapshot``);
- ``create``: ``create_backup``, writing the folder into place;
- ``restore``: ``read_manifest``, ``restore_backup`` into an empty instance and
  ``remember_keys_folder`` (what start-up found in the keys folder);
- ``verify``: ``verify_restored``, the ``RestoreReport`` and ``stored_file_rows``;
- ``hooks``: what the packages above register at their ``init_app``: the tables whose rows
  name stored files, the checks a restore runs, the derived data it rebuilds.
"""
