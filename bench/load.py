"""`make load`: the portal under 32 concurrent clients, on SQLite and then on PostgreSQL.

For each database: a copy of the 10 000-solution bench catalog with the demo accounts
(bench.load_data), gunicorn with 2 workers and the search indexer beside it, as
scripts/serve.sh runs them, on a free loopback port; then the clients (bench.load_client) in
a process of their own. Prints a table per database and the targets as PASS / FAIL, and
writes everything to bench/results/load-<database>.json.

Bounded: about 30 s of requests per database plus start-up; every child has a timeout. Exit
status 1 when a request failed or the server log says "database is locked" (or, with
--strict, when any target is missed).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import load_data
from bench.load_report import Verdict, check_targets, table

RESULTS = load_data.REPO / "bench" / "results"
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
STARTUP_SECONDS = 30


def _admin_url() -> str:
    return os.environ.get("LOAD_POSTGRES_URL") or DEFAULT_ADMIN_URL


class Server:
    """gunicorn (2 workers) and the search indexer on one instance folder."""

    def __init__(
        self,
        folder: Path,
        env: dict[str, str],
        app: str = "app:create_app()",
        indexer: bool = True,
    ) -> None:
        self.log = folder / "server.log"
        bin_dir = Path(sys.executable).parent
        # gunicorn inherits the listening socket: no race for the port.
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1024)
        self.listener.set_inheritable(True)
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.indexer = (
            subprocess.Popen(
                [str(bin_dir / "flask"), "--app", "app", "search", "index", "--follow"],
                cwd=load_data.REPO,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if indexer
            else None
        )
        with self.log.open("wb") as log:
            self.gunicorn = subprocess.Popen(
                [
                    str(bin_dir / "gunicorn"),
                    "--workers=2",
                    f"--bind=fd://{self.listener.fileno()}",
                    "--graceful-timeout=5",
                    "--access-logfile=-",
                    app,
                ],
                cwd=load_data.REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=(self.listener.fileno(),),
            )
        self.listener.close()
        self.pid = self.gunicorn.pid

    def wait_until_healthy(self, seconds: float = STARTUP_SECONDS) -> None:
        """Return once /healthz answers 200; raise if gunicorn dies or takes too long."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.gunicorn.poll() is not None:
                raise RuntimeError("gunicorn exited at start-up:\n" + self.log_text()[-3000:])
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            finally:
                connection.close()
            time.sleep(0.1)
        raise RuntimeError("the server was not healthy in time:\n" + self.log_text()[-3000:])

    def log_text(self) -> str:
        """What gunicorn wrote so far."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        """Stop gunicorn and the indexer (SIGTERM, then SIGKILL after 10 s)."""
        processes = [p for p in (self.gunicorn, self.indexer) if p is not None]
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def create_postgres_database() -> tuple[str, str]:
    admin = sa.create_engine(load_data.normalise_url(_admin_url()), isolation_level="AUTOCOMMIT")
    name = f"load_{secrets.token_hex(5)}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    url = sa.make_url(load_data.normalise_url(_admin_url())).set(database=name)
    return name, url.render_as_string(hide_password=False)


def drop_postgres_database(name: str) -> None:
    admin = sa.create_engine(load_data.normalise_url(_admin_url()), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def run_database(
    backend: str, source: Path, mix: float, each: float, log: Any = print
) -> dict[str, Any]:
    """Load one database, serve it, run the clients; return their figures."""
    load_before = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix=f"safetech-load-{backend}-") as tmp:
        folder = Path(tmp)
        started = time.monotonic()
        load_data.instance_from(source, folder)
        database = None
        try:
            if backend == "sqlite":
                url = f"sqlite:///{folder / 'safetech.db'}"
            else:
                database, url = create_postgres_database()
                env = load_data.instance_environment(folder, url)
                load_data.flask_cli(["db", "upgrade"], env)
                load_data.python_step(["copy", str(folder / "safetech.db"), url], env)
            env = load_data.instance_environment(folder, url)
            server = Server(folder, env)
            try:
                server.wait_until_healthy()
                log(f"{backend}: data and server ready in {time.monotonic() - started:.1f} s")
                out = folder / "client.json"
                budget = mix + 4 * each + 60
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "bench.load_client",
                        server.url,
                        str(source / "manifest.json"),
                        str(out),
                        f"--mix={mix}",
                        f"--each={each}",
                    ],
                    cwd=load_data.REPO,
                    timeout=budget,
                    check=True,
                )
                phases = json.loads(out.read_text())
            finally:
                server.stop()
            server_log = server.log_text()
        finally:
            if database is not None:
                drop_postgres_database(database)
    return {
        "database": backend,
        "phases": {name: phase["kinds"] for name, phase in phases.items()},
        "phase_details": {
            name: {
                "seconds": phase["seconds"],
                "client_cpu_s": phase["client_cpu_s"],
                "abandoned": phase["abandoned"],
            }
            for name, phase in phases.items()
        },
        "locked": server_log.count("database is locked"),
        "server_errors": server_log.count("Traceback"),
        "load_average_before": load_before,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv: list[str] | None = None) -> int:
    """Run the load test on the chosen databases; print and save the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql"
    )
    parser.add_argument("--mix", type=float, default=10.0, help="seconds of the mixed phase")
    parser.add_argument("--each", type=float, default=3.0, help="seconds of each other phase")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    started = time.monotonic()
    print(
        f"# load: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load average {os.getloadavg()[0]:.1f} at start"
    )
    source = load_data.template()
    RESULTS.mkdir(parents=True, exist_ok=True)
    verdicts: list[Verdict] = []
    for backend in [name.strip() for name in args.databases.split(",") if name.strip()]:
        if backend not in ("sqlite", "postgresql"):
            parser.error(f"unknown database {backend!r}")
        result = run_database(backend, source, args.mix, args.each)
        result["command"] = "make load"
        (RESULTS / f"load-{backend}.json").write_text(json.dumps(result, indent=1))
        print(
            f"\n## {backend} (load average before: {result['load_average_before']}, "
            f"after: {result['load_average']})\n"
        )
        print(table(result["phases"]))
        details = result["phase_details"]
        cpu = ", ".join(f"{name} {detail['client_cpu_s']} s" for name, detail in details.items())
        cut = sum(detail["abandoned"] for detail in details.values())
        print(
            f"\nclient CPU per phase: {cpu}; requests abandoned at a phase's end: {cut}; "
            f"server tracebacks: {result['server_errors']}"
        )
        verdicts += check_targets(backend, result)
    print("\n## targets\n")
    for verdict in verdicts:
        print(verdict.line())
    missed = [v for v in verdicts if not v.passed]
    if missed:
        print(f"\n!!! {len(missed)} TARGET(S) MISSED: " + "; ".join(v.line() for v in missed))
    print(f"\nload: finished in {time.monotonic() - started:.0f} s")
    failed = [v for v in verdicts if not v.passed and ("error" in v.target or "locked" in v.target)]
    return 1 if failed or (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
