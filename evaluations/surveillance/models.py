"""Surveillance during a label's validity: each norm's programme, the activities, the draws."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evaluations.models import Label
from registry.database import Base, created_at, int_pk
from registry.models import User, enum_column
from registry.norms.models import Norm


class ActivityKind(enum.StrEnum):
    """What is checked: the vendor's attestation, a sampled re-test, a complaint's review."""

    ATTESTATION = "attestation"
    RETEST = "retest"
    COMPLAINT_REVIEW = "complaint_review"

    @property
    def label(self) -> str:
        """A human name for the kind."""
        return {
            "attestation": "Annual attestation",
            "retest": "Sampled re-test",
            "complaint_review": "Complaint review",
        }[self.value]


class ActivityStatus(enum.StrEnum):
    """open → done; open → overdue (past its due date) → done (late)."""

    OPEN = "open"
    DONE = "done"
    OVERDUE = "overdue"


class ActivityResult(enum.StrEnum):
    """The outcome of a finished activity."""

    CONFORMING = "conforming"
    NONCONFORMING = "nonconforming"


class SurveillanceProgramme(Base):
    """What the authority set for a norm's labels; a norm without one uses the defaults."""

    __tablename__ = "surveillance_programme"

    id: Mapped[int_pk]
    norm_id: Mapped[int] = mapped_column(ForeignKey("norm.id"), unique=True)
    attestation_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    attestation_interval_months: Mapped[int] = mapped_column(Integer, default=12)
    retest_percent: Mapped[int] = mapped_column(Integer, default=10)
    days_to_complete: Mapped[int] = mapped_column(Integer, default=30)
    updated_at: Mapped[created_at]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    norm: Mapped[Norm] = relationship()


class SurveillanceActivity(Base):
    """One check of a valid label, with its due date, its status and its result.

    ``cycle`` keeps the daily job idempotent: the attestation's number since the label's
    validity began, or the re-test's sample year (one per label and year); empty for complaint
    reviews, of which a label may have several.
    """

    __tablename__ = "surveillance_activity"
    __table_args__ = (
        UniqueConstraint("label_id", "kind", "cycle", name="uq_surveillance_activity_cycle"),
        Index("ix_surveillance_activity_status_due", "status", "due_on"),
    )

    id: Mapped[int_pk]
    label_id: Mapped[int] = mapped_column(ForeignKey("label.id"), index=True)
    kind: Mapped[ActivityKind] = mapped_column(enum_column(ActivityKind, 30))
    cycle: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[ActivityStatus] = mapped_column(enum_column(ActivityStatus))
    due_on: Mapped[dt.date] = mapped_column(Date)
    opened_at: Mapped[created_at]
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # A complaint review: why it was opened and the complaint's reference (internal).
    reason: Mapped[str] = mapped_column(Text, default="")
    reference: Mapped[str] = mapped_column(String(40), default="")
    evaluator_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    assigned_at: Mapped[dt.datetime | None]
    result: Mapped[ActivityResult | None] = mapped_column(enum_column(ActivityResult))
    # An attestation that declares changes since certification (they go to a maintenance request).
    changes_declared: Mapped[bool] = mapped_column(Boolean, default=False)
    # Internal: the vendor's statement, the evaluator's report, the authority's review notes.
    notes: Mapped[str] = mapped_column(Text, default="")
    completed_at: Mapped[dt.datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    overdue_at: Mapped[dt.datetime | None]

    label: Mapped[Label] = relationship()
    evaluator: Mapped[User | None] = relationship(foreign_keys=[evaluator_id])


class SurveillanceDraw(Base):
    """The record of a year's re-test sample of one norm: drawn once, reproducible from the
    seed (the year and the norm's code) and the population."""

    __tablename__ = "surveillance_draw"
    __table_args__ = (UniqueConstraint("norm_id", "year", name="uq_surveillance_draw_year"),)

    id: Mapped[int_pk]
    norm_id: Mapped[int] = mapped_column(ForeignKey("norm.id"))
    year: Mapped[int] = mapped_column(Integer)
    seed: Mapped[str] = mapped_column(String(80))
    percent: Mapped[int] = mapped_column(Integer)
    population: Mapped[int] = mapped_column(Integer)
    # The drawn labels' numbers, comma-separated, in drawing order.
    drawn: Mapped[str] = mapped_column(Text, default="")
    drawn_at: Mapped[created_at]

    norm: Mapped[Norm] = relationship()
