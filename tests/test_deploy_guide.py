"""docs/DEPLOY.md: every command in it runs, and the example files in deploy/ agree with it.

The guide's ```sh blocks are read in order; each command must be known here, either as a step
this test runs against a throw-away instance (paths, names and the public address replaced by
the test's own) or as one of the few commands in NOT_RUN, with the reason. A command added to
the guide and unknown here fails the test, and so does a step here that the guide lost.
"""

from __future__ import annotations

import configparser
import os
import re
import shlex
import signal
import socket
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from registry.database import db, normalise_database_url
from registry.models import LoginAttempt
from tests.conftest import BACKEND

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "DEPLOY.md"
DEPLOY = ROOT / "deploy"

# Commands that cannot run in a test, and why. Keep this short.
NOT_RUN = {
    "git clone --branch v0.1.0 https://git.example.org/safetech/registry.git /srv/safetech": (
        "fetches a release from the project's git server; the test runs the working tree"
    ),
    "git -C /srv/safetech fetch --tags": "as above",
    "git -C /srv/safetech checkout v0.2.0": "as above",
    ".venv/bin/pip install --no-cache-dir .": (
        "downloads packages; .ci/run installs the package the same way (make install-dev)"
    ),
    "sudo systemctl enable --now safetech-web safetech-indexer": (
        "needs root and systemd; the units' ExecStart commands are run by this test instead"
    ),
    "sudo systemctl stop safetech-web safetech-indexer": "as above",
    "sudo systemctl start safetech-web safetech-indexer": "as above",
    "sudo nginx -t": "nginx is not installed here; deploy/nginx-safetech.conf is checked below",
    "sudo systemctl reload nginx": "as above",
}


@dataclass(frozen=True)
class Step:
    """How this test runs one command of the guide."""

    kind: str = "run"  # run | background | postgresql
    instance: str = "main"  # main (host A), restored (the instance restore fills)
    expect: str = ""  # text the output must contain
    cwd: str = "repo"  # repo | scratch


STEPS: dict[str, Step] = {
    "psql -c \"CREATE ROLE safetech LOGIN PASSWORD 'change-me'\"": Step("postgresql"),
    "createdb --owner=safetech safetech": Step("postgresql"),
    "python3 -m venv .venv": Step(cwd="scratch"),
    "mkdir -p /srv/safetech-data/uploads /srv/safetech-data/keys "
    "/var/lib/safetech/search-index /var/lib/safetech/pdf-cache /var/lib/safetech/outbox "
    "/var/backups/safetech": Step(),
    "chmod 0700 /srv/safetech-data/keys": Step(),
    "install -m 0640 deploy/safetech.env.example /etc/safetech/safetech.env": Step(),
    "python3 -c 'import secrets; print(secrets.token_hex(32))'": Step(),
    "cd /srv/safetech": Step(),
    "set -a; . /etc/safetech/safetech.env; set +a": Step(),
    ".venv/bin/flask --app app db upgrade": Step(),
    '.venv/bin/flask --app app create-user admin@authority.example --name "First Administrator"': (
        Step(expect="Created authority account admin@authority.example")
    ),
    ".venv/bin/flask --app app search rebuild": Step(expect="Indexed 0 solutions"),
    ".venv/bin/gunicorn --workers 4 --bind 127.0.0.1:8000 --access-logfile - 'app:create_app()'": (
        Step("background")
    ),
    ".venv/bin/flask --app app search index --follow": Step("background"),
    "sudo cp deploy/safetech-web.service deploy/safetech-indexer.service /etc/systemd/system/": (
        Step()
    ),
    "sudo cp deploy/nginx-safetech.conf /etc/nginx/sites-enabled/safetech.conf": Step(),
    "curl -fsS https://registry.example.org/healthz": Step(expect='"status":"ok"'),
    ".venv/bin/flask --app app search check": Step(expect="matches the database"),
    ".venv/bin/flask --app app labels rotate-key": Step(expect="retired"),
    ".venv/bin/flask --app app labels keys": Step(expect='"retired"'),
    "curl -fsS https://registry.example.org/.well-known/safetech-keys.json": Step(
        expect="assertionMethod"
    ),
    ".venv/bin/flask --app app labels rotate-key --compromised": Step(expect="revoked"),
    ".venv/bin/flask --app app labels resign": Step(expect="label credentials signed"),
    ".venv/bin/flask --app app backup /var/backups/safetech/$(date +%Y%m%d-%H%M%S)": Step(
        expect="Backup written to"
    ),
    "find /var/backups/safetech -mindepth 1 -maxdepth 1 -mtime +30 -exec rm -rf {} +": Step(),
    ".venv/bin/flask --app app restore /var/backups/safetech/20261125-023000": Step(
        instance="restored", expect="Restore complete and verified."
    ),
    ".venv/bin/flask --app app audit verify": Step(
        instance="restored", expect="Audit chain intact"
    ),
    ".venv/bin/flask --app app db current": Step(expect="(head)"),
    ".venv/bin/flask --app app labels expire": Step(expect="labels expired"),
    ".venv/bin/flask --app app labels escalate-suspensions": Step(
        expect="labels withdrawn: suspension ended unresolved"
    ),
    ".venv/bin/flask --app app vulnerabilities daily": Step(expect="reminders sent"),
    ".venv/bin/flask --app app surveillance daily": Step(expect="re-test samples drawn"),
    ".venv/bin/flask --app app files sweep": Step(expect="stored files no row named"),
    ".venv/bin/flask --app app records purge": Step(expect="evaluations purged"),
}


