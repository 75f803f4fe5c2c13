"""Writing a file atomically: a reader sees the whole old file or the whole new one.

The bytes go into a temporary file in the same folder (created with ``O_EXCL`` and the final
mode, so nobody else's file or link is written through), are fsync'd, and the temporary file
is renamed over the target; should anything fail, the temporary file is removed.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


def temporary_name(path: Path) -> str:
    """The default temporary name for ``path``: hidden, random, ending in ``.tmp``."""
    return f".{path.name}.{secrets.token_hex(8)}.tmp"


@contextmanager
def atomic_writer(
    path: Path, *, mode: int = 0o600, temporary: str | None = None
) -> Iterator[BinaryIO]:
    """Yield a handle on a temporary file that replaces ``path`` when the block succeeds.

    ``temporary`` names the temporary file in ``path``'s folder (by default
    ``temporary_name(path)``); it is created with ``mode`` (less the umask).
    """
    scratch = path.with_name(temporary or temporary_name(path))
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        scratch.replace(path)
    except BaseException:
        scratch.unlink(missing_ok=True)
        raise


def write_atomically(
    path: Path, data: bytes, *, mode: int = 0o600, temporary: str | None = None
) -> None:
    """Write ``data`` to ``path`` atomically (see ``atomic_writer``)."""
    with atomic_writer(path, mode=mode, temporary=temporary) as handle:
        handle.write(data)


def fsync_folder(folder: Path) -> None:
    """Fsync a folder, so the names just written or renamed in it survive a crash."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
