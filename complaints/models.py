"""Complaints and appeals: the case, its history and the counters that number them."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evaluations.models import Evaluation, Label, LabelEvent
from registry.database import Base, created_at, int_pk
from registry.models import Organisation, User, enum_column

REFERENCE_MAX = 20
CONTACT_MAX = 254


class CaseKind(enum.StrEnum):
    """A complaint (anyone) or an appeal (the vendor, against a decision of the authority)."""

    COMPLAINT = "complaint"
    APPEAL = "appeal"


class Subject(enum.StrEnum):
    """What the case is about."""

    # Complaints
    LABEL_HOLDER = "label_holder"
    MARK_USE = "mark_use"
    AUTHORITY = "authority"
    # Appeals
    DECISION = "decision"
    SUSPENSION = "suspension"
    REVOCATION = "revocation"

    @property
    def text(self) -> str:
        """A human name for the subject."""
        return {
            "label_holder": "A label holder",
            "mark_use": "Use of a label (misuse of the mark)",
            "authority": "The authority itself",
            "decision": "A certification decision",
            "suspension": "A suspension",
            "revocation": "A revocation",
        }[self.value]


class CaseStatus(enum.StrEnum):
    """received → acknowledged → under handling → decided; withdrawn at any open step."""

    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    UNDER_HANDLING = "under_handling"
    DECIDED = "decided"
    WITHDRAWN = "withdrawn"

    @property
    def text(self) -> str:
        """A human name for the status."""
        return {
            "received": "Received",
            "acknowledged": "Acknowledged",
            "under_handling": "Under handling",
            "decided": "Decided",
            "withdrawn": "Withdrawn",
        }[self.value]


class Outcome(enum.StrEnum):
    """The handler's decision on the case."""

    UPHELD = "upheld"
    PARTLY_UPHELD = "partly_upheld"
    DISMISSED = "dismissed"

    @property
    def text(self) -> str:
        """A human name for the outcome."""
        return {
            "upheld": "Upheld",
            "partly_upheld": "Partly upheld",
            "dismissed": "Dismissed",
        }[self.value]


class ComplaintCounter(Base):
    """The last number given to a kind of case in a year; references come from here."""

    __tablename__ = "complaint_counter"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class ComplaintCase(Base):
    """One complaint or appeal, from its receipt to its outcome and effects."""

    __tablename__ = "complaint_case"

    id: Mapped[int_pk]
    # CMP-2026-00001 / APL-2026-00001
    reference: Mapped[str] = mapped_column(String(REFERENCE_MAX), unique=True)
    kind: Mapped[CaseKind] = mapped_column(enum_column(CaseKind))
    subject: Mapped[Subject] = mapped_column(enum_column(Subject))
    status: Mapped[CaseStatus] = mapped_column(enum_column(CaseStatus))
    status_changed_at: Mapped[dt.datetime]
    # What is contested: a label (and the suspension or revocation event), or an evaluation.
    label_id: Mapped[int | None] = mapped_column(ForeignKey("label.id"), index=True)
    label_event_id: Mapped[int | None] = mapped_column(ForeignKey("label_event.id"))
    evaluation_id: Mapped[int | None] = mapped_column(ForeignKey("evaluation.id"), index=True)
    # The vendor concerned (the appellant, or the label's holder); none for the authority.
    vendor_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    # The filer: an account, or only a name and a contact address.
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(CONTACT_MAX), default="")
    description: Mapped[str] = mapped_column(Text)
    # SHA-256 of the secret the acknowledgement gives the filer to follow the case.
    token_hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[created_at]
    acknowledge_due: Mapped[dt.date] = mapped_column(Date)
    decision_due: Mapped[dt.date] = mapped_column(Date)
    acknowledged_at: Mapped[dt.datetime | None]
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    decided_at: Mapped[dt.datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    outcome: Mapped[Outcome | None] = mapped_column(enum_column(Outcome))
    reasons: Mapped[str] = mapped_column(Text, default="")
    # The effects applied with the outcome, comma-separated (see complaints.effects).
    effects: Mapped[str] = mapped_column(String(200), default="")

    label: Mapped[Label | None] = relationship()
    label_event: Mapped[LabelEvent | None] = relationship()
    evaluation: Mapped[Evaluation | None] = relationship()
    vendor: Mapped[Organisation | None] = relationship()
    filed_by: Mapped[User | None] = relationship(foreign_keys=[filed_by_id])
    handler: Mapped[User | None] = relationship(foreign_keys=[handler_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    events: Mapped[list[ComplaintEvent]] = relationship(
        back_populates="case", order_by="ComplaintEvent.id", cascade="all, delete-orphan"
    )

    __table_args__ = (Index("ix_complaint_case_kind_status", "kind", "status"),)


class ComplaintEvent(Base):
    """One step of a case: who did what and why."""

    __tablename__ = "complaint_case_event"

    id: Mapped[int_pk]
    case_id: Mapped[int] = mapped_column(ForeignKey("complaint_case.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[created_at]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    case: Mapped[ComplaintCase] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
