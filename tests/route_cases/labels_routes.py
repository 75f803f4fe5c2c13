"""Routes of labels: public pages, PDF, credential, status lists, decisions, verify, API, forms."""

from __future__ import annotations

from typing import Any

from flask import current_app

from tests.evaluations.label_builders import LabelWorld, issued_label, published_version
from tests.routing import WRITE, Case, authority_only, everyone

UNKNOWN = "STR-2026-99999"

CASES = [
    Case("labels.index", "GET", "/labels", everyone(200)),
    Case("labels.index", "GET", "/labels?status=suspended&page=99", everyone(200)),
    Case("labels.label_page", "GET", "/labels/{label_number}", everyone(200)),
    Case("labels.label_page", "GET", f"/labels/{UNKNOWN}", everyone(404)),
    Case("labels.label_page", "GET", "/labels/%3Cscript%3E", everyone(404)),
    Case("labels.label_pdf", "GET", "/labels/{label_number}.pdf", everyone(200)),
    Case("labels.label_pdf", "GET", f"/labels/{UNKNOWN}.pdf", everyone(404)),
    Case("labels.label_credential", "GET", "/labels/{label_number}.json", everyone(200)),
    Case("labels.label_credential", "GET", f"/labels/{UNKNOWN}.json", everyone(404)),
    Case("labels.status_list", "GET", "/labels/status/revocation.json", everyone(200)),
    Case("labels.status_list", "GET", "/labels/status/suspension.json", everyone(200)),
    Case("labels.status_list", "GET", "/labels/status/other.json", everyone(404)),
    Case("labels.decisions", "GET", "/decisions", everyone(200)),
    Case("labels.decisions", "GET", "/decisions?page=x", everyone(200)),
    Case("labels.audit_checkpoint", "GET", "/audit/checkpoint.json", everyone(200)),
    Case("labels.verify", "GET", "/verify", everyone(200)),
    Case("labels.verify", "POST", "/verify", everyone(200), {"pasted": "garbage"}),
    Case("labels.manage", "GET", "/labels/{label_number}/manage", authority_only(200)),
    Case("labels.manage", "GET", f"/labels/{UNKNOWN}/manage", authority_only(404)),
    Case(
        "labels.suspended_with_vendor",
        "GET",
        "/labels/vendor/{label_vendor}/suspended",
        authority_only(200),
    ),
    Case(
        "labels.suspended_with_vendor",
        "GET",
        "/labels/vendor/999999/suspended",
        authority_only(404),
    ),
    Case("labels_api.labels", "GET", "/api/v1/labels?status=valid", everyone(200)),
    Case("labels_api.label", "GET", "/api/v1/labels/{label_number}", everyone(200)),
    Case("labels_api.label", "GET", f"/api/v1/labels/{UNKNOWN}", everyone(404)),
    Case("labels_api.decisions", "GET", "/api/v1/decisions", everyone(200)),
    Case(
        "labels.suspend",
        "POST",
        "/labels/{label_to_suspend}/suspend",
        authority_only(302),
        {"reason": "Route walk"},
        phase=WRITE,
    ),
    Case(
        "labels.reinstate",
        "POST",
        "/labels/{label_to_suspend}/reinstate",
        authority_only(302),
        {"reason": "Route walk"},
        phase=WRITE,
    ),
    Case(
        "labels.revoke",
        "POST",
        "/labels/{label_to_revoke}/revoke",
        authority_only(302),
        {"reason": "Route walk"},
        phase=WRITE,
    ),
    Case(
        "labels.revoke",
        "POST",
        f"/labels/{UNKNOWN}/revoke",
        authority_only(404),
        {"reason": "Route walk"},
        phase=WRITE,
    ),
]


def extend_world(world: dict[str, Any]) -> dict[str, Any]:
    """Three valid labels of the vendor's solutions: one to read, one to suspend, one to revoke."""
    people = world["people"]
    with current_app.test_request_context():
        labels = LabelWorld(
            authority=people["authority"],
            vendor=people["vendor"],
            evaluators=[people["evaluator"]],
            version=published_version("ROUTE-LABELS"),
        )
        numbers = [issued_label(labels).number for _ in range(3)]
    return {
        "label_number": numbers[0],
        "label_to_suspend": numbers[1],
        "label_to_revoke": numbers[2],
        "label_vendor": people["vendor"].organisation_id,
    }
