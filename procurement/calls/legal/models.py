"""A buyer's mandate to the authority for one lot, and the legal basis and regime of a call.

A buyer takes part in a joint call only on a recorded mandate: who signed it for the buyer (name
and capacity), the user who recorded it, when, for which lot, and the quantities it covers (firm
and maximum). One row per lot member: withdrawing it before the call opens sets withdrawn_at;
signing again makes the same row current again (the audit log keeps every step).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.models import Lot, LotMember
from registry.database import Base, int_pk
from registry.models import Organisation, User

SIGNATORY_MAX = 200


class LegalBasis(enum.StrEnum):
    """Whom the authority acts for (Directive 2014/24/EU)."""

    CENTRAL_PURCHASING = "central_purchasing"
    JOINT_PROCUREMENT = "joint_procurement"

    @property
    def label(self) -> str:
        """A human name for the basis, with its article."""
        return {
            "central_purchasing": (
                "Central purchasing body (Directive 2014/24/EU, art. 37; centrale d'achat)"
            ),
            "joint_procurement": (
                "Coordinator of a joint procurement (Directive 2014/24/EU, art. 38; "
                "groupement de commandes)"
            ),
        }[self.value]


class Regime(enum.StrEnum):
    """The procedure a call's estimated value calls for."""

    BELOW_THRESHOLD = "below_threshold"
    EU_OPEN = "eu_open"

    @property
    def label(self) -> str:
        """A human name for the regime."""
        return {
            "below_threshold": "Below the EU threshold (adapted procedure)",
            "eu_open": "Above the EU threshold: open procedure (Directive 2014/24/EU, art. 27)",
        }[self.value]


class Mandate(Base):
    """A buyer's signed mandate for its need in a lot."""

    __tablename__ = "lot_mandate"

    id: Mapped[int_pk]
    member_id: Mapped[int] = mapped_column(
        ForeignKey("lot_member.id", ondelete="CASCADE"), unique=True
    )
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    signatory_name: Mapped[str] = mapped_column(String(SIGNATORY_MAX))
    signatory_capacity: Mapped[str] = mapped_column(String(SIGNATORY_MAX))
    firm_quantity: Mapped[int] = mapped_column(Integer)
    maximum_quantity: Mapped[int] = mapped_column(Integer)
    signed_at: Mapped[dt.datetime]
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    withdrawn_at: Mapped[dt.datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    member: Mapped[LotMember] = relationship()
    lot: Mapped[Lot] = relationship()
    buyer: Mapped[Organisation] = relationship()
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])

    __table_args__ = (
        CheckConstraint("firm_quantity > 0", name="firm_quantity_positive"),
        CheckConstraint("maximum_quantity >= firm_quantity", name="maximum_covers_firm"),
    )

    @property
    def active(self) -> bool:
        """Signed and not withdrawn."""
        return self.withdrawn_at is None

    @property
    def reference(self) -> str:
        """A stable human reference, e.g. MANDATE-00042."""
        return f"MANDATE-{self.id:05d}"
