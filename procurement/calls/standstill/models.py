"""Award letters (one per offer of an awarded call) and review requests filed by bidders
during the standstill."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.calls.models import Award, Offer
from registry.database import Base, created_at, int_pk
from registry.models import Organisation, User, enum_column


class LetterOutcome(enum.StrEnum):
    """What the award means for one bidder."""

    WON = "won"
    NOT_RETAINED = "not_retained"
    EXCLUDED = "excluded"

    @property
    def label(self) -> str:
        """A human name for the outcome."""
        return {"won": "Won", "not_retained": "Not retained", "excluded": "Excluded"}[self.value]


class ReviewStatus(enum.StrEnum):
    """open (no contract can be signed) → upheld (the award is to be reconsidered) or
    dismissed (with reasons)."""

    OPEN = "open"
    UPHELD = "upheld"
    DISMISSED = "dismissed"

    @property
    def label(self) -> str:
        """A human name for the status."""
        return {"open": "Open", "upheld": "Upheld", "dismissed": "Dismissed"}[self.value]


class AwardLetter(Base):
    """The letter telling one bidder the outcome of the award, with reasons and the end of the
    standstill; mailed when the call is awarded and readable by the vendor in the portal."""

    __tablename__ = "award_letter"

    id: Mapped[int_pk]
    award_id: Mapped[int] = mapped_column(ForeignKey("award.id"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id"))
    vendor_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    outcome: Mapped[LetterOutcome] = mapped_column(enum_column(LetterOutcome))
    # Why this offer won, was not retained or was excluded, in words.
    reasons: Mapped[str] = mapped_column(Text, default="")
    # The winner's relative advantages over this offer (price and lead time compared).
    advantages: Mapped[str] = mapped_column(Text, default="")
    standstill_ends_at: Mapped[dt.datetime]
    sent_at: Mapped[created_at]

    award: Mapped[Award] = relationship()
    offer: Mapped[Offer] = relationship()
    vendor: Mapped[Organisation] = relationship()

    __table_args__ = (UniqueConstraint("award_id", "offer_id"),)

    @property
    def reference(self) -> str:
        """A stable human reference, e.g. LETTER-00042."""
        return f"LETTER-{self.id:05d}"


class ReviewRequest(Base):
    """A bidder's request that the award be reviewed, filed during the standstill."""

    __tablename__ = "review_request"

    id: Mapped[int_pk]
    award_id: Mapped[int] = mapped_column(ForeignKey("award.id"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    grounds: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[created_at]
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[ReviewStatus] = mapped_column(
        enum_column(ReviewStatus), default=ReviewStatus.OPEN
    )
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[dt.datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    award: Mapped[Award] = relationship()
    vendor: Mapped[Organisation] = relationship()
    filed_by: Mapped[User | None] = relationship(foreign_keys=[filed_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])

    @property
    def reference(self) -> str:
        """A stable human reference, e.g. REVIEW-00042."""
        return f"REVIEW-{self.id:05d}"
