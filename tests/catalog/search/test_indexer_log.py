"""The change log and the indexer: edits become searchable, order, resume, one writer."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from whoosh import index as whoosh_index

from catalog import services
from catalog.models import Solution
from catalog.search import index, indexer, readers
from catalog.search.models import SearchChange
from catalog.search.query import query
from registry.database import db
from registry.models import OrganisationKind, User
from tests.catalog import solution_builders


@pytest.fixture
def vendor(create_user: Callable[..., User]) -> User:
    """A vendor."""
    return create_user(kind=OrganisationKind.VENDOR)


def _found(text: str) -> list[int]:
    return query(text, {}).ids


def test_changes_are_logged_in_the_same_transaction(app: Flask, vendor: User) -> None:
    """Publish, edit and archive each log a change; a rolled-back edit logs nothing."""
    solution = solution_builders.published(vendor, name="Harbour Watch")
    services.update_solution(vendor, solution, solution_builders.complete_data(name="Quay Watch"))
    db.session.rollback()
    reasons = db.session.scalars(select(SearchChange.reason).order_by(SearchChange.id)).all()
    assert reasons == ["solution.published"]
    services.archive_solution(vendor, solution)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(SearchChange)) == 2


def test_edit_then_archive(app: Flask, vendor: User) -> None:
    """An edit is found after the indexer runs; an archived solution is gone."""
    solution = solution_builders.published(vendor, name="Albatross Watch")
    assert indexer.apply_pending() == 1
    assert _found("albatross") == [solution.id]
    services.update_solution(vendor, solution, solution_builders.complete_data(name="Quay Watch"))
    db.session.commit()
    assert _found("quay") == []  # not applied yet: readers see the last committed index
    indexer.apply_pending()
    assert _found("quay") == [solution.id]
    assert _found("albatross") == []
    services.archive_solution(vendor, solution)
    db.session.commit()
    indexer.apply_pending()
    assert _found("quay") == []
    assert indexer.apply_pending() == 0


def test_resumes_after_being_killed(app: Flask, vendor: User) -> None:
    """Progress is recorded only after the index commit; re-applying is harmless."""
    first = solution_builders.published(vendor, name="Alpha Watch")
    second = solution_builders.published(vendor, name="Bravo Watch")
    assert indexer.apply_pending(batch=1) == 1
    assert indexer.last_applied() == db.session.scalar(select(func.min(SearchChange.id)))
    assert _found("watch") == [first.id]
    # A crash between the index commit and recording progress: the batch comes again.
    worker = indexer.Indexer(app.config["SEARCH_INDEX_DIR"])
    assert worker.apply_pending() == 1
    assert sorted(_found("watch")) == [first.id, second.id]
    assert indexer.check() == []


def test_only_one_writer(app: Flask, vendor: User) -> None:
    """A second indexer waits for the writer lock, then gives up with IndexBusy."""
    solution_builders.published(vendor, name="Harbour Watch")
    ix = index.open_or_create_index(app.config["SEARCH_INDEX_DIR"])
    writer = ix.writer()
    try:
        with pytest.raises(indexer.IndexBusy):
            indexer.Indexer(app.config["SEARCH_INDEX_DIR"], lock_timeout=0.2).apply_pending()
    finally:
        writer.cancel()
    assert indexer.last_applied() == 0  # nothing recorded: the change is still pending
    assert indexer.apply_pending() == 1


def test_rebuild_restores_identical_results(app: Flask, vendor: User) -> None:
    """Deleting the index folder and rebuilding gives the same results and facet counts."""
    for name in ("Harbour Watch", "Quay Sensor", "Citizen Alert"):
        solution_builders.published(vendor, name=name)
    solution_builders.draft(vendor, name="Draft Watch")
    indexer.apply_pending()
    before = query("watch", {}), query("", {"category": ["video-analysis"]})
    shutil.rmtree(app.config["SEARCH_INDEX_DIR"])
    readers.forget_readers()
    assert query("watch", {}).total == 0
    assert indexer.rebuild() == 3
    after = query("watch", {}), query("", {"category": ["video-analysis"]})
    for old, new in zip(before, after, strict=True):
        assert (old.ids, old.total, old.facets) == (new.ids, new.total, new.facets)
    assert indexer.last_applied() == db.session.scalar(select(func.max(SearchChange.id)))


def test_an_index_of_an_earlier_release_is_rebuilt(app: Flask, vendor: User) -> None:
    """An index written before a field was added is rebuilt whole by the next indexer run."""
    first = solution_builders.published(vendor, name="Harbour Watch")
    indexer.apply_pending()
    folder = app.config["SEARCH_INDEX_DIR"]
    shutil.rmtree(folder)
    readers.forget_readers()
    # The schema of the earlier release: the same fields but the newest one.
    older = index.SCHEMA.copy()
    older.remove("version")
    Path(folder).mkdir(parents=True)
    whoosh_index.create_in(folder, older)
    second = solution_builders.published(vendor, name="Quay Watch")
    assert indexer.apply_pending() == 2
    assert index.has_current_schema(whoosh_index.open_dir(folder))
    assert sorted(_found("watch")) == sorted([first.id, second.id])
    assert indexer.apply_pending() == 0
    assert indexer.check() == []


def test_cli_index_rebuild_and_check(app: Flask, runner: FlaskCliRunner, vendor: User) -> None:
    """`search index` applies, `search check` is clean, then lists a direct database change."""
    solution = solution_builders.published(vendor, name="Harbour Watch")
    assert "Applied 1 change;" in runner.invoke(args=["search", "index"]).output
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 0, result.output
    # The CLI's app context closed the session: read the row again, then change it behind
    # the services' back (no change logged).
    changed = db.session.get(Solution, solution.id)
    assert changed is not None
    changed.name = "Renamed Behind The Log"
    db.session.commit()
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1, result.output
    assert f"solution {solution.id}: out of date" in result.output
    assert "Indexed 1 solution in" in runner.invoke(args=["search", "rebuild"]).output
    assert runner.invoke(args=["search", "check"]).exit_code == 0
    assert Path(app.config["SEARCH_INDEX_DIR"]).is_dir()
