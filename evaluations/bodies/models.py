"""Accreditations of evaluation bodies (ISO/IEC 17065 6.2) and the approval of evaluators (6.1).

An evaluator may be assigned only when the authority approved them and their body holds an
accreditation, valid that day, whose scope covers the evaluation's norm (by the norm itself or
by its technology category).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.database import Base, created_at, int_pk, str200
from registry.models import Organisation, TechnologyCategory, User, enum_column
from registry.norms.models import Norm


class Accreditation(Base):
    """An evaluation body's accreditation by an accreditation body, for a scope, until a date."""

    __tablename__ = "accreditation"

    id: Mapped[int_pk]
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    # Who accredited the body (e.g. "COFRAC") and against which standard (e.g. ISO/IEC 17025).
    accreditation_body: Mapped[str200]
    standard: Mapped[str200]
    certificate_number: Mapped[str] = mapped_column(String(100))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date] = mapped_column(Date)
    # Set when the authority ends it early (suspended or withdrawn by the accreditation body).
    withdrawn_at: Mapped[dt.datetime | None]
    withdrawal_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[created_at]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    organisation: Mapped[Organisation] = relationship()
    scope: Mapped[list[AccreditationScope]] = relationship(
        back_populates="accreditation",
        order_by="AccreditationScope.id",
        cascade="all, delete-orphan",
    )

    __table_args__ = (CheckConstraint("valid_until >= valid_from", name="valid_dates"),)


class AccreditationScope(Base):
    """One entry of an accreditation's scope: a whole technology category, or one norm."""

    __tablename__ = "accreditation_scope"

    id: Mapped[int_pk]
    accreditation_id: Mapped[int] = mapped_column(ForeignKey("accreditation.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("technology_category.id"))
    # None: every norm of the category.
    norm_id: Mapped[int | None] = mapped_column(ForeignKey("norm.id"))

    accreditation: Mapped[Accreditation] = relationship(back_populates="scope")
    category: Mapped[TechnologyCategory] = relationship()
    norm: Mapped[Norm | None] = relationship()


class ApprovalStatus(enum.StrEnum):
    """A body proposes an evaluator; the authority approves or refuses; approval can end."""

    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class EvaluatorApproval(Base):
    """The authority's approval of one evaluator, proposed by their body with their competence."""

    __tablename__ = "evaluator_approval"

    id: Mapped[int_pk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    status: Mapped[ApprovalStatus] = mapped_column(enum_column(ApprovalStatus))
    # What the body says of the evaluator's qualifications, training and experience.
    competence: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[created_at]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[dt.datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


__all__ = ["Accreditation", "AccreditationScope", "ApprovalStatus", "EvaluatorApproval"]
