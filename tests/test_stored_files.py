"""`flask --app app files check` and `files sweep`: files no row names (a worker killed between
storing a file and committing its row) are listed, then removed once past the grace period;
files that rows name are never touched."""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from evaluations.models import Evidence
from evaluations.services.application import attach_evidence
from registry import audit, uploads
from registry.backup.hooks import file_tables
from registry.database import db
from registry.models import AuditEntry, User
from tests.evaluations.evaluation_builders import PDF, draft, make_cast


def test_unnamed_files_are_listed_then_swept_after_the_grace_period(
    app: Flask, runner: FlaskCliRunner, create_user: Callable[..., User]
) -> None:
    cast = make_cast(create_user)
    evaluation = draft(cast)
    kept = db.session.scalars(select(Evidence.stored_name)).all()
    assert kept
    assert runner.invoke(args=["files", "check"]).output == "Every stored file is named by a row.\n"

    # The file is stored, then the transaction never commits (as when the worker is killed).
    lost = attach_evidence(cast.vendor, evaluation, "lost.pdf", io.BytesIO(PDF))
    lost_name = lost.stored_name
    db.session.rollback()
    lost_path = uploads.path_of(lost_name)
    assert lost_path.is_file()

    listing = runner.invoke(args=["files", "check"])
    assert listing.exit_code == 0, listing.output
    assert "1 stored file no row names:" in listing.output
    assert f"evidence/{lost_name}" in listing.output

    # Young: its request might still be on its way to its commit, so it stays.
    young = runner.invoke(args=["files", "sweep"])
    assert young.exit_code == 0, young.output
    assert "Removed 0 stored files" in young.output and lost_path.is_file()

    two_hours_ago = time.time() - 7200
    os.utime(lost_path, (two_hours_ago, two_hours_ago))
    for name in kept:  # old files that rows name are never touched
        os.utime(uploads.path_of(name), (two_hours_ago, two_hours_ago))
    swept = runner.invoke(args=["files", "sweep"])
    assert swept.exit_code == 0, swept.output
    assert f"evidence/{lost_name}" in swept.output and "Removed 1 stored file " in swept.output
    assert not lost_path.exists()
    assert all(uploads.path_of(name).is_file() for name in kept)
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry is not None and entry.action == "files.sweep"
    assert audit.verify_chain().ok
    assert runner.invoke(args=["files", "check"]).output == "Every stored file is named by a row.\n"


def _with_stored_files(cls: type) -> list[type]:
    found: list[type] = []
    subclasses: list[type] = cls.__subclasses__()
    for sub in subclasses:
        found += [sub, *_with_stored_files(sub)]
    return found


def test_every_table_naming_stored_files_is_known_to_the_sweep_and_the_backup(app: Flask) -> None:
    """A table the sweep does not know would have its files swept as named by no row, and a
    restore would not check them."""
    tables = {
        str(vars(cls)["__tablename__"]) for cls in _with_stored_files(uploads.StoredFileMixin)
    }
    assert {"evidence", "call_document", "winner_evidence_document"} <= tables
    assert tables <= set(file_tables())
