"""Buyer needs, aggregation rounds and the lots they propose.

A need belongs to one buyer organisation; its lifecycle (docs/PROCUREMENT.md, "Flow"):
draft → open → pooled (member of a lot) → in call → contracted, or unmatched (with a reason,
back to open at the next round) and withdrawn.

A round stores its parameters and counts; its lots are proposed → confirmed (every member that
did not decline confirmed) → frozen. A frozen lot is what a joint call is opened from later:
its requirement (norm + level rank), partition and figures are fixed from then on, and the
call phase adds call_opened → awarded / unsuccessful / cancelled.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.aggregation.results import UnmatchedReason
from registry.database import Base, created_at, int_pk, str200
from registry.models import Organisation, TechnologyCategory, User, enum_column
from registry.norms.models import Norm

MAX_UPLIFT = 2
MAX_LEVEL_RANK = 5
NOTES_MAX = 5_000
# Money: 12 digits before the point is far above any public-security purchase.
MONEY = Numeric(14, 2)
BIG_MONEY = Numeric(18, 2)


class NeedStatus(enum.StrEnum):
    """Where a need stands."""

    DRAFT = "draft"
    OPEN = "open"
    POOLED = "pooled"
    IN_CALL = "in_call"
    CONTRACTED = "contracted"
    UNMATCHED = "unmatched"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        """A human name for the status."""
        return {
            "draft": "Draft",
            "open": "Open",
            "pooled": "Pooled in a lot",
            "in_call": "In a joint call",
            "contracted": "Contracted",
            "unmatched": "Not pooled",
            "withdrawn": "Withdrawn",
        }[self.value]


# A buyer may change or withdraw its need only before it is pooled.
EDITABLE_NEED_STATUSES = (NeedStatus.DRAFT, NeedStatus.OPEN, NeedStatus.UNMATCHED)


class NeedUnit(enum.StrEnum):
    """What a quantity counts; needs pool only with needs of the same unit."""

    UNIT = "unit"
    CAMERA = "camera"
    SENSOR = "sensor"
    DEVICE = "device"
    LICENCE = "licence"
    SITE = "site"
    USER = "user"
    YEAR_SUBSCRIPTION = "year_subscription"

    @property
    def label(self) -> str:
        """A human name for the unit."""
        return {
            "unit": "Unit",
            "camera": "Camera",
            "sensor": "Sensor",
            "device": "Device",
            "licence": "Licence",
            "site": "Site",
            "user": "User",
            "year_subscription": "Year of subscription",
        }[self.value]


CURRENCIES = ("EUR",)


class Need(Base):
    """A buyer's statement of what it wants to buy, up to what unit price, by when, where."""

    __tablename__ = "need"

    id: Mapped[int_pk]
    buyer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    title: Mapped[str200]
    category_id: Mapped[int] = mapped_column(ForeignKey("technology_category.id"), index=True)
    norm_id: Mapped[int | None] = mapped_column(ForeignKey("norm.id"), index=True)
    # Position of the minimum label level in the norm's levels (1 = lowest); 0 = no label.
    min_level_rank: Mapped[int] = mapped_column(Integer, default=0)
    firm_quantity: Mapped[int] = mapped_column(Integer)
    optional_quantity: Mapped[int] = mapped_column(Integer, default=0)
    unit: Mapped[NeedUnit] = mapped_column(enum_column(NeedUnit))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    max_unit_price: Mapped[Decimal] = mapped_column(MONEY)
    need_by: Mapped[dt.date] = mapped_column(Date)
    # ISO 3166 code from catalog.regions: "FR" nationwide or "FR-BRE" etc.
    region_code: Mapped[str] = mapped_column(String(10))
    # How many level ranks stricter than its own the buyer accepts (0..MAX_UPLIFT).
    accepted_uplift: Mapped[int] = mapped_column(Integer, default=0)
    # The buyer wants the offered version in the certified scope: a call opened on a lot
    # holding this need requires it of every offer (procurement.calls).
    requires_version_in_scope: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[NeedStatus] = mapped_column(enum_column(NeedStatus))
    # Set when the last round left the need out (aggregation.UnmatchedReason value).
    unmatched_reason: Mapped[str | None] = mapped_column(String(40))
    unmatched_message: Mapped[str] = mapped_column(Text, default="")

    @property
    def unmatched_reason_label(self) -> str:
        """Why the last round left the need out, in words ("" when it did not)."""
        if not self.unmatched_reason:
            return ""
        return UnmatchedReason(self.unmatched_reason).label

    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime]
    opened_at: Mapped[dt.datetime | None]
    withdrawn_at: Mapped[dt.datetime | None]

    buyer: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()
    category: Mapped[TechnologyCategory] = relationship()
    norm: Mapped[Norm | None] = relationship()

    __table_args__ = (
        # A double-clicked "Save" makes one need, not two.
        UniqueConstraint("buyer_id", "title"),
        Index("ix_need_status_category", "status", "category_id"),
        CheckConstraint("firm_quantity > 0", name="firm_quantity_positive"),
        CheckConstraint("optional_quantity >= 0", name="optional_quantity_not_negative"),
        CheckConstraint("max_unit_price > 0", name="max_unit_price_positive"),
        CheckConstraint(
            f"accepted_uplift BETWEEN 0 AND {MAX_UPLIFT}", name="accepted_uplift_range"
        ),
        CheckConstraint(
            f"min_level_rank BETWEEN 0 AND {MAX_LEVEL_RANK}", name="min_level_rank_range"
        ),
    )

    @property
    def is_editable(self) -> bool:
        """Whether the buyer may still change or withdraw it."""
        return self.status in EDITABLE_NEED_STATUSES

    @property
    def maximum_quantity(self) -> int:
        """Firm plus optional quantity."""
        return self.firm_quantity + self.optional_quantity


