"""The certification agreement's versions and each vendor organisation's acceptance of them.

A published version is never edited: the authority publishes a new one, which supersedes it
from its effective date. A vendor organisation applies for evaluation only once one of its
administrators accepted the version in force (or a later one).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.database import Base, created_at, int_pk
from registry.models import Organisation, User


class AgreementVersion(Base):
    """One published version of the terms, with the rules for using the mark."""

    __tablename__ = "agreement_version"

    id: Mapped[int_pk]
    number: Mapped[int] = mapped_column(Integer, unique=True)
    # Markdown, rendered through catalog.markdown (no raw HTML).
    terms: Mapped[str] = mapped_column(Text)
    mark_rules: Mapped[str] = mapped_column(Text)
    effective_on: Mapped[dt.date] = mapped_column(Date)
    published_at: Mapped[created_at]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    published_by: Mapped[User | None] = relationship()


class AgreementAcceptance(Base):
    """A vendor organisation's acceptance of one version: who signed, when, from where."""

    __tablename__ = "agreement_acceptance"

    id: Mapped[int_pk]
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("agreement_version.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    accepted_at: Mapped[created_at]
    # The signatory's network address as the portal saw it (IPv6 fits in 45 characters).
    address: Mapped[str] = mapped_column(String(64), default="")

    organisation: Mapped[Organisation] = relationship()
    version: Mapped[AgreementVersion] = relationship()
    user: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("organisation_id", "version_id"),)


__all__ = ["AgreementAcceptance", "AgreementVersion"]
