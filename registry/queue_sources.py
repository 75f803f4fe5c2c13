"""The registry's own work in the authority's queue: organisations waiting for approval."""

from __future__ import annotations

from flask import Flask, url_for
from sqlalchemy import func, select

from registry.database import db
from registry.models import Organisation, OrganisationStatus, User
from registry.navigation import AUTHORITY
from registry.queue import ITEMS_PER_KIND, QueueGroup, QueueItem, register_queue_source


def organisations_to_approve(user: User) -> QueueGroup:
    """Self-registered organisations waiting for the authority, oldest first."""
    del user  # every officer sees the same registrations
    pending = Organisation.status == OrganisationStatus.PENDING
    count = db.session.scalar(select(func.count()).select_from(Organisation).where(pending))
    rows = db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.created_at)
        .where(pending)
        .order_by(Organisation.created_at, Organisation.id)
        .limit(ITEMS_PER_KIND)
    )
    kind = "Organisations to approve"
    items = [
        QueueItem(kind, name, url_for("admin.organisation_detail", organisation_id=id_), since)
        for id_, name, since in rows
    ]
    return QueueGroup(
        kind, int(count or 0), items, url_for("admin.organisations", status="pending"), order=10
    )


def init_app(app: Flask) -> None:
    """Register the registry's source of work."""
    register_queue_source(app, AUTHORITY, organisations_to_approve)
