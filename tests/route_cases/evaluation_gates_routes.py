"""Routes of the gates around an evaluation: the application review, the removal of an
evaluator and the second officer's review before the decision (objects from
evaluations_routes)."""

from __future__ import annotations

from tests.routing import WRITE, Case, only

CASES = [
    # Already reviewed (and an empty form): refused on the page.
    Case(
        "evaluations.application_review",
        "POST",
        "/evaluations/{assigned_evaluation}/application-review",
        only({"authority": 400}),
        data={"note": "Complete and in scope."},
        phase=WRITE,
    ),
    Case(
        "evaluations.application_review",
        "POST",
        "/evaluations/2147483647/application-review",
        only({"authority": 404}),
        phase=WRITE,
    ),
    # Not scored yet: no review before the decision.
    Case(
        "evaluations.review",
        "POST",
        "/evaluations/{assigned_evaluation}/review",
        only({"authority": 400}),
        data={
            "outcome": "agree",
            "recommended_decision": "rejected",
            "note": "Too early to say.",
        },
        phase=WRITE,
    ),
    # Without a reason nothing is removed; an assignment of another evaluation is not found.
    Case(
        "evaluations.remove_evaluator",
        "POST",
        "/evaluations/{assigned_evaluation}/assignments/{foreign_assignment}/remove",
        only({"authority": 400}),
        phase=WRITE,
    ),
    Case(
        "evaluations.remove_evaluator",
        "POST",
        "/evaluations/{own_evaluation}/assignments/{foreign_assignment}/remove",
        only({"authority": 404}),
        data={"reason": "Not on this evaluation."},
        phase=WRITE,
    ),
]
