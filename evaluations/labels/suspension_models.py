"""A label's suspension record: its end date, the corrective actions, the vendor's response,
the officer's verification and how it ended."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evaluations.models import Label
from registry.database import Base, int_pk
from registry.models import User


class SuspensionOutcome(enum.StrEnum):
    """How a suspension ended; an open suspension has none."""

    REINSTATED = "reinstated"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        """A human name for the outcome."""
        return {
            "reinstated": "Reinstated after verification",
            "withdrawn": "Withdrawn on escalation (end date passed unresolved)",
            "expired": "Label expired",
            "revoked": "Revoked",
        }[self.value]


class LabelSuspension(Base):
    """One suspension of a label, open until the label leaves the suspended status."""

    __tablename__ = "label_suspension"

    id: Mapped[int_pk]
    label_id: Mapped[int] = mapped_column(ForeignKey("label.id"), index=True)
    suspended_at: Mapped[dt.datetime]
    suspended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The scheme's rule: unresolved on this day, the label is withdrawn by the daily job.
    ends_on: Mapped[dt.date] = mapped_column(Date, index=True)
    corrective_actions: Mapped[str] = mapped_column(Text)
    vendor_response: Mapped[str] = mapped_column(Text, default="")
    vendor_responded_at: Mapped[dt.datetime | None]
    vendor_responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # What the officer verified before reinstating, and (when the vendor did not respond) why
    # no response was needed.
    verification: Mapped[str] = mapped_column(Text, default="")
    no_response_reason: Mapped[str] = mapped_column(Text, default="")
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    outcome: Mapped[str] = mapped_column(String(20), default="")
    ended_at: Mapped[dt.datetime | None]

    label: Mapped[Label] = relationship()
    suspended_by: Mapped[User | None] = relationship(foreign_keys=[suspended_by_id])
    vendor_responded_by: Mapped[User | None] = relationship(foreign_keys=[vendor_responded_by_id])
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])

    @property
    def is_open(self) -> bool:
        """Whether the label is still suspended under this record."""
        return not self.outcome

    @property
    def outcome_text(self) -> str:
        """How it ended, in words ("" while open)."""
        return SuspensionOutcome(self.outcome).label if self.outcome else ""
