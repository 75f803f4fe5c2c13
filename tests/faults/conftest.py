"""Fault fixtures: the app under a real gunicorn (2 workers) on the test's own database.

`start_server()` starts gunicorn on the database and folders of the test's `app_config`, so a
test prepares data through the `app` fixture, then drives the server over HTTP and kills its
workers. Helpers find the worker that holds a given connection (through /proc), send raw
requests in pieces, and read what reached the client.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from registry.models import User
from tests.catalog.solution_builders import first_version

BIN = Path(sys.executable).parent
REPO_ROOT = Path(__file__).resolve().parents[2]
# A server that exits is caught at once; a slow one (both suites share two cores) is waited for.
STARTUP_SECONDS = 120


def cli_environment(config: dict[str, Any]) -> dict[str, str]:
    """The environment of a server or CLI process using the same database and folders."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SAFETECH_", "FLASK_", "GUNICORN_"))
        and key not in ("DATABASE_URL", "TEST_DATABASE_URL")
    }
    for key in (
        "DATABASE_URL",
        "SECRET_KEY",
        "UPLOAD_DIR",
        "SEARCH_INDEX_DIR",
        "KEYS_DIR",
        "OUTBOX_DIR",
        "PDF_CACHE_DIR",
    ):
        env[f"SAFETECH_{key}"] = str(config[key])
    env["SAFETECH_WTF_CSRF_ENABLED"] = "false"
    env["SAFETECH_MAIL_BACKEND"] = "outbox"
    return env


def flask_cli(args: list[str], config: dict[str, Any], timeout: float = 60) -> str:
    """Run `flask --app app ...` against the test's database; fail the test if it fails."""
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "app", *args],
        cwd=REPO_ROOT,
        env=cli_environment(config),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"flask {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@dataclass
class Server:
    """A running gunicorn: its master process, port and log."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def connect(self) -> socket.socket:
        """A new TCP connection to the server."""
        return socket.create_connection(("127.0.0.1", self.port), timeout=30)

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        cookie: str | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        """One request; returns status, headers (lower-case names) and body."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": cookie} if cookie else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            return (
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                data,
            )
        finally:
            connection.close()

    def login(self, email: str, password: str) -> str:
        """Sign in through the login form; returns the session cookie to send back."""
        status, headers, body = self.request(
            "POST", "/login", form={"email": email, "password": password}
        )
        assert status == 302, body[:2000]
        return headers["set-cookie"].split(";", 1)[0]

    def workers(self) -> list[int]:
        """The pids of the master's live worker processes."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid and fields[0] != "Z":
                found.append(int(entry.name))
        return found

    def worker_holding(self, client: socket.socket, timeout: float = 45) -> int:
        """The worker that accepted this client connection (waits until one has)."""
        client_port = client.getsockname()[1]
        wanted = f"0100007F:{self.port:04X} 0100007F:{client_port:04X}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            inode = None
            for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
                parts = line.split()
                if f"{parts[1]} {parts[2]}" == wanted:
                    inode = parts[9]
                    break
            if inode is not None:
                target = f"socket:[{inode}]"
                for pid in self.workers():
                    try:
                        for fd in Path(f"/proc/{pid}/fd").iterdir():
                            if str(fd.readlink()) == target:
                                return pid
                    except OSError:
                        continue
            time.sleep(0.002)
        pytest.fail("no worker accepted the connection:\n" + self.log_tail())

    def wait_for_workers(self, count: int = 2, timeout: float = 30) -> None:
        """Wait until the master has `count` workers answering again (after kills)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.workers()) >= count:
                return
            time.sleep(0.05)
        pytest.fail("gunicorn did not replace its killed workers:\n" + self.log_tail())

    def log_tail(self) -> str:
        """The end of the server's log, for failure messages."""
        return self.log.read_text(errors="replace")[-4000:]


def read_all(client: socket.socket) -> bytes:
    """Everything the server sends until it closes; a reset counts as the end."""
    chunks = []
    try:
        while chunk := client.recv(65536):
            chunks.append(chunk)
    except (ConnectionResetError, TimeoutError):
        pass
    return b"".join(chunks)


def kill(pid: int) -> None:
    """SIGKILL a worker (it may have finished and exited already)."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _wait_until_healthy(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited at start-up:\n{log.read_text(errors='replace')}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.1)
    pytest.fail(f"the server was not healthy in time:\n{log.read_text(errors='replace')}")


def stop_process(process: subprocess.Popen[Any]) -> None:
    """SIGTERM, then SIGKILL if it does not stop in time."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture
def start_server(app_config: dict[str, Any], tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Factory: gunicorn with 2 workers on the test's database (overrides change settings)."""
    started: list[Server] = []

    def start(**overrides: Any) -> Server:
        config = {**app_config, **overrides}
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
        listener.set_inheritable(True)
        port = listener.getsockname()[1]
        log = tmp_path / f"gunicorn-{len(started)}.log"
        with log.open("wb") as log_file:
            process = subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "--workers=2",
                    f"--bind=fd://{listener.fileno()}",
                    "--graceful-timeout=2",
                    "--timeout=30",
                    "app:create_app()",
                ],
                cwd=REPO_ROOT,
                env=cli_environment(config),
                stdout=log_file,
                stderr=subprocess.STDOUT,
                pass_fds=(listener.fileno(),),
            )
        listener.close()
        server = Server(process, port, log)
        started.append(server)
        _wait_until_healthy(process, port, log)
        server.wait_for_workers()
        return server

    yield start
    for server in started:
        stop_process(server.process)


@dataclass(frozen=True)
class Application:
    """A vendor's draft application for evaluation, ready to take evidence."""

    vendor_email: str
    evaluation_id: int


@pytest.fixture
def draft_application(app: Flask, create_user: Callable[..., User]) -> Application:
    """A vendor (signs in with tests.support.PASSWORD) with a draft application."""
    from evaluations.services.application import apply_for_evaluation
    from registry.database import db
    from registry.models import OrganisationKind
    from tests.catalog import solution_builders
    from tests.evaluations.agreement.agreement_builders import accepted
    from tests.norms import norm_builders

    with app.test_request_context(base_url=app.config["BASE_URL"]):
        authority = create_user(kind=OrganisationKind.AUTHORITY)
        vendor = create_user(kind=OrganisationKind.VENDOR)
        version = norm_builders.published(authority)
        solution = solution_builders.published(vendor)
        accepted(vendor, authority)  # applying needs the agreement in force
        evaluation = apply_for_evaluation(
            vendor, solution.id, version.id, product_version_id=first_version(vendor, solution).id
        )
        db.session.commit()
        return Application(vendor.email, evaluation.id)
