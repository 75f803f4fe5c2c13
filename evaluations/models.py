"""Evaluations, assignments, evidence, scores, consensus notes, labels and their history."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.models import Solution, SolutionVersion
from registry.database import Base, created_at, int_pk
from registry.models import AuditEntry, Organisation, User, enum_column
from registry.norms.models import NormCriterion, NormVersion
from registry.uploads import AFTER_STORED_FILE, StoredFileMixin


class EvaluationStatus(enum.StrEnum):
    """Where an application stands (docs/DESIGN.md, Evaluation)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    IN_REVIEW = "in_review"
    SCORED = "scored"
    DECIDED = "decided"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        """A human name for the state."""
        return {
            "draft": "Draft",
            "submitted": "Submitted",
            "returned": "Returned for information",
            "in_review": "In review",
            "scored": "Scored",
            "decided": "Decided",
            "withdrawn": "Withdrawn",
        }[self.value]


class Decision(enum.StrEnum):
    """The authority's decision on a scored evaluation."""

    CERTIFIED = "certified"
    REJECTED = "rejected"


class AssignmentStatus(enum.StrEnum):
    """An evaluator's part: declare conflicts first, then score, then submit once."""

    AWAITING_DECLARATION = "awaiting_declaration"
    CONFLICTED = "conflicted"
    SCORING = "scoring"
    SUBMITTED = "submitted"
    REMOVED = "removed"


class LabelStatus(enum.StrEnum):
    """A label's standing; only VALID labels count as certification."""

    VALID = "valid"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"


class Evaluation(Base):
    """One application of a solution against one norm version."""

    __tablename__ = "evaluation"

    id: Mapped[int_pk]
    solution_id: Mapped[int] = mapped_column(ForeignKey("solution.id"), index=True)
    norm_version_id: Mapped[int] = mapped_column(ForeignKey("norm_version.id"), index=True)
    # The version of the solution evaluated (None only for applications made before versions).
    product_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("solution_version.id"), index=True
    )
    # The vendor that owns the solution, kept here so every ownership check is one comparison.
    vendor_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    status: Mapped[EvaluationStatus] = mapped_column(enum_column(EvaluationStatus))
    vendor_note: Mapped[str] = mapped_column(Text, default="")
    return_request: Mapped[str] = mapped_column(Text, default="")
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[created_at]
    status_changed_at: Mapped[dt.datetime]
    submitted_at: Mapped[dt.datetime | None]
    decided_at: Mapped[dt.datetime | None]
    computed_percent: Mapped[float | None] = mapped_column(Numeric(6, 2, asdecimal=False))
    computed_level: Mapped[str | None] = mapped_column(String(60))
    decision: Mapped[Decision | None] = mapped_column(enum_column(Decision))
    decided_level: Mapped[str | None] = mapped_column(String(60))
    decision_rationale: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The application review (ISO/IEC 17065 7.3): an officer recorded that the submitted
    # application is complete and in scope; evaluators are assigned only after it. Cleared when
    # the application is returned and submitted again.
    application_reviewed_at: Mapped[dt.datetime | None]
    application_reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    application_review_note: Mapped[str] = mapped_column(Text, default="", server_default="")

    solution: Mapped[Solution] = relationship()
    product_version: Mapped[SolutionVersion | None] = relationship()
    norm_version: Mapped[NormVersion] = relationship()
    vendor: Mapped[Organisation] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    application_reviewed_by: Mapped[User | None] = relationship(
        foreign_keys=[application_reviewed_by_id]
    )
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="evaluation", order_by="Assignment.id"
    )
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="evaluation", order_by="Evidence.id"
    )
    events: Mapped[list[EvaluationEvent]] = relationship(
        back_populates="evaluation", order_by="EvaluationEvent.id"
    )
    resolutions: Mapped[list[Resolution]] = relationship(back_populates="evaluation")

    __table_args__ = (Index("ix_evaluation_status_changed", "status", "status_changed_at"),)


