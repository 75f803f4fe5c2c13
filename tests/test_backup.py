"""`flask --app app backup DIR` and `restore DIR`: consistent copies that restore and verify.

Each test runs on the backend chosen by TEST_DB_BACKEND; on PostgreSQL the source and target
databases are created for the test (prefix h3_) and dropped afterwards.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import upgrade

from app import create_app
from registry import dates
from registry.database import db, normalise_database_url
from tests.conftest import BACKEND, base_config
from vulnerabilities import sealed_reports

pytestmark = pytest.mark.slow


# --- instances -------------------------------------------------------------------------------


class Databases:
    """Empty databases for this test's instances: SQLite files or PostgreSQL databases."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.created: list[str] = []
        self.admin: sa.Engine | None = None
        if BACKEND == "postgresql":
            admin_url = os.environ.get("TEST_DATABASE_URL")
            if not admin_url:
                pytest.fail("TEST_DB_BACKEND=postgresql needs TEST_DATABASE_URL")
            self.admin = sa.create_engine(
                normalise_database_url(admin_url), isolation_level="AUTOCOMMIT"
            )

    def new(self, name: str) -> str:
        """The URL of a new, empty database."""
        if self.admin is None:
            (self.tmp / name).mkdir(parents=True, exist_ok=True)
            return f"sqlite:///{self.tmp / name / 'safetech.db'}"
        database = f"h3_{name}_{uuid.uuid4().hex[:8]}"
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{database}"')
        self.created.append(database)
        return self.admin.url.set(database=database).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if self.admin is None:
            return
        with self.admin.connect() as connection:
            for database in self.created:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        self.admin.dispose()


def instance_config(folder: Path, database_url: str) -> dict[str, Any]:
    """An instance of its own: database, uploads, keys, index and caches under `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    return {**base_config(folder), "DATABASE_URL": database_url}


@contextmanager
def app_context(config: dict[str, Any]) -> Iterator[Flask]:
    """An app for `config`, its context pushed; its connections are closed afterwards."""
    application = create_app(config)
    try:
        with application.app_context():
            yield application
            db.session.remove()
    finally:
        with application.app_context():
            db.engine.dispose()


def cli(config: dict[str, Any], *args: str) -> Any:
    """Run `flask --app app ARGS` against the instance, as an operator would."""
    application = create_app(config)
    # `flask` pushes an app context around a command; so does this.
    with application.app_context():
        try:
            return application.test_cli_runner().invoke(args=list(args))
        finally:
            db.session.remove()
            db.engine.dispose()


def facts(config: dict[str, Any]) -> dict[str, Any]:
    """What must survive a backup: labels, audit head, evidence rows and a few counts."""
    with app_context(config):
        session = db.session
        return {
            "labels": session.execute(
                sa.text("SELECT number, status, credential FROM label ORDER BY number")
            ).all(),
            "audit_head": session.execute(
                sa.text("SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1")
            ).first(),
            "evidence": session.execute(
                sa.text("SELECT stored_name, sha256 FROM evidence ORDER BY stored_name")
            ).all(),
            "counts": {
                table: session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()  # noqa: S608
                for table in ("organisation", "user_account", "solution", "need", "label")
            },
            # The reporters' words, which only the instance's report key opens.
            "reports": [
                sealed_reports.unseal(sealed)
                for sealed in session.scalars(
                    sa.text(
                        "SELECT report_sealed FROM vulnerability_case "
                        "WHERE report_sealed IS NOT NULL ORDER BY reference"
                    )
                )
            ],
        }


@pytest.fixture(scope="module")
def demo_backup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A seeded demo instance and a backup of it (made once for this module)."""
    tmp = tmp_path_factory.mktemp("demo")
    databases = Databases(tmp)
    config = instance_config(tmp / "source", databases.new("source"))
    try:
        with app_context(config):
            upgrade()
        result = cli(config, "seed-demo")
        assert result.exit_code == 0, result.output
        result = cli(config, "backup", str(tmp / "backup"))
        assert result.exit_code == 0, result.output
        assert "Backup written to" in result.output
        yield {"config": config, "backup": tmp / "backup", "facts": facts(config)}
    finally:
        databases.drop_all()


