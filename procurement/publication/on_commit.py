"""Publish with the change: a commit that changes a procurement record stores the releases it
makes due, in the same transaction, so the open-data endpoints only read.

Decided here:

- A flush that adds, changes or deletes a row of a procurement model (other than a published
  release) marks the session; before the commit, the releases of every public process are built
  and those new or changed are captured (``releases.capture``), with the change they follow.
- The capture runs in a savepoint: if a concurrent commit stored the same release first, or the
  capture fails in the database, this one gives way and the change still commits (``flask
  procurement publish`` catches up).
- What becomes due only as time passes (a deadline) is stored by ``flask procurement publish``,
  run on a schedule.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from procurement.ocds.packages import due_builds
from procurement.publication.models import PublishedRelease
from procurement.publication.releases import capture
from registry.database import db, utcnow

_CHANGED = "procurement_changed"


def _is_procurement(instance: object) -> bool:
    return not isinstance(instance, PublishedRelease) and type(instance).__module__.startswith(
        "procurement."
    )


def _mark(session: Session, _context: Any) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(_is_procurement(instance) for instance in changed):
        session.info[_CHANGED] = True


def _publish_due(session: Session) -> None:
    if not has_app_context() or session is not db.session():
        return
    session.flush()
    if not session.info.pop(_CHANGED, False):
        return
    # Read back what was written (a value as stored, e.g. 0.00, not as assigned, 0).
    session.expire_all()
    now = utcnow()
    try:
        with session.begin_nested():
            for built in due_builds(now):
                capture(built, now)
    except IntegrityError:
        pass
    except SQLAlchemyError:
        # The change itself still commits; the publish command publishes what this missed.
        current_app.logger.exception("Releases not published with this change")


def _forget(session: Session, _previous: Any) -> None:
    session.info.pop(_CHANGED, None)


def install_publication_on_commit() -> None:
    """Listen to every session's flushes and commits (once a process)."""
    if not event.contains(Session, "before_commit", _publish_due):
        event.listen(Session, "after_flush", _mark)
        event.listen(Session, "before_commit", _publish_due)
        event.listen(Session, "after_soft_rollback", _forget)
