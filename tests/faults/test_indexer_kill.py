"""The search indexer SIGKILLed in the middle of a batch, then started again.

It resumes from its recorded progress (not from the start), the batch it was writing is applied
again, changes made while it was down are applied too, the index lock it held does not block
the new process, and the index ends up equal to the database.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from catalog.models import Solution
from catalog.search import index, indexer
from catalog.search.models import SearchChange
from catalog.search.query import query
from catalog.services import create_solution, publish_solution
from registry.database import db
from registry.models import OrganisationKind, User
from tests.catalog import solution_builders
from tests.faults.conftest import BIN, REPO_ROOT, cli_environment, flask_cli, kill, stop_process

SOLUTIONS = 400
ROUNDS = 3  # changes per solution: more than two batches of indexer.Indexer's default 500

pytestmark = pytest.mark.slow


@pytest.fixture
def start_indexer(app_config: dict[str, Any]) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    """Factory: `flask --app app search index --follow` on the test's database and index."""
    started: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [str(BIN / "flask"), "--app", "app", "search", "index", "--follow"]
            + ["--interval", "0.1"],
            cwd=REPO_ROOT,
            env=cli_environment(app_config),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        stop_process(process)


def _writer_held_by(pid: int, index_dir: Path) -> bool:
    """Whether process `pid` holds the index's write lock (it is in the middle of a batch)."""
    try:
        inode = (index_dir / "MAIN_WRITELOCK").stat().st_ino
    except FileNotFoundError:
        return False
    for line in Path("/proc/locks").read_text().splitlines():
        parts = line.split()
        if "->" in parts:  # a process waiting for the lock, not holding it
            continue
        if len(parts) > 5 and parts[4] == str(pid) and parts[5].endswith(f":{inode}"):
            return True
    return False


def _progress(index_dir: Path) -> int:
    db.session.rollback()
    value = indexer.last_applied(str(index_dir))
    db.session.rollback()
    return value


def _newest_change() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.max(SearchChange.id))) or 0


def _rename(solution_ids: list[int], prefix: str) -> None:
    for solution_id in solution_ids:
        solution = db.session.get(Solution, solution_id)
        assert solution is not None
        solution.name = f"{prefix} {solution_id}"
        index.enqueue_solution_change(solution_id, "test.rename")
    db.session.commit()


def test_an_indexer_killed_mid_batch_resumes_and_loses_no_change(
    app: Flask,
    app_config: dict[str, Any],
    create_user: Callable[..., User],
    start_indexer: Callable[[], subprocess.Popen[bytes]],
) -> None:
    vendor = create_user(kind=OrganisationKind.VENDOR)
    ids = []
    for number in range(SOLUTIONS):
        solution = create_solution(
            vendor, solution_builders.complete_data(name=f"Sentinel {number}")
        )
        publish_solution(vendor, solution)
        ids.append(solution.id)
    db.session.commit()
    for round_number in range(1, ROUNDS):
        _rename(ids, f"Round {round_number}")
    index_dir = Path(app.config["SEARCH_INDEX_DIR"])
    newest = _newest_change()
    assert newest > 2 * 500

    # Kill it while it holds the index writer, after at least one batch was recorded.
    process = start_indexer()
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        if _progress(index_dir) > 0 and _writer_held_by(process.pid, index_dir):
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.005)
    else:
        pytest.fail(f"never caught the indexer mid-batch (progress {_progress(index_dir)})")
    process.wait(timeout=10)
    stopped_at = _progress(index_dir)
    assert 0 < stopped_at < newest

    # Changes made while no indexer runs are queued, not lost.
    _rename(ids[:25], "While down")
    newest = _newest_change()

    process = start_indexer()
    seen: list[int] = []
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline and (not seen or seen[-1] < newest):
        seen.append(_progress(index_dir))
        time.sleep(0.02)
    assert seen[-1] == newest, seen[-20:]
    assert min(seen) >= stopped_at  # resumed where it stopped, never from the start
    stop_process(process)
    kill(process.pid)

    assert indexer.check(str(index_dir)) == []
    assert "The search index matches the database." in flask_cli(["search", "check"], app_config)
    db.session.rollback()
    assert len(index.indexed_documents(str(index_dir))) == SOLUTIONS
    found = query("While down", per_page=50, index_dir=str(index_dir))
    assert set(found.ids) == set(ids[:25])
