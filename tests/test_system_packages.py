"""`make test` brings the Debian packages the suite needs, or says how to get them."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "system-packages.sh"


def _path_with(tmp_path: Path, *tools: str) -> str:
    """A PATH holding only the named tools (no browser, no pdftotext, no apt-get)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for tool in tools:
        found = shutil.which(tool)
        assert found, tool
        (folder / tool).symlink_to(found)
    return str(folder)


def test_missing_packages_are_named_with_the_command_that_installs_them(tmp_path: Path) -> None:
    path = _path_with(tmp_path, "bash", "id", "dpkg", "dpkg-query")
    result = subprocess.run(
        ["bash", str(SCRIPT)],
        env={"PATH": path, "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "chromium" in result.stderr and "poppler-utils" in result.stderr
    assert "apt-get install" in result.stderr
    assert "Installing" not in result.stdout


def test_nothing_happens_when_everything_is_there() -> None:
    result = subprocess.run(
        ["bash", str(SCRIPT)],
        env={**os.environ},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
