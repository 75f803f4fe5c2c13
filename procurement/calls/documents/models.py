"""A tender document's kind and its earlier versions.

The ``CallDocument`` row is always the current version (its file, its version number and the
corrigendum that published it). Publishing a new version moves the current file into a
``CallDocumentVersion`` row, which stays downloadable with its date and SHA-256.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.calls.enquiries.models import Corrigendum
from procurement.calls.models import CallDocument
from registry.database import Base, UTCDateTime, int_pk, str200
from registry.uploads import AFTER_STORED_FILE, StoredFileMixin


class DocumentKind(enum.StrEnum):
    """What a tender document is; each maps to an OCDS ``documentType``."""

    SPECIFICATION = "specification"
    CONTRACT_TERMS = "contract_terms"
    PRICE_SCHEDULE = "price_schedule"
    EVALUATION = "evaluation"
    OTHER = "other"

    @property
    def label(self) -> str:
        """A human name for the kind."""
        return {
            "specification": "Technical specification",
            "contract_terms": "Contract terms",
            "price_schedule": "Price schedule",
            "evaluation": "Award criteria and method",
            "other": "Other tender document",
        }[self.value]

    @property
    def ocds_type(self) -> str:
        """The kind in the OCDS documentType codelist."""
        return {
            "specification": "technicalSpecifications",
            "contract_terms": "contractDraft",
            "price_schedule": "billOfQuantity",
            "evaluation": "evaluationCriteria",
            "other": "biddingDocuments",
        }[self.value]


def kind_of(document: CallDocument) -> DocumentKind:
    """The document's kind (an unknown stored value reads as "other")."""
    try:
        return DocumentKind(document.kind)
    except ValueError:
        return DocumentKind.OTHER


class CallDocumentVersion(StoredFileMixin, Base):
    """An earlier version of a tender document: its file, number, and what replaced it."""

    __tablename__ = "call_document_version"

    id: Mapped[int_pk]
    document_id: Mapped[int] = mapped_column(
        ForeignKey("call_document.id"), index=True, sort_order=AFTER_STORED_FILE
    )
    version: Mapped[int] = mapped_column(Integer, sort_order=AFTER_STORED_FILE)
    title: Mapped[str200] = mapped_column(sort_order=AFTER_STORED_FILE)
    # The corrigendum that published this version (none for the first version).
    corrigendum_id: Mapped[int | None] = mapped_column(
        ForeignKey("call_corrigendum.id"), sort_order=AFTER_STORED_FILE
    )
    # When the next version replaced it, and the corrigendum that did.
    superseded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), sort_order=AFTER_STORED_FILE)
    superseded_by_id: Mapped[int] = mapped_column(
        ForeignKey("call_corrigendum.id"), sort_order=AFTER_STORED_FILE
    )

    document: Mapped[CallDocument] = relationship()
    corrigendum: Mapped[Corrigendum | None] = relationship(foreign_keys=[corrigendum_id])
    superseded_by: Mapped[Corrigendum] = relationship(foreign_keys=[superseded_by_id])

    __table_args__ = (
        UniqueConstraint("document_id", "version"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
        CheckConstraint("version > 0", name="version_positive"),
    )
