"""Upgrading a database that holds data: every migration since the previous release runs on
tables that all have rows, with foreign keys enforced, as a deployed registry's do.

An empty database hides a whole class of failures: on SQLite, an operation that copies a table
(a batch alteration) cannot drop the original while other rows refer to it, and a NOT NULL
column without a default cannot be added to a table with rows. So the database is built at the
previous release's revision, one row is put in every table (each row's references point at row
1 of the referred table), and the upgrade to the newest revision must pass and fill what it
promises to fill.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from registry.database import db
from tests.conftest import BACKEND

# The head revision of the previous release.
PREVIOUS_RELEASE = "a3b4c5d6e7f8"

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="builds its own SQLite database")


def _value(column: sa.Column[Any]) -> Any:
    """A plain value of the column's type (references and keys are 1)."""
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer | sa.Numeric | sa.Float):
        return 1
    if isinstance(kind, sa.DateTime):
        return dt.datetime(2026, 1, 1, 10, 0)
    if isinstance(kind, sa.Date):
        return dt.date(2026, 1, 1)
    if isinstance(kind, sa.LargeBinary):
        return b"x"
    # A draft norm version takes levels and criteria (a published one refuses them by trigger).
    return "draft" if column.name == "status" else "x"


def _fill(engine: sa.Engine) -> list[str]:
    """One row in every table, references to row 1; returns the table names."""
    metadata = sa.MetaData()
    metadata.reflect(engine)
    tables = [table for table in metadata.sorted_tables if table.name != "alembic_version"]
    with engine.begin() as connection:
        # Rows are put in dependency order but cycles exist: check references once all are in.
        connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
        for table in tables:
            if connection.execute(sa.select(sa.func.count()).select_from(table)).scalar():
                continue  # reference data a migration put in (activities, categories)
            row = {
                column.name: _value(column)
                for column in table.columns
                if column.primary_key or not column.nullable or column.foreign_keys
            }
            connection.execute(table.insert().values(**row))
        problems = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
        connection.exec_driver_sql("PRAGMA foreign_keys = ON")
    assert problems == [], problems
    return [table.name for table in tables]


def test_the_upgrade_runs_on_tables_that_hold_rows(
    app_config: dict[str, Any], tmp_path: Path
) -> None:
    app = create_app({**app_config, "DATABASE_URL": f"sqlite:///{tmp_path / 'deployed.db'}"})
    with app.app_context():
        upgrade(revision=PREVIOUS_RELEASE)
        filled = _fill(db.engine)
        assert {"label", "evaluation", "offer", "joint_call", "need"} <= set(filled)
        upgrade()
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            facts, revision = connection.execute(
                sa.text("SELECT certified_facts, facts_revision FROM label")
            ).one()
            version = connection.execute(
                sa.text("SELECT product_version_id FROM evaluation")
            ).scalar()
            required = connection.execute(
                sa.text("SELECT requires_version_in_scope FROM joint_call")
            ).scalar()
            category = connection.execute(
                sa.text("SELECT code, name FROM technology_category WHERE id = 1")
            ).one()
        db.engine.dispose()
    # A label issued before this release is frozen with the facts of its solution as they were.
    frozen = json.loads(facts)
    assert frozen["name"] == "x"
    assert frozen["vendor"] == "x"
    assert frozen["category"] == {"code": category.code, "title": category.name}
    assert revision == 1
    # Its evaluation named no version, and existing calls keep their rules.
    assert version is None
    assert required in (0, False)
