"""Solutions vendors offer, with the activities, standards, deployments and regions they name."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.regions import sort_regions
from registry.database import Base, created_at, int_pk, str200
from registry.models import (
    Organisation,
    SecurityActivity,
    TechnologyCategory,
    User,
    enum_column,
)
from registry.uploads import AFTER_STORED_FILE, StoredFileMixin

SUMMARY_MAX = 300
DESCRIPTION_MAX = 20_000
PRIVACY_FEATURES_MAX = 5_000
STANDARD_MAX = 80
DEPLOYMENT_MAX = 300
MAX_STANDARDS = 30
MAX_DEPLOYMENTS = 20
VERSION_MAX = 60
IDENTIFIER_MAX = 500


class SolutionStatus(enum.StrEnum):
    """draft → published → archived; an archived solution can be published again."""

    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        """A human name for the status."""
        return self.value.capitalize()


class Maturity(enum.StrEnum):
    """How far the solution is from the lab: buyers weigh risk, startups show progress."""

    PROTOTYPE = "prototype"
    PILOT = "pilot"
    DEPLOYED = "deployed"
    MATURE = "mature"

    @property
    def label(self) -> str:
        """A human name for the maturity."""
        return {
            "prototype": "Prototype (demonstrated, not yet in operational use)",
            "pilot": "Pilot (on trial with at least one buyer)",
            "deployed": "Deployed (in operational use)",
            "mature": "Mature (in operational use for three years or more, at several buyers)",
        }[self.value]

    @property
    def short_label(self) -> str:
        """A one-word name for tables and badges."""
        return self.value.capitalize()


class PriceModel(enum.StrEnum):
    """How the vendor charges."""

    LICENCE = "licence"
    SUBSCRIPTION = "subscription"
    PER_DEVICE = "per_device"
    MANAGED_SERVICE = "managed_service"
    PROJECT = "project"

    @property
    def label(self) -> str:
        """A human name for the price model."""
        return {
            "licence": "Perpetual licence",
            "subscription": "Subscription",
            "per_device": "Per device",
            "managed_service": "Managed service",
            "project": "Fixed-price project",
        }[self.value]


class PriceBand(enum.StrEnum):
    """The indicative cost of a typical first deployment, excluding VAT (codes never change)."""

    UNDER_10K = "under_10k"
    FROM_10K_TO_50K = "10k_to_50k"
    FROM_50K_TO_250K = "50k_to_250k"
    OVER_250K = "over_250k"

    @property
    def label(self) -> str:
        """A human name for the band."""
        return {
            "under_10k": "Under 10 k€",
            "10k_to_50k": "10–50 k€",
            "50k_to_250k": "50–250 k€",
            "over_250k": "Over 250 k€",
        }[self.value]


solution_activity = Table(
    "solution_activity",
    Base.metadata,
    Column(
        "solution_id",
        Integer,
        ForeignKey("solution.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "activity_id",
        Integer,
        ForeignKey("security_activity.id"),
        primary_key=True,
        index=True,
    ),
)


class Solution(Base):
    """A product or service a vendor offers; the public sees it only once published."""

    __tablename__ = "solution"

    id: Mapped[int_pk]
    vendor_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str200]
    status: Mapped[SolutionStatus] = mapped_column(enum_column(SolutionStatus))
    # A draft may be incomplete: everything but the name can wait until publication.
    primary_category_id: Mapped[int | None] = mapped_column(
        ForeignKey("technology_category.id"), index=True
    )
    summary: Mapped[str] = mapped_column(String(SUMMARY_MAX), default="")
    description_markdown: Mapped[str] = mapped_column(Text, default="")
    maturity: Mapped[Maturity | None] = mapped_column(enum_column(Maturity))
    privacy_sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    uses_biometrics: Mapped[bool] = mapped_column(Boolean, default=False)
    uses_facial_recognition: Mapped[bool] = mapped_column(Boolean, default=False)
    privacy_features: Mapped[str] = mapped_column(Text, default="")
    price_model: Mapped[PriceModel | None] = mapped_column(enum_column(PriceModel))
    price_band: Mapped[PriceBand | None] = mapped_column(enum_column(PriceBand))
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime]
    published_at: Mapped[dt.datetime | None]
    archived_at: Mapped[dt.datetime | None]

    vendor: Mapped[Organisation] = relationship()
    primary_category: Mapped[TechnologyCategory | None] = relationship()
    activities: Mapped[list[SecurityActivity]] = relationship(
        secondary=solution_activity, order_by=SecurityActivity.position
    )
    standards: Mapped[list[SolutionStandard]] = relationship(
        back_populates="solution",
        cascade="all, delete-orphan",
        order_by="SolutionStandard.position",
    )
    deployments: Mapped[list[SolutionDeployment]] = relationship(
        back_populates="solution",
        cascade="all, delete-orphan",
        order_by="SolutionDeployment.position",
    )
    regions: Mapped[list[SolutionRegion]] = relationship(
        back_populates="solution", cascade="all, delete-orphan"
    )
    # Newest release first; a version is never deleted (a label may certify it).
    versions: Mapped[list[SolutionVersion]] = relationship(
        back_populates="solution",
        order_by="(SolutionVersion.released_on.desc(), SolutionVersion.id.desc())",
    )

    __table_args__ = (
        # One name per vendor: a double-clicked "Create" makes one solution, not two.
        UniqueConstraint("vendor_id", "name"),
        Index("ix_solution_status_category", "status", "primary_category_id"),
        # The list pages and the API read published solutions in name order, a page at a time.
        Index("ix_solution_status_name", "status", "name", "id"),
    )

    @property
    def is_public(self) -> bool:
        """Whether the public catalog shows it."""
        return self.status is SolutionStatus.PUBLISHED

    @property
    def standard_codes(self) -> list[str]:
        """The declared standards, in the vendor's order."""
        return [standard.code for standard in self.standards]

    @property
    def deployment_texts(self) -> list[str]:
        """The deployment references, in the vendor's order."""
        return [deployment.description for deployment in self.deployments]

    @property
    def region_codes(self) -> list[str]:
        """The region codes served, nationwide first."""
        return sort_regions([region.region_code for region in self.regions])

    @property
    def activity_codes(self) -> list[str]:
        """The codes of the activities served, in the report's order."""
        return [activity.code for activity in self.activities]


