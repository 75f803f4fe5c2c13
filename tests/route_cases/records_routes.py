"""Routes of the records: the authority's records page and legal holds, the evaluators'
reports on an evaluation."""

from __future__ import annotations

import io
from typing import Any

from flask import current_app
from sqlalchemy import select

from evaluations.models import Assignment, AssignmentStatus
from evaluations.records.holds import place_hold
from evaluations.records.models import EvaluatorReport, HoldTarget, ReportKind
from registry import uploads
from registry.database import db
from tests.evaluations.evaluation_builders import PDF
from tests.routing import WRITE, Case, authority_only, only

UNKNOWN = 2147483647
# The evaluator's assignment on the other vendor's evaluation (tests/route_cases/evaluations_*).
EVALUATOR_ONLY_REDIRECT = only({"evaluator": 302})


def extend_world(world: dict[str, Any]) -> dict[str, int]:
    """A legal hold, and a test report on the evaluator's declared assignment."""
    people = world["people"]
    evaluator, authority = people["evaluator"], people["authority"]
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        assignment = db.session.scalar(
            select(Assignment)
            .where(
                Assignment.evaluator_id == evaluator.id,
                Assignment.status == AssignmentStatus.SCORING,
            )
            .order_by(Assignment.id)
            .limit(1)
        )
        assert assignment is not None
        checked = uploads.check_upload("walk-test.pdf", io.BytesIO(PDF))
        report = EvaluatorReport(
            evaluation_id=assignment.evaluation_id,
            assignment_id=assignment.id,
            kind=ReportKind.TEST,
            title="Walk test report",
            version=1,
            **uploads.stored_file_columns(checked, uploads.write_file(checked), evaluator.id),
        )
        db.session.add(report)
        hold = place_hold(
            authority,
            HoldTarget.EVALUATION,
            assignment.evaluation_id,
            "Route walk hold.",
            "WALK-1",
        )
        db.session.flush()
    return {
        "records_evaluation": assignment.evaluation_id,
        "records_report": report.id,
        "records_hold": hold.id,
    }


CASES = [
    Case("records.index", "GET", "/admin/records", authority_only(200)),
    Case("records.index", "GET", "/admin/records?page=99", authority_only(200)),
    # An evaluation that does not exist: the form is shown again with the error.
    Case(
        "records.place_hold",
        "POST",
        "/admin/records/holds",
        authority_only(400),
        {"target_type": "evaluation", "target": str(UNKNOWN), "reason": "Walk", "reference": "W"},
        phase=WRITE,
    ),
    # No reason: back to the page, the hold stays.
    Case(
        "records.release_hold",
        "POST",
        "/admin/records/holds/{records_hold}/release",
        authority_only(302),
        phase=WRITE,
    ),
    Case(
        "records.release_hold",
        "POST",
        f"/admin/records/holds/{UNKNOWN}/release",
        authority_only(404),
        {"reason": "Walk release"},
        phase=WRITE,
    ),
    Case(
        "records.download_report",
        "GET",
        "/evaluations/{records_evaluation}/reports/{records_report}",
        only({"vendor": 404, "evaluator": 200, "authority": 200}),
    ),
    Case(
        "records.download_report",
        "GET",
        f"/evaluations/{{records_evaluation}}/reports/{UNKNOWN}",
        only({"vendor": 404, "evaluator": 404, "authority": 404}),
    ),
    # Without a file: back to the page with the reason.
    Case(
        "records.add_test_report",
        "POST",
        "/evaluations/{records_evaluation}/reports",
        EVALUATOR_ONLY_REDIRECT,
        {"title": "Walk"},
        phase=WRITE,
    ),
    Case(
        "records.add_test_report",
        "POST",
        f"/evaluations/{UNKNOWN}/reports",
        only({"evaluator": 404}),
        phase=WRITE,
    ),
    Case(
        "records.sign_report",
        "POST",
        "/evaluations/{records_evaluation}/reports/signed",
        EVALUATOR_ONLY_REDIRECT,
        {"title": "Walk", "password": "wrong"},
        phase=WRITE,
    ),
    Case(
        "records.sign_report",
        "POST",
        f"/evaluations/{UNKNOWN}/reports/signed",
        only({"evaluator": 404}),
        phase=WRITE,
    ),
]
