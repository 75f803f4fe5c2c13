"""The SQLAlchemy base, the shared column types, the connection settings for each database, and
work queued to run once the current transaction commits (``after_commit``)."""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Final

from flask import has_request_context
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import DateTime, Integer, MetaData, Select, String, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column
from sqlalchemy.orm import registry as orm_registry
from sqlalchemy.types import TypeDecorator

from registry import arguments

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """Return the current time in UTC, timezone-aware."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always read back timezone-aware, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        """Refuse a naive datetime; store an aware one in UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use registry.database.utcnow()")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        """Read a timestamp back as an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base with a constraint naming convention, so migrations stay stable."""

    registry = orm_registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={dt.datetime: UTCDateTime()},
    )


class RegistrySQLAlchemy(SQLAlchemy):
    """Flask-SQLAlchemy whose `paginate` reads `page` and `per_page` through registry.arguments.

    Its own reading takes any integer, and an offset past 64 bits is a database error.
    """

    def paginate(
        self,
        select: Select[Any],
        *,
        page: int | None = None,
        per_page: int | None = None,
        max_per_page: int | None = None,
        error_out: bool = True,
        count: bool = True,
    ) -> Pagination:
        """One page of `select`; the page number and size from the request unless given."""
        if has_request_context():
            if page is None:
                page = arguments.page_argument("page")
            if per_page is None:
                per_page = arguments.page_argument("per_page", 20, max_per_page or 100)
        return super().paginate(
            select,
            page=page,
            per_page=per_page,
            max_per_page=max_per_page,
            error_out=error_out,
            count=count,
        )


db = RegistrySQLAlchemy(model_class=Base, engine_options={"pool_pre_ping": True})

int_pk = Annotated[int, mapped_column(Integer, primary_key=True)]
str40 = Annotated[str, mapped_column(String(40))]
str200 = Annotated[str, mapped_column(String(200))]
created_at = Annotated[dt.datetime, mapped_column(UTCDateTime(), default=utcnow)]

# SQLite: "BEGIN IMMEDIATE" for transactions that may write, so a read never has to be
# upgraded to a write lock (which fails at once with "database is locked", whatever the
# busy timeout). Read-only requests set this to "DEFERRED" and run concurrently.
sqlite_begin_mode: contextvars.ContextVar[str] = contextvars.ContextVar(
    "sqlite_begin_mode", default="IMMEDIATE"
)


@contextmanager
def sqlite_begin(mode: str) -> Iterator[None]:
    """Use BEGIN `mode` for SQLite transactions started inside the block."""
    token = sqlite_begin_mode.set(mode)
    try:
        yield
    finally:
        sqlite_begin_mode.reset(token)


def configure_sqlite_engine(engine: Engine, busy_timeout_ms: int) -> None:
    """Turn on WAL, foreign keys and a busy timeout, and take over transaction control."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own handling is lazy).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = sqlite_begin_mode.get()
        connection.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN")


def normalise_database_url(url: str) -> str:
    """Map the common `postgres://` and `postgresql://` forms onto the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


_AFTER_COMMIT: Final = "after_commit_callbacks"


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback()`` once the current transaction of ``db.session`` commits.

    A rollback drops it. Callbacks run in the order they were queued, after the commit: what
    they do (send mail, touch files) can no longer undo the change, so they handle their own
    errors.
    """
    db.session().info.setdefault(_AFTER_COMMIT, []).append(callback)


def _run_after_commit(session: Session) -> None:
    for callback in session.info.pop(_AFTER_COMMIT, []):
        callback()


def _drop_after_rollback(session: Session, previous_transaction: Any) -> None:
    session.info.pop(_AFTER_COMMIT, None)


def install_after_commit() -> None:
    """Listen to every session's commits and rollbacks for ``after_commit`` (once a process)."""
    if not event.contains(Session, "after_commit", _run_after_commit):
        event.listen(Session, "after_commit", _run_after_commit)
        event.listen(Session, "after_soft_rollback", _drop_after_rollback)
