"""Capture the releases of a process when they change, and read back what was published."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from procurement.ocds.formats import parse_stamp, stamp
from procurement.publication.models import PublishedRelease
from registry.database import db, sqlite_begin, utcnow


def release_text(release: dict[str, Any]) -> str:
    """The JSON text a release is stored and hashed as (keys sorted, UTF-8, no spaces)."""
    return json.dumps(release, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _content_hash(release: dict[str, Any]) -> str:
    content = {key: value for key, value in release.items() if key not in ("id", "date")}
    return _sha256(release_text(content))


def _stored(ocid: str) -> list[PublishedRelease]:
    return list(
        db.session.scalars(
            select(PublishedRelease)
            .where(PublishedRelease.ocid == ocid)
            .order_by(PublishedRelease.id)
        )
    )


def _later_than(moment: dt.datetime, previous: dt.datetime | None) -> dt.datetime:
    """The moment to the second, or one second after the ocid's last release if not later."""
    moment = moment.replace(microsecond=0)
    if previous is not None and moment <= previous:
        return previous + dt.timedelta(seconds=1)
    return moment


def capture(built: Iterable[dict[str, Any]], now: dt.datetime | None = None) -> int:
    """Store each built release of one ocid that is new or differs from its last version.

    Returns how many releases were stored (none when nothing changed: capturing is idempotent).
    The caller commits.
    """
    now = now or utcnow()
    count = 0
    latest: dict[str, PublishedRelease] = {}
    last_date: dt.datetime | None = None
    ocid: str | None = None
    for release in built:
        if ocid is None:
            ocid = release["ocid"]
            for row in _stored(ocid):
                latest[row.base_id] = row
                last_date = row.date if last_date is None else max(last_date, row.date)
        base_id = release["id"]
        content = _content_hash(release)
        previous = latest.get(base_id)
        if previous is not None and previous.content_sha256 == content:
            continue
        if previous is None:
            version, release_id = 1, base_id
            date = _later_than(parse_stamp(release["date"]), last_date)
        else:
            version = previous.version + 1
            release_id = f"{base_id}-v{version}"
            date = _later_than(now, last_date)
        stored = {**release, "id": release_id, "date": stamp(date)}
        text = release_text(stored)
        row = PublishedRelease(
            ocid=release["ocid"],
            release_id=release_id,
            base_id=base_id,
            version=version,
            date=date,
            tags=" ".join(release["tag"]),
            body=text,
            sha256=_sha256(text),
            content_sha256=content,
        )
        db.session.add(row)
        latest[base_id] = row
        last_date = date
        count += 1
    if count:
        db.session.flush()
    return count


def capture_committed(
    builds: Iterable[list[dict[str, Any]]], now: dt.datetime | None = None
) -> int:
    """Capture several processes' releases in a transaction of its own, committed.

    Used where a request only reads (the open-data endpoints): the read transaction is closed
    first and the capture takes the write lock at once. A capture racing another one for the
    same release gives way (the other one stored it).
    """
    db.session.commit()
    with sqlite_begin("IMMEDIATE"):
        try:
            count = sum(capture(built, now) for built in builds)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            count = 0
    return count


def stored_releases(ocid: str) -> list[dict[str, Any]]:
    """The releases published under one ocid, in the order they were published."""
    return [json.loads(row.body) for row in _stored(ocid)]


def count_stored() -> int:
    """How many releases are published in all."""
    return db.session.scalar(select(func.count()).select_from(PublishedRelease)) or 0


def stored_page(offset: int, limit: int) -> list[dict[str, Any]]:
    """Published releases in the order they were published, from `offset`, at most `limit`."""
    rows = db.session.scalars(
        select(PublishedRelease).order_by(PublishedRelease.id).offset(offset).limit(limit)
    )
    return [json.loads(row.body) for row in rows]


def published_ocids(ocids: list[str]) -> set[str]:
    """Those of the ocids that have a release published."""
    if not ocids:
        return set()
    return set(
        db.session.scalars(
            select(PublishedRelease.ocid).where(PublishedRelease.ocid.in_(ocids)).distinct()
        )
    )
