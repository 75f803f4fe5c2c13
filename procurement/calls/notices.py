"""Where a call's mail goes: the call's address, and the active users of organisations."""

from __future__ import annotations

from collections.abc import Iterable

from flask import url_for
from sqlalchemy import select

from procurement.calls.models import JointCall
from registry.database import db
from registry.models import Organisation, User


def call_link(call: JointCall) -> str:
    """The call's page as an absolute URL (on BASE_URL, also outside a request)."""
    return url_for("calls.call", call_id=call.id, _external=True)


def org_emails(organisation_ids: Iterable[int]) -> list[str]:
    """The e-mail addresses of the active users of the organisations, sorted."""
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
