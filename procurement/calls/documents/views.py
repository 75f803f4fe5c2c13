"""Routes of a call's tender document versions (shown on the call pages)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, flash, g, redirect, url_for
from werkzeug.wrappers import Response

from procurement.calls import limits
from procurement.calls.documents import services
from procurement.calls.documents.forms import VersionForm
from procurement.calls.documents.models import kind_of
from procurement.calls.enquiries.services import publish_corrigendum
from procurement.calls.models import CallDocument, JointCall
from procurement.calls.services import lifecycle, reading
from registry import uploads
from registry.access import roles_required
from registry.database import db
from registry.dates import when
from registry.exceptions import RuleViolation
from registry.models import Role

bp = Blueprint("call_documents", __name__)

READERS = (Role.AUTHORITY, Role.VENDOR, Role.BUYER)


def _page_context(call: JointCall) -> dict[int, dict[str, Any]]:
    """Per document of the call: its kind, the corrigendum of its current version, its earlier
    versions and, for the authority, the new-version form."""
    user = g.get("user")
    authority = user is not None and user.role is Role.AUTHORITY
    context: dict[int, dict[str, Any]] = {}
    for document in call.documents:
        entry: dict[str, Any] = {
            "kind": kind_of(document).label,
            "corrigendum": services.corrigendum_of(document),
            "versions": services.versions_of(document),
        }
        if authority:
            form = VersionForm(prefix=f"version-{document.id}")
            entry["form"] = form
        context[document.id] = entry
    return context


def init_app(app: Flask) -> None:
    """Register the routes and the call pages' `call_documents(call)` helper."""
    app.register_blueprint(bp)
    app.jinja_env.globals["call_documents"] = _page_context


def _back(call_id: int) -> Response:
    return redirect(url_for("calls.call", call_id=call_id) + "#documents")


@bp.post("/procurement/calls/<int:call_id>/documents/<int:document_id>/versions")
@roles_required(Role.AUTHORITY)
def publish_version(call_id: int, document_id: int) -> Response:
    """The authority publishes a new version of a document with its corrigendum."""
    found = reading.get_call(g.user, call_id)
    document = lifecycle.get_document(g.user, found, document_id)
    form = VersionForm(prefix=f"version-{document.id}")
    if not form.validate_on_submit():
        db.session.rollback()
        for messages in form.errors.values():
            for message in messages:
                flash(str(message), "error")
        return _back(call_id)
    day = form.deadline.data
    upload = form.file.data
    try:
        corrigendum = publish_corrigendum(
            g.user,
            found,
            form.description.data or "",
            limits.deadline_on(day) if day is not None else None,
        )
        services.publish_version(g.user, document, upload.filename, upload.stream, corrigendum)
    except RuleViolation as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(
            f"Version {document.version} of “{document.title}” is published with "
            f"{corrigendum.reference}; offers now close on "
            f"{when(corrigendum.new_deadline)}.",
            "success",
        )
    return _back(call_id)


@bp.get("/procurement/calls/<int:call_id>/documents/<int:document_id>/versions/<int:version_id>")
@roles_required(*READERS)
def version(call_id: int, document_id: int, version_id: int) -> Response:
    """An earlier version of a tender document, to anyone who may see the call."""
    found = reading.get_call(g.user, call_id)
    document = lifecycle.get_document(g.user, found, document_id)
    return uploads.send_stored(services.get_version(document, version_id))


@bp.get(
    "/procurement/public/calls/<int:call_id>/documents/<int:document_id>/versions/<int:version_id>"
)
def public_version(call_id: int, document_id: int, version_id: int) -> Response:
    """An earlier version of a tender document, to anyone: tender documents are public."""
    document = db.session.get(CallDocument, document_id)
    if document is None or document.call_id != call_id:
        abort(404)
    earlier = services.get_version(document, version_id)
    try:
        return uploads.send_stored(earlier)
    except (OSError, ValueError):
        abort(404)
