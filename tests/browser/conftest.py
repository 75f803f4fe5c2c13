"""Browser fixtures: the real app under gunicorn on a throw-away database, and Debian's Chromium.

One server and one browser serve the whole test session (SQLite, or PostgreSQL when
TEST_DB_BACKEND=postgresql). The database is migrated and loaded with `seed-demo`, so the
demo accounts in registry.demo exist. Each test gets fresh browser contexts from
`new_context(viewport=..., account=...)`; `account` ("authority", "evaluator", "vendor",
"buyer") reuses a session signed in once per test session, because a TOTP code works only
once. Tests that change shared demo data or sign a reused session out must not do so: create
your own organisation, or sign in with `login_as` in a context of your own.

Every test here is marked `browser`. A page that breaks the Content Security Policy or throws
a JavaScript error fails the test that opened it.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    StorageState,
    ViewportSize,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError

from app import create_app
from registry.database import normalise_database_url
from tests.browser.browser_support import (
    ARTIFACTS,
    DEMO_ACCOUNTS,
    DESKTOP,
    REPO_ROOT,
    login_as,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BACKEND = os.environ.get("TEST_DB_BACKEND", "sqlite")
BIN = Path(sys.executable).parent
BROWSER_TESTS = Path(__file__).resolve().parent
# A server that exits is caught at once; a slow one (both suites share two cores) is waited for.
STARTUP_SECONDS = 120
_reports = pytest.StashKey[dict[str, pytest.TestReport]]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/browser as `browser`, so `-m "not browser"` skips them."""
    for item in items:
        if BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the item, so fixtures can tell that a test failed."""
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Debian's Chromium; its absence skips, or fails when SAFETECH_REQUIRE_BROWSER=1 (CI)."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return str(CHROMIUM)
    message = f"{CHROMIUM} is missing: `apt-get install chromium` (never `playwright install`)"
    if os.environ.get("SAFETECH_REQUIRE_BROWSER") == "1":
        pytest.fail(f"SAFETECH_REQUIRE_BROWSER=1 but {message}")
    pytest.skip(message)


@dataclass(frozen=True)
class LiveServer:
    """The running application, as the browser reaches it."""

    url: str
    database_url: str
    instance: Path
    outbox_dir: Path
    log: Path
    env: dict[str, str]

    def application(self) -> Flask:
        """An application on the server's database and folders, for the tests' own builders.

        Whoever pushes its context removes the session and disposes the engine afterwards.
        """
        return create_app(
            {
                key.removeprefix("SAFETECH_"): self.env[key]
                for key in (
                    "SAFETECH_DATABASE_URL",
                    "SAFETECH_SECRET_KEY",
                    "SAFETECH_BASE_URL",
                    "SAFETECH_KEYS_DIR",
                    "SAFETECH_OUTBOX_DIR",
                    "SAFETECH_UPLOAD_DIR",
                    "SAFETECH_SEARCH_INDEX_DIR",
                    "SAFETECH_PDF_CACHE_DIR",
                )
            }
        )


def _run_cli(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "app", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"`flask --app app {' '.join(args)}` failed ({result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
        )


@dataclass
class _Database:
    url: str
    drop: Callable[[], None]


def _database(instance: Path) -> _Database:
    """A SQLite file, or a PostgreSQL database of our own made from TEST_DATABASE_URL."""
    if BACKEND == "sqlite":
        return _Database(f"sqlite:///{instance / 'safetech.db'}", lambda: None)
    admin_url = os.environ.get("TEST_DATABASE_URL")
    if not admin_url:
        pytest.fail("TEST_DB_BACKEND=postgresql needs TEST_DATABASE_URL")
    admin_engine = sa.create_engine(normalise_database_url(admin_url), isolation_level="AUTOCOMMIT")
    name = f"safetech_browser_{uuid.uuid4().hex[:10]}"
    with admin_engine.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with admin_engine.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin_engine.dispose()

    url = admin_engine.url.set(database=name).render_as_string(hide_password=False)
    return _Database(url, drop)


def _server_environment(url: str, database_url: str, instance: Path) -> dict[str, str]:
    # Settings of the developer's shell (SAFETECH_*, DATABASE_URL, GUNICORN_CMD_ARGS) must not
    # leak into the server: it would run against their database or in production mode.
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SAFETECH_", "FLASK_", "GUNICORN_"))
        and key not in ("DATABASE_URL", "TEST_DATABASE_URL")
    }
    env.update(
        {
            "SAFETECH_DATABASE_URL": database_url,
            "SAFETECH_SECRET_KEY": f"browser-tests-{secrets.token_hex(16)}",
            "SAFETECH_BASE_URL": url,
            "SAFETECH_MAIL_BACKEND": "outbox",
            "SAFETECH_SHOW_OUTBOX": "true",
            "SAFETECH_OUTBOX_DIR": str(instance / "outbox"),
            "SAFETECH_UPLOAD_DIR": str(instance / "uploads"),
            "SAFETECH_SEARCH_INDEX_DIR": str(instance / "search-index"),
            "SAFETECH_KEYS_DIR": str(instance / "keys"),
            "SAFETECH_PDF_CACHE_DIR": str(instance / "pdf-cache"),
        }
    )
    return env


def _wait_until_healthy(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"gunicorn exited with {process.returncode} at start-up:\n"
                + log.read_text(errors="replace")[-5000:]
            )
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            if response.status == 200:
                return
            last_error = f"/healthz answered {response.status}"
        except OSError as error:
            last_error = str(error)
        finally:
            connection.close()
        time.sleep(0.1)
    pytest.fail(
        f"the server was not healthy after {STARTUP_SECONDS} s ({last_error}):\n"
        + log.read_text(errors="replace")[-5000:]
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def live_server(
    chromium_executable: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """gunicorn with 2 workers on a free loopback port, on a migrated database with demo data."""
    instance = tmp_path_factory.mktemp("browser-instance")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / f"live-server-{BACKEND}.log"
    # gunicorn inherits this already-listening socket (--bind fd://N): no window in which
    # another process could take a port we picked but had not bound yet.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    listener.set_inheritable(True)
    port = listener.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    database = _database(instance)
    process: subprocess.Popen[bytes] | None = None
    indexer: subprocess.Popen[bytes] | None = None
    try:
        env = _server_environment(url, database.url, instance)
        _run_cli(["db", "upgrade"], env)
        _run_cli(["seed-demo"], env)
        _run_cli(["search", "rebuild"], env)
        # The search indexer runs beside the web workers, as `make run` does.
        indexer = subprocess.Popen(
            [
                str(BIN / "flask"),
                "--app",
                "app",
                "search",
                "index",
                "--follow",
                "--interval",
                "0.2",
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        with log.open("wb") as log_file:
            process = subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "--workers=2",
                    f"--bind=fd://{listener.fileno()}",
                    "--graceful-timeout=5",
                    "--access-logfile=-",
                    "app:create_app()",
                ],
                cwd=REPO_ROOT,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                pass_fds=(listener.fileno(),),
            )
        listener.close()
        _wait_until_healthy(process, port, log)
        yield LiveServer(url, database.url, instance, instance / "outbox", log, env)
    finally:
        listener.close()
        if process is not None:
            _stop(process)
        if indexer is not None:
            _stop(indexer)
        database.drop()


@pytest.fixture(scope="session")
def browser(chromium_executable: str, live_server: LiveServer) -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright."""
    # Started after the server and so closed before it: a connection Chromium opened ahead
    # of time would otherwise hold a gunicorn worker until its graceful timeout.
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_executable, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def demo_session_state(browser: Browser, live_server: LiveServer) -> Callable[[str], StorageState]:
    """The cookies of a demo account, signed in through the real forms once per session."""
    states: dict[str, StorageState] = {}

    def state_for(account: str) -> StorageState:
        if account not in states:
            email, totp_secret = DEMO_ACCOUNTS[account]
            context = browser.new_context(base_url=live_server.url)
            try:
                login_as(context.new_page(), email, totp_secret=totp_secret)
                states[account] = context.storage_state()
            finally:
                context.close()
        return states[account]

    return state_for


