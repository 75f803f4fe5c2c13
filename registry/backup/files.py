"""Files on disk: SHA-256 and size, fsync'd copies, walking a folder, indexing by name."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, Final

from registry.files import atomic_writer, fsync_folder

_CHUNK: Final = 1024 * 1024


def sha256_of(path: Path) -> tuple[str, int]:
    """The SHA-256 (hex) and size of a file."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def copy_into(source: Path, writer: BinaryIO) -> tuple[str, int]:
    """Copy a file's bytes into ``writer``, returning their SHA-256 and size."""
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as reader:
        while chunk := reader.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            writer.write(chunk)
    return digest.hexdigest(), size


def copy_file(source: Path, target: Path, mode: int = 0o640) -> tuple[str, int]:
    """Copy a file (fsync'd), returning the SHA-256 and size of the bytes written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as writer:
        copied = copy_into(source, writer)
        writer.flush()
        os.fsync(writer.fileno())
    return copied


def replace_with_copy(source: Path, target: Path, mode: int) -> None:
    """Copy a file over ``target`` atomically, through a temporary ``.NAME.restore`` beside it."""
    with atomic_writer(target, mode=mode, temporary=f".{target.name}.restore") as writer:
        copy_into(source, writer)


def fsync_tree(root: Path) -> None:
    """Fsync every folder under ``root`` (and ``root``), so the names written there last."""
    for folder, _, _ in os.walk(root):
        fsync_folder(Path(folder))


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


def index_by_name(paths: Iterable[str]) -> dict[str, list[str]]:
    """The relative paths ``paths`` grouped by their file name (stored names are unique)."""
    index: dict[str, list[str]] = {}
    for path in paths:
        index.setdefault(path.rsplit("/", 1)[-1], []).append(path)
    return index
