"""The audit log is append-only, hash-chained, and its verification names the first bad entry."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from registry import audit
from registry.database import db
from registry.models import AuditEntry, User


def _write_entries(count: int) -> list[AuditEntry]:
    entries = [
        audit.record(
            None,
            "test.event",
            object_type="thing",
            object_id=i,
            summary=f"event {i}",
            data={"n": i, "text": "<script>x</script>"},
        )
        for i in range(1, count + 1)
    ]
    db.session.commit()
    return entries


@pytest.fixture
def drop_triggers(app: Flask) -> Iterator[Callable[[], None]]:
    """Let a test tamper with history as an intruder with database access would."""
    postgresql = db.engine.dialect.name == "postgresql"

    def drop() -> None:
        if postgresql:
            db.session.execute(text("DROP TRIGGER audit_entry_no_update_delete ON audit_entry"))
        else:
            db.session.execute(text("DROP TRIGGER audit_entry_no_update"))
            db.session.execute(text("DROP TRIGGER audit_entry_no_delete"))
        db.session.commit()

    yield drop
    if postgresql:  # the PostgreSQL test database outlives this test: put the trigger back
        db.session.rollback()
        db.session.execute(
            text(
                "CREATE OR REPLACE TRIGGER audit_entry_no_update_delete BEFORE UPDATE OR DELETE "
                "ON audit_entry FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()"
            )
        )
        db.session.commit()


def test_entries_form_a_chain(app: Flask) -> None:
    entries = _write_entries(3)
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == audit.GENESIS_HASH
    assert entries[1].prev_hash == entries[0].hash
    assert entries[2].prev_hash == entries[1].hash
    report = audit.verify_chain()
    assert report.ok
    assert report.checked == 3


def test_an_entry_is_written_in_the_same_transaction_as_the_change(
    app: Flask, create_user: Callable[..., User]
) -> None:
    user = create_user()
    user.full_name = "Changed"
    audit.record(user, "user.renamed", user)
    db.session.rollback()
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.renamed")) is None


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entry SET summary = 'rewritten' WHERE seq = 2",
        "DELETE FROM audit_entry WHERE seq = 2",
    ],
)
def test_the_database_refuses_to_change_history(app: Flask, statement: str) -> None:
    _write_entries(3)
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text(statement))
    db.session.rollback()
    assert audit.verify_chain().ok


def test_postgresql_refuses_truncate(app: Flask) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    _write_entries(1)
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text("TRUNCATE audit_entry"))
    db.session.rollback()


def test_tampering_is_reported_with_its_position(
    app: Flask, runner: FlaskCliRunner, drop_triggers: Callable[[], None]
) -> None:
    _write_entries(5)
    drop_triggers()
    db.session.execute(text("UPDATE audit_entry SET summary = 'nothing happened' WHERE seq = 3"))
    db.session.commit()

    report = audit.verify_chain()
    assert not report.ok
    assert report.first_bad_seq == 3
    assert report.checked == 2

    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "BROKEN at entry #3" in result.output
    assert "does not match its hash" in result.output


def test_a_deleted_entry_is_reported(
    app: Flask, runner: FlaskCliRunner, drop_triggers: Callable[[], None]
) -> None:
    _write_entries(4)
    drop_triggers()
    db.session.execute(text("DELETE FROM audit_entry WHERE seq = 2"))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "entry #2 is missing" in result.output


def test_rehashed_tampering_still_breaks_the_next_link(
    app: Flask, drop_triggers: Callable[[], None]
) -> None:
    entries = _write_entries(4)
    drop_triggers()
    target = entries[1]
    forged = audit.hashed_fields(target) | {"summary": "forged"}
    new_hash = audit.entry_hash(forged, target.prev_hash)
    db.session.execute(
        text("UPDATE audit_entry SET summary = 'forged', hash = :h WHERE seq = 2"), {"h": new_hash}
    )
    db.session.commit()
    report = audit.verify_chain()
    assert report.first_bad_seq == 3
    assert "previous-hash" in report.problem


def test_verify_passes_on_an_intact_chain(app: Flask, runner: FlaskCliRunner) -> None:
    _write_entries(2)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "intact: 2 entries" in result.output
