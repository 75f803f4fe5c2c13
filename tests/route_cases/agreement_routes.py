"""Routes of the certification agreement and the public certification page (the mark pack's
are in mark_pack_routes.py)."""

from __future__ import annotations

from typing import Any

from flask import current_app

from tests.evaluations.agreement.agreement_builders import accepted, published
from tests.routing import WRITE, Case, authority_only, everyone, only

MANAGERS = only({"vendor": 200, "authority": 200})
# Too short to publish: the form comes back with its errors and nothing is published.
SHORT_TERMS = {"terms": "Short", "mark_rules": "Short", "confirm": "y"}
# Not the newest version: refused with a message, back to the agreement page.
STALE_ACCEPTANCE = {"version_id": "0", "confirm": "y"}

CASES = [
    Case("agreement.index", "GET", "/agreement/", MANAGERS),
    Case("agreement.publish", "GET", "/agreement/publish", authority_only(200)),
    Case(
        "agreement.publish",
        "POST",
        "/agreement/publish",
        authority_only(200),
        SHORT_TERMS,
        phase=WRITE,
    ),
    Case(
        "agreement.accept",
        "POST",
        "/agreement/accept",
        only({"vendor": 302}),
        STALE_ACCEPTANCE,
        phase=WRITE,
    ),
    Case("agreement.version", "GET", "/agreement/versions/1", everyone(200)),
    Case("agreement.version", "GET", "/agreement/versions/999", everyone(404)),
    Case("certification_info.index", "GET", "/certification", everyone(200)),
]


def extend_world(world: dict[str, Any]) -> dict[str, Any]:
    """Version 1 in force, accepted by both vendors."""
    people = world["people"]
    with current_app.test_request_context():
        published(people["authority"])
        accepted(people["vendor"])
        accepted(people["other"])
    return {}
