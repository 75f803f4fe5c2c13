"""The data behind `make load`: the demo accounts plus the 10 000-solution bench catalog.

Building it takes most of a minute (migrations, `seed-demo`, 10 000 generated solutions, the
search index, the label PDFs), so it is built once into `bench/data/load-<version>/` and reused
while the code that shapes it is unchanged; the version is a hash of those source files. Each
run copies that folder: the SQLite file as it is, and for PostgreSQL the rows of every table
into a freshly migrated database (same ids, so the same search index fits both).

`python -m bench.load_data populate` and `... copy SQLITE_FILE POSTGRES_URL` are the steps run
in child processes (each with the environment of the instance it works on).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from contextlib import closing
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "bench" / "data"
SOLUTIONS = 10_000
# A fixed public address: it is part of the label credentials, so of the cached PDFs' names.
BASE_URL = "http://127.0.0.1:5000"
PDF_LABELS = 8  # labels whose PDF is rendered into the cache at build time
VENDOR_WRITERS = ("vigilis", "orbital", "sentinel", "alerta")
BUYER_WRITERS = ("saint-aubin", "montclair", "val-de-loire", "beaumont")
EVALUATORS = ("lnes", "cyberlab")
DEMO_DOMAIN = "demo.example"
# Bump when _populate or the manifest changes: the cached folder is then built again, as it
# is when a file that shapes it changes (SHAPING: the generator, every demo seeder, the
# search documents, the label credentials and PDF templates, the migrations).
LOAD_DATA_VERSION = "1"
SHAPING = (
    "bench/catalog_data.py",
    "catalog/search/*.py",
    "evaluations/labels/documents/*.py",
    "*/*demo*.py",
    "evaluations/labels/demo.py",
    "procurement/demo/*.py",
    "templates/pdf/*",
    "migrations/versions/*.py",
)


def data_version() -> str:
    """A short hash of the sources and migrations that shape the cached data."""
    digest = hashlib.sha256(LOAD_DATA_VERSION.encode())
    for pattern in SHAPING:
        for path in sorted(REPO.glob(pattern)):
            if path.is_file():
                digest.update(str(path.relative_to(REPO)).encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def instance_environment(folder: Path, database_url: str) -> dict[str, str]:
    """The server's environment for an instance folder (nothing leaks from the caller's)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SAFETECH_", "FLASK_", "GUNICORN_"))
        and key not in ("DATABASE_URL", "TEST_DATABASE_URL")
    }
    env.update(
        {
            "SAFETECH_DATABASE_URL": database_url,
            "SAFETECH_SECRET_KEY": "load-test-secret-key-not-for-production",
            "SAFETECH_BASE_URL": BASE_URL,
            "SAFETECH_MAIL_BACKEND": "outbox",
            "SAFETECH_OUTBOX_DIR": str(folder / "outbox"),
            "SAFETECH_UPLOAD_DIR": str(folder / "uploads"),
            "SAFETECH_SEARCH_INDEX_DIR": str(folder / "search-index"),
            "SAFETECH_KEYS_DIR": str(folder / "keys"),
            "SAFETECH_PDF_CACHE_DIR": str(folder / "pdf-cache"),
            # The plain list pages show 20 rows, as the catalog page does.
            "SAFETECH_PER_PAGE": "20",
        }
    )
    return env


def normalise_url(url: str) -> str:
    """A PostgreSQL URL for the psycopg 3 driver (as the application reads it)."""
    from registry.database import normalise_database_url

    return normalise_database_url(url)


def flask_cli(args: list[str], env: dict[str, str]) -> None:
    """Run `flask --app app ARGS` in a child process; raise with its output if it fails."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "flask"), "--app", "app", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"flask {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
        )


def python_step(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.load_data", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,  # the first build on a busy machine; about 30 s on a quiet one
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"bench.load_data {args[0]} failed:\n{result.stderr[-4000:]}")


def template(log: Any = print) -> Path:
    """The cached data folder for the current version, built first if missing."""
    version = data_version()
    folder = DATA / f"load-{version}"
    if (folder / "manifest.json").is_file():
        log(f"data: reusing {folder.relative_to(REPO)}")
        return folder
    DATA.mkdir(parents=True, exist_ok=True)
    for old in DATA.glob("load-*"):  # an older version, or a build that was interrupted
        shutil.rmtree(old, ignore_errors=True)
    building = DATA / f"load-{version}.building-{uuid.uuid4().hex[:6]}"
    building.mkdir()
    env = instance_environment(building, f"sqlite:///{building / 'safetech.db'}")
    started = time.monotonic()
    flask_cli(["db", "upgrade"], env)
    flask_cli(["seed-demo"], env)
    python_step(["populate"], env)
    building.rename(folder)
    log(f"data: built {folder.relative_to(REPO)} in {time.monotonic() - started:.0f} s")
    return folder


def instance_from(source: Path, folder: Path) -> None:
    """Copy the cached files (SQLite database, index, keys, PDFs, evidence) into a run."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("search-index", "keys", "pdf-cache", "uploads"):
        shutil.copytree(source / name, folder / name)
    shutil.copy2(source / "safetech.db", folder / "safetech.db")
    (folder / "outbox").mkdir(exist_ok=True)


