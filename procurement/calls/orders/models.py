"""Orders (call-offs) placed by a buyer against its contract line under a framework award."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.calls.models import ContractLine
from procurement.models import BIG_MONEY, MONEY
from registry.database import Base, created_at, int_pk
from registry.models import Organisation, User


class CallOrder(Base):
    """One order of a quantity at the line's unit price; the part of it beyond the line's firm
    quantity (counting the earlier orders) is the optional quantity it draws on."""

    __tablename__ = "call_order"

    id: Mapped[int_pk]
    line_id: Mapped[int] = mapped_column(ForeignKey("contract_line.id"), index=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    optional_quantity: Mapped[int] = mapped_column(Integer, default=0)
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    value: Mapped[Decimal] = mapped_column(BIG_MONEY)
    note: Mapped[str] = mapped_column(Text, default="")
    placed_at: Mapped[created_at]
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    line: Mapped[ContractLine] = relationship()
    buyer: Mapped[Organisation] = relationship()
    placed_by: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("optional_quantity BETWEEN 0 AND quantity", name="optional_quantity_range"),
    )

    @property
    def reference(self) -> str:
        """A stable human reference, e.g. ORDER-00042."""
        return f"ORDER-{self.id:05d}"
