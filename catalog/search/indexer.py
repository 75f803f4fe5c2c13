"""The indexer: applies the search change log to this host's index copy, in order.

Each host keeps its own index folder and its own row in `search_indexer_state` (keyed by host
name and folder), so several hosts each follow the same log. Applying a change re-reads the
solution from the database, so applying one twice does no harm: an indexer killed between
committing the index and recording its progress simply re-applies that batch.

On PostgreSQL, ids are handed out before commit: change 7 can become visible after change 8.
The indexer therefore also re-applies changes from the last few seconds that it has not seen
yet (GRACE_SECONDS), which covers transactions that committed late.
"""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from whoosh.index import LockError

from catalog.label_facts import label_summaries
from catalog.models import Solution, SolutionStatus
from catalog.search import index
from catalog.search.models import IndexerState, SearchChange
from registry.backup.hooks import Check
from registry.database import db, utcnow
from registry.models import Organisation, OrganisationStatus
from registry.wording import counted

GRACE_SECONDS = 30
LOAD_BATCH = 500
REBUILD_MEMORY_MB = 1_024


class IndexBusy(Exception):
    """Another process holds the index writer (another indexer, or a rebuild)."""


def state_key(index_dir: str | None = None) -> str:
    """The progress row of this host's index copy: host name and folder."""
    path = index_dir or current_app.config["SEARCH_INDEX_DIR"]
    return f"{socket.gethostname()}:{Path(path).resolve()}"[:300]


def _public_solutions() -> Any:
    return (
        select(Solution)
        .join(Organisation, Solution.vendor_id == Organisation.id)
        .where(
            Solution.status == SolutionStatus.PUBLISHED,
            Organisation.status == OrganisationStatus.ACTIVE,
        )
        .options(
            selectinload(Solution.vendor),
            selectinload(Solution.primary_category),
            selectinload(Solution.activities),
            selectinload(Solution.standards),
            selectinload(Solution.regions),
        )
    )


