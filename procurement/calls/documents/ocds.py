"""A call's tender documents in OCDS ``tender.documents``: each current version with its type,
dates and version, and each earlier version as a document of its own, marked superseded."""

from __future__ import annotations

from typing import Any

from flask import url_for

from procurement.calls.documents import services
from procurement.calls.documents.models import kind_of
from procurement.calls.models import CallDocument
from procurement.ocds.formats import stamp


def document_reference(document: CallDocument) -> str:
    """The OCDS id of a tender document (stable across its versions)."""
    return f"DOC-{document.id:05d}"


def current_fields(document: CallDocument) -> dict[str, Any]:
    """The fields of the document's current version beyond its id, title, url and format."""
    corrigendum = services.corrigendum_of(document)
    published = services.first_published_at(document)
    description = f"Version {document.version}, SHA-256 {document.sha256}"
    if corrigendum is not None:
        description += f", published with {corrigendum.reference}"
    fields: dict[str, Any] = {
        "documentType": kind_of(document).ocds_type,
        "description": description + ".",
        "datePublished": stamp(published),
    }
    if document.version > 1:
        fields["dateModified"] = stamp(document.uploaded_at)
    return fields


def earlier_versions(document: CallDocument, lot_id: str) -> list[dict[str, Any]]:
    """The document's earlier versions, each a document of its own, newest first."""
    return [
        {
            "id": f"{document_reference(document)}-V{earlier.version}",
            "documentType": kind_of(document).ocds_type,
            "title": f"{earlier.title} (version {earlier.version}, superseded)",
            "description": (
                f"Version {earlier.version}, SHA-256 {earlier.sha256}, replaced by version "
                f"{earlier.version + 1} with {earlier.superseded_by.reference}."
            ),
            "url": url_for(
                "call_documents.public_version",
                call_id=document.call_id,
                document_id=document.id,
                version_id=earlier.id,
                _external=True,
            ),
            "datePublished": stamp(earlier.uploaded_at),
            "dateModified": stamp(earlier.superseded_at),
            "format": earlier.content_type,
            "language": "en",
            "relatedLots": [lot_id],
        }
        for earlier in services.versions_of(document)
    ]