class SolutionStandard(Base):
    """A standard the vendor declares the solution meets (e.g. "ONVIF Profile S")."""

    __tablename__ = "solution_standard"

    id: Mapped[int_pk]
    solution_id: Mapped[int] = mapped_column(
        ForeignKey("solution.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    code: Mapped[str] = mapped_column(String(STANDARD_MAX), index=True)

    solution: Mapped[Solution] = relationship(back_populates="standards")

    __table_args__ = (UniqueConstraint("solution_id", "code"),)


class SolutionDeployment(Base):
    """A short reference to a deployment (e.g. "City of X, 120 cameras, since 2024")."""

    __tablename__ = "solution_deployment"

    id: Mapped[int_pk]
    solution_id: Mapped[int] = mapped_column(
        ForeignKey("solution.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    description: Mapped[str] = mapped_column(String(DEPLOYMENT_MAX))

    solution: Mapped[Solution] = relationship(back_populates="deployments")


class SolutionRegion(Base):
    """A region (ISO 3166 code, see catalog.regions) where the solution is offered."""

    __tablename__ = "solution_region"

    solution_id: Mapped[int] = mapped_column(
        ForeignKey("solution.id", ondelete="CASCADE"), primary_key=True
    )
    region_code: Mapped[str] = mapped_column(String(10), primary_key=True, index=True)

    solution: Mapped[Solution] = relationship(back_populates="regions")


class SolutionVersion(Base):
    """A released version of a solution: what a buyer installs, and what a label certifies.

    Identifiers are optional: a package URL (purl) and a CPE 2.3 name, as vulnerability
    databases and advisories name products. Never deleted; the vendor can mark the end of
    support.
    """

    __tablename__ = "solution_version"

    id: Mapped[int_pk]
    solution_id: Mapped[int] = mapped_column(ForeignKey("solution.id"), index=True)
    version: Mapped[str] = mapped_column(String(VERSION_MAX))
    released_on: Mapped[dt.date] = mapped_column(Date)
    purl: Mapped[str] = mapped_column(String(IDENTIFIER_MAX), default="")
    cpe: Mapped[str] = mapped_column(String(IDENTIFIER_MAX), default="")
    end_of_support_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[created_at]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    solution: Mapped[Solution] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship()
    sbom: Mapped[VersionSbom | None] = relationship(back_populates="version", uselist=False)

    __table_args__ = (UniqueConstraint("solution_id", "version"),)


class VersionSbom(StoredFileMixin, Base):
    """The CycloneDX SBOM of one version, validated at upload and stored as evidence is."""

    __tablename__ = "version_sbom"

    id: Mapped[int_pk]
    version_id: Mapped[int] = mapped_column(
        ForeignKey("solution_version.id"), unique=True, sort_order=AFTER_STORED_FILE
    )
    spec_version: Mapped[str] = mapped_column(String(10), sort_order=AFTER_STORED_FILE)
    component_count: Mapped[int] = mapped_column(Integer, sort_order=AFTER_STORED_FILE)

    version: Mapped[SolutionVersion] = relationship(back_populates="sbom")


class ChangeRequestStatus(enum.StrEnum):
    """pending → approved / refused / withdrawn; only a pending request can be decided."""

    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        """A human name for the status."""
        return self.value.capitalize()


class SolutionChangeRequest(Base):
    """A vendor's request to change the certified facts of a solution, decided by the authority.

    `previous` and `proposed` are JSON objects of the changed certified fields only: the state
    when the request was made, and the state asked for.
    """

    __tablename__ = "solution_change_request"

    id: Mapped[int_pk]
    solution_id: Mapped[int] = mapped_column(ForeignKey("solution.id"), index=True)
    status: Mapped[ChangeRequestStatus] = mapped_column(enum_column(ChangeRequestStatus))
    reason: Mapped[str] = mapped_column(Text)
    previous: Mapped[str] = mapped_column(Text)
    proposed: Mapped[str] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[created_at]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[dt.datetime | None]
    decision_reason: Mapped[str] = mapped_column(Text, default="")

    solution: Mapped[Solution] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __table_args__ = (
        # One pending request per solution: a second edit amends nothing behind the first.
        Index(
            "uq_solution_change_request_one_pending",
            "solution_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )
