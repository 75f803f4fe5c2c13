"""Vulnerability cases of registered solutions: reports, analysis, affected versions, history."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.models import Solution, SolutionVersion
from registry.database import Base, created_at, int_pk
from registry.models import Organisation, User, enum_column

CVE_MAX = 20  # CVE-YYYY-NNNN… (the sequence has 4 digits or more)
CWE_MAX = 12
VECTOR_MAX = 200
TITLE_MAX = 200


class CaseSource(enum.StrEnum):
    """How the case reached the registry."""

    RESEARCHER = "researcher"  # the public coordinated-disclosure form
    VENDOR = "vendor"  # the vendor's own report about its solution
    CSAF = "csaf"  # an imported CSAF 2.0 advisory


class CaseStatus(enum.StrEnum):
    """reported → under analysis → confirmed / not affected / rejected; confirmed → fixed."""

    REPORTED = "reported"
    UNDER_ANALYSIS = "under_analysis"
    CONFIRMED = "confirmed"
    NOT_AFFECTED = "not_affected"
    FIXED = "fixed"
    # Not a vulnerability of a registered solution (spam, duplicate, out of scope): never public.
    REJECTED = "rejected"


class VexJustification(enum.StrEnum):
    """CSAF 2.0 flag labels (VEX justifications) for a "not affected" statement."""

    COMPONENT_NOT_PRESENT = "component_not_present"
    VULNERABLE_CODE_NOT_PRESENT = "vulnerable_code_not_present"
    VULNERABLE_CODE_CANNOT_BE_CONTROLLED_BY_ADVERSARY = (
        "vulnerable_code_cannot_be_controlled_by_adversary"
    )
    VULNERABLE_CODE_NOT_IN_EXECUTE_PATH = "vulnerable_code_not_in_execute_path"
    INLINE_MITIGATIONS_ALREADY_EXIST = "inline_mitigations_already_exist"


class Severity(enum.StrEnum):
    """The qualitative rating of a CVSS base score (CVSS v3.1 and v4.0 share the bands)."""

    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class VulnerabilityCase(Base):
    """One vulnerability of one registered solution, from its report to its disclosure."""

    __tablename__ = "vulnerability_case"

    id: Mapped[int_pk]
    # VULN-2026-0001: given at intake, the only thing a researcher needs to quote.
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    solution_id: Mapped[int] = mapped_column(ForeignKey("solution.id"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    source: Mapped[CaseSource] = mapped_column(enum_column(CaseSource))
    status: Mapped[CaseStatus] = mapped_column(enum_column(CaseStatus))
    status_changed_at: Mapped[dt.datetime]
    # Public once disclosed: a short title and a summary without exploit details.
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    summary: Mapped[str] = mapped_column(Text, default="")
    # The reporter's own words and contact, encrypted at rest (vulnerabilities.sealed_reports).
    report_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    reporter_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    cve_id: Mapped[str] = mapped_column(String(CVE_MAX), default="", index=True)
    cwe_id: Mapped[str] = mapped_column(String(CWE_MAX), default="")
    cvss_v3_vector: Mapped[str] = mapped_column(String(VECTOR_MAX), default="")
    cvss_v3_score: Mapped[float | None] = mapped_column(Numeric(3, 1, asdecimal=False))
    cvss_v4_vector: Mapped[str] = mapped_column(String(VECTOR_MAX), default="")
    cvss_v4_score: Mapped[float | None] = mapped_column(Numeric(3, 1, asdecimal=False))
    # From the v4.0 score when there is one, else from v3.1; none without a vector.
    severity: Mapped[Severity | None] = mapped_column(enum_column(Severity))
    vendor_analysis: Mapped[str] = mapped_column(Text, default="")
    vex_justification: Mapped[VexJustification | None] = mapped_column(
        enum_column(VexJustification, 60)
    )
    fixed_version_id: Mapped[int | None] = mapped_column(ForeignKey("solution_version.id"))
    # Nothing of the case is public before this day (none: public once confirmed or settled).
    embargo_until: Mapped[dt.date | None] = mapped_column(Date)
    analysis_due: Mapped[dt.date | None] = mapped_column(Date)
    remediation_due: Mapped[dt.date | None] = mapped_column(Date)
    reported_at: Mapped[created_at]
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # An imported advisory: its tracking id and the document as imported (JSON).
    csaf_tracking_id: Mapped[str] = mapped_column(String(200), default="")
    csaf_document: Mapped[str] = mapped_column(Text, default="")
    # The day the labels were marked "vulnerability under remediation" (once per case).
    labels_marked_on: Mapped[dt.date | None] = mapped_column(Date)

    solution: Mapped[Solution] = relationship()
    vendor: Mapped[Organisation] = relationship()
    fixed_version: Mapped[SolutionVersion | None] = relationship()
    versions: Mapped[list[CaseVersion]] = relationship(
        back_populates="case", order_by="CaseVersion.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="CaseEvent.id", cascade="all, delete-orphan"
    )

    __table_args__ = (Index("ix_vulnerability_case_status", "status", "embargo_until"),)


class ProductStatus(enum.StrEnum):
    """CSAF 2.0 product_status groups a version can be in for one case."""

    KNOWN_AFFECTED = "known_affected"
    KNOWN_NOT_AFFECTED = "known_not_affected"
    FIXED = "fixed"
    UNDER_INVESTIGATION = "under_investigation"


class CaseVersion(Base):
    """One version of the solution and its status for the case."""

    __tablename__ = "vulnerability_case_version"

    id: Mapped[int_pk]
    case_id: Mapped[int] = mapped_column(ForeignKey("vulnerability_case.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("solution_version.id"), index=True)
    status: Mapped[ProductStatus] = mapped_column(enum_column(ProductStatus, 30))

    case: Mapped[VulnerabilityCase] = relationship(back_populates="versions")
    version: Mapped[SolutionVersion] = relationship()

    __table_args__ = (UniqueConstraint("case_id", "version_id"),)


class CaseEvent(Base):
    """One step of a case: who did what, from which status to which, and why."""

    __tablename__ = "vulnerability_case_event"

    id: Mapped[int_pk]
    case_id: Mapped[int] = mapped_column(ForeignKey("vulnerability_case.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[created_at]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    case: Mapped[VulnerabilityCase] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class UnmatchedProduct(Base):
    """A product of an imported CSAF advisory that matched no declared version, for the authority.

    Resolved by matching it to a version by hand, or by dismissing it.
    """

    __tablename__ = "vulnerability_unmatched_product"

    id: Mapped[int_pk]
    case_id: Mapped[int | None] = mapped_column(ForeignKey("vulnerability_case.id"), index=True)
    csaf_tracking_id: Mapped[str] = mapped_column(String(200))
    product_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(Text, default="")
    purl: Mapped[str] = mapped_column(Text, default="")
    cpe: Mapped[str] = mapped_column(Text, default="")
    product_status: Mapped[str] = mapped_column(String(30), default="")
    cve_ids: Mapped[str] = mapped_column(Text, default="")
    imported_at: Mapped[created_at]
    resolved_at: Mapped[dt.datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    resolution: Mapped[str] = mapped_column(Text, default="")


class CaseReminder(Base):
    """A reminder sent before (or at) a case's deadline: each is sent once."""

    __tablename__ = "vulnerability_case_reminder"

    id: Mapped[int_pk]
    case_id: Mapped[int] = mapped_column(ForeignKey("vulnerability_case.id"), index=True)
    # analysis / remediation, and how many days before the deadline (0: the day it was missed).
    deadline: Mapped[str] = mapped_column(String(20))
    days_before: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[created_at]

    __table_args__ = (UniqueConstraint("case_id", "deadline", "days_before"),)
