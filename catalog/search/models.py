"""The search change log (one row per change that affects the index) and indexer progress."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from registry.database import Base, created_at, int_pk


class SearchChange(Base):
    """A solution whose indexed facts changed; written in the same transaction as the change.

    No foreign key on purpose: the log outlives anything it mentions, and the indexer treats a
    solution that no longer exists (or is not public) as "remove from the index".
    """

    __tablename__ = "search_change"

    id: Mapped[int_pk]
    solution_id: Mapped[int] = mapped_column(Integer, index=True)
    reason: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[created_at]


class IndexerState(Base):
    """How far the indexer of one index copy (one host, one folder) got in the change log."""

    __tablename__ = "search_indexer_state"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    last_change_id: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime]
