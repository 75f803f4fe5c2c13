"""Buyers' shortlists, everyone's watchlist (followed solutions, vendors and norms) and notices."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.models import Solution
from registry.database import Base, created_at, int_pk, str200
from registry.models import Organisation, User, enum_column

SHORTLIST_NAME_MAX = 120
NOTE_MAX = 1000
NOTICE_TEXT_MAX = 500


class Shortlist(Base):
    """A named list of solutions a buyer organisation is considering; private to it."""

    __tablename__ = "shortlist"

    id: Mapped[int_pk]
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(SHORTLIST_NAME_MAX))
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()
    items: Mapped[list[ShortlistItem]] = relationship(
        back_populates="shortlist",
        cascade="all, delete-orphan",
        order_by="ShortlistItem.added_at, ShortlistItem.id",
    )

    # One name per organisation: a double-clicked "Create" makes one list, not two.
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)


class ShortlistItem(Base):
    """A solution on a shortlist, with the buyer's note."""

    __tablename__ = "shortlist_item"

    id: Mapped[int_pk]
    shortlist_id: Mapped[int] = mapped_column(
        ForeignKey("shortlist.id", ondelete="CASCADE"), index=True
    )
    solution_id: Mapped[int] = mapped_column(ForeignKey("solution.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    added_at: Mapped[created_at]
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    shortlist: Mapped[Shortlist] = relationship(back_populates="items")
    solution: Mapped[Solution] = relationship()

    __table_args__ = (UniqueConstraint("shortlist_id", "solution_id"),)


class WatchSubject(enum.StrEnum):
    """What can be followed."""

    SOLUTION = "solution"
    VENDOR = "vendor"
    NORM = "norm"

    @property
    def label(self) -> str:
        """A human name for the kind."""
        return self.value.capitalize()


class Watch(Base):
    """A user follows a solution, a vendor or a norm; private to that user."""

    __tablename__ = "watch"

    id: Mapped[int_pk]
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    subject_kind: Mapped[WatchSubject] = mapped_column(enum_column(WatchSubject))
    subject_id: Mapped[int]
    created_at: Mapped[created_at]

    user: Mapped[User] = relationship()

    __table_args__ = (
        # Following twice (a double click) keeps one row.
        UniqueConstraint("user_id", "subject_kind", "subject_id"),
        # Notifying looks watchers up by subject.
        Index("ix_watch_subject", "subject_kind", "subject_id"),
    )


class Notification(Base):
    """An in-app notice of something a user follows (also sent by e-mail)."""

    __tablename__ = "notification"

    id: Mapped[int_pk]
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    subject_kind: Mapped[WatchSubject] = mapped_column(enum_column(WatchSubject))
    subject_id: Mapped[int]
    text: Mapped[str] = mapped_column(String(NOTICE_TEXT_MAX))
    link: Mapped[str200] = mapped_column(default="")
    created_at: Mapped[created_at]
    # When the user marked it as read; unread notices are counted in the header.
    read_at: Mapped[dt.datetime | None]

    __table_args__ = (Index("ix_notification_user_created", "user_id", "created_at"),)