def documents_for(solution_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Index documents of those solutions that are public (the others are absent)."""
    wanted = sorted(set(solution_ids))
    documents: dict[int, dict[str, Any]] = {}
    for start in range(0, len(wanted), LOAD_BATCH):
        chunk = wanted[start : start + LOAD_BATCH]
        solutions = db.session.scalars(_public_solutions().where(Solution.id.in_(chunk))).all()
        facts = label_summaries([s.id for s in solutions])
        for solution in solutions:
            documents[solution.id] = index.solution_document(solution, facts[solution.id])
    return documents


def all_documents() -> Iterator[dict[str, Any]]:
    """Every public solution's document, in id order, a batch at a time."""
    last_id = 0
    while True:
        solutions = db.session.scalars(
            _public_solutions().where(Solution.id > last_id).order_by(Solution.id).limit(LOAD_BATCH)
        ).all()
        if not solutions:
            return
        facts = label_summaries([s.id for s in solutions])
        for solution in solutions:
            yield index.solution_document(solution, facts[solution.id])
        last_id = solutions[-1].id
        for solution in solutions:  # keep memory flat on large catalogs
            db.session.expunge(solution)


def _progress(key: str) -> IndexerState:
    state = db.session.get(IndexerState, key)
    if state is None:
        state = IndexerState(key=key, last_change_id=0, updated_at=utcnow())
        db.session.add(state)
        db.session.flush()
    return state


def last_applied(index_dir: str | None = None) -> int:
    """The id of the last change this index copy has applied (0 when none)."""
    state = db.session.get(IndexerState, state_key(index_dir))
    return state.last_change_id if state else 0


def _record(key: str, change_id: int, exact: bool = False) -> None:
    state = _progress(key)
    # A rebuild sets progress back to what it read, so changes made meanwhile are re-applied.
    state.last_change_id = change_id if exact else max(state.last_change_id, change_id)
    state.updated_at = utcnow()
    db.session.commit()


@dataclass
class Indexer:
    """Applies pending changes to one index folder; keep one per process and reuse it."""

    index_dir: str
    lock_timeout: float = 5.0
    seen_recent: set[int] = field(default_factory=set)

    def apply_pending(self, batch: int = 500) -> int:
        """Apply up to `batch` unapplied changes in order; returns how many were new."""
        key = state_key(self.index_dir)
        after = last_applied(self.index_dir)
        changes = db.session.scalars(
            select(SearchChange)
            .where(SearchChange.id > after)
            .order_by(SearchChange.id)
            .limit(batch)
        ).all()
        cutoff = utcnow() - dt.timedelta(seconds=GRACE_SECONDS)
        late = db.session.scalars(
            select(SearchChange).where(
                SearchChange.id <= after,
                SearchChange.id > after - 10_000,
                SearchChange.created_at >= cutoff,
            )
        ).all()
        late = [change for change in late if change.id not in self.seen_recent]
        if not changes and not late:
            db.session.rollback()
            return 0
        ix = index.open_or_create_index(self.index_dir)
        if not index.has_current_schema(ix):
            # An index written by an earlier release lacks a field this one writes: rebuild it
            # whole (every pending change is in it, and progress is recorded by the rebuild).
            db.session.rollback()
            return rebuild(self.index_dir) or 1
        solution_ids = {change.solution_id for change in [*changes, *late]}
        documents = documents_for(solution_ids)
        try:
            writer = ix.writer(timeout=self.lock_timeout)
        except LockError as error:
            db.session.rollback()
            raise IndexBusy("another process is writing the search index") from error
        try:
            for solution_id in sorted(solution_ids):
                if solution_id in documents:
                    index.index_solution(writer, documents[solution_id])
                else:
                    index.remove_solution(writer, solution_id)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        # Progress only after the index is safely on disk.
        self.seen_recent.update(change.id for change in [*changes, *late])
        if changes:
            _record(key, changes[-1].id)
        else:
            db.session.rollback()
        self.seen_recent = {i for i in self.seen_recent if i > after - 10_000}
        return len(changes)

    def follow(self, interval: float = 0.5, stop: Any = None) -> None:
        """Apply changes as they come until `stop()` says so (or forever)."""
        while stop is None or not stop():
            try:
                applied = self.apply_pending()
            except IndexBusy:
                applied = 0
            if not applied:
                time.sleep(interval)


def apply_pending(batch: int = 500, index_dir: str | None = None) -> int:
    """Apply pending changes to the configured index (a one-off indexer)."""
    path = index_dir or current_app.config["SEARCH_INDEX_DIR"]
    return Indexer(path).apply_pending(batch)


def rebuild(index_dir: str | None = None) -> int:
    """Rebuild the index from the database into a fresh folder, then swap it in.

    Progress is set to the newest change id read *before* the solutions, so a change made
    during the rebuild is applied again afterwards rather than lost.
    """
    path = Path(index_dir or current_app.config["SEARCH_INDEX_DIR"]).resolve()
    newest = db.session.scalar(select(func.max(SearchChange.id))) or 0
    fresh = path.with_name(f"{path.name}.new-{uuid.uuid4().hex[:8]}")
    ix = index.create_index(fresh)
    # Postings are sorted in memory up to this size, then spill to temporary files: keeping
    # 10 000 solutions in memory (about 500 MB) halves the build time.
    writer = ix.writer(limitmb=REBUILD_MEMORY_MB)
    count = 0
    try:
        for document in all_documents():
            writer.add_document(**document)
            count += 1
    except BaseException:
        writer.cancel()
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    writer.commit(optimize=True)
    old = path.with_name(f"{path.name}.old-{uuid.uuid4().hex[:8]}")
    if path.exists():
        path.rename(old)
    fresh.rename(path)
    shutil.rmtree(old, ignore_errors=True)
    _record(state_key(str(path)), newest, exact=True)
    return count


@dataclass
class Difference:
    """One way the index and the database disagree about a solution."""

    solution_id: int
    problem: str  # "missing from the index", "should not be in the index", "out of date"


def check(index_dir: str | None = None) -> list[Difference]:
    """Compare the index with the database (the source of truth)."""
    indexed = index.indexed_documents(index_dir)
    expected = {document["id"]: document["digest"] for document in all_documents()}
    differences = []
    for solution_id in sorted(set(indexed) | {int(i) for i in expected}):
        want = expected.get(str(solution_id))
        have = indexed.get(solution_id)
        if have is None:
            differences.append(Difference(solution_id, "missing from the index"))
        elif want is None:
            differences.append(Difference(solution_id, "should not be in the index"))
        elif want != have:
            differences.append(Difference(solution_id, "out of date"))
    return differences


def rebuild_after_restore(manifest: dict[str, Any]) -> Check:
    """After a restore: rebuild the search index from the database and check it matches."""
    count = rebuild()
    differences = check()
    return Check(
        "search index",
        not differences,
        f"rebuilt with {counted(count, 'solution')}; matches the database"
        if not differences
        else f"{counted(len(differences), 'difference')} after the rebuild",
    )
