"""Routes of labels: public pages, PDF, credential, status lists, decisions, verify, API, forms."""

from __future__ import annotations

from typing import Any

from flask import current_app

from evaluations.labels.revocation import propose_revocation
from tests.evaluations.labels.label_builders import LabelWorld, issued_label, published_version
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
    Case("labels.revocation_proposals", "GET", "/labels/revocations", authority_only(200)),
    Case(
        "labels.propose_revocation",
        "POST",
        "/labels/{label_to_propose}/revocation",
        authority_only(302),
        {"reason": "Route walk"},
        phase=WRITE,
    ),
    Case(
        "labels.propose_revocation",
        "POST",
        f"/labels/{UNKNOWN}/revocation",
        authority_only(404),
        {"reason": "Route walk"},
        phase=WRITE,
    ),
    Case(
        "labels.confirm_revocation",
        "POST",
        "/labels/{label_to_revoke}/revocation/{revocation_to_confirm}/confirm",
        authority_only(302),
        phase=WRITE,
    ),
    Case(
        # A proposal is confirmed on its own label's address only.
        "labels.confirm_revocation",
        "POST",
        "/labels/{label_number}/revocation/{revocation_to_refuse}/confirm",
        authority_only(404),
        phase=WRITE,
    ),
    Case(
        "labels.refuse_revocation",
        "POST",
        "/labels/{label_to_refuse}/revocation/{revocation_to_refuse}/refuse",
        authority_only(302),
        {"reason": "Route walk"},
        phase=WRITE,
    ),
    Case(
        "labels.withdraw_revocation",
        "POST",
        "/labels/{label_to_withdraw}/revocation/{revocation_to_withdraw}/withdraw",
        authority_only(302),
        phase=WRITE,
    ),
    Case(
        "labels.withdraw_revocation",
        "POST",
        f"/labels/{UNKNOWN}/revocation/1/withdraw",
        authority_only(404),
        phase=WRITE,
    ),
]


def extend_world(world: dict[str, Any]) -> dict[str, Any]:
    """Valid labels of the vendor's solutions: one to read, one to suspend, one to propose for
    revocation, and three with a pending proposal (to confirm, refuse, withdraw).

    The proposals to confirm and refuse are the authority's second officer's, so the route walk's
    officer may decide them; the one to withdraw is the walking officer's own.
    """
    people = world["people"]
    authority = people["authority"]
    deputy = next(u for u in authority.organisation.users if u.id != authority.id)
    with current_app.test_request_context():
        labels = LabelWorld(
            authority=authority,
            vendor=people["vendor"],
            evaluators=[people["evaluator"]],
            version=published_version("ROUTE-LABELS"),
        )
        issued = [issued_label(labels) for _ in range(6)]
        proposals = [
            propose_revocation(
                officer,
                label,
                "Route walk",
                emergency_reason="Evidence of fraud: buyers at risk now.",
            )
            for officer, label in zip((deputy, deputy, authority), issued[3:], strict=True)
        ]
    return {
        "label_number": issued[0].number,
        "label_to_suspend": issued[1].number,
        "label_to_propose": issued[2].number,
        "label_to_revoke": issued[3].number,
        "revocation_to_confirm": proposals[0].id,
        "label_to_refuse": issued[4].number,
        "revocation_to_refuse": proposals[1].id,
        "label_to_withdraw": issued[5].number,
        "revocation_to_withdraw": proposals[2].id,
        "label_vendor": people["vendor"].organisation_id,
    }
