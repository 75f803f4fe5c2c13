"""Each offer's eligibility as it stood at its call's deadline, and the decisions that change it.

The record is written once, at the opening (procurement.calls.services.opening), and never
changed: a label suspended or revoked afterwards changes nothing at the award unless the
authority records an EligibilityDecision (with its reason, told to the vendor).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evaluations.models import Label
from procurement.calls.models import Offer
from registry.database import Base, int_pk
from registry.models import User


class FrozenEligibility(Base):
    """An offer's eligibility at the deadline, and what it stood on."""

    __tablename__ = "offer_eligibility"

    id: Mapped[int_pk]
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id"), unique=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("joint_call.id"), index=True)
    eligible: Mapped[bool] = mapped_column(Boolean)
    # The label that made the offer eligible at the deadline (None when it was not eligible).
    label_id: Mapped[int | None] = mapped_column(ForeignKey("label.id"))
    # The basis in words, e.g. "label L-2026-0001 (substantial)".
    basis: Mapped[str] = mapped_column(String(200), default="")
    # Why it was not eligible at the deadline ("" when it was).
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[dt.datetime]

    offer: Mapped[Offer] = relationship()
    label: Mapped[Label | None] = relationship()


class EligibilityDecision(Base):
    """The authority's decision, after the deadline, that an offer is (or is no longer) eligible."""

    __tablename__ = "eligibility_decision"

    id: Mapped[int_pk]
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id"), index=True)
    eligible: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[dt.datetime]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    offer: Mapped[Offer] = relationship()
    decided_by: Mapped[User | None] = relationship()
