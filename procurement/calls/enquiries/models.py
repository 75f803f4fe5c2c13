"""A vendor's question on a call with the authority's answer, and the call's corrigenda.

The asker's organisation and user are kept for the authority and the audit; they are never
published: the public page, other vendors and OCDS see the question and its answer only.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.calls.models import JointCall
from registry.database import Base, created_at, int_pk


class CallQuestion(Base):
    """A question a vendor asked during the enquiry period; answered means published."""

    __tablename__ = "call_question"

    id: Mapped[int_pk]
    call_id: Mapped[int] = mapped_column(ForeignKey("joint_call.id"), index=True)
    asked_by_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    question: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[created_at]
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[dt.datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    call: Mapped[JointCall] = relationship()

    @property
    def reference(self) -> str:
        """A stable human reference, e.g. Q-00042."""
        return f"Q-{self.id:05d}"


class Corrigendum(Base):
    """A published change to a call: what changes, in words, and the deadline before and after.

    Written by the authority, or by the portal when an answer published late extended the
    deadline (then `question_id` names that question).
    """

    __tablename__ = "call_corrigendum"

    id: Mapped[int_pk]
    call_id: Mapped[int] = mapped_column(ForeignKey("joint_call.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    previous_deadline: Mapped[dt.datetime]
    new_deadline: Mapped[dt.datetime]
    published_at: Mapped[created_at]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    question_id: Mapped[int | None] = mapped_column(ForeignKey("call_question.id"))

    call: Mapped[JointCall] = relationship()
    question: Mapped[CallQuestion | None] = relationship()

    @property
    def reference(self) -> str:
        """A stable human reference, e.g. CORRIGENDUM-00042."""
        return f"CORRIGENDUM-{self.id:05d}"
