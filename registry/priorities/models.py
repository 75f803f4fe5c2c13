"""Priority maps: for a scope (national or a region), one level per activity x category cell.

A map has versions. At most one version per map is a draft, which the authority edits;
publishing freezes the draft into the next numbered version, which never changes again (the
services refuse, and database triggers from the migration refuse UPDATE and DELETE too).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.database import Base, created_at, int_pk
from registry.models import SecurityActivity, TechnologyCategory, User, enum_column

NATIONAL_SCOPE = "national"
RATIONALE_MAX_LENGTH = 1000
CHANGE_NOTE_MAX_LENGTH = 2000
REGION_MAX_LENGTH = 100


class PriorityLevel(enum.StrEnum):
    """How much a technology category matters for a security activity."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NONE = "none"

    @property
    def label(self) -> str:
        """A human name for the level, written in every heatmap cell."""
        return self.value.capitalize()

    @property
    def rank(self) -> int:
        """3 for high down to 0 for none, to sort or compare levels."""
        return {"high": 3, "medium": 2, "low": 1, "none": 0}[self.value]


class VersionStatus(enum.StrEnum):
    """A version is a draft until it is published; then it is frozen."""

    DRAFT = "draft"
    PUBLISHED = "published"


class PriorityMap(Base):
    """The priorities of one scope: the nation, or one region."""

    __tablename__ = "priority_map"

    id: Mapped[int_pk]
    # The stable identifier in URLs and the API: "national", or a slug of the region name.
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    region: Mapped[str] = mapped_column(String(REGION_MAX_LENGTH), default="")
    # The last published number: publishing increments it under a row lock (never MAX()+1).
    last_number: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[created_at]

    versions: Mapped[list[PriorityMapVersion]] = relationship(
        back_populates="priority_map", order_by="PriorityMapVersion.id"
    )

    @property
    def is_national(self) -> bool:
        """Whether this is the national map."""
        return self.slug == NATIONAL_SCOPE

    @property
    def title(self) -> str:
        """The scope's name as shown to people."""
        return "National" if self.is_national else self.region


class PriorityMapVersion(Base):
    """A draft or a published (immutable) version of a priority map."""

    __tablename__ = "priority_map_version"

    id: Mapped[int_pk]
    map_id: Mapped[int] = mapped_column(ForeignKey("priority_map.id"), index=True)
    status: Mapped[VersionStatus] = mapped_column(enum_column(VersionStatus))
    number: Mapped[int | None] = mapped_column(Integer)
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("priority_map_version.id"))
    created_at: Mapped[created_at]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[dt.datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Incremented at each save of a draft, so that two editors cannot silently overwrite.
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    published_at: Mapped[dt.datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    change_note: Mapped[str] = mapped_column(Text, default="")

    priority_map: Mapped[PriorityMap] = relationship(back_populates="versions")
    based_on: Mapped[PriorityMapVersion | None] = relationship(remote_side="PriorityMapVersion.id")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    cells: Mapped[list[PriorityCell]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="PriorityCell.id"
    )

    __table_args__ = (
        UniqueConstraint("map_id", "number", name="uq_priority_map_version_map_id_number"),
        # One draft per scope at a time, enforced by the database under concurrent requests.
        Index(
            "uq_priority_map_version_one_draft",
            "map_id",
            unique=True,
            sqlite_where=text("status = 'draft'"),
            postgresql_where=text("status = 'draft'"),
        ),
    )

    @property
    def is_draft(self) -> bool:
        """Whether the version may still be edited."""
        return self.status is VersionStatus.DRAFT


class PriorityCell(Base):
    """The level (and the reason for it) of one technology category for one security activity."""

    __tablename__ = "priority_cell"

    id: Mapped[int_pk]
    version_id: Mapped[int] = mapped_column(ForeignKey("priority_map_version.id"))
    activity_id: Mapped[int] = mapped_column(ForeignKey("security_activity.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("technology_category.id"))
    level: Mapped[PriorityLevel] = mapped_column(enum_column(PriorityLevel))
    rationale: Mapped[str] = mapped_column(String(RATIONALE_MAX_LENGTH), default="")

    version: Mapped[PriorityMapVersion] = relationship(back_populates="cells")
    activity: Mapped[SecurityActivity] = relationship()
    category: Mapped[TechnologyCategory] = relationship()

    __table_args__ = (
        UniqueConstraint(
            "version_id",
            "activity_id",
            "category_id",
            name="uq_priority_cell_version_id_activity_id_category_id",
        ),
    )


__all__ = [
    "CHANGE_NOTE_MAX_LENGTH",
    "NATIONAL_SCOPE",
    "RATIONALE_MAX_LENGTH",
    "REGION_MAX_LENGTH",
    "PriorityCell",
    "PriorityLevel",
    "PriorityMap",
    "PriorityMapVersion",
    "VersionStatus",
]
