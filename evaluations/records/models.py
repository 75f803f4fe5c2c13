"""Legal holds on an evaluation, a label or a solution's records; evaluators' reports."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evaluations.models import Assignment, Evaluation
from registry.database import Base, UTCDateTime, created_at, int_pk
from registry.models import User, enum_column
from registry.uploads import AFTER_STORED_FILE, StoredFileMixin


class HoldTarget(enum.StrEnum):
    """What a legal hold covers."""

    EVALUATION = "evaluation"
    LABEL = "label"
    SOLUTION = "solution"


class LegalHold(Base):
    """A hold on records for proceedings: while it is not released, nothing it covers is
    purged and no evidence it covers can be removed, even from a draft."""

    __tablename__ = "legal_hold"
    __table_args__ = (Index("ix_legal_hold_target", "target_type", "target_id"),)

    id: Mapped[int_pk]
    target_type: Mapped[HoldTarget] = mapped_column(enum_column(HoldTarget))
    target_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    proceedings_reference: Mapped[str] = mapped_column(String(200))
    placed_at: Mapped[created_at]
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    release_reason: Mapped[str] = mapped_column(Text, default="")

    placed_by: Mapped[User | None] = relationship(foreign_keys=[placed_by_id])
    released_by: Mapped[User | None] = relationship(foreign_keys=[released_by_id])

    @property
    def active(self) -> bool:
        """Whether the hold is still in force."""
        return self.released_at is None


class ReportKind(enum.StrEnum):
    """A test report (any number) or the signed evaluation report (one, in versions)."""

    TEST = "test"
    EVALUATION = "evaluation"

    @property
    def label(self) -> str:
        """How the kind reads on a page."""
        return "Test report" if self is ReportKind.TEST else "Signed evaluation report"


class EvaluatorReport(StoredFileMixin, Base):
    """A PDF an evaluator uploaded on their assignment.

    A signed evaluation report records who signed it (after re-entering their password) and
    when; a new signed version supersedes the previous one, both are kept.
    """

    __tablename__ = "evaluator_report"
    __table_args__ = (
        UniqueConstraint("assignment_id", "kind", "version", name="uq_evaluator_report_version"),
    )

    id: Mapped[int_pk]
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id"), index=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id"), index=True)
    kind: Mapped[ReportKind] = mapped_column(enum_column(ReportKind))
    title: Mapped[str] = mapped_column(String(200), sort_order=AFTER_STORED_FILE)
    version: Mapped[int] = mapped_column(Integer, default=1, sort_order=AFTER_STORED_FILE)
    signed_at: Mapped[dt.datetime | None] = mapped_column(
        UTCDateTime(), sort_order=AFTER_STORED_FILE
    )
    signed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id"), sort_order=AFTER_STORED_FILE
    )

    evaluation: Mapped[Evaluation] = relationship()
    assignment: Mapped[Assignment] = relationship()
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])
    uploaded_by: Mapped[User | None] = relationship(foreign_keys="EvaluatorReport.uploaded_by_id")
