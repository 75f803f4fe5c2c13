"""Where a call's mail goes: the call's address, and the active users of organisations."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app, has_request_context, url_for
from sqlalchemy import select

from procurement.call_models import JointCall
from registry.database import db
from registry.models import Organisation, User


def _link(endpoint: str, path: str, **values: Any) -> str:
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    return current_app.config["BASE_URL"].rstrip("/") + path


def call_link(call: JointCall) -> str:
    """The call's page as an absolute URL."""
    return _link("calls.call", f"/procurement/calls/{call.id}", call_id=call.id)


def _org_emails(organisation_ids: Iterable[int]) -> list[str]:
    wanted = sorted(set(organisation_ids))
    if not wanted:
        return []
    return list(
        db.session.scalars(
            select(User.email)
            .join(Organisation, Organisation.id == User.organisation_id)
            .where(User.organisation_id.in_(wanted), User.is_active.is_(True))
            .order_by(User.email)
        )
    )
