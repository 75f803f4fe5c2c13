"""Routes of suspension with an end date, reduction, the vendor's responses and termination."""

from __future__ import annotations

from typing import Any

from flask import current_app

from evaluations.labels.revocation import propose_revocation
from evaluations.labels.status_changes import suspend_label
from tests.evaluations.labels.label_builders import LabelWorld, issued_label, published_version
from tests.routing import WRITE, Case, authority_only, only

UNKNOWN = "STR-2026-99999"
VENDOR_ONLY_WRITE = only({"vendor": 302})

CASES = [
    Case("labels.reduce", "GET", "/labels/{suspension_label}/reduce", authority_only(200)),
    Case("labels.reduce", "GET", f"/labels/{UNKNOWN}/reduce", authority_only(404)),
    Case(
        "labels.reduce",
        "POST",
        "/labels/{suspension_label}/reduce",
        authority_only(200),
        {"reason": "Route walk", "level": ""},
        phase=WRITE,
    ),
    Case(
        "labels.respond_to_suspension",
        "POST",
        "/labels/{suspension_label}/suspension/response",
        VENDOR_ONLY_WRITE,
        {"response": "Route walk"},
        phase=WRITE,
    ),
    Case(
        "labels.respond_to_revocation",
        "POST",
        "/labels/{noticed_label}/revocation/{noticed_proposal}/response",
        VENDOR_ONLY_WRITE,
        {"response": "Route walk"},
        phase=WRITE,
    ),
    Case(
        "labels.respond_to_revocation",
        "POST",
        "/labels/{noticed_label}/revocation/999999/response",
        only({"vendor": 404}),
        {"response": "Route walk"},
        phase=WRITE,
    ),
    Case("labels.terminate", "GET", "/labels/{terminated_label}/terminate", only({"vendor": 200})),
    Case("labels.terminate", "GET", f"/labels/{UNKNOWN}/terminate", only({"vendor": 404})),
    Case(
        "labels.terminate",
        "POST",
        "/labels/{terminated_label}/terminate",
        VENDOR_ONLY_WRITE,
        {"reason": "Route walk"},
        phase=WRITE,
    ),
]


def extend_world(world: dict[str, Any]) -> dict[str, Any]:
    """The vendor's labels: one suspended, one with a revocation notice, one to terminate."""
    people = world["people"]
    authority = people["authority"]
    with current_app.test_request_context():
        labels = LabelWorld(
            authority=authority,
            vendor=people["vendor"],
            evaluators=[people["evaluator"]],
            version=published_version("ROUTE-SUSPEND"),
        )
        suspended, noticed, terminated = (issued_label(labels) for _ in range(3))
        suspend_label(authority, suspended, "Route walk")
        proposal = propose_revocation(authority, noticed, "Route walk")
    return {
        "suspension_label": suspended.number,
        "noticed_label": noticed.number,
        "noticed_proposal": proposal.id,
        "terminated_label": terminated.number,
    }
