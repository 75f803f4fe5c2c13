"""The PostgreSQL run leaves out only the tests whose outcome the database cannot change."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _collected(backend: str, *paths: str) -> str:
    env = {**os.environ, "TEST_DB_BACKEND": backend}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *paths],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_postgresql_runs_database_tests_and_leaves_out_pure_ones() -> None:
    paths = ("tests/evaluations/test_scoring.py", "tests/test_organisations.py")
    on_sqlite = _collected("sqlite", *paths)
    on_postgresql = _collected("postgresql", *paths)
    assert "test_scoring.py::" in on_sqlite and "test_organisations.py::" in on_sqlite
    # The scoring core takes plain data: the same on both backends, so it runs once.
    assert "test_scoring.py::" not in on_postgresql
    assert "deselected" in on_postgresql
    # Every organisation test is given a database, and runs on PostgreSQL too.
    organisation_tests = on_sqlite.count("test_organisations.py::")
    assert on_postgresql.count("test_organisations.py::") == organisation_tests > 0