def guide_commands(text: str | None = None) -> list[str]:
    """Every command of the guide's ```sh blocks, in order (continuations joined)."""
    text = GUIDE.read_text(encoding="utf-8") if text is None else text
    commands = []
    for block in re.findall(r"^[ \t]*```sh\n(.*?)^[ \t]*```", text, re.M | re.S):
        joined = re.sub(r"[ \t]*\\\n\s*", " ", block)
        for line in joined.splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                commands.append(line)
    return commands


def test_every_command_of_the_guide_is_known_to_this_test() -> None:
    commands = set(guide_commands())
    unknown = sorted(commands - set(STEPS) - set(NOT_RUN))
    assert not unknown, f"DEPLOY.md has commands this test does not run: {unknown}"
    lost = sorted((set(STEPS) | set(NOT_RUN)) - commands)
    assert not lost, f"commands no longer in DEPLOY.md: {lost}"
    assert len(NOT_RUN) <= 10


def test_the_extractor_reads_indented_blocks_and_continuations() -> None:
    sample = "x\n```sh\na \\\n  b\n# note\n```\n   ```sh\n   c\n   ```\n```python\nd\n```\n"
    assert guide_commands(sample) == ["a b", "c"]


# --- running the guide -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Walkthrough:
    """A throw-away deployment: the guide's paths mapped into a temporary folder."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.port = _free_port()
        self.secret = ""
        self.background: list[tuple[str, subprocess.Popen[str]]] = []
        self.created: list[str] = []
        self.admin: sa.Engine | None = None
        self.role = f"h3_role_{uuid.uuid4().hex[:8]}"
        self.database = f"h3_guide_{uuid.uuid4().hex[:8]}"
        self.restored_database = f"h3_guide_restored_{uuid.uuid4().hex[:8]}"
        (tmp / "etc" / "systemd").mkdir(parents=True)
        if BACKEND == "postgresql":
            admin_url = os.environ.get("TEST_DATABASE_URL")
            if not admin_url:
                pytest.fail("TEST_DB_BACKEND=postgresql needs TEST_DATABASE_URL")
            self.admin = sa.create_engine(
                normalise_database_url(admin_url), isolation_level="AUTOCOMMIT"
            )
            self.created = [self.database, self.restored_database]
            self.pg_host = self.admin.url.host or "127.0.0.1"
            self.pg_port = self.admin.url.port or 5432
            self.pg_user = self.admin.url.username or "postgres"

    # paths ------------------------------------------------------------------------------------

    def paths(self, instance: str, host: str = "a") -> list[tuple[str, str]]:
        """The guide's paths and names, and this test's, longest first."""
        shared = self.tmp / ("shared" if instance == "main" else "restored-shared")
        local = self.tmp / (f"host-{host}" if instance == "main" else "host-restored")
        env = self.tmp / "etc" / f"safetech-{instance}-{host}.env"
        return [
            ("/srv/safetech-data", str(shared)),
            ("cd /srv/safetech", f"cd {ROOT}"),
            ("/var/lib/safetech", str(local)),
            ("/var/backups/safetech/20261125-023000", str(self.latest_backup())),
            ("/var/backups/safetech", str(self.tmp / "backups")),
            ("/etc/safetech/safetech.env", str(env)),
            ("/etc/systemd/system/", str(self.tmp / "etc" / "systemd") + "/"),
            ("/etc/nginx/sites-enabled/safetech.conf", str(self.tmp / "etc" / "nginx.conf")),
            ("https://registry.example.org", f"http://127.0.0.1:{self.port}"),
            ("127.0.0.1:8000", f"127.0.0.1:{self.port}"),
            # Two cores here: two workers are enough to prove the command.
            ("--workers 4", "--workers 2"),
            ("ROLE safetech ", f"ROLE {self.role} "),
            ("--owner=safetech safetech", f"--owner={self.role} {self.database}"),
        ]

    def latest_backup(self) -> Path:
        backups = sorted((self.tmp / "backups").glob("2*"))
        return backups[-1] if backups else self.tmp / "backups" / "none-yet"

    def database_url(self, instance: str) -> str:
        if self.admin is None:
            return f"sqlite:///{self.tmp / f'{instance}.db'}"
        name = self.database if instance == "main" else self.restored_database
        return f"postgresql://{self.role}:change-me@{self.pg_host}:{self.pg_port}/{name}"

    def write_settings(self, instance: str, host: str = "a") -> None:
        """Edit the installed example as the guide says: secret, database, mail."""
        example = (DEPLOY / "safetech.env.example").read_text(encoding="utf-8")
        text = example.replace("replace-with-64-hex-characters", self.secret)
        text = text.replace(
            "postgresql://safetech:change-me@db.internal:5432/safetech",
            self.database_url(instance),
        )
        # No SMTP server here: the outbox backend stands in.
        text = text.replace("SAFETECH_MAIL_BACKEND=smtp", "SAFETECH_MAIL_BACKEND=outbox")
        for old, new in self.paths(instance, host):
            if old.startswith("/"):
                text = text.replace(old, new)
        path = self.tmp / "etc" / f"safetech-{instance}-{host}.env"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    # running ------------------------------------------------------------------------------------

    def shell(self, command: str, instance: str = "main", host: str = "a") -> str:
        """The command as this test runs it, with the guide's prelude when it needs one."""
        for old, new in self.paths(instance, host):
            command = command.replace(old, new)
        command = command.removeprefix("sudo ")
        if command.startswith(".venv/bin/"):
            prelude = [
                self.translate("cd /srv/safetech", instance, host),
                self.translate("set -a; . /etc/safetech/safetech.env; set +a", instance, host),
            ]
            command = "; ".join([*prelude, command])
        return command

    def translate(self, command: str, instance: str, host: str) -> str:
        for old, new in self.paths(instance, host):
            command = command.replace(old, new)
        return command

    def environment(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("SAFETECH_", "TEST_")) and key != "DATABASE_URL"
        }
        if self.admin is not None:
            env.update(PGHOST=self.pg_host, PGPORT=str(self.pg_port), PGUSER=self.pg_user)
        return env

    def run(self, command: str, step: Step, host: str = "a") -> str:
        script = self.shell(command, step.instance, host)
        cwd = ROOT if step.cwd == "repo" else self.tmp / "scratch"
        cwd.mkdir(exist_ok=True)
        result = subprocess.run(
            ["bash", "-c", f"set -euo pipefail; {script}"],
            cwd=cwd,
            env=self.environment(),
            input="A-long-first-password-2026!\n",
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"{command!r} failed:\n{output}"
        assert step.expect in output, f"{command!r} did not say {step.expect!r}:\n{output}"
        return result.stdout

    def start(self, command: str, host: str = "a") -> None:
        script = self.shell(command, "main", host)
        process = subprocess.Popen(
            ["bash", "-c", f"set -euo pipefail; {script.replace('; .venv', '; exec .venv')}"],
            cwd=ROOT,
            env=self.environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.background.append((command, process))

    def wait_for_health(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(  # noqa: S310 - our own local server
                    f"http://127.0.0.1:{self.port}/healthz", timeout=2
                ) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
            _, server = self.background[0]
            if server.poll() is not None:
                pytest.fail(f"gunicorn stopped:\n{server.communicate()[0]}")
        pytest.fail("gunicorn did not answer /healthz within 60 s")

    def stop_all(self) -> dict[str, str]:
        outputs = {}
        for command, process in self.background:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
            try:
                out, _ = process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                out, _ = process.communicate()
            outputs[f"{command} #{process.pid}"] = out
        self.background.clear()
        return outputs

    def drop(self) -> None:
        if self.admin is None:
            return
        with self.admin.connect() as connection:
            for name in self.created:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{self.role}"')
        self.admin.dispose()


@pytest.fixture
def walkthrough(tmp_path: Path) -> Iterator[Walkthrough]:
    """A throw-away deployment, its databases and role dropped and its processes stopped after."""
    walk = Walkthrough(tmp_path)
    try:
        yield walk
    finally:
        walk.stop_all()
        walk.drop()


def _prepare_the_database(walk: Walkthrough, command: str, step: Step) -> None:
    if walk.admin is None:
        return  # the SQLite run has no database server to prepare
    walk.run(command, step)
    if command.startswith("createdb"):
        # The restore target: a second empty database owned by the same role.
        walk.run(f"createdb --owner={walk.role} {walk.restored_database}", Step())


def _start_in_the_background(walk: Walkthrough, command: str) -> None:
    walk.start(command)
    if "gunicorn" in command:
        walk.wait_for_health()
    else:
        # A second host: its own index folder, its own indexer, the same database.
        walk.start(command, host="b")


def _run_in_the_foreground(walk: Walkthrough, command: str, step: Step) -> None:
    output = walk.run(command, step)
    if "token_hex" in command:
        walk.secret = output.strip()
        assert re.fullmatch(r"[0-9a-f]{64}", walk.secret)
        for instance, host in (("main", "a"), ("main", "b"), ("restored", "a")):
            walk.write_settings(instance, host)
    if command.startswith("install -m 0640"):
        assert (walk.tmp / "etc" / "safetech-main-a.env").read_text() == (
            DEPLOY / "safetech.env.example"
        ).read_text()


@pytest.mark.slow
def test_the_guide_runs_from_first_install_to_restore(walkthrough: Walkthrough) -> None:
    walk = walkthrough
    done: set[str] = set()
    for command in guide_commands():
        if command in NOT_RUN or command in done:
            continue
        done.add(command)
        step = STEPS[command]
        if step.kind == "postgresql":
            _prepare_the_database(walk, command, step)
        elif step.kind == "background":
            _start_in_the_background(walk, command)
        else:
            _run_in_the_foreground(walk, command, step)
    # Both hosts' indexes agree with the database; the guide's commands each left their mark.
    for host in ("a", "b"):
        check = ".venv/bin/flask --app app search check"
        walk.run(check, STEPS[check], host)
    assert (walk.tmp / "etc" / "systemd" / "safetech-web.service").is_file()
    assert (walk.tmp / "etc" / "nginx.conf").is_file()
    assert (walk.tmp / "scratch" / ".venv" / "bin" / "python").exists()
    assert oct((walk.tmp / "shared" / "keys").stat().st_mode & 0o777) == "0o700"
    assert (walk.tmp / "host-restored" / "search-index").is_dir()
    outputs = walk.stop_all()
    indexers = [out for command, out in outputs.items() if "search index" in command]
    assert len(indexers) == 2
    assert all("Indexer stopped" in out for out in indexers), indexers


# --- the example files -----------------------------------------------------------------------


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / name, encoding="utf-8")
    return parser


@pytest.mark.parametrize("name", ["safetech-web.service", "safetech-indexer.service"])
def test_each_systemd_unit_runs_a_command_of_the_guide(name: str) -> None:
    service = _unit(name)["Service"]
    assert service["WorkingDirectory"] == "/srv/safetech"
    assert "cd /srv/safetech" in guide_commands()
    assert service["EnvironmentFile"] == "/etc/safetech/safetech.env"
    assert "set -a; . /etc/safetech/safetech.env; set +a" in guide_commands()
    assert service["User"] == "safetech"
    start = shlex.split(service["ExecStart"].replace("/srv/safetech/", "", 1))
    assert start in [shlex.split(command) for command in STEPS], service["ExecStart"]


def test_the_cron_jobs_are_commands_of_the_guide() -> None:
    prelude = "cd /srv/safetech && set -a && . /etc/safetech/safetech.env && set +a && "
    jobs = []
    for line in (DEPLOY / "safetech.cron").read_text().splitlines():
        if not line.strip() or line.startswith("#") or re.match(r"^[A-Z]+=", line):
            continue
        fields = line.split(None, 6)
        assert len(fields) == 7 and fields[5] == "safetech", line
        assert all(re.fullmatch(r"[0-9*/,-]+", f) for f in fields[:5]), line
        command = fields[6].replace("\\%", "%")
        assert "%" not in fields[6].replace("\\%", ""), "cron needs every % escaped"
        jobs.append(command.removeprefix(prelude))
    assert len(jobs) == 8
    for job in jobs:
        assert job in STEPS, job
    assert any(" backup " in job for job in jobs)


def test_nginx_passes_the_forwarded_headers_to_the_gunicorn_the_unit_starts() -> None:
    text = (DEPLOY / "nginx-safetech.conf").read_text()
    body = re.sub(r"#.*", "", text)
    assert body.count("{") == body.count("}")
    assert all(line.strip().endswith((";", "{", "}")) for line in body.splitlines() if line.strip())
    web = _unit("safetech-web.service")["Service"]["ExecStart"]
    bind = shlex.split(web)[shlex.split(web).index("--bind") + 1]
    assert re.search(rf"server {re.escape(bind)};", body)
    for header, value in (
        ("Host", "$host"),
        ("X-Forwarded-For", "$remote_addr"),
        ("X-Forwarded-Proto", "$scheme"),
        ("X-Forwarded-Host", "$host"),
    ):
        assert f"proxy_set_header {header} {value};" in body
    assert "listen 443 ssl;" in body and "ssl_certificate " in body
    # The same request size limit as the app's default MAX_CONTENT_LENGTH.
    from app import default_settings

    assert default_settings("instance")["MAX_CONTENT_LENGTH"] == 25 * 1024 * 1024
    assert "client_max_body_size 25m;" in body


def test_the_example_settings_name_only_real_settings() -> None:
    from app import default_settings

    known = set(default_settings("instance")) | {
        "SECRET_KEY",
        "SMTP_HOST",
        "SMTP_PORT",
        "SMTP_USERNAME",
        "SMTP_PASSWORD",
        "SMTP_STARTTLS",
    }
    names = [
        line.split("=", 1)[0]
        for line in (DEPLOY / "safetech.env.example").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert names and all(name.startswith("SAFETECH_") for name in names)
    assert not {name.removeprefix("SAFETECH_") for name in names} - known
    assert "SAFETECH_PROXY_FIX" in names and "SAFETECH_PRODUCTION" in names


# --- the proxy switch -----------------------------------------------------------------------


def _failed_login_address(application: Flask, headers: dict[str, str]) -> Any:
    client = application.test_client()
    client.post(
        "/login",
        data={"email": "nobody@example.org", "password": "wrong password"},
        headers=headers,
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    with application.app_context():
        address = db.session.scalars(
            sa.select(LoginAttempt.remote_addr).order_by(LoginAttempt.id.desc())
        ).first()
        db.session.remove()
    return address


def test_forwarded_headers_count_only_with_the_proxy_switch(app: Flask, app_factory: Any) -> None:
    forwarded = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    assert _failed_login_address(app_factory(), forwarded) == "127.0.0.1"
    behind_proxy = app_factory(PROXY_FIX=1)
    assert _failed_login_address(behind_proxy, forwarded) == "203.0.113.9"
    # A client cannot push its own address in front of the proxy's.
    spoofed = {"X-Forwarded-For": "198.51.100.1, 203.0.113.9"}
    assert _failed_login_address(behind_proxy, spoofed) == "203.0.113.9"