def _artifact_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1])[:120]


@pytest.fixture
def new_context(
    request: pytest.FixtureRequest,
    browser: Browser,
    live_server: LiveServer,
    demo_session_state: Callable[[str], StorageState],
) -> Iterator[Callable[..., BrowserContext]]:
    """Factory: a fresh browser context (own cookies), optionally signed in as a demo account."""
    contexts: list[BrowserContext] = []
    problems: list[str] = []

    def on_console(message: Any) -> None:
        # Inline scripts, styles or off-site resources that the CSP refuses show up here.
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(
                f"CSP violation on {message.page.url if message.page else '?'}: {message.text}"
            )

    def make(
        viewport: ViewportSize = DESKTOP, account: str | None = None, **options: Any
    ) -> BrowserContext:
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport,
            storage_state=demo_session_state(account) if account else None,
            **options,
        )
        context.set_default_timeout(10_000)
        context.on("console", on_console)
        context.on("weberror", lambda error: problems.append(f"JavaScript error: {error.error}"))
        contexts.append(context)
        return context

    yield make
    reports = request.node.stash.get(_reports, {})
    failed = any(report.failed for report in reports.values())
    for number, context in enumerate(contexts):
        if failed:
            for index, page in enumerate(context.pages):
                folder = ARTIFACTS / "failures"
                folder.mkdir(parents=True, exist_ok=True)
                name = f"{_artifact_name(request.node.nodeid)}-{number}-{index}.png"
                # A crashed or closed page must not hide the test's own failure.
                with contextlib.suppress(PlaywrightError):
                    page.screenshot(path=str(folder / name), full_page=True)
        context.close()
    if problems and not failed:
        pytest.fail("The browser reported problems:\n" + "\n".join(problems))


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    """A page in a fresh, signed-out context at desktop size."""
    return new_context().new_page()