class EvaluationEvent(Base):
    """One timed transition of an evaluation, with who made it and why."""

    __tablename__ = "evaluation_event"

    id: Mapped[int_pk]
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    at: Mapped[created_at]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    evaluation: Mapped[Evaluation] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class Assignment(Base):
    """An evaluator assigned to an evaluation, with the conflict-of-interest declaration."""

    __tablename__ = "assignment"

    id: Mapped[int_pk]
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id"), index=True)
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    status: Mapped[AssignmentStatus] = mapped_column(enum_column(AssignmentStatus, 30))
    assigned_at: Mapped[created_at]
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    declared_at: Mapped[dt.datetime | None]
    conflict_note: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[dt.datetime | None]
    # Why a second evaluator of the same evaluation body was accepted (two bodies otherwise).
    same_body_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # An evaluator removed from an open evaluation (silent, unavailable, replaced): who, why.
    removed_at: Mapped[dt.datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    removal_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    evaluation: Mapped[Evaluation] = relationship(back_populates="assignments")
    evaluator: Mapped[User] = relationship(foreign_keys=[evaluator_id])
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id])
    scores: Mapped[list[Score]] = relationship(back_populates="assignment")

    __table_args__ = (UniqueConstraint("evaluation_id", "evaluator_id"),)


class Evidence(StoredFileMixin, Base):
    """A file the vendor attached, stored outside the web root under a generated name."""

    __tablename__ = "evidence"

    id: Mapped[int_pk]
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id"), index=True)
    criterion_id: Mapped[int | None] = mapped_column(ForeignKey("norm_criterion.id"))
    description: Mapped[str] = mapped_column(Text, default="", sort_order=AFTER_STORED_FILE)

    evaluation: Mapped[Evaluation] = relationship(back_populates="evidence")
    criterion: Mapped[NormCriterion | None] = relationship()
    uploaded_by: Mapped[User | None] = relationship()

    __table_args__ = (CheckConstraint("size_bytes > 0", name="size_positive"),)


class Score(Base):
    """One evaluator's score for one criterion: 0–5, or pass/fail, with a justification."""

    __tablename__ = "score"

    id: Mapped[int_pk]
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("norm_criterion.id"))
    value: Mapped[int | None] = mapped_column(Integer)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    justification: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime]

    assignment: Mapped[Assignment] = relationship(back_populates="scores")
    criterion: Mapped[NormCriterion] = relationship()

    __table_args__ = (
        UniqueConstraint("assignment_id", "criterion_id"),
        CheckConstraint("value IS NULL OR (value BETWEEN 0 AND 5)", name="value_range"),
    )


class Resolution(Base):
    """The recorded consensus that settles a flagged disagreement on one criterion."""

    __tablename__ = "resolution"

    id: Mapped[int_pk]
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("norm_criterion.id"))
    value: Mapped[int | None] = mapped_column(Integer)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text)
    resolved_at: Mapped[created_at]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    evaluation: Mapped[Evaluation] = relationship(back_populates="resolutions")
    criterion: Mapped[NormCriterion] = relationship()

    __table_args__ = (
        UniqueConstraint("evaluation_id", "criterion_id"),
        CheckConstraint("value IS NULL OR (value BETWEEN 0 AND 5)", name="value_range"),
    )


