"""A clone is self-contained: no test or benchmark reads a file outside the checkout."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# System locations a test may use: the temporary folder, installed programs, device files.
SYSTEM = re.compile(r"^/(tmp|usr|etc|dev|proc|sys|bin|sbin|var|run|lib|srv)(/|$)")
PATH_TYPES = {"Path", "PurePath"}


def _sources() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "tests", "bench"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [ROOT / name for name in listed if name.endswith(".py")]


def _opened_paths(tree: ast.AST) -> list[ast.Constant]:
    """String constants given as the first argument of Path(...) or open(...)."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        # Path("/…") or the built-in open("/…") (a test client's .open("/") is a URL).
        opens_file = name in PATH_TYPES or (isinstance(node.func, ast.Name) and name == "open")
        first = node.args[0]
        if opens_file and isinstance(first, ast.Constant) and isinstance(first.value, str):
            found.append(first)
    return found


def test_no_test_opens_a_path_outside_the_checkout() -> None:
    outside: set[str] = set()
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for constant in _opened_paths(tree):
            value = str(constant.value)
            if value.startswith("/") and not SYSTEM.match(value):
                outside.add(f"{path.relative_to(ROOT)}:{constant.lineno}: {value}")
        if path == Path(__file__).resolve():
            continue  # its own needles below
        for node in ast.walk(tree):
            if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
                continue
            text = node.value
            if "/work/" in text or "shared/standards" in text:
                outside.add(f"{path.relative_to(ROOT)}:{node.lineno}: {text[:80]}")
    assert not outside, "\n".join(sorted(outside))
