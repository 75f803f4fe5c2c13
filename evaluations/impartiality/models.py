"""Declarations of interests, decision reviews, the impartiality risk register and committee."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evaluations.models import Evaluation
from registry.database import Base, created_at, int_pk, str200
from registry.models import Organisation, User, enum_column


class InterestDeclaration(Base):
    """A staff member's interest in one vendor (employment, shares, consultancy, family...).

    Open while `ended_at` is empty. An open declaration bars its author from assigning,
    evaluating, reviewing or deciding anything of that vendor.
    """

    __tablename__ = "interest_declaration"

    id: Mapped[int_pk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    nature: Mapped[str] = mapped_column(Text)
    declared_at: Mapped[created_at]
    ended_at: Mapped[dt.datetime | None]
    end_note: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    vendor: Mapped[Organisation] = relationship()


class DeclarationConfirmation(Base):
    """A staff member's statement that their declarations of interests are complete and current.

    The newest one must be younger than IMPARTIALITY_DECLARATION_MONTHS for the person to be
    assigned, to review or to decide.
    """

    __tablename__ = "declaration_confirmation"

    id: Mapped[int_pk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    confirmed_at: Mapped[created_at]
    # How many open declarations the person had when confirming (the record of what they said).
    open_declarations: Mapped[int] = mapped_column(Integer, default=0)

    user: Mapped[User] = relationship()


class ReviewOutcome(enum.StrEnum):
    """The second officer's recommendation before the decision."""

    AGREE = "agree"
    DISAGREE = "disagree"


class DecisionReview(Base):
    """A second authority officer's review of a scored evaluation before the decision."""

    __tablename__ = "decision_review"

    id: Mapped[int_pk]
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    outcome: Mapped[ReviewOutcome] = mapped_column(enum_column(ReviewOutcome))
    # The decision and level the reviewer recommends, and why.
    recommended_decision: Mapped[str] = mapped_column(String(20))
    recommended_level: Mapped[str | None] = mapped_column(String(60))
    note: Mapped[str] = mapped_column(Text)
    reviewed_at: Mapped[created_at]

    evaluation: Mapped[Evaluation] = relationship()
    reviewer: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("evaluation_id", "reviewer_id"),)


class RiskStatus(enum.StrEnum):
    """An impartiality risk is open (being treated) or closed."""

    OPEN = "open"
    CLOSED = "closed"


class ImpartialityRisk(Base):
    """One entry of the impartiality risk register: a threat, its rating and its treatment."""

    __tablename__ = "impartiality_risk"

    id: Mapped[int_pk]
    title: Mapped[str200]
    # Where the threat comes from: self-interest, self-review, familiarity, intimidation...
    source: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text)
    likelihood: Mapped[int] = mapped_column(Integer)  # 1..5
    impact: Mapped[int] = mapped_column(Integer)  # 1..5
    treatment: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[RiskStatus] = mapped_column(enum_column(RiskStatus))
    review_due_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime]

    owner: Mapped[User | None] = relationship()

    __table_args__ = (Index("ix_impartiality_risk_status", "status", "review_due_on"),)


class CommitteeMeeting(Base):
    """A meeting of the impartiality committee: who attended, what it reviewed and decided."""

    __tablename__ = "committee_meeting"

    id: Mapped[int_pk]
    held_on: Mapped[dt.date] = mapped_column(Date)
    attendees: Mapped[str] = mapped_column(Text)
    minutes: Mapped[str] = mapped_column(Text)
    decisions: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[created_at]

    recorded_by: Mapped[User | None] = relationship()


__all__ = [
    "CommitteeMeeting",
    "DecisionReview",
    "DeclarationConfirmation",
    "ImpartialityRisk",
    "InterestDeclaration",
    "ReviewOutcome",
    "RiskStatus",
]
