"""Joint calls opened from frozen lots, the vendors' sealed offers, the award and its contracts.

A call is opened by the authority from one frozen lot (docs/PROCUREMENT.md, "Flow" 4–6). It is open
for offers until its deadline; from then on the offers are unsealed for the authority, which
awards the call (one Award, one ContractLine per buyer whose ceiling the awarded price meets,
one AwardDropout per buyer above it) or declares it unsuccessful. A call can also be cancelled
before its deadline.

Each call carries its OCDS open contracting id (ocid), fixed at opening, under which the tender,
award and contracts are published.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    and_,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.models import Solution, SolutionVersion
from evaluations.models import Label
from procurement.calls.legal.models import LegalBasis, Regime
from procurement.models import BIG_MONEY, MONEY, Lot, LotMember, Need
from registry.database import Base, created_at, int_pk, str200, utcnow
from registry.models import Organisation, User, enum_column
from registry.uploads import StoredFileMixin
from vulnerabilities.models import Severity

# A framework agreement lasts at most 4 years (Directive 2014/24/EU, art. 33).
MAX_CONTRACT_MONTHS = 48
MAX_TIERS = 6
MAX_LEAD_TIME_DAYS = 730


class CallStatus(enum.StrEnum):
    """open (taking offers until the deadline, then awaiting award) → awarded / unsuccessful;
    or cancelled by the authority."""

    OPEN = "open"
    AWARDED = "awarded"
    UNSUCCESSFUL = "unsuccessful"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        """A human name for the status."""
        return {
            "open": "Open",
            "awarded": "Awarded",
            "unsuccessful": "Unsuccessful",
            "cancelled": "Cancelled",
        }[self.value]


class OfferStatus(enum.StrEnum):
    """submitted (counts at the opening and the award) or withdrawn (kept, never counted)."""

    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        """A human name for the status."""
        return {"submitted": "Submitted", "withdrawn": "Withdrawn"}[self.value]


class JointCall(Base):
    """A call for offers for one frozen lot, on behalf of all the lot's buyers."""

    __tablename__ = "joint_call"

    id: Mapped[int_pk]
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), unique=True)
    # The OCDS open contracting id: "<prefix>-<reference>", e.g. ocds-sfreg1-CALL-00001.
    ocid: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str200]
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[CallStatus] = mapped_column(enum_column(CallStatus))
    # Offers are accepted while now < deadline; offers are unsealed from the deadline on.
    deadline: Mapped[dt.datetime]
    # Duration of the framework agreement the award creates.
    contract_months: Mapped[int] = mapped_column(Integer, default=24)
    opened_at: Mapped[created_at]
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Set when the call is awarded, declared unsuccessful or cancelled.
    closed_at: Mapped[dt.datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Why the call ended unsuccessful or cancelled, in words a vendor and a buyer understand.
    outcome_reason: Mapped[str] = mapped_column(Text, default="")
    # Set once, by the first opening after the deadline, with the "call.offers_opened" audit
    # entry that fingerprints every offer (procurement.calls.services.opening).
    offers_opened_at: Mapped[dt.datetime | None]
    # Offers must name a version of the solution that a valid label's certified scope holds.
    requires_version_in_scope: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # Solutions with an open (disclosed, confirmed, unfixed) vulnerability at or above this
    # severity are not eligible; None excludes nobody for vulnerabilities.
    max_open_vulnerability_severity: Mapped[Severity | None] = mapped_column(enum_column(Severity))
    # Legal basis, buyers' mandates and procedure rules by value (procurement.calls.legal).
    legal_basis: Mapped[LegalBasis] = mapped_column(
        enum_column(LegalBasis),
        default=LegalBasis.CENTRAL_PURCHASING,
        server_default=LegalBasis.CENTRAL_PURCHASING.value,
    )
    regime: Mapped[Regime] = mapped_column(
        enum_column(Regime),
        default=Regime.BELOW_THRESHOLD,
        server_default=Regime.BELOW_THRESHOLD.value,
    )
    estimated_value: Mapped[Decimal] = mapped_column(BIG_MONEY, default=0, server_default="0")
    round_need_value: Mapped[Decimal] = mapped_column(BIG_MONEY, default=0, server_default="0")

    lot: Mapped[Lot] = relationship()
    opened_by: Mapped[User | None] = relationship(foreign_keys=[opened_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    documents: Mapped[list[CallDocument]] = relationship(
        back_populates="call", order_by="CallDocument.id"
    )
    # Every offer, withdrawn ones included; `offers` holds the submitted ones only (they count).
    all_offers: Mapped[list[Offer]] = relationship(back_populates="call", order_by="Offer.id")
    offers: Mapped[list[Offer]] = relationship(
        primaryjoin=lambda: and_(
            JointCall.id == Offer.call_id, Offer.status == OfferStatus.SUBMITTED
        ),
        order_by="Offer.id",
        viewonly=True,
    )
    award: Mapped[Award | None] = relationship(back_populates="call", uselist=False)

    __table_args__ = (
        CheckConstraint(
            f"contract_months BETWEEN 1 AND {MAX_CONTRACT_MONTHS}", name="contract_months_range"
        ),
    )

    @property
    def reference(self) -> str:
        """A stable human reference, e.g. CALL-00042."""
        return f"CALL-{self.id:05d}"

    def deadline_passed(self, now: dt.datetime | None = None) -> bool:
        """Whether offers are closed (and unsealed)."""
        return (now or utcnow()) >= self.deadline

    @property
    def phase(self) -> str:
        """taking_offers, awaiting_award, or the final status value."""
        if self.status is CallStatus.OPEN:
            return "awaiting_award" if self.deadline_passed() else "taking_offers"
        return self.status.value


class CallDocument(StoredFileMixin, Base):
    """A tender document attached to a call (specification, draft framework agreement…)."""

    __tablename__ = "call_document"

    id: Mapped[int_pk]
    call_id: Mapped[int] = mapped_column(ForeignKey("joint_call.id"), index=True)
    title: Mapped[str200]
    # What the document is (procurement.calls.documents.models.DocumentKind), its version
    # number (1 when attached, +1 each new version) and the corrigendum that published the
    # current version (none for the first). Earlier versions: call_document_version.
    kind: Mapped[str] = mapped_column(String(40), default="other", server_default="other")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    corrigendum_id: Mapped[int | None] = mapped_column(ForeignKey("call_corrigendum.id"))

    call: Mapped[JointCall] = relationship(back_populates="documents")
    uploaded_by: Mapped[User | None] = relationship()

    __table_args__ = (CheckConstraint("size_bytes > 0", name="size_positive"),)


class Offer(Base):
    """One vendor's offer on a call: a certified solution, tiered unit prices and a lead time.

    Sealed: until the call's deadline only its own vendor reads it; other vendors never do.
    A withdrawn offer is kept (status withdrawn, withdrawn_at); submitting again on the same
    call makes the same row submitted again.
    """

    __tablename__ = "offer"

    id: Mapped[int_pk]
    call_id: Mapped[int] = mapped_column(ForeignKey("joint_call.id"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    solution_id: Mapped[int] = mapped_column(ForeignKey("solution.id"))
    # The label that made the solution eligible when the offer was last saved.
    label_id: Mapped[int] = mapped_column(ForeignKey("label.id"))
    # The version of the solution offered (required when the call requires it in scope).
    version_id: Mapped[int | None] = mapped_column(ForeignKey("solution_version.id"))
    lead_time_days: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[created_at]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[dt.datetime]
    status: Mapped[OfferStatus] = mapped_column(
        enum_column(OfferStatus), default=OfferStatus.SUBMITTED
    )
    withdrawn_at: Mapped[dt.datetime | None]
    # SHA-256 of the offer's canonical content at its last save: the vendor's receipt, and what
    # the opening entry records (procurement.calls.services.opening.offer_content).
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    # Real sealing: the content that reveals the price (tiers, lead time, notes), encrypted to
    # the call's public key (base64), and its SHA-256, the receipt. Until the opening the plain
    # columns hold nothing of it (no tiers, lead time 1, no notes); procurement.calls.sealing.
    sealed_content: Mapped[str] = mapped_column(Text, default="", server_default="")
    sealed_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")

    call: Mapped[JointCall] = relationship(back_populates="all_offers")
    vendor: Mapped[Organisation] = relationship()
    solution: Mapped[Solution] = relationship()
    label: Mapped[Label] = relationship()
    version: Mapped[SolutionVersion | None] = relationship()
    submitted_by: Mapped[User | None] = relationship()
    tiers: Mapped[list[OfferTier]] = relationship(
        back_populates="offer", order_by="OfferTier.min_quantity", cascade="all, delete-orphan"
    )

    __table_args__ = (
        # One offer per vendor per call: a second "submit" edits, never duplicates.
        UniqueConstraint("call_id", "vendor_id"),
        CheckConstraint(
            f"lead_time_days BETWEEN 1 AND {MAX_LEAD_TIME_DAYS}", name="lead_time_range"
        ),
    )

    @property
    def reference(self) -> str:
        """A stable human reference, e.g. OFFER-00042."""
        return f"OFFER-{self.id:05d}"


class OfferTier(Base):
    """The unit price from a total quantity on: the price for Q is that of the highest tier
    whose min_quantity ≤ Q. The lowest tier starts at 1."""

    __tablename__ = "offer_tier"

    id: Mapped[int_pk]
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id", ondelete="CASCADE"), index=True)
    min_quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(MONEY)

    offer: Mapped[Offer] = relationship(back_populates="tiers")

    __table_args__ = (
        UniqueConstraint("offer_id", "min_quantity"),
        CheckConstraint("min_quantity > 0", name="min_quantity_positive"),
        CheckConstraint("unit_price > 0", name="unit_price_positive"),
    )


class Award(Base):
    """The decision on a call: the winning offer, the quantity and unit price after re-pricing."""

    __tablename__ = "award"

    id: Mapped[int_pk]
    call_id: Mapped[int] = mapped_column(ForeignKey("joint_call.id"), unique=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id"))
    # Firm quantity of the buyers that stayed (the estimate) and firm + optional (the maximum).
    quantity: Mapped[int] = mapped_column(Integer)
    maximum_quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    total_value: Mapped[Decimal] = mapped_column(BIG_MONEY)
    # What the same buyers would have paid buying alone: Σ qᵢ·p(qᵢ) with the round's slope β,
    # the curve anchored at the awarded price.
    counterfactual_value: Mapped[Decimal] = mapped_column(BIG_MONEY)
    # 1 − total_value / counterfactual_value, a fraction: the modelled pooling effect, which
    # reduces to 1 − Q^(1+β)/Σqᵢ^(1+β) (the name is kept from before). What the award saves
    # against observed prices is read from the offers: procurement.calls.savings.award_savings.
    realised_saving: Mapped[Decimal] = mapped_column(Numeric(8, 6))
    rationale: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[created_at]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    contract_start: Mapped[dt.date]
    contract_end: Mapped[dt.date]
    # End of the standstill period (Remedies Directive 2007/66/EC): no contract under the award
    # is signed before it. None for awards made before standstill existed.
    standstill_ends_at: Mapped[dt.datetime | None]

    call: Mapped[JointCall] = relationship(back_populates="award")
    offer: Mapped[Offer] = relationship()
    decided_by: Mapped[User | None] = relationship()
    lines: Mapped[list[ContractLine]] = relationship(
        back_populates="award", order_by="ContractLine.id"
    )
    dropouts: Mapped[list[AwardDropout]] = relationship(
        back_populates="award", order_by="AwardDropout.id"
    )

    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    @property
    def reference(self) -> str:
        """A stable human reference, e.g. AWARD-00042."""
        return f"AWARD-{self.id:05d}"


class ContractLine(Base):
    """One buyer's contract under an award: its firm (and maximum) quantity at the award price."""

    __tablename__ = "contract_line"

    id: Mapped[int_pk]
    award_id: Mapped[int] = mapped_column(ForeignKey("award.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("lot_member.id"))
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id"), unique=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    maximum_quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    value: Mapped[Decimal] = mapped_column(BIG_MONEY)
    created_at: Mapped[created_at]
    # The buyer's signature of its contract, recorded after the standstill; until then the
    # contract is pending and no order can be placed against it.
    signed_at: Mapped[dt.datetime | None]
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Who signed for the buyer (name and capacity), as written on the signed contract.
    signatory: Mapped[str] = mapped_column(String(200), default="")
    # Orders: the quantity ordered so far, raised only by a conditional update (calls.orders).
    ordered_quantity: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Contract modifications (art. 72, calls.modifications): the terms in force once modified.
    # The columns above keep the terms as signed (what the published releases show).
    modified_maximum_quantity: Mapped[int | None] = mapped_column(Integer)
    modified_unit_price: Mapped[Decimal | None] = mapped_column(MONEY)
    modified_end: Mapped[dt.date | None]

    award: Mapped[Award] = relationship(back_populates="lines")
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])
    member: Mapped[LotMember] = relationship()
    need: Mapped[Need] = relationship()
    buyer: Mapped[Organisation] = relationship()

    __table_args__ = (
        UniqueConstraint("award_id", "buyer_id", "need_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    @property
    def reference(self) -> str:
        """A stable human reference, e.g. CONTRACT-00042."""
        return f"CONTRACT-{self.id:05d}"

    @property
    def maximum_in_force(self) -> int:
        """The maximum quantity orders are checked against (as modified, if it was)."""
        if self.modified_maximum_quantity is None:
            return self.maximum_quantity
        return self.modified_maximum_quantity

    @property
    def unit_price_in_force(self) -> Decimal:
        """The unit price orders are placed at (as modified, if it was)."""
        return self.unit_price if self.modified_unit_price is None else self.modified_unit_price

    @property
    def end_in_force(self) -> dt.date:
        """The last day orders can be placed on the line (as modified, if it was)."""
        return self.award.contract_end if self.modified_end is None else self.modified_end


class AwardDropout(Base):
    """A buyer left out of an award because the awarded unit price is above its ceiling."""

    __tablename__ = "award_dropout"

    id: Mapped[int_pk]
    award_id: Mapped[int] = mapped_column(ForeignKey("award.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("lot_member.id"))
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    ceiling: Mapped[Decimal] = mapped_column(MONEY)
    # The unit price that was above the ceiling at the step the buyer dropped out.
    price_at_dropout: Mapped[Decimal] = mapped_column(MONEY)

    award: Mapped[Award] = relationship(back_populates="dropouts")
    member: Mapped[LotMember] = relationship()
    need: Mapped[Need] = relationship()
    buyer: Mapped[Organisation] = relationship()

    __table_args__ = (UniqueConstraint("award_id", "need_id"),)