@pytest.fixture
def databases(tmp_path: Path) -> Iterator[Databases]:
    """Empty databases for this test's instances, dropped afterwards."""
    made = Databases(tmp_path)
    yield made
    made.drop_all()


def restore_ok(config: dict[str, Any], backup: Path) -> str:
    result = cli(config, "restore", str(backup))
    assert result.exit_code == 0, result.output
    assert "Restore complete and verified." in result.output
    return str(result.output)


# --- the backup itself ---------------------------------------------------------------------


def test_backup_holds_database_files_keys_and_a_manifest(demo_backup: dict[str, Any]) -> None:
    backup: Path = demo_backup["backup"]
    manifest = json.loads((backup / "manifest.json").read_text())
    database = manifest["database"]
    assert database["kind"] == BACKEND
    migrations = ScriptDirectory(str(Path(__file__).resolve().parents[1] / "migrations"))
    assert database["alembic_revision"] == migrations.get_current_head()
    assert database["row_counts"]["label"] == len(demo_backup["facts"]["labels"]) > 0
    assert database["audit_head"]["hash"] == demo_backup["facts"]["audit_head"][1]
    assert manifest["app_version"] and manifest["created_at"]
    assert "search index" in manifest["excluded"] and "PDF" in manifest["excluded"]
    listed = {item["path"] for item in manifest["files"]}
    evidence = demo_backup["facts"]["evidence"]
    assert {f"uploads/evidence/{name}" for name, _ in evidence} <= listed
    assert "keys/keys.json" in listed and any(p.endswith(".key") for p in listed)
    # The key that opens the reporters' words of vulnerability cases goes with them.
    assert "keys/reports.key" in listed and demo_backup["facts"]["reports"]
    assert ("database.dump" if BACKEND == "postgresql" else "database.sqlite3") in listed
    # Derived data stays out.
    assert not any(p.startswith(("search-index", "pdf-cache")) for p in listed)
    assert not list(backup.parent.glob(".backup.partial-*"))


def test_backup_refuses_a_non_empty_folder(demo_backup: dict[str, Any], tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    result = cli(demo_backup["config"], "backup", str(target))
    assert result.exit_code != 0
    assert "is not empty" in result.output
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]


# --- restore -------------------------------------------------------------------------------


def test_restore_into_a_fresh_instance_verifies_and_equals_the_original(
    demo_backup: dict[str, Any], databases: Databases, tmp_path: Path
) -> None:
    config = instance_config(tmp_path / "restored", databases.new("restored"))
    output = restore_ok(config, demo_backup["backup"])
    for line in ("row counts", "audit chain", "stored files", "migrations", "label credentials"):
        assert f"ok     {line}" in output
    assert "ok     search index: rebuilt with" in output
    assert facts(config) == demo_backup["facts"]
    # The restored instance works on its own: the usual checks agree.
    assert cli(config, "audit", "verify").exit_code == 0
    assert cli(config, "search", "check").exit_code == 0
    keys = cli(config, "labels", "keys").output
    assert keys == cli(demo_backup["config"], "labels", "keys").output


def test_restore_refuses_a_tampered_backup_and_names_the_file(
    demo_backup: dict[str, Any], databases: Databases, tmp_path: Path
) -> None:
    tampered = tmp_path / "tampered"
    shutil.copytree(demo_backup["backup"], tampered)
    name = demo_backup["facts"]["evidence"][0][0]
    with (tampered / "uploads" / "evidence" / name).open("ab") as handle:
        handle.write(b"%% changed")
    config = instance_config(tmp_path / "target", databases.new("target"))
    result = cli(config, "restore", str(tampered))
    assert result.exit_code != 0
    assert f"uploads/evidence/{name} does not match its SHA-256" in result.output
    # Nothing was restored.
    assert not (tmp_path / "target" / "uploads").exists()
    with app_context(config):
        assert sa.inspect(db.engine).get_table_names() == []

    # A file slipped into the backup is refused too.
    (tampered / "uploads" / "evidence" / name).write_bytes(
        (demo_backup["backup"] / "uploads" / "evidence" / name).read_bytes()
    )
    (tampered / "keys" / "extra.key").write_text("z3u2")
    result = cli(config, "restore", str(tampered))
    assert result.exit_code != 0
    assert "keys/extra.key is not in the manifest" in result.output


