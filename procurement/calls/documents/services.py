"""Tender documents of a call: attaching one of a kind, publishing a new version, its history.

Decided here:

- A document has a kind (technical specification, contract terms, price schedule, award
  criteria, other), shown on the call pages and published as its OCDS ``documentType``.
- A call is public from the moment it is opened, so every new version of a document comes with
  a corrigendum of the same call that announces it (procurement.calls.enquiries, which extends
  the deadline); without one the new version is refused. Several documents may change under
  one corrigendum.
- The earlier file is kept, downloadable, with its version number, date, SHA-256 and the
  corrigendum that published it; the document row then names the new file and its corrigendum.
- New versions are published while the call takes offers only, as are corrigenda.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import BinaryIO

from sqlalchemy import select

from procurement.calls.documents.models import CallDocumentVersion, DocumentKind
from procurement.calls.enquiries.models import Corrigendum
from procurement.calls.models import CallDocument, JointCall
from procurement.calls.services.lifecycle import add_document, require_taking_offers
from registry import audit, uploads
from registry.access import require_role
from registry.arguments import MAX_ID
from registry.database import db, utcnow
from registry.exceptions import NotVisible, RuleViolation
from registry.models import Role, User


def checked_kind(value: str | None) -> DocumentKind:
    """The kind named by a form value, or refused with the kinds allowed."""
    try:
        return DocumentKind(value or "")
    except ValueError:
        allowed = ", ".join(kind.label.lower() for kind in DocumentKind)
        raise RuleViolation(f"Choose what the document is: {allowed}.", "kind") from None


def attach_document(
    actor: User | None,
    call: JointCall,
    title: str,
    kind: str | None,
    filename: str | None,
    stream: BinaryIO,
) -> CallDocument:
    """Attach a tender document of a kind (the first version; lifecycle checks and audits it)."""
    chosen = checked_kind(kind)
    document = add_document(actor, call, title, filename, stream)
    document.kind = chosen.value
    document.version = 1
    db.session.flush()
    return document


def versions_of(document: CallDocument) -> Sequence[CallDocumentVersion]:
    """The document's earlier versions, newest first."""
    return db.session.scalars(
        select(CallDocumentVersion)
        .where(CallDocumentVersion.document_id == document.id)
        .order_by(CallDocumentVersion.version.desc())
    ).all()


def corrigendum_of(document: CallDocument) -> Corrigendum | None:
    """The corrigendum that published the document's current version (none for the first)."""
    if document.corrigendum_id is None:
        return None
    return db.session.get(Corrigendum, document.corrigendum_id)


def first_published_at(document: CallDocument) -> dt.datetime:
    """When the document's first version was published (its current file's date if it has no
    earlier version)."""
    first = db.session.scalars(
        select(CallDocumentVersion.uploaded_at)
        .where(CallDocumentVersion.document_id == document.id)
        .order_by(CallDocumentVersion.version)
        .limit(1)
    ).first()
    return first or document.uploaded_at


def get_version(document: CallDocument, version_id: int) -> CallDocumentVersion:
    """An earlier version of the document (the caller checked who may see the document)."""
    found = db.session.get(CallDocumentVersion, version_id) if 0 < version_id <= MAX_ID else None
    if found is None or found.document_id != document.id:
        raise NotVisible()
    return found


def publish_version(
    actor: User | None,
    document: CallDocument,
    filename: str | None,
    stream: BinaryIO,
    corrigendum: Corrigendum | None,
) -> CallDocument:
    """Replace the document's file with a new version announced by `corrigendum`.

    The earlier file stays downloadable as a ``CallDocumentVersion``.
    """
    authority = require_role(actor, Role.AUTHORITY)
    call = document.call
    require_taking_offers(call, "publishing a new version of a document")
    if corrigendum is None:
        raise RuleViolation(
            "The call is published: a new version of a document comes with a corrigendum that "
            "says what changes. Describe the change in the form.",
            "description",
        )
    if corrigendum.call_id != call.id:
        raise RuleViolation("The corrigendum belongs to another call.", "description")
    checked = uploads.check_upload(filename, stream)
    if checked.sha256 == document.sha256:
        raise RuleViolation(
            "This file is the same as the current version; choose the changed file.", "file"
        )
    now = utcnow()
    earlier = CallDocumentVersion(
        document=document,
        version=document.version,
        title=document.title,
        corrigendum_id=document.corrigendum_id,
        superseded_at=now,
        superseded_by=corrigendum,
        original_name=document.original_name,
        stored_name=document.stored_name,
        content_type=document.content_type,
        size_bytes=document.size_bytes,
        sha256=document.sha256,
        uploaded_at=document.uploaded_at,
        uploaded_by_id=document.uploaded_by_id,
    )
    previous_hash = document.sha256
    with uploads.stored_file(checked) as stored_name:
        # The earlier row takes the old stored name first, so that no two rows of the
        # document table name the same file at any moment.
        db.session.add(earlier)
        for column, value in uploads.stored_file_columns(
            checked, stored_name, authority.id
        ).items():
            setattr(document, column, value)
        document.version = earlier.version + 1
        document.corrigendum_id = corrigendum.id
        db.session.flush()
        audit.record(
            authority,
            "call.document_version",
            document,
            summary=(
                f"{document.title} of {call.reference}: version {document.version} under "
                f"{corrigendum.reference}"
            ),
            data={
                "call": call.id,
                "version": document.version,
                "sha256": checked.sha256,
                "previous_sha256": previous_hash,
                "corrigendum": corrigendum.id,
            },
        )
    return document
