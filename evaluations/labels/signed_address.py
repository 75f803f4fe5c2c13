"""Which address the stored labels were signed for, and the warning when it is not ours.

A label's credential id, verification URL (the QR code), status list URLs and key id all start
with the BASE_URL in force when it was signed. An instance started on another address (say
`PORT=8000 make run` over a database seeded on port 5000) serves labels whose links lead
elsewhere until `flask --app app labels resign` signs them again for the new address.
"""

from __future__ import annotations

import json
from typing import Final

from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from evaluations.models import Label
from registry.database import db, sqlite_begin

RESIGN_COMMAND: Final = "flask --app app labels resign"


def signed_address(credential: str) -> str | None:
    """The address a stored credential was signed for (its id without ``/labels/…``)."""
    try:
        credential_id = json.loads(credential).get("id")
    except (ValueError, AttributeError):
        return None
    if not isinstance(credential_id, str) or "/labels/" not in credential_id:
        return None
    return credential_id.rsplit("/labels/", 1)[0]


def label_signed_elsewhere(base_url: str) -> str | None:
    """The address of one stored label signed for another address than ``base_url``, if any."""
    # Every URL a credential carries (id, verification URL, status lists) starts with the
    # address it was signed for: one that names none under ours was signed elsewhere.
    credential = db.session.scalar(
        select(Label.credential)
        .where(
            Label.credential != "",
            ~Label.credential.contains(f'"{base_url}/labels/', autoescape=True),
        )
        .limit(1)
    )
    if credential is None:
        return None
    return signed_address(credential) or "another address"


def warn_if_signed_elsewhere(app: Flask) -> None:
    """Log, as the app starts, that stored labels name another address, and the fix."""
    base_url = app.config["BASE_URL"]
    with app.app_context():
        try:
            with sqlite_begin("DEFERRED"):
                other = label_signed_elsewhere(base_url)
        except DBAPIError as error:
            # No label table yet (before `flask db upgrade`) or the database is busy.
            app.logger.debug("signed address check skipped at start-up: %s", error)
            other = None
        finally:
            db.session.rollback()
            db.session.remove()
    if other is not None:
        app.logger.warning(
            "Labels in this database were signed for %s, but this instance serves %s: their "
            "QR codes, links and key ids lead there. Run `SAFETECH_BASE_URL=%s %s` to sign "
            "them for this address, or set SAFETECH_BASE_URL=%s.",
            other,
            base_url,
            base_url,
            RESIGN_COMMAND,
            other,
        )
