"""Publish with the change: a commit that changes a procurement record stores the releases it
makes due, in the same transaction, so the open-data endpoints only read.

Decided here:

- A flush that adds, changes or deletes a row of a procurement model (other than a published
  release) records the public processes the row belongs to (``processes.Touched``): a call, a
  lot, a need, an aggregation round. Before the commit, the releases of those processes only are
  built (a lot's, a need's or a round's calls with them) and those new or changed are captured
  (``releases.capture``), with the change they follow. A row whose process cannot be told, or of
  a model listed in ``processes.AFFECTS_ALL``, rebuilds every public process, as
  ``flask procurement publish`` does.
- The capture runs in a savepoint: if a concurrent commit stored the same release first, or the
  capture fails in the database, this one gives way and the change still commits (``flask
  procurement publish`` catches up).
- What becomes due only as time passes (a deadline) is stored by ``flask procurement publish``,
  run on a schedule: a commit touching one call does not store it for another call.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from procurement.ocds.packages import due_builds, due_builds_of
from procurement.publication.models import PublishedRelease
from procurement.publication.processes import Touched, touched_calls
from procurement.publication.releases import capture
from registry.database import db, utcnow

_TOUCHED = "procurement_touched"


def _is_procurement(instance: object) -> bool:
    return not isinstance(instance, PublishedRelease) and type(instance).__module__.startswith(
        "procurement."
    )


def touched_in(session: Session) -> Touched:
    """The processes this session's transaction has changed so far (recorded at each flush)."""
    touched = session.info.get(_TOUCHED)
    if touched is None:
        touched = session.info[_TOUCHED] = Touched()
    return touched


def _mark(session: Session, _context: Any) -> None:
    changed = [
        instance
        for instance in (*session.new, *session.dirty, *session.deleted)
        if _is_procurement(instance)
    ]
    if changed:
        touched = touched_in(session)
        for instance in changed:
            touched.add(instance)


def _builds(touched: Touched, now: dt.datetime) -> list[list[dict[str, Any]]]:
    if touched.everything:
        return due_builds(now)
    return due_builds_of(now, touched.needs, touched_calls(touched))


def _publish_due(session: Session) -> None:
    if not has_app_context() or session is not db.session():
        return
    session.flush()
    touched = session.info.pop(_TOUCHED, None)
    if not touched:
        return
    # Read back what was written (a value as stored, e.g. 0.00, not as assigned, 0).
    session.expire_all()
    now = utcnow()
    try:
        with session.begin_nested():
            for built in _builds(touched, now):
                capture(built, now)
    except IntegrityError:
        pass
    except SQLAlchemyError:
        # The change itself still commits; the publish command publishes what this missed.
        current_app.logger.exception("Releases not published with this change")


def _forget(session: Session, _previous: Any) -> None:
    session.info.pop(_TOUCHED, None)


def install_publication_on_commit() -> None:
    """Listen to every session's flushes and commits (once a process)."""
    if not event.contains(Session, "before_commit", _publish_due):
        event.listen(Session, "after_flush", _mark)
        event.listen(Session, "before_commit", _publish_due)
        event.listen(Session, "after_soft_rollback", _forget)
