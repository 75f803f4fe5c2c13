"""A call's published award criteria and each offer's scores at the award.

The criteria are set when the call is opened and published with it; a call without criteria
is awarded on price alone, as before. At the award every viable offer gets one score row per
criterion (0–100), so that the award record shows how each offer was scored.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Integer, Numeric, UniqueConstraint
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
