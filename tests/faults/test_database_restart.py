"""PostgreSQL restarted (and stopped) under a running server, on a private throw-away cluster.

The guarantee: after a restart, every request succeeds at once (pooled connections are
checked before use, so dead ones are replaced); while the database is down a form gets the 503
page with its input kept; nothing committed is lost; the server itself is never restarted.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import func, select

from evaluations.models import Evaluation
from registry.database import db
from registry.models import AuditEntry
from tests.faults.conftest import Application, Server, flask_cli
from tests.support import PASSWORD

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("TEST_DB_BACKEND", "sqlite") != "postgresql",
        reason="restarts a PostgreSQL server; runs with TEST_DB_BACKEND=postgresql",
    ),
]
PG_BIN = Path("/usr/lib/postgresql/15/bin")


class Cluster:
    """A PostgreSQL cluster of the test's own, run as the postgres user."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder = folder
        self.port = port

    def pg_ctl(self, *args: str) -> None:
        """Run pg_ctl on this cluster (waiting for the action to finish)."""
        result = subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(self.folder / "data"),
                "-l",
                str(self.folder / "server.log"),
                "-w",
                "-t",
                "30",
                "-o",
                f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1",
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, f"pg_ctl {args}: {result.stdout}{result.stderr}"

    @property
    def url(self) -> str:
        """The application database on this cluster."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/safetech"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    """A fresh cluster on a free port, with an empty `safetech` database."""
    if not (PG_BIN / "initdb").is_file():
        pytest.fail(f"PostgreSQL 15 server binaries are missing in {PG_BIN}")
    postgres = pwd.getpwnam("postgres")
    folder = Path(tempfile.mkdtemp(prefix="safetech-pg-"))
    os.chown(folder, postgres.pw_uid, postgres.pw_gid)
    result = subprocess.run(
        ["runuser", "-u", "postgres", "--", str(PG_BIN / "initdb"), "--auth=trust"]
        + ["-U", "postgres", "-E", "UTF8", "--no-sync", "-D", str(folder / "data")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    running = Cluster(folder, _free_port())
    running.pg_ctl("start")
    try:
        admin = sa.create_engine(
            f"postgresql+psycopg://postgres@127.0.0.1:{running.port}/postgres",
            isolation_level="AUTOCOMMIT",
        )
        with admin.connect() as connection:
            connection.exec_driver_sql("CREATE DATABASE safetech")
        admin.dispose()
        yield running
    finally:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl")]
            + ["-D", str(folder / "data"), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def database_url(cluster: Cluster, tmp_path: Path) -> str:
    """This module's tests use the private cluster, migrated to head."""
    flask_cli(
        ["db", "upgrade"],
        {
            "DATABASE_URL": cluster.url,
            "SECRET_KEY": "test-secret-key",
            **{
                key: str(tmp_path / key.lower())
                for key in (
                    "UPLOAD_DIR",
                    "SEARCH_INDEX_DIR",
                    "KEYS_DIR",
                    "OUTBOX_DIR",
                    "PDF_CACHE_DIR",
                )
            },
        },
    )
    return cluster.url


def _note(server: Server, cookie: str, evaluation_id: int, text: str) -> tuple[int, bytes]:
    status, _, body = server.request(
        "POST", f"/evaluations/{evaluation_id}/note", cookie=cookie, form={"vendor_note": text}
    )
    return status, body


def test_the_server_survives_a_database_restart_without_losing_committed_data(
    app: Flask,
    draft_application: Application,
    start_server: Callable[..., Server],
    cluster: Cluster,
) -> None:
    evaluation_id = draft_application.evaluation_id
    email = draft_application.vendor_email
    db.session.remove()  # the test itself holds no connection across the restarts
    server = start_server()
    cookie = server.login(email, PASSWORD)
    assert _note(server, cookie, evaluation_id, "Written before the restart")[0] == 302
    page = f"/evaluations/{evaluation_id}"
    for _ in range(4):  # both workers hold pooled connections now
        assert server.request("GET", page, cookie=cookie)[0] == 200

    cluster.pg_ctl("restart", "-m", "fast")

    # Every request after the restart succeeds: no 503, no worker restart, same session.
    for _ in range(6):
        status, _, body = server.request("GET", page, cookie=cookie)
        assert status == 200, body[:2000]
        assert b"Written before the restart" in body
    assert _note(server, cookie, evaluation_id, "Written after the restart")[0] == 302

    # While it is down, a form gets the 503 page with the input kept, and nothing is saved.
    cluster.pg_ctl("stop", "-m", "fast")
    status, body = _note(server, cookie, evaluation_id, "Written while it was down")
    assert status == 503
    text = body.decode()
    assert "The database is busy or unavailable. Nothing was saved." in text
    assert "Written while it was down" in text
    cluster.pg_ctl("start")
    status, _, body = server.request("GET", page, cookie=cookie)
    assert status == 200, body[:2000]
    assert b"Written after the restart" in body
    assert _note(server, cookie, evaluation_id, "Written while it was down")[0] == 302

    # Everything committed is there, the audit trail too.
    evaluation = db.session.get(Evaluation, evaluation_id)
    assert evaluation is not None
    assert evaluation.vendor_note == "Written while it was down"
    updates = db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "evaluation.update")
    )
    assert updates == 3
    assert server.process.poll() is None
