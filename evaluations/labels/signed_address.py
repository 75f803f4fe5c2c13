"""Which address the stored labels were signed for, and the warning when it is not ours.

A label's credential id, verification URL (the QR code), status list URLs and key id all start
with the BASE_URL in force when it was signed. An instance started on another address (say
`PORT=8000 make run` over a database seeded on port 5000) serves labels whose links lead
elsewhere until `flask --app app labels resign` signs them again for the new address.
"""

from __future__ import annotations

import json
from typing import Any, Final

from flask import Flask, current_app
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from evaluations.labels.credentials import VerdictCode
from evaluations.labels.documents.verification import verify_label_credential
from evaluations.labels.keys import public_keys_document
from evaluations.models import Label
from registry.backup.hooks import Check
from registry.database import db, sqlite_begin
from registry.wording import counted

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


def check_restored_credentials(manifest: dict[str, Any]) -> Check:
    """After a restore: every label credential verifies against the restored keys."""
    keys_document = public_keys_document(current_app.config["BASE_URL"])
    # The signature and issuer are what a restore must preserve; the dates are the label's own,
    # and its status is not asked (no status lists are given), so STATUS_UNKNOWN is the verdict
    # of a label whose signature and issuer hold.
    signed = {
        VerdictCode.VALID,
        VerdictCode.STATUS_UNKNOWN,
        VerdictCode.EXPIRED,
        VerdictCode.NOT_YET_VALID,
    }
    rows = db.session.execute(text("SELECT number, credential FROM label ORDER BY id")).all()
    bad = []
    for number, credential in rows:
        try:
            document = json.loads(credential)
        except ValueError:
            bad.append(f"{number}: no readable credential")
            continue
        verdict = verify_label_credential(document, keys_document)
        if verdict.code not in signed:
            bad.append(f"{number}: {verdict.code!s} ({verdict.message})")
    detail = f"{counted(len(rows), 'label credential')} verify against the restored keys"
    if bad:
        detail = _restore_problems(bad, manifest.get("base_url"))
    return Check("label credentials", not bad, detail)


def _restore_problems(bad: list[str], base_url: str | None) -> str:
    detail = "; ".join(bad[:10]) + (f" … and {len(bad) - 10} more" if len(bad) > 10 else "")
    if base_url and base_url != current_app.config["BASE_URL"]:
        detail += (
            f". The labels were signed for {base_url}; set SAFETECH_BASE_URL to it "
            f"(this instance has {current_app.config['BASE_URL']})"
        )
    return detail
