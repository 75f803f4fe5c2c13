"""The releases published, one row each, append-only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from registry.database import Base, created_at, int_pk


class PublishedRelease(Base):
    """One OCDS release as it was published: its JSON text and the SHA-256 of that text."""

    __tablename__ = "published_release"

    id: Mapped[int_pk]
    ocid: Mapped[str] = mapped_column(String(200), index=True)
    # The release's id in OCDS: the builder's id for a first version, "<id>-v<n>" after.
    release_id: Mapped[str] = mapped_column(String(240), unique=True)
    # The builder's id: the versions of one release share it.
    base_id: Mapped[str] = mapped_column(String(240), index=True)
    version: Mapped[int] = mapped_column(Integer)
    date: Mapped[dt.datetime]
    # The release's tags, space-separated (e.g. "tenderUpdate award").
    tags: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    # The SHA-256 of the content without its id and date: what a new build is compared on.
    content_sha256: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[created_at]

    __table_args__ = (UniqueConstraint("base_id", "version"),)


class PublishedReleaseChanged(RuntimeError):
    """A published release was about to be changed or deleted."""


@event.listens_for(PublishedRelease, "before_update")
def _refuse_update(_mapper: Any, _connection: Any, target: PublishedRelease) -> None:
    raise PublishedReleaseChanged(
        f"Release {target.release_id} is published and never changes: publish a new release."
    )


@event.listens_for(PublishedRelease, "before_delete")
def _refuse_delete(_mapper: Any, _connection: Any, target: PublishedRelease) -> None:
    raise PublishedReleaseChanged(f"Release {target.release_id} is published and is kept.")
