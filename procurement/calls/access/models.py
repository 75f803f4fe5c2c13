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
from registry.uploads import StoredFileMixin


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


class OfferDeclaration(Base):
    """The vendor's self-declaration made with its offer (art. 57 and 58 of directive 2014/24):
    its answer on each exclusion ground, the measures taken when concerned, and that it meets
    the selection criteria. It holds no price; it is shown to the authority after the opening."""

    __tablename__ = "offer_declaration"

    id: Mapped[int_pk]
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id"), unique=True)
    # The exclusion grounds the vendor declared itself concerned by, comma-separated codes
    # (procurement.calls.access.declarations.EXCLUSION_GROUNDS); "" when none.
    concerned: Mapped[str] = mapped_column(String(200), default="")
    # The measures taken to show reliability despite a ground (art. 57(6)); "" when none.
    measures: Mapped[str] = mapped_column(Text, default="")
    meets_selection: Mapped[bool] = mapped_column(Boolean)
    declared_at: Mapped[dt.datetime]
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    offer: Mapped[Offer] = relationship()
    declared_by: Mapped[User | None] = relationship()


class WinnerEvidence(Base):
    """The supporting documents asked of a call's provisional winner before the award
    (art. 59(4)): asked with a deadline, uploaded by the vendor, accepted or rejected."""

    __tablename__ = "winner_evidence"
    id: Mapped[int_pk]
    call_id: Mapped[int] = mapped_column(ForeignKey("joint_call.id"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id"), unique=True)
    # What is asked, in words (e.g. "extract of the criminal record, tax certificate").
    asked_for: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[dt.datetime]
    due_at: Mapped[dt.datetime]
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # asked → submitted (a document uploaded) → accepted | rejected
    status: Mapped[str] = mapped_column(String(20), default="asked")
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[dt.datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    offer: Mapped[Offer] = relationship()
    asked_by: Mapped[User | None] = relationship(foreign_keys=[asked_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    documents: Mapped[list[WinnerEvidenceDocument]] = relationship(
        back_populates="evidence", order_by="WinnerEvidenceDocument.id"
    )


class WinnerEvidenceDocument(StoredFileMixin, Base):
    """One document the provisional winner uploaded as evidence."""

    __tablename__ = "winner_evidence_document"

    id: Mapped[int_pk]
    evidence_id: Mapped[int] = mapped_column(ForeignKey("winner_evidence.id"), index=True)

    evidence: Mapped[WinnerEvidence] = relationship(back_populates="documents")
