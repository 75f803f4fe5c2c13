"""Norms and their versions: sections, criteria, levels and referenced standards.

A version is edited only while it is a draft. Publishing freezes it: the services refuse to
change a published (or superseded, or withdrawn) version, and database triggers written by
the migration refuse it too, so no route, service or stray SQL can rewrite a published norm.

Criterion kinds (docs/DESIGN.md, "Norm"):

- a **pass/fail** criterion is always mandatory: failing it fails the evaluation whatever the
  percent;
- a **scored** criterion (0-5) counts in the weighted percent; it *may* also be marked
  mandatory, which means a consolidated score of 0 ("not met at all") fails the evaluation
  (evaluations.scoring.MANDATORY_SCORE_MINIMUM).

Every criterion has a whole-number weight from 1 to 100; a passed pass/fail criterion weighs
like a perfect score in the percent (evaluations.scoring.weighted_percent).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.database import Base, created_at, int_pk, str40, str200
from registry.models import TechnologyCategory, User, enum_column

MIN_VALIDITY_MONTHS = 1
MAX_VALIDITY_MONTHS = 120
MIN_WEIGHT = 1
MAX_WEIGHT = 100


class NormStatus(enum.StrEnum):
    """A norm is in force until the authority withdraws it."""

    ACTIVE = "active"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        """A human name for the status."""
        return self.value.capitalize()


class NormVersionStatus(enum.StrEnum):
    """draft -> published -> superseded (by the next version) or withdrawn (with the norm)."""

    DRAFT = "draft"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        """A human name for the status."""
        return self.value.capitalize()


PUBLIC_VERSION_STATUSES = (
    NormVersionStatus.PUBLISHED,
    NormVersionStatus.SUPERSEDED,
    NormVersionStatus.WITHDRAWN,
)


class CriterionKind(enum.StrEnum):
    """How a criterion is scored; the values are those of evaluations.scoring.KINDS."""

    PASS_FAIL = "pass_fail"  # noqa: S105 - a criterion kind, not a password
    SCORED = "scored"

    @property
    def label(self) -> str:
        """A human name for the kind."""
        return {"pass_fail": "Pass/fail", "scored": "Scored 0–5"}[self.value]


class Norm(Base):
    """A requirement set a solution is evaluated against, e.g. VA-INTEROP; it has versions."""

    __tablename__ = "norm"

    id: Mapped[int_pk]
    code: Mapped[str40] = mapped_column(unique=True)
    title: Mapped[str200]
    category_id: Mapped[int] = mapped_column(ForeignKey("technology_category.id"), index=True)
    status: Mapped[NormStatus] = mapped_column(enum_column(NormStatus))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[created_at]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    withdrawn_at: Mapped[dt.datetime | None]
    withdrawal_reason: Mapped[str] = mapped_column(Text, default="")

    category: Mapped[TechnologyCategory] = relationship()
    created_by: Mapped[User | None] = relationship()
    versions: Mapped[list[NormVersion]] = relationship(
        back_populates="norm", order_by="NormVersion.number", cascade="all, delete-orphan"
    )

    @property
    def public_versions(self) -> list[NormVersion]:
        """Versions anyone may read (every state but draft), oldest first."""
        return [v for v in self.versions if v.is_public]

    @property
    def published_version(self) -> NormVersion | None:
        """The version in force (at most one), if any."""
        return next((v for v in self.versions if v.status is NormVersionStatus.PUBLISHED), None)

    @property
    def draft_version(self) -> NormVersion | None:
        """The version being drafted (at most one), if any."""
        return next((v for v in self.versions if v.status is NormVersionStatus.DRAFT), None)

    @property
    def latest_version(self) -> NormVersion | None:
        """The highest-numbered version, whatever its state."""
        return self.versions[-1] if self.versions else None

    @property
    def latest_public_version(self) -> NormVersion | None:
        """The highest-numbered version the public may read."""
        public = self.public_versions
        return public[-1] if public else None

    @property
    def is_public(self) -> bool:
        """Whether the norm has at least one version beyond draft."""
        return bool(self.public_versions)


class NormVersion(Base):
    """One numbered version of a norm; frozen once published."""

    __tablename__ = "norm_version"

    id: Mapped[int_pk]
    norm_id: Mapped[int] = mapped_column(ForeignKey("norm.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[NormVersionStatus] = mapped_column(enum_column(NormVersionStatus))
    validity_months: Mapped[int] = mapped_column(Integer)
    change_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[created_at]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[dt.datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Lifecycle fields: the only ones that still change after publication.
    superseded_at: Mapped[dt.datetime | None]
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("norm_version.id"))
    # After this date, labels issued under this (superseded) version show "re-certification due".
    transition_date: Mapped[dt.date | None] = mapped_column(Date)
    withdrawn_at: Mapped[dt.datetime | None]

    norm: Mapped[Norm] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    superseded_by: Mapped[NormVersion | None] = relationship(
        remote_side="NormVersion.id", foreign_keys=[superseded_by_id]
    )
    levels: Mapped[list[NormLevel]] = relationship(
        back_populates="version", order_by="NormLevel.position", cascade="all, delete-orphan"
    )
    standards: Mapped[list[NormStandard]] = relationship(
        back_populates="version", order_by="NormStandard.position", cascade="all, delete-orphan"
    )
    sections: Mapped[list[NormSection]] = relationship(
        back_populates="version", order_by="NormSection.position", cascade="all, delete-orphan"
    )
    # Ordered within each section only; ordered_criteria() gives the reading order.
    criteria: Mapped[list[NormCriterion]] = relationship(
        back_populates="version",
        order_by="(NormCriterion.position, NormCriterion.id)",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        # A draft always takes the next number, so this also keeps two concurrent
        # "new draft" requests from making two drafts.
        UniqueConstraint("norm_id", "number"),
        CheckConstraint("number > 0", name="number_positive"),
        CheckConstraint(
            f"validity_months BETWEEN {MIN_VALIDITY_MONTHS} AND {MAX_VALIDITY_MONTHS}",
            name="validity_months_range",
        ),
    )

    @property
    def is_draft(self) -> bool:
        """Whether the version may still be edited."""
        return self.status is NormVersionStatus.DRAFT

    @property
    def is_public(self) -> bool:
        """Whether anyone may read it (every state but draft)."""
        return self.status in PUBLIC_VERSION_STATUSES

    @property
    def label(self) -> str:
        """E.g. "VA-INTEROP v2"."""
        return f"{self.norm.code} v{self.number}"

    def ordered_criteria(self) -> list[NormCriterion]:
        """Criteria in reading order: by section, then by position within the section."""
        order = {section.id: section.position for section in self.sections}
        return sorted(self.criteria, key=lambda c: (order.get(c.section_id, 0), c.position))


class NormLevel(Base):
    """A certification level of a version and the weighted percent it needs, e.g. Certified 60."""

    __tablename__ = "norm_level"

    id: Mapped[int_pk]
    version_id: Mapped[int] = mapped_column(ForeignKey("norm_version.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(60))
    minimum_percent: Mapped[int] = mapped_column(Integer)

    version: Mapped[NormVersion] = relationship(back_populates="levels")

    __table_args__ = (
        UniqueConstraint("version_id", "name"),
        CheckConstraint("minimum_percent BETWEEN 1 AND 100", name="minimum_percent_range"),
    )


class NormStandard(Base):
    """A standard a version refers to, e.g. "ONVIF Profile S"."""

    __tablename__ = "norm_standard"

    id: Mapped[int_pk]
    version_id: Mapped[int] = mapped_column(ForeignKey("norm_version.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str200]

    version: Mapped[NormVersion] = relationship(back_populates="standards")


class NormSection(Base):
    """A titled group of criteria within a version."""

    __tablename__ = "norm_section"

    id: Mapped[int_pk]
    version_id: Mapped[int] = mapped_column(ForeignKey("norm_version.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str200]

    version: Mapped[NormVersion] = relationship(back_populates="sections")
    criteria: Mapped[list[NormCriterion]] = relationship(
        back_populates="section", order_by="NormCriterion.position", cascade="all, delete-orphan"
    )


class NormCriterion(Base):
    """One requirement of a version: how it is scored, what it weighs, whether evidence is due."""

    __tablename__ = "norm_criterion"

    id: Mapped[int_pk]
    version_id: Mapped[int] = mapped_column(ForeignKey("norm_version.id"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("norm_section.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str40]
    title: Mapped[str200]
    guidance: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[CriterionKind] = mapped_column(enum_column(CriterionKind))
    mandatory: Mapped[bool] = mapped_column(Boolean, default=False)
    weight: Mapped[int] = mapped_column(Integer)
    evidence_required: Mapped[bool] = mapped_column(Boolean, default=False)

    version: Mapped[NormVersion] = relationship(back_populates="criteria")
    section: Mapped[NormSection] = relationship(back_populates="criteria")

    __table_args__ = (
        UniqueConstraint("version_id", "code"),
        CheckConstraint(f"weight BETWEEN {MIN_WEIGHT} AND {MAX_WEIGHT}", name="weight_range"),
        # Pass/fail criteria are mandatory by nature.
        CheckConstraint("kind <> 'pass_fail' OR mandatory", name="pass_fail_mandatory"),
    )
