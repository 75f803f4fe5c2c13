"""Modifications of a contract line during its term, each with its art. 72 legal ground."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.calls.models import ContractLine
from procurement.models import BIG_MONEY, MONEY
from registry.database import Base, created_at, int_pk
from registry.models import User, enum_column


class ModificationGround(enum.StrEnum):
    """The legal ground of a modification without a new procedure (Directive 2014/24/EU)."""

    REVIEW_CLAUSE = "72-1-a"
    ADDITIONAL = "72-1-b"
    UNFORESEEABLE = "72-1-c"
    NEW_CONTRACTOR = "72-1-d"
    NON_SUBSTANTIAL = "72-1-e"
    DE_MINIMIS = "72-2"

    @property
    def label(self) -> str:
        """The ground as the directive names it."""
        return {
            "72-1-a": "Art. 72(1)(a): review clause of the initial procurement documents",
            "72-1-b": "Art. 72(1)(b): additional supplies from the original contractor",
            "72-1-c": "Art. 72(1)(c): circumstances a diligent authority could not foresee",
            "72-1-d": "Art. 72(1)(d): a new contractor replaces the original one",
            "72-1-e": "Art. 72(1)(e): a modification that is not substantial",
            "72-2": "Art. 72(2): below the EU threshold and 10 % of the initial value",
        }[self.value]


class ContractModification(Base):
    """One modification of a line: its terms before and after, its ground and value change."""

    __tablename__ = "contract_modification"

    id: Mapped[int_pk]
    line_id: Mapped[int] = mapped_column(ForeignKey("contract_line.id"), index=True)
    ground: Mapped[ModificationGround] = mapped_column(enum_column(ModificationGround, 8))
    description: Mapped[str] = mapped_column(Text)
    maximum_before: Mapped[int] = mapped_column(Integer)
    maximum_after: Mapped[int] = mapped_column(Integer)
    unit_price_before: Mapped[Decimal] = mapped_column(MONEY)
    unit_price_after: Mapped[Decimal] = mapped_column(MONEY)
    end_before: Mapped[dt.date]
    end_after: Mapped[dt.date]
    # maximum × unit price after, less before: what the modification adds to (or takes from)
    # what the buyer can order.
    value_change: Mapped[Decimal] = mapped_column(BIG_MONEY)
    recorded_at: Mapped[created_at]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    line: Mapped[ContractLine] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    @property
    def reference(self) -> str:
        """A stable human reference, e.g. MOD-00042."""
        return f"MOD-{self.id:05d}"
