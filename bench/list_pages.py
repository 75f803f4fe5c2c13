"""The plain list pages over the 10 000-solution load catalog, with and without the index on
``solution (status, name, id)``, in one run.

`python -m bench list_pages`: `/solutions?page=N` and `/api/v1/solutions?page=N` through the
Flask test client (no server, one process), at the first, middle and last pages, on SQLite and
(when PostgreSQL answers on 127.0.0.1:5432, or at ``BENCH_POSTGRES_ADMIN_URL``) on a
PostgreSQL copy of the same data. Each variant is timed after a warm-up; the index is dropped
for the "without" variant and created again afterwards. The query plan of the page query is
printed for each variant, so a change in the figures can be traced to the plan.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

INDEX = "ix_solution_status_name"
REPEATS = 15


def _config(folder: Path, database_url: str) -> dict[str, Any]:
    from bench import load_data

    values: dict[str, Any] = {
        key.removeprefix("SAFETECH_"): value
        for key, value in load_data.instance_environment(folder, database_url).items()
        if key.startswith("SAFETECH_")
    }
    values["PER_PAGE"] = 20
    return values


def _timed(get: Callable[[], Any]) -> float:
    """Median milliseconds of REPEATS requests, after one warm-up."""
    get()
    samples = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        response = get()
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return statistics.median(samples)


def _plan(backend: str) -> str:
    import sqlalchemy as sa

    from catalog import services
    from registry.database import db

    statement = services.public_solutions().limit(20).offset(5000)
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    if backend == "sqlite":
        rows = db.session.execute(sa.text(f"EXPLAIN QUERY PLAN {compiled}")).all()
        return "; ".join(str(row[-1]) for row in rows)
    rows = db.session.execute(sa.text(f"EXPLAIN {compiled}")).all()
    return " / ".join(str(row[0]).strip() for row in rows[:6])


def _set_index(present: bool) -> None:
    import sqlalchemy as sa

    from registry.database import db

    if present:
        db.session.execute(
            sa.text(f"CREATE INDEX IF NOT EXISTS {INDEX} ON solution (status, name, id)")
        )
    else:
        db.session.execute(sa.text(f"DROP INDEX IF EXISTS {INDEX}"))
    db.session.commit()
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()


def _measure(backend: str, config: dict[str, Any]) -> None:
    from app import create_app
    from catalog.models import Solution, SolutionStatus
    from registry.database import db

    application = create_app(config)
    client = application.test_client()
    with application.app_context():
        published = db.session.query(Solution).filter_by(status=SolutionStatus.PUBLISHED).count()
        last = max(1, -(-published // 20))
        pages = (1, last // 2, last)
        print(f"## {backend}: {published} published solutions, pages {pages}")
        print("| index | page | /solutions ms | /api/v1/solutions ms |")
        print("|---|---|---|---|")
        plans = {}
        for present in (False, True):
            _set_index(present)
            plans[present] = _plan(backend)
            db.session.remove()
            for page in pages:
                html = _timed(partial(client.get, f"/solutions?page={page}"))
                api = _timed(partial(client.get, f"/api/v1/solutions?page={page}"))
                label = "with" if present else "without"
                print(f"| {label} | {page} | {html:.1f} | {api:.1f} |")
        for present, plan in plans.items():
            print(f"plan {'with' if present else 'without'} the index: {plan}")
        db.session.remove()
        db.engine.dispose()


@contextmanager
def _postgres(sqlite_file: Path) -> Iterator[str | None]:
    """A PostgreSQL copy of the SQLite data in a database of its own, dropped afterwards."""
    import sqlalchemy as sa

    from bench import load_data

    admin_url = os.environ.get(
        "BENCH_POSTGRES_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except sa.exc.OperationalError:
        print("## postgresql: not reachable, skipped")
        yield None
        return
    name = f"safetech_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        env = load_data.instance_environment(sqlite_file.parent, url)
        load_data.flask_cli(["db", "upgrade"], env)
        load_data.python_step(["copy", str(sqlite_file), url], env)
        yield url
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def run() -> None:
    """Build (or reuse) the load data, then time the list pages on both databases."""
    from bench import load_data

    source = load_data.template()
    with tempfile.TemporaryDirectory(prefix="safetech-list-") as temporary:
        folder = Path(temporary)
        load_data.instance_from(source, folder)
        sqlite_file = folder / "safetech.db"
        _measure("sqlite", _config(folder, f"sqlite:///{sqlite_file}"))
        with _postgres(sqlite_file) as url:
            if url is not None:
                _measure("postgresql", _config(folder, url))