class AggregationRound(Base):
    """One run of the aggregation over the open needs, with its parameters and counts."""

    __tablename__ = "aggregation_round"

    id: Mapped[int_pk]
    run_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    run_at: Mapped[created_at]
    # The AggregationParameters as canonical JSON (decimals as strings), for re-runs and audit.
    parameters: Mapped[str] = mapped_column(Text)
    needs_considered: Mapped[int] = mapped_column(Integer, default=0)
    lots_proposed: Mapped[int] = mapped_column(Integer, default=0)
    needs_pooled: Mapped[int] = mapped_column(Integer, default=0)
    needs_unmatched: Mapped[int] = mapped_column(Integer, default=0)

    run_by: Mapped[User | None] = relationship()
    lots: Mapped[list[Lot]] = relationship(back_populates="round", order_by="Lot.id")


class LotStatus(enum.StrEnum):
    """proposed → confirmed → frozen → call opened → awarded / unsuccessful / cancelled."""

    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    FROZEN = "frozen"
    CALL_OPENED = "call_opened"
    AWARDED = "awarded"
    UNSUCCESSFUL = "unsuccessful"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        """A human name for the status."""
        return {
            "proposed": "Proposed",
            "confirmed": "Confirmed by its buyers",
            "frozen": "Frozen",
            "call_opened": "Call opened",
            "awarded": "Awarded",
            "unsuccessful": "Unsuccessful",
            "cancelled": "Cancelled",
        }[self.value]


class Lot(Base):
    """Compatible needs of several buyers pooled by a round, with the figures published for it."""

    __tablename__ = "lot"

    id: Mapped[int_pk]
    round_id: Mapped[int] = mapped_column(ForeignKey("aggregation_round.id"), index=True)
    status: Mapped[LotStatus] = mapped_column(enum_column(LotStatus))
    # The partition (aggregation.Partition): category, unit, currency and region prefix.
    category_id: Mapped[int] = mapped_column(ForeignKey("technology_category.id"))
    unit: Mapped[NeedUnit] = mapped_column(enum_column(NeedUnit))
    currency: Mapped[str] = mapped_column(String(3))
    # The region path joined by "/", e.g. "FR/FR-BRE"; "" when the round pooled nationally.
    region_path: Mapped[str] = mapped_column(String(40), default="")
    # The requirement every offered solution must meet: a valid label under this norm at a
    # level of at least this rank (0 and no norm: none).
    norm_id: Mapped[int | None] = mapped_column(ForeignKey("norm.id"))
    level_rank: Mapped[int] = mapped_column(Integer, default=0)
    buyers: Mapped[int] = mapped_column(Integer)
    firm_quantity: Mapped[int] = mapped_column(Integer)
    maximum_quantity: Mapped[int] = mapped_column(Integer)
    total_budget: Mapped[Decimal] = mapped_column(BIG_MONEY)
    maximum_budget: Mapped[Decimal] = mapped_column(BIG_MONEY)
    estimated_unit_price: Mapped[Decimal] = mapped_column(MONEY)
    # A fraction: 0.0512 is 5.12 %.
    estimated_saving: Mapped[Decimal] = mapped_column(Numeric(8, 6))
    earliest_need_by: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[created_at]
    confirmation_requested_at: Mapped[dt.datetime | None]
    confirmed_at: Mapped[dt.datetime | None]
    frozen_at: Mapped[dt.datetime | None]
    frozen_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    round: Mapped[AggregationRound] = relationship(back_populates="lots")
    category: Mapped[TechnologyCategory] = relationship()
    norm: Mapped[Norm | None] = relationship()
    frozen_by: Mapped[User | None] = relationship()
    members: Mapped[list[LotMember]] = relationship(
        back_populates="lot", order_by="LotMember.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index("ix_lot_status", "status"),
        CheckConstraint("firm_quantity > 0", name="firm_quantity_positive"),
    )

    @property
    def active_members(self) -> list[LotMember]:
        """Members that have not declined."""
        return [member for member in self.members if member.declined_at is None]

    @property
    def region_code(self) -> str:
        """The most precise region of the partition ("" = every region)."""
        return self.region_path.rsplit("/", 1)[-1] if self.region_path else ""

    @property
    def reference(self) -> str:
        """A stable human reference, e.g. LOT-00042."""
        return f"LOT-{self.id:05d}"


class LotMember(Base):
    """A need in a lot, with its buyer's answer to the request to confirm."""

    __tablename__ = "lot_member"

    id: Mapped[int_pk]
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id", ondelete="CASCADE"), index=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id"), index=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    # The buyer's ceiling is below the lot's estimated unit price: likely to drop out at award.
    below_estimate: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed_at: Mapped[dt.datetime | None]
    declined_at: Mapped[dt.datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    lot: Mapped[Lot] = relationship(back_populates="members")
    need: Mapped[Need] = relationship()
    buyer: Mapped[Organisation] = relationship()

    __table_args__ = (UniqueConstraint("lot_id", "need_id"),)

    @property
    def answer(self) -> str:
        """confirmed, declined or waiting."""
        if self.declined_at is not None:
            return "declined"
        return "confirmed" if self.confirmed_at is not None else "waiting"
