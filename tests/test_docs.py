"""Every Markdown document the code, templates and documents name is in the repository.

A reference is a Markdown link whose target ends in ``.md`` (an anchor after it is ignored), or
a bare file name or path ending in ``.md``, in the text of a ``.py``, ``.md`` or ``.html`` file.
It resolves against the referring file's folder or the repository root. A bare name without a
folder also counts as resolved when the same file gives a resolving path that ends in it (the
full path first, the short name after). Addresses with a scheme (``https://…``) are not
references to this repository. So a clone never points at a document it does not have.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCANNED_SUFFIXES = (".py", ".md", ".html")
# Folders that are never part of a clone: built, installed or generated at run time.
UNTRACKED_FOLDERS = {
    ".git",
    ".venv",
    "node_modules",
    "instance",
    "test-artifacts",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
}
MD = ".md"

_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s)\]>\"'`]+")
_LINK = re.compile(
    r"\]\(\s*<?(?P<target>[^)\s<>]+?" + re.escape(MD) + r")(?:#[^)\s>]*)?>?(?:\s+\"[^\"]*\")?\s*\)"
)
_BARE = re.compile(r"(?<![\w./-])(?P<target>/?(?:[\w.-]+/)*[\w.-]*\w" + re.escape(MD) + r")(?!\w)")


def repository_files(root: Path = ROOT) -> set[str]:
    """The repository's files as POSIX paths: git's tracked files, or the tree without git."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"],
            cwd=root,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        listed = b""
    if listed:
        return {name for name in listed.decode("utf-8").split("\0") if name}
    found = set()
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [name for name in subfolders if name not in UNTRACKED_FOLDERS]
        for name in names:
            found.add((Path(folder) / name).relative_to(root).as_posix())
    return found


def markdown_references(text: str) -> set[str]:
    """Every Markdown document the text names, as written (anchors dropped)."""
    text = _URL.sub(" ", text)
    references = {match["target"] for match in _LINK.finditer(text)}
    references |= {match["target"] for match in _BARE.finditer(text)}
    return references


def _resolve(reference: str, referrer: str, files: set[str]) -> str | None:
    """The repository path a reference names, or None when it names nothing in it."""
    folder = PurePosixPath(referrer).parent
    for base in (folder, PurePosixPath()):
        candidate = os.path.normpath((base / reference.lstrip("/")).as_posix())
        if not candidate.startswith("..") and candidate in files:
            return candidate
    return None


def missing_references(files: set[str], read: Iterable[tuple[str, str]]) -> list[str]:
    """``referrer: reference`` for every reference that resolves to no file of ``files``."""
    missing = []
    for referrer, text in read:
        references = markdown_references(text)
        resolved = {ref for ref in references if _resolve(ref, referrer, files) is not None}
        for reference in sorted(references - resolved):
            short_form_of_a_resolved_path = "/" not in reference and any(
                full.endswith("/" + reference) for full in resolved
            )
            if not short_form_of_a_resolved_path:
                missing.append(f"{referrer}: {reference}")
    return missing


def test_every_markdown_document_named_is_in_the_repository() -> None:
    files = repository_files()
    scanned = sorted(name for name in files if name.endswith(SCANNED_SUFFIXES))
    assert "README.md" in scanned
    read = [
        (name, (ROOT / name).read_text(encoding="utf-8"))
        for name in scanned
        if (ROOT / name).is_file()
    ]
    missing = missing_references(files, read)
    assert not missing, "documents named but not in the repository:\n" + "\n".join(missing)


def test_the_documents_the_readme_lists_are_there() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("DESIGN", "SECURITY", "PROCUREMENT", "STYLE"):
        path = f"docs/{name}{MD}"
        assert f"]({path})" in readme
        assert (ROOT / path).is_file()


@pytest.mark.parametrize(
    ("referrer", "text", "missing"),
    [
        # A link or a bare path to a document that is not there.
        ("README" + MD, "see [the rules](docs/RULES" + MD + ")", ["docs/RULES" + MD]),
        ("app.py", '"""The rules of PLAN' + MD + '."""', ["PLAN" + MD]),
        ("app.py", "# as in /elsewhere/shared/NOTES" + MD, ["/elsewhere/shared/NOTES" + MD]),
        # Relative to the referring file, or to the root; anchors and titles are ignored.
        ("docs/A" + MD, "[b](B" + MD + "#part) and [c](../C" + MD + ' "title")', []),
        ("docs/A" + MD, "docs/B" + MD + " and C" + MD, []),
        ("docs/A" + MD, "[up](../../C" + MD + ")", ["../../C" + MD]),
        # A bare name is the short form of a full path the same file gives.
        ("tests/t.py", 'GUIDE = "docs/B' + MD + '"; assert ok, "B' + MD + ' is wrong"', []),
        ("tests/t.py", 'assert ok, "B' + MD + ' is wrong"', ["B" + MD]),
        # Addresses elsewhere are not references to this repository.
        ("README" + MD, "[spec](https://example.org/spec/SPEC" + MD + ")", []),
        ("app.py", "# https://github.com/o/r/blob/main/CHANGES" + MD, []),
    ],
)
def test_references_are_found_and_resolved(referrer: str, text: str, missing: list[str]) -> None:
    files = {"README" + MD, "app.py", "docs/A" + MD, "docs/B" + MD, "C" + MD, "tests/t.py"}
    assert missing_references(files, [(referrer, text)]) == [f"{referrer}: {m}" for m in missing]
