"""Routes of change requests for certified facts: the authority's queue and decisions, the
vendor's view and withdrawal."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import current_app

from catalog import changes, services
from evaluations.models import Label
from registry.models import User
from tests.evaluations.labels.label_builders import LabelWorld, issued_label, published_version
from tests.routing import WRITE, Case, authority_only, only

UNKNOWN = 999_999
REASON = {"reason": "Route walk"}
# The owning vendor and the authority read a request; buyers and evaluators: 403.
OWNER_OR_AUTHORITY = only({"vendor": 200, "authority": 200})


def _renamed(vendor: User, label: Label, name: str) -> int:
    """A pending request renaming the labelled solution."""
    solution = label.solution
    data = dataclasses.replace(services.data_of(solution), name=name, change_reason="Route walk")
    services.update_solution(vendor, solution, data)
    request = changes.pending_request(solution.id)
    assert request is not None
    return request.id


def extend_world(world: dict[str, Any]) -> dict[str, int]:
    """Three labelled solutions of the vendor, each with a pending change request: to approve,
    to refuse, to withdraw."""
    people = world["people"]
    with current_app.test_request_context():
        labels = LabelWorld(
            authority=people["authority"],
            vendor=people["vendor"],
            evaluators=[people["evaluator"]],
            version=published_version("ROUTE-CHANGES"),
        )
        ids = [
            _renamed(people["vendor"], issued_label(labels), f"Renamed by the walk {n}")
            for n in range(3)
        ]
    return {
        "change_to_approve": ids[0],
        "change_to_refuse": ids[1],
        "change_to_withdraw": ids[2],
    }


CASES = [
    Case("changes.queue", "GET", "/admin/change-requests", authority_only(200)),
    Case("changes.queue", "GET", "/admin/change-requests?page=999", authority_only(200)),
    Case("changes.detail", "GET", "/change-requests/{change_to_withdraw}", OWNER_OR_AUTHORITY),
    Case(
        "changes.detail",
        "GET",
        f"/change-requests/{UNKNOWN}",
        only({"vendor": 404, "authority": 404}),
    ),
    Case(
        "changes.approve",
        "POST",
        "/change-requests/{change_to_approve}/approve",
        authority_only(302),
        REASON,
        phase=WRITE,
    ),
    Case(
        "changes.approve",
        "POST",
        f"/change-requests/{UNKNOWN}/approve",
        authority_only(404),
        REASON,
        phase=WRITE,
    ),
    Case(
        "changes.refuse",
        "POST",
        "/change-requests/{change_to_refuse}/refuse",
        authority_only(302),
        REASON,
        phase=WRITE,
    ),
    Case(
        "changes.withdraw",
        "POST",
        "/change-requests/{change_to_withdraw}/withdraw",
        only({"vendor": 302}),
        phase=WRITE,
    ),
    Case(
        "changes.withdraw",
        "POST",
        f"/change-requests/{UNKNOWN}/withdraw",
        only({"vendor": 404}),
        phase=WRITE,
    ),
]
