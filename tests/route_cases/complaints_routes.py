"""Routes of complaints and appeals: the public form, tracking and statistics, the vendor's
appeals, the authority's list and the steps of a case."""

from __future__ import annotations

from typing import Any

from flask import current_app

from complaints import services
from complaints.models import Subject
from evaluations.labels.status_changes import suspend_label
from tests.evaluations.labels.label_builders import LabelWorld, issued_label, published_version
from tests.routing import WRITE, Case, authority_only, everyone, only

VENDOR_ONLY = only({"vendor": 200})
APPELLANT = {"anonymous": 302, "vendor": 200, "buyer": 404, "evaluator": 404, "authority": 200}
STEP = authority_only(302)
UNKNOWN = "CMP-2026-99999"


def extend_world(world: dict[str, Any]) -> dict[str, Any]:
    """Three suspended labels of the vendor (by the authority's second officer): one still to
    appeal, two appealed; and a complaint about the authority."""
    people = world["people"]
    authority = people["authority"]
    deputy = next(u for u in authority.organisation.users if u.id != authority.id)
    with current_app.test_request_context():
        labels = LabelWorld(
            authority=authority,
            vendor=people["vendor"],
            evaluators=[people["evaluator"]],
            version=published_version("ROUTE-COMPLAINTS"),
        )
        issued = [issued_label(labels) for _ in range(3)]
        for label in issued:
            suspend_label(deputy, label, "Route walk")
        appeals = [
            services.file_appeal(people["vendor"], label=label, description="Route walk appeal.")[0]
            for label in issued[1:]
        ]
        complaint, _ = services.file_complaint(
            None,
            subject=Subject.AUTHORITY,
            description="Route walk complaint.",
            contact_email="walker@example.org",
            consent=True,
        )
    return {
        "appealable_label": issued[0].number,
        "appealable_evaluation": issued[0].evaluation_id,
        "appeal_to_read": appeals[0].reference,
        "appeal_to_withdraw": appeals[1].reference,
        "complaint_to_handle": complaint.reference,
    }


CASES = [
    Case("complaints.file_complaint", "GET", "/complaints/new", everyone(200)),
    Case(
        "complaints.file_complaint",
        "GET",
        "/complaints/new?label={appealable_label}",
        everyone(200),
    ),
    # Nothing filled in: the form again, with its errors; nothing is filed.
    Case("complaints.file_complaint", "POST", "/complaints/new", everyone(200)),
    # Without a complaint just filed in this session there is nothing to confirm.
    Case("complaints.filed", "GET", "/complaints/filed", everyone(302)),
    Case("complaints.track", "GET", "/complaints/track", everyone(200)),
    Case(
        "complaints.track", "GET", f"/complaints/track?reference={UNKNOWN}&token=x", everyone(200)
    ),
    Case(
        "complaints.track",
        "POST",
        "/complaints/track",
        everyone(404),
        {"reference": UNKNOWN, "token": "x"},
    ),
    Case("complaints.statistics", "GET", "/complaints/statistics", everyone(200)),
    Case("complaints.new_appeal", "GET", "/appeals/new?label={appealable_label}", VENDOR_ONLY),
    Case(
        "complaints.new_appeal",
        "GET",
        "/appeals/new?evaluation={appealable_evaluation}",
        VENDOR_ONLY,
    ),
    Case("complaints.new_appeal", "GET", "/appeals/new", only({"vendor": 404})),
    Case(
        "complaints.new_appeal", "GET", "/appeals/new?label=STR-2026-99999", only({"vendor": 404})
    ),
    # Nothing filled in: the form again, with its errors.
    Case("complaints.new_appeal", "POST", "/appeals/new?label={appealable_label}", VENDOR_ONLY),
    Case("complaints.my_appeals", "GET", "/appeals", VENDOR_ONLY),
    Case("complaints.cases_list", "GET", "/complaints", authority_only(200)),
    Case(
        "complaints.cases_list",
        "GET",
        "/complaints?kind=appeal&status=received&overdue=1&page=x",
        authority_only(200),
    ),
    Case("complaints.case_page", "GET", "/complaints/{appeal_to_read}", APPELLANT),
    Case(
        "complaints.case_page",
        "GET",
        "/complaints/{complaint_to_handle}",
        {"anonymous": 302, "vendor": 404, "buyer": 404, "evaluator": 404, "authority": 200},
    ),
    Case(
        "complaints.case_page",
        "GET",
        f"/complaints/{UNKNOWN}",
        {"anonymous": 302, "vendor": 404, "buyer": 404, "evaluator": 404, "authority": 404},
    ),
    Case(
        "complaints.acknowledge",
        "POST",
        "/complaints/{appeal_to_read}/acknowledge",
        STEP,
        phase=WRITE,
    ),
    # No handler chosen: told so, nothing changes.
    Case(
        "complaints.assign", "POST", "/complaints/{complaint_to_handle}/assign", STEP, phase=WRITE
    ),
    # Not its handler, nothing filled in: told why, nothing changes.
    Case(
        "complaints.decide", "POST", "/complaints/{complaint_to_handle}/decide", STEP, phase=WRITE
    ),
    Case(
        "complaints.withdraw",
        "POST",
        "/complaints/{appeal_to_withdraw}/withdraw",
        {"anonymous": 302, "vendor": 302, "buyer": 404, "evaluator": 404, "authority": 302},
        phase=WRITE,
    ),
]