def test_restore_refuses_an_instance_that_is_not_empty(
    demo_backup: dict[str, Any], databases: Databases, tmp_path: Path
) -> None:
    # A migrated database (as after `db upgrade`).
    migrated = instance_config(tmp_path / "migrated", databases.new("migrated"))
    with app_context(migrated):
        upgrade()
    result = cli(migrated, "restore", str(demo_backup["backup"]))
    assert result.exit_code != 0
    assert "the database already has" in result.output
    assert "restore only into an empty database" in result.output

    # An empty database but files already in the upload folder.
    stray = instance_config(tmp_path / "stray", databases.new("stray"))
    (Path(stray["UPLOAD_DIR"]) / "evidence").mkdir(parents=True)
    (Path(stray["UPLOAD_DIR"]) / "evidence" / "old.pdf").write_bytes(b"%PDF-1.4")
    result = cli(stray, "restore", str(demo_backup["backup"]))
    assert result.exit_code != 0
    assert f"the upload folder {stray['UPLOAD_DIR']} is not empty" in result.output

    # An empty database but keys that may have signed labels elsewhere.
    keyed = instance_config(tmp_path / "keyed", databases.new("keyed"))
    assert cli(keyed, "labels", "rotate-key").exit_code == 0
    result = cli(keyed, "restore", str(demo_backup["backup"]))
    assert result.exit_code != 0
    assert f"the keys folder {keyed['KEYS_DIR']} already holds keys" in result.output
    with app_context(keyed):
        assert sa.inspect(db.engine).get_table_names() == []


def test_restore_fails_verification_when_labels_were_signed_for_another_address(
    demo_backup: dict[str, Any], databases: Databases, tmp_path: Path
) -> None:
    config = {
        **instance_config(tmp_path / "moved", databases.new("moved")),
        "BASE_URL": "https://elsewhere.example",
    }
    result = cli(config, "restore", str(demo_backup["backup"]))
    assert result.exit_code == 1
    assert "FAILED label credentials" in result.output
    assert "set SAFETECH_BASE_URL to it" in result.output
    assert "verification FAILED" in result.output


# --- a backup taken while the portal is in use ----------------------------------------------


class Writer(threading.Thread):
    """Keeps committing changes through the services: evidence added and removed, needs
    drafted and opened, a signing key rotated and a label signed again."""

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name=name, daemon=True)
        self.config = config
        self.stop = threading.Event()
        self.commits = 0
        self.error: BaseException | None = None
        # The app is built here, in the starting thread: building it compiles URL rules
        # through the `ast` module, whose depth counter CPython 3.11 keeps for all
        # threads, so two threads building apps at once can fail with a SystemError.
        self.application = create_app(config)

    def run(self) -> None:
        try:
            with self.application.app_context():
                try:
                    self._loop()
                finally:
                    db.session.remove()
                    db.engine.dispose()
        except BaseException as error:  # reported by the test
            self.error = error

    def _loop(self) -> None:
        from evaluations.labels.facts import sign_label
        from evaluations.labels.keys import rotate_key
        from evaluations.models import Evaluation, EvaluationStatus, Label
        from evaluations.services.application import attach_evidence, remove_evidence
        from procurement.services import needs
        from registry.models import Organisation, OrganisationKind, User

        session = db.session
        evaluation = session.scalars(
            sa.select(Evaluation).where(Evaluation.status == EvaluationStatus.DRAFT)
        ).first()
        assert evaluation is not None
        vendor = session.scalars(
            sa.select(User).where(User.organisation_id == evaluation.vendor_id)
        ).first()
        buyer = session.scalars(
            sa.select(User)
            .join(Organisation)
            .where(Organisation.kind == OrganisationKind.BUYER)
            .order_by(User.id)
        ).first()
        label_ids = session.scalars(sa.select(Label.id).order_by(Label.id)).all()
        previous = None
        step = 0
        while not self.stop.is_set():
            step += 1
            item = attach_evidence(
                vendor,
                evaluation,
                f"{self.name}-{step}.txt",
                io.BytesIO(f"entry {step}\n".encode()),
            )
            session.commit()
            if previous is not None and step % 2 == 0:
                remove_evidence(vendor, evaluation, previous)
                session.commit()
            previous = item
            need = needs.create_need(
                buyer,
                needs.NeedData(
                    title=f"Cameras, {self.name} batch {step}",
                    category="video-protection",
                    firm_quantity=5,
                    unit="unit",
                    max_unit_price=Decimal("900"),
                    need_by=dates.today() + dt.timedelta(days=200),
                    region_code="FR",
                ),
            )
            needs.open_need(buyer, need)
            session.commit()
            if step % 5 == 0:
                rotate_key(self.config["KEYS_DIR"])
                label = session.get(Label, label_ids[step % len(label_ids)])
                assert label is not None
                sign_label(label)
                session.commit()
            self.commits += 1