def manifest(source: Path) -> dict[str, Any]:
    """What the clients may ask for: labels, PDFs, solutions, accounts, words."""
    loaded: dict[str, Any] = json.loads((source / "manifest.json").read_text())
    return loaded


# --- steps run inside an instance's environment ------------------------------------------------


def _populate() -> None:
    """Generate the catalog, render some label PDFs, build the index, write the manifest."""
    from sqlalchemy import select

    from app import create_app
    from bench.catalog_data import VOCABULARY, generate
    from catalog.models import Solution, SolutionStatus
    from catalog.search import indexer
    from evaluations.labels.publishing import find_public_label, warm_label_pdf
    from evaluations.models import Assignment, AssignmentStatus, Label
    from registry.database import db
    from registry.models import Organisation, User

    app = create_app()
    with app.app_context():
        generated = generate(SOLUTIONS)
        numbers = list(
            db.session.scalars(
                select(Label.number).where(Label.credential != "").order_by(Label.number)
            )
        )
        pdf_numbers = []
        for number in numbers[:PDF_LABELS]:
            label = find_public_label(number)
            assert label is not None
            warm_label_pdf(label)
            pdf_numbers.append(number)

        def own_solution(account: str) -> int:
            user = db.session.scalars(
                select(User).where(User.email == f"{account}@{DEMO_DOMAIN}")
            ).one()
            solution_id = db.session.scalar(
                select(Solution.id)
                .where(
                    Solution.vendor_id == user.organisation_id,
                    Solution.status == SolutionStatus.PUBLISHED,
                )
                .order_by(Solution.id)
            )
            assert solution_id is not None, account
            return solution_id

        def scoring_assignment(account: str) -> int:
            assignment_id = db.session.scalar(
                select(Assignment.id)
                .join(User, User.id == Assignment.evaluator_id)
                .where(
                    User.email == f"{account}@{DEMO_DOMAIN}",
                    Assignment.status == AssignmentStatus.SCORING,
                )
                .order_by(Assignment.id)
            )
            assert assignment_id is not None, account
            return assignment_id

        vendor_ids = list(db.session.scalars(select(Organisation.id).order_by(Organisation.id)))
        data = {
            "solutions": len(generated.solution_ids),
            "solution_ids": [generated.solution_ids[0], generated.solution_ids[-1]],
            "vendor_ids": [vendor_ids[0], vendor_ids[-1]],
            "labels": numbers,
            "pdf_labels": pdf_numbers,
            "vendors": {name: own_solution(name) for name in VENDOR_WRITERS},
            "buyers": list(BUYER_WRITERS),
            "evaluators": {name: scoring_assignment(name) for name in EVALUATORS},
            "words": sorted(set(VOCABULARY)),
            "domain": DEMO_DOMAIN,
        }
        db.session.commit()
        started = time.monotonic()
        indexed = indexer.rebuild()
        data["index_seconds"] = round(time.monotonic() - started, 1)
        data["indexed"] = indexed
        db.session.remove()
        db.engine.dispose()
    folder = Path(app.config["SEARCH_INDEX_DIR"]).parent
    # One self-contained file to copy: fold the write-ahead log into it.
    with closing(sqlite3.connect(folder / "safetech.db")) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (folder / "manifest.json").write_text(json.dumps(data, indent=1))


def _copy(sqlite_file: str, postgres_url: str) -> None:
    """Copy every table's rows from the SQLite file into a migrated PostgreSQL database."""
    import sqlalchemy as sa

    from app import create_app
    from registry.database import db, normalise_database_url

    create_app({"DATABASE_URL": f"sqlite:///{sqlite_file}"})
    source = sa.create_engine(f"sqlite:///{sqlite_file}")
    target = sa.create_engine(normalise_database_url(postgres_url))
    tables = [t for t in db.metadata.sorted_tables]
    with source.connect() as reading, target.begin() as writing:
        # Triggers (the audit log refuses changes) and foreign keys are not checked for the
        # copy: rows arrive as they are, in any order.
        writing.exec_driver_sql("SET session_replication_role = replica")
        names = ", ".join(f'"{t.name}"' for t in tables)
        writing.exec_driver_sql(f"TRUNCATE {names}")
        for table in tables:
            rows = [dict(row._mapping) for row in reading.execute(sa.select(table))]
            for start in range(0, len(rows), 5_000):
                writing.execute(table.insert(), rows[start : start + 5_000])
            integer_key = [c for c in table.primary_key.columns if c.name == "id"]
            if rows and integer_key and isinstance(integer_key[0].type, sa.Integer):
                writing.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "  # noqa: S608
                    f'(SELECT max(id) FROM "{table.name}"))'
                )
        writing.exec_driver_sql("SET session_replication_role = origin")
    # Fresh statistics, as autovacuum would gather them later: without them the planner
    # guesses and some list queries take seconds.
    with target.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE")
    source.dispose()
    target.dispose()


def main(argv: list[str]) -> int:
    """Entry point of the child steps."""
    if argv[:1] == ["populate"]:
        _populate()
    elif argv[:1] == ["copy"] and len(argv) == 3:
        _copy(argv[1], argv[2])
    else:
        print("usage: python -m bench.load_data populate | copy SQLITE_FILE POSTGRES_URL")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
