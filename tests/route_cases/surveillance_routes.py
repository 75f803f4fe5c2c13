"""Routes of surveillance: the authority's list and programmes, the vendor's and the
evaluator's activities, each activity's steps."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app

from evaluations.surveillance import services
from registry.database import db
from registry.dates import today
from tests.evaluations.labels.label_builders import LabelWorld, issued_label, published_version
from tests.evaluations.scheme_builders import qualify
from tests.routing import WRITE, Case, authority_only, only

UNKNOWN = "STR-2026-99997"
_ADMIN = "/admin/surveillance"
_ACTIVITY = "/surveillance/activities"
PARTIES = {"vendor": 200, "evaluator": 200, "authority": 200}
NOBODY = {"vendor": 404, "evaluator": 404, "authority": 404}
BAD_PROGRAMME = {"interval_months": "0", "retest_percent": "10", "days_to_complete": "30"}

CASES = [
    Case("surveillance.admin", "GET", _ADMIN, authority_only(200)),
    Case(
        "surveillance.admin",
        "GET",
        f"{_ADMIN}?kind=retest&status=overdue&norm=999999&page=2",
        authority_only(200),
    ),
    Case("surveillance.programmes", "GET", f"{_ADMIN}/programmes", authority_only(200)),
    Case(
        "surveillance.programme",
        "GET",
        f"{_ADMIN}/programmes/ROUTE-SURV",
        authority_only(200),
    ),
    Case("surveillance.programme", "GET", f"{_ADMIN}/programmes/NO-SUCH-NORM", authority_only(404)),
    Case("surveillance.mine", "GET", "/surveillance", only({"vendor": 200, "evaluator": 200})),
    Case(
        "surveillance.activity",
        "GET",
        f"{_ACTIVITY}/{{surveillance_attestation}}",
        only({"vendor": 200, "evaluator": 404, "authority": 200}),
    ),
    Case("surveillance.activity", "GET", f"{_ACTIVITY}/{{surveillance_retest}}", only(PARTIES)),
    Case(
        "surveillance.activity",
        "GET",
        f"{_ACTIVITY}/{{surveillance_review}}",
        only({"vendor": 200, "evaluator": 404, "authority": 200}),
    ),
    Case("surveillance.activity", "GET", f"{_ACTIVITY}/999999", only(NOBODY)),
    # Writes that change nothing: invalid forms, a label not on the list, unknown objects.
    Case(
        "surveillance.programme",
        "POST",
        f"{_ADMIN}/programmes/ROUTE-SURV",
        authority_only(400),
        BAD_PROGRAMME,
        phase=WRITE,
    ),
    Case(
        "surveillance.suspend",
        "POST",
        f"{_ADMIN}/to-suspend/{{surveillance_label}}",
        authority_only(302),
        {"reason": "Route walk", "confirm": "y"},
        phase=WRITE,
    ),
    Case(
        "surveillance.suspend",
        "POST",
        f"{_ADMIN}/to-suspend/{UNKNOWN}",
        authority_only(404),
        {"reason": "Route walk", "confirm": "y"},
        phase=WRITE,
    ),
    Case(
        "surveillance.attest",
        "POST",
        f"{_ACTIVITY}/{{surveillance_attestation}}/attest",
        only({"vendor": 400}),
        {"statement": "Route walk"},
        phase=WRITE,
    ),
    Case(
        "surveillance.attest",
        "POST",
        f"{_ACTIVITY}/999999/attest",
        only({"vendor": 404}),
        phase=WRITE,
    ),
    Case(
        "surveillance.assign",
        "POST",
        f"{_ACTIVITY}/{{surveillance_retest}}/assign",
        authority_only(400),
        {"evaluator_id": "999999"},
        phase=WRITE,
    ),
    Case(
        "surveillance.record_result",
        "POST",
        f"{_ACTIVITY}/{{surveillance_retest}}/result",
        only({"evaluator": 400}),
        {"report": "Route walk"},
        phase=WRITE,
    ),
    Case(
        "surveillance.review",
        "POST",
        f"{_ACTIVITY}/{{surveillance_review}}/review",
        authority_only(400),
        {"notes": "Route walk"},
        phase=WRITE,
    ),
]


def extend_world(world: dict[str, Any]) -> dict[str, Any]:
    """A label with an open attestation, one with a re-test assigned to the world's evaluator
    and a complaint review; none of them on the list to suspend."""
    people = world["people"]
    with current_app.test_request_context():
        label_world = LabelWorld(
            authority=people["authority"],
            vendor=people["vendor"],
            evaluators=[people["evaluator"]],
            version=published_version("ROUTE-SURV"),
        )
        label = issued_label(label_world)
        due = today() + dt.timedelta(days=30)
        attestation = services.open_attestation(label, 1, due)
        retest = services.open_retest(label, today().year, due)
        qualify(people["evaluator"], label.norm_version.norm)
        services.assign_retest(people["authority"], retest, people["evaluator"])
        review = services.open_complaint_review(
            people["authority"], label, "Route walk.", "ROUTE-1"
        )
        db.session.commit()
    return {
        "surveillance_label": label.number,
        "surveillance_attestation": attestation.id,
        "surveillance_retest": retest.id,
        "surveillance_review": review.id,
    }