def test_a_backup_taken_while_writers_commit_restores_and_verifies(
    demo_backup: dict[str, Any], databases: Databases, tmp_path: Path
) -> None:
    live = instance_config(tmp_path / "live", databases.new("live"))
    restore_ok(live, demo_backup["backup"])

    writers = [Writer(live, "north"), Writer(live, "south")]
    for writer in writers:
        writer.start()
    try:
        deadline = dt.datetime.now() + dt.timedelta(seconds=60)
        while sum(w.commits for w in writers) < 3 and dt.datetime.now() < deadline:
            assert all(w.error is None for w in writers), [w.error for w in writers]
            threading.Event().wait(0.05)
        before = sum(w.commits for w in writers)
        backups = []
        for number in range(2):
            result = cli(live, "backup", str(tmp_path / f"during-{number}"))
            assert result.exit_code == 0, result.output
            backups.append(tmp_path / f"during-{number}")
        during = sum(w.commits for w in writers) - before
    finally:
        for writer in writers:
            writer.stop.set()
        for writer in writers:
            writer.join(60)
    assert all(w.error is None for w in writers), [w.error for w in writers]
    assert during >= 2, "the writers must have committed while the backups ran"

    live_facts = facts(live)
    for number, backup in enumerate(backups):
        manifest = json.loads((backup / "manifest.json").read_text())
        head = manifest["database"]["audit_head"]
        # The backup is a state the live instance went through: its audit chain is a prefix.
        with app_context(live):
            assert (
                db.session.execute(
                    sa.text("SELECT hash FROM audit_entry WHERE seq = :seq"), {"seq": head["seq"]}
                ).scalar()
                == head["hash"]
            )
        assert head["seq"] > demo_backup["facts"]["audit_head"][0]
        config = instance_config(tmp_path / f"restored-{number}", databases.new(f"r{number}"))
        output = restore_ok(config, backup)
        assert "FAILED" not in output
    # The last backup was taken after more writes than the first.
    assert live_facts["audit_head"][0] >= head["seq"]


def test_restore_upgrades_an_older_backup_to_head(databases: Databases, tmp_path: Path) -> None:
    from alembic.script import ScriptDirectory
    from flask import current_app

    old = instance_config(tmp_path / "old", databases.new("old"))
    with app_context(old):
        config = current_app.extensions["migrate"].migrate.get_config()
        script = ScriptDirectory.from_config(config)
        head = script.get_current_head()
        assert head is not None
        previous = script.get_revision(head).down_revision
        assert isinstance(previous, str)
        upgrade(revision=previous)
    assert cli(old, "backup", str(tmp_path / "old-backup")).exit_code == 0
    manifest = json.loads((tmp_path / "old-backup" / "manifest.json").read_text())
    assert manifest["database"]["alembic_revision"] == previous
    target = instance_config(tmp_path / "new", databases.new("new"))
    output = restore_ok(target, tmp_path / "old-backup")
    assert f"ok     migrations: upgraded from {previous} to {head}" in output
