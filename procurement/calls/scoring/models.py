"""A call's published award criteria and each offer's scores at the award.

The criteria are set when the call is opened and published with it; a call without criteria
is awarded on price alone, as before. At the award every viable offer gets one score row per
criterion (0–100), so that the award record shows how each offer was scored.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from procurement.calls.scoring.rules import CriterionKind
from registry.database import Base, int_pk
from registry.models import enum_column

SCORE = Numeric(9, 4)


class AwardCriterion(Base):
    """One weighted award criterion of a call, as published in its notice."""

    __tablename__ = "award_criterion"

    id: Mapped[int_pk]
    call_id: Mapped[int] = mapped_column(ForeignKey("joint_call.id"), index=True)
    kind: Mapped[CriterionKind] = mapped_column(enum_column(CriterionKind))
    # Whole percent; a call's weights add up to 100.
    weight: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("call_id", "kind"),
        CheckConstraint("weight BETWEEN 0 AND 100", name="weight_percent"),
    )


class AwardScore(Base):
    """A viable offer's score (0–100) on one criterion, recorded with the award."""

    __tablename__ = "award_score"

    id: Mapped[int_pk]
    award_id: Mapped[int] = mapped_column(ForeignKey("award.id"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id"))
    kind: Mapped[CriterionKind] = mapped_column(enum_column(CriterionKind))
    score: Mapped[Decimal] = mapped_column(SCORE)
    # The weighted score of the offer over every criterion, repeated on each of its rows.
    total: Mapped[Decimal] = mapped_column(SCORE)
    # 1 for the winner, then in the order of the ranking.
    rank: Mapped[int] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("award_id", "offer_id", "kind"),)


class OwnCriterion(Base):
    """A criterion the authority defined itself when opening the call, scored by hand."""

    __tablename__ = "own_award_criterion"

    id: Mapped[int_pk]
    call_id: Mapped[int] = mapped_column(ForeignKey("joint_call.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    # Whole percent; with the call's other weights it adds up to 100.
    weight: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("call_id", "name"),
        CheckConstraint("weight BETWEEN 1 AND 100", name="own_weight_percent"),
    )


class OwnScore(Base):
    """The authority's score (0–100) of one offer on one of its own criteria, with the reason."""

    __tablename__ = "own_award_score"

    id: Mapped[int_pk]
    criterion_id: Mapped[int] = mapped_column(ForeignKey("own_award_criterion.id"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id"), index=True)
    score: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    scored_at: Mapped[dt.datetime]
    scored_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    __table_args__ = (
        UniqueConstraint("criterion_id", "offer_id"),
        CheckConstraint("score BETWEEN 0 AND 100", name="own_score_percent"),
    )


class LowPriceDecision(enum.StrEnum):
    """The authority's decision on a vendor's explanation of an abnormally low price."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        """The decision in words."""
        return {"accepted": "Explanation accepted", "rejected": "Offer rejected"}[self.value]


class LowPriceRequest(Base):
    """The authority's request that a vendor explain an abnormally low price (art. 69), the
    vendor's answer and the decision; pending until decided."""

    __tablename__ = "low_price_request"

    id: Mapped[int_pk]
    call_id: Mapped[int] = mapped_column(ForeignKey("joint_call.id"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id"), unique=True)
    question: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[dt.datetime]
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The vendor answers until then (LOW_PRICE_EXPLANATION_DAYS after the request).
    due_at: Mapped[dt.datetime]
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[dt.datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decision: Mapped[LowPriceDecision | None] = mapped_column(enum_column(LowPriceDecision))
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[dt.datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
