"""Label numbers (STR-YYYY-NNNNN) from a counter row: unique, sequential, no gaps, no MAX()+1."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from evaluations.models import LabelCounter
from registry.database import db

PREFIX = "STR"


def format_label_number(year: int, sequence: int) -> str:
    """The printed form of a label number, e.g. STR-2026-00042."""
    return f"{PREFIX}-{year:04d}-{sequence:05d}"


def next_label_sequence(year: int) -> int:
    """Take the next number of `year` inside the current transaction.

    The counter row is incremented with UPDATE … RETURNING, which locks it until the
    transaction ends (PostgreSQL row lock; SQLite's single writer), so concurrent issuers
    queue behind each other and a rolled-back issue gives its number back.
    """
    bind = db.session.get_bind()
    insert = postgresql_insert if bind.dialect.name == "postgresql" else sqlite_insert
    db.session.execute(
        insert(LabelCounter).values(year=year, last_value=0).on_conflict_do_nothing()
    )
    value = db.session.execute(
        update(LabelCounter)
        .where(LabelCounter.year == year)
        .values(last_value=LabelCounter.last_value + 1)
        .returning(LabelCounter.last_value)
    ).scalar_one()
    return int(value)
