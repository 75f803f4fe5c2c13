"""Routes of maintenance: the vendor's declaration, the authority's queue, routing and decision,
the evaluator's delta review."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app

from catalog.versions import declare_version
from evaluations import maintenance
from evaluations.models import MaintenanceRequest
from registry.database import utcnow
from tests.evaluations.labels.label_builders import LabelWorld, issued_label, published_version
from tests.evaluations.scheme_builders import qualify
from tests.routing import WRITE, Case, authority_only, only

PARTIES = {"vendor": 200, "evaluator": 200, "authority": 200}

CASES = [
    Case(
        "evaluations.maintenance_declare",
        "GET",
        "/evaluations/labels/{maintenance_label}/maintenance",
        only({"vendor": 200}),
    ),
    Case(
        "evaluations.maintenance_declare",
        "GET",
        "/evaluations/labels/STR-2026-99999/maintenance",
        only({"vendor": 404}),
    ),
    Case(
        "evaluations.maintenance_declare",
        "POST",
        "/evaluations/labels/{maintenance_label}/maintenance",
        only({"vendor": 400}),
        {"impact_analysis": "Route walk"},
        phase=WRITE,
    ),
    Case("evaluations.maintenance_queue", "GET", "/evaluations/maintenance", authority_only(200)),
    Case(
        "evaluations.maintenance_request",
        "GET",
        "/evaluations/maintenance/{maintenance_in_review}",
        only(PARTIES),
    ),
    Case(
        "evaluations.maintenance_request",
        "GET",
        "/evaluations/maintenance/999999",
        only({"vendor": 404, "evaluator": 404, "authority": 404}),
    ),
    Case(
        "evaluations.maintenance_review",
        "GET",
        "/evaluations/maintenance/{maintenance_in_review}/review",
        only({"evaluator": 200}),
    ),
    Case(
        "evaluations.maintenance_review",
        "POST",
        "/evaluations/maintenance/{maintenance_in_review}/review",
        only({"evaluator": 302}),
        phase=WRITE,
    ),
    Case(
        "evaluations.maintenance_declare_conflict",
        "POST",
        "/evaluations/maintenance/{maintenance_to_declare}/declare",
        only({"evaluator": 302}),
        {"has_conflict": "no", "note": ""},
        phase=WRITE,
    ),
    Case(
        "evaluations.maintenance_submit",
        "POST",
        "/evaluations/maintenance/{maintenance_to_submit}/submit",
        only({"evaluator": 302}),
        {"summary": "Route walk review"},
        phase=WRITE,
    ),
    Case(
        "evaluations.maintenance_route",
        "POST",
        "/evaluations/maintenance/{maintenance_to_route}/route",
        authority_only(302),
        {"kind": "major", "note": "Route walk: a new evaluation"},
        phase=WRITE,
    ),
    Case(
        "evaluations.maintenance_decide",
        "POST",
        "/evaluations/maintenance/{maintenance_to_decide}/decide",
        authority_only(302),
        {"decision": "refuse", "reason": "Route walk refusal"},
        phase=WRITE,
    ),
    Case(
        "evaluations.maintenance_withdraw",
        "POST",
        "/evaluations/maintenance/{maintenance_to_withdraw}/withdraw",
        only({"vendor": 302}),
        phase=WRITE,
    ),
]


def extend_world(world: dict[str, Any]) -> dict[str, Any]:
    """A valid label of the vendor's, with one maintenance request in each state a route needs,
    each for its own new version; the walk's evaluator reviews the minor ones."""
    people = world["people"]
    authority, vendor, evaluator = people["authority"], people["vendor"], people["evaluator"]
    with current_app.test_request_context():
        label = issued_label(
            LabelWorld(
                authority=authority,
                vendor=vendor,
                evaluators=[evaluator],
                version=published_version("ROUTE-MAINT"),
            )
        )
        released = utcnow().date() - dt.timedelta(days=10)
        due = utcnow().date() + dt.timedelta(days=14)
        qualify(evaluator, label.norm_version.norm)
        export = next(c for c in label.norm_version.criteria if c.code == "EXPORT")

        def declared(number: str) -> MaintenanceRequest:
            version = declare_version(vendor, label.solution, number, released)
            return maintenance.declare_maintenance(
                vendor, label, version, "Route walk change", ["EXPORT"], False
            )

        def minor(number: str, *, declare: bool, score: bool = False) -> MaintenanceRequest:
            request = maintenance.route(authority, declared(number), "minor", evaluator, due)
            if declare:
                maintenance.declare_conflict(evaluator, request, False, "")
            if score:
                maintenance.save_score(evaluator, request, export, "4", "Route walk")
            return request

        in_review = minor("9.1", declare=True)
        to_declare = minor("9.2", declare=False)
        to_submit = minor("9.3", declare=True, score=True)
        to_decide = minor("9.4", declare=True, score=True)
        maintenance.submit_review(evaluator, to_decide, "Route walk review")
        to_route = declared("9.5")
        to_withdraw = declared("9.6")
    return {
        "maintenance_label": label.number,
        "maintenance_in_review": in_review.id,
        "maintenance_to_declare": to_declare.id,
        "maintenance_to_submit": to_submit.id,
        "maintenance_to_decide": to_decide.id,
        "maintenance_to_route": to_route.id,
        "maintenance_to_withdraw": to_withdraw.id,
    }