class LabelCounter(Base):
    """The last label number issued in a year; numbers come from here, never from MAX()+1."""

    __tablename__ = "label_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class Label(Base):
    """A certification label: what was certified, at which level, until when, and its status."""

    __tablename__ = "label"

    id: Mapped[int_pk]
    number: Mapped[str] = mapped_column(String(20), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    # One label per evaluation: a second "issue" for the same decision cannot insert a row.
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id"), unique=True)
    solution_id: Mapped[int] = mapped_column(ForeignKey("solution.id"), index=True)
    norm_version_id: Mapped[int] = mapped_column(ForeignKey("norm_version.id"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    level: Mapped[str] = mapped_column(String(60))
    score_percent: Mapped[float] = mapped_column(Numeric(6, 2, asdecimal=False))
    issued_at: Mapped[dt.datetime]
    valid_from: Mapped[dt.date] = mapped_column(Date)
    expires_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[LabelStatus] = mapped_column(enum_column(LabelStatus))
    status_reason: Mapped[str] = mapped_column(Text, default="")
    status_changed_at: Mapped[dt.datetime]
    # Position in the published status lists (W3C Bitstring Status List); never reused.
    status_list_index: Mapped[int] = mapped_column(Integer, unique=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The signed credential (JSON) as issued: a signed statement never changes, and keeping it
    # means serving a label costs one row read, not a re-consolidation of its scores.
    credential: Mapped[str] = mapped_column(Text, default="")
    # The certified facts (JSON: name, vendor, category, activities, relied-on claims) frozen at
    # issue and changed only by an approved change request; label surfaces read them from here.
    certified_facts: Mapped[str] = mapped_column(Text, default="")
    # 1 at issue, +1 at each approved change of the certified facts or of the scope.
    facts_revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    evaluation: Mapped[Evaluation] = relationship()
    solution: Mapped[Solution] = relationship()
    norm_version: Mapped[NormVersion] = relationship()
    vendor: Mapped[Organisation] = relationship()
    events: Mapped[list[LabelEvent]] = relationship(
        back_populates="label", order_by="LabelEvent.id"
    )
    scope: Mapped[list[LabelScope]] = relationship(back_populates="label", order_by="LabelScope.id")

    __table_args__ = (
        UniqueConstraint("year", "sequence"),
        Index("ix_label_status_expires", "status", "expires_on"),
    )


class LabelScope(Base):
    """One version in a label's certified scope: by the evaluation, or by an approved maintenance.

    Rows are only ever added: a version leaves a scope only with the label itself.
    """

    __tablename__ = "label_scope"

    id: Mapped[int_pk]
    label_id: Mapped[int] = mapped_column(ForeignKey("label.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("solution_version.id"), index=True)
    added_at: Mapped[created_at]
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    maintenance_id: Mapped[int | None] = mapped_column(ForeignKey("maintenance_request.id"))

    label: Mapped[Label] = relationship(back_populates="scope")
    version: Mapped[SolutionVersion] = relationship()

    __table_args__ = (UniqueConstraint("label_id", "version_id"),)


class LabelAdvisory(Base):
    """A disclosed vulnerability that marks a label "vulnerability under remediation".

    Written by the vulnerabilities package (above this one) when a confirmed case at or above the
    configured severity is past its embargo; cleared when the fixed version joins the label's
    scope, or by the authority. The label surfaces read it from here.
    """

    __tablename__ = "label_advisory"

    id: Mapped[int_pk]
    label_id: Mapped[int] = mapped_column(ForeignKey("label.id"), index=True)
    # The case's public reference (VULN-2026-00001), title and severity as disclosed.
    case_reference: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    severity: Mapped[str] = mapped_column(String(20))
    marked_at: Mapped[created_at]
    # The version the vendor fixed it in, once known: its joining the scope ends the mark.
    fixed_version_id: Mapped[int | None] = mapped_column(ForeignKey("solution_version.id"))
    cleared_at: Mapped[dt.datetime | None]

    label: Mapped[Label] = relationship()

    __table_args__ = (UniqueConstraint("label_id", "case_reference"),)


class MaintenanceStatus(enum.StrEnum):
    """declared → in review (minor) → reviewed → approved / refused; or declared → major."""

    DECLARED = "declared"
    IN_REVIEW = "in_review"
    REVIEWED = "reviewed"
    APPROVED = "approved"
    REFUSED = "refused"
    MAJOR = "major"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        """A human name for the state."""
        return {
            "declared": "Declared, awaiting routing",
            "in_review": "Minor change: delta review",
            "reviewed": "Reviewed, awaiting decision",
            "approved": "Approved: version in scope",
            "refused": "Refused",
            "major": "Major change: new evaluation required",
            "withdrawn": "Withdrawn",
        }[self.value]


class MaintenanceRequest(Base):
    """A vendor's request to bring a new version into a label's scope (assurance continuity).

    The vendor states what changed and which criteria it touches; the authority routes it as
    minor (one evaluator reviews the touched criteria only) or major (a new evaluation).
    """

    __tablename__ = "maintenance_request"

    id: Mapped[int_pk]
    label_id: Mapped[int] = mapped_column(ForeignKey("label.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("solution_version.id"), index=True)
    status: Mapped[MaintenanceStatus] = mapped_column(enum_column(MaintenanceStatus))
    impact_analysis: Mapped[str] = mapped_column(Text)
    # JSON list of the codes of the norm criteria the change touches.
    touched_criteria: Mapped[str] = mapped_column(Text, default="[]")
    security_relevant: Mapped[bool] = mapped_column(Boolean, default=False)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[created_at]
    status_changed_at: Mapped[dt.datetime]
    routed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    routing_note: Mapped[str] = mapped_column(Text, default="")
    evaluator_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    declared_at: Mapped[dt.datetime | None]
    conflict_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_at: Mapped[dt.datetime | None]
    review_summary: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[dt.datetime | None]
    decision_reason: Mapped[str] = mapped_column(Text, default="")

    label: Mapped[Label] = relationship()
    version: Mapped[SolutionVersion] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    routed_by: Mapped[User | None] = relationship(foreign_keys=[routed_by_id])
    evaluator: Mapped[User | None] = relationship(foreign_keys=[evaluator_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    scores: Mapped[list[MaintenanceScore]] = relationship(
        back_populates="request", order_by="MaintenanceScore.id"
    )

    __table_args__ = (
        # One open request per label and version.
        Index(
            "uq_maintenance_request_one_open",
            "label_id",
            "version_id",
            unique=True,
            sqlite_where=text("status IN ('declared', 'in_review', 'reviewed')"),
            postgresql_where=text("status IN ('declared', 'in_review', 'reviewed')"),
        ),
    )


class MaintenanceScore(Base):
    """The reviewing evaluator's score of one touched criterion for the new version."""

    __tablename__ = "maintenance_score"

    id: Mapped[int_pk]
    request_id: Mapped[int] = mapped_column(ForeignKey("maintenance_request.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("norm_criterion.id"))
    value: Mapped[int | None] = mapped_column(Integer)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    justification: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime]

    request: Mapped[MaintenanceRequest] = relationship(back_populates="scores")
    criterion: Mapped[NormCriterion] = relationship()

    __table_args__ = (
        UniqueConstraint("request_id", "criterion_id"),
        CheckConstraint("value IS NULL OR (value BETWEEN 0 AND 5)", name="value_range"),
    )


class LabelEvent(Base):
    """One change of a label's status (issued, suspended, reinstated, revoked, expired)."""

    __tablename__ = "label_event"

    id: Mapped[int_pk]
    label_id: Mapped[int] = mapped_column(ForeignKey("label.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[created_at]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    audit_hash: Mapped[str] = mapped_column(String(64), default="")
    # The audit entry's sequence number, shown in the public decision log next to its hash.
    audit_seq: Mapped[int | None] = mapped_column(Integer)

    label: Mapped[Label] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
    # The audit entry the event wrote, by its sequence number (no foreign key: read only).
    audit_entry: Mapped[AuditEntry | None] = relationship(
        primaryjoin="foreign(LabelEvent.audit_seq) == AuditEntry.seq", viewonly=True
    )

    __table_args__ = (Index("ix_label_event_at", "at"),)


class RevocationProposalStatus(enum.StrEnum):
    """Where a proposal to revoke a label stands; only PENDING awaits a second officer."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    WITHDRAWN = "withdrawn"
    REFUSED = "refused"


class LabelRevocationProposal(Base):
    """One officer's proposal to revoke a label, confirmed or refused by another (four eyes).

    Internal to the authority: the label keeps its status until a second officer confirms.
    """

    __tablename__ = "label_revocation_proposal"

    id: Mapped[int_pk]
    label_id: Mapped[int] = mapped_column(ForeignKey("label.id"), index=True)
    status: Mapped[RevocationProposalStatus] = mapped_column(enum_column(RevocationProposalStatus))
    reason: Mapped[str] = mapped_column(Text)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    proposed_at: Mapped[created_at]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[dt.datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")
    # The vendor's notice: it may respond until this day; an emergency (with its justification)
    # lets the second officer confirm at once.
    response_due_on: Mapped[dt.date | None] = mapped_column(Date)
    emergency_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    vendor_response: Mapped[str] = mapped_column(Text, default="", server_default="")
    vendor_responded_at: Mapped[dt.datetime | None]

    label: Mapped[Label] = relationship()
    proposed_by: Mapped[User] = relationship(foreign_keys=[proposed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __table_args__ = (
        # One pending proposal per label, held by the database under concurrent requests.
        Index(
            "uq_label_revocation_proposal_one_pending",
            "label_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )


__all__ = [
    "Assignment",
    "AssignmentStatus",
    "Decision",
    "Evaluation",
    "EvaluationEvent",
    "EvaluationStatus",
    "Evidence",
    "Label",
    "LabelCounter",
    "LabelEvent",
    "LabelRevocationProposal",
    "LabelScope",
    "LabelStatus",
    "MaintenanceRequest",
    "MaintenanceScore",
    "MaintenanceStatus",
    "Resolution",
    "RevocationProposalStatus",
    "Score",
]
