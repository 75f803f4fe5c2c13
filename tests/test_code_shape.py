"""The shape of the code holds because the build checks it, not because people remember it.

`make check` runs `lint-imports` with the contracts of ``pyproject.toml``: a package importing
a higher layer, the application factory, the tests or the benchmarks fails the build, even
from inside a function. The walks below keep every other rule the layout states: no private
name imported from another file, no first-party module renamed on import, no tracked symlink.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PACKAGES = ("registry", "catalog", "evaluations", "vulnerabilities", "complaints", "procurement")
FIRST_PARTY = (*PACKAGES, "app", "tests", "bench")
# Where our own code lives: the four packages, the factory, the tests and the benchmarks.
SOURCES = (*PACKAGES, "app.py", "tests", "bench")
SKIPPED_FOLDERS = {"__pycache__", "migrations", "node_modules", ".venv"}


def _copy_of_the_application(folder: Path) -> Path:
    """The four packages, app.py and pyproject.toml copied into ``folder``."""
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, folder / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    for name in ("app.py", "pyproject.toml"):
        shutil.copy2(ROOT / name, folder / name)
    return folder


def _lint_imports(folder: Path) -> subprocess.CompletedProcess[str]:
    """`make check`'s layers step, run in ``folder`` (its copy of the packages comes first)."""
    return subprocess.run(
        [str(BIN / "lint-imports"), "--no-cache"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _add_import_inside_a_function(module: Path, imported: str) -> int:
    """Append a function importing ``imported`` to ``module``; the import's line number."""
    lines = module.read_text(encoding="utf-8").splitlines()
    lines += ["", "", "def reach_elsewhere() -> None:", f"    import {imported}  # noqa: F401"]
    module.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def test_the_packages_keep_their_layers(tmp_path: Path) -> None:
    result = _lint_imports(_copy_of_the_application(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


@pytest.mark.parametrize(
    ("module", "imported", "reported"),
    [
        ("registry/database.py", "procurement", "procurement"),
        ("catalog/models.py", "evaluations", "evaluations"),
        ("registry/database.py", "app", "app"),
        # Modules outside the four packages are reported by their top-level name.
        ("procurement/models.py", "tests.support", "tests"),
        ("evaluations/models.py", "bench", "bench"),
    ],
)
def test_an_import_the_layers_forbid_fails_the_check(
    tmp_path: Path, module: str, imported: str, reported: str
) -> None:
    copy = _copy_of_the_application(tmp_path)
    untouched = _lint_imports(copy)
    line = _add_import_inside_a_function(copy / module, imported)

    result = _lint_imports(copy)

    importer = module.removesuffix(".py").replace("/", ".")
    named = re.compile(rf"^-\s+{re.escape(importer)} -> {re.escape(reported)} \(l\.{line}\)$", re.M)
    assert result.returncode != 0
    assert named.search(result.stdout), result.stdout
    assert f"{importer} -> {reported} " not in untouched.stdout


def _python_files() -> Iterator[Path]:
    """Every Python file of our own code, as a path inside the repository."""
    for source in SOURCES:
        path = ROOT / source
        found = [path] if path.is_file() else sorted(path.rglob("*.py"))
        for file in found:
            if not SKIPPED_FOLDERS.intersection(file.relative_to(ROOT).parts):
                yield file


def _names_a_module(module: str, name: str) -> bool:
    """Whether ``from module import name`` imports a module of this repository."""
    base = ROOT.joinpath(*module.split("."))
    return (base / f"{name}.py").is_file() or (base / name / "__init__.py").is_file()


def _shape_problems(source: str, where: str) -> Iterator[str]:
    """``where:line: problem`` for each private name imported and module renamed in ``source``."""
    for node in ast.walk(ast.parse(source, filename=where)):
        if isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            first_party = node.level == 0 and module.split(".")[0] in FIRST_PARTY
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    yield f"{where}:{node.lineno}: private {module.rstrip('.')}.{alias.name}"
                elif alias.asname and first_party and _names_a_module(module, alias.name):
                    yield (
                        f"{where}:{node.lineno}: module alias "
                        f"{module}.{alias.name} as {alias.asname}"
                    )
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname and alias.name.split(".")[0] in FIRST_PARTY:
                    yield f"{where}:{node.lineno}: module alias {alias.name} as {alias.asname}"


def test_no_private_name_crosses_a_file_and_no_module_is_renamed() -> None:
    problems = [
        problem
        for file in _python_files()
        for problem in _shape_problems(
            file.read_text(encoding="utf-8"), file.relative_to(ROOT).as_posix()
        )
    ]
    assert not problems, f"{len(problems)} found:\n" + "\n".join(problems)


def test_the_walk_finds_private_imports_and_module_aliases() -> None:
    sample = (
        "from registry.models import _hidden\n"
        "from registry import models as organisation_models\n"
        "import registry.database as storage\n"
        "from registry.models import User as Account\n"
        "from . import _sibling_helper\n"
        "import datetime as dt\n"
    )
    assert list(_shape_problems(sample, "sample.py")) == [
        "sample.py:1: private registry.models._hidden",
        "sample.py:2: module alias registry.models as organisation_models",
        "sample.py:3: module alias registry.database as storage",
        "sample.py:5: private ._sibling_helper",
    ]


def test_no_tracked_file_is_a_symlink() -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-s", "-z"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    links = [entry.split("\t", 1)[1] for entry in listed.split("\0") if entry.startswith("120000 ")]
    assert not links, "symlinks are tracked (a clone gets one machine's paths): " + ", ".join(links)


def test_make_check_needs_neither_npm_nor_a_browser_nor_debian_packages() -> None:
    planned = subprocess.run(
        ["make", "--dry-run", "--always-make", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    for step in ("ruff check", "ruff format --check", "mypy", "lint-imports", "vulture"):
        assert step in planned
    for outside in ("npm", "system-packages", "playwright", "pytest"):
        assert outside not in planned


def test_every_test_module_has_a_name_of_its_own() -> None:
    """The test folders are not packages: pytest imports each module by its file name, so two
    modules of the same name in different folders stop the whole run at collection."""
    seen: dict[str, Path] = {}
    clashes = []
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        if path.name in seen:
            clashes.append(f"{seen[path.name].relative_to(ROOT)} and {path.relative_to(ROOT)}")
        seen.setdefault(path.name, path)
    assert not clashes, clashes
