"""Routes of the evaluation workflow: the vendor's applications, assignments, pipeline, API."""

from __future__ import annotations

import io
from typing import Any

from flask import current_app
from sqlalchemy import select

from catalog.services import create_solution, publish_solution
from evaluations.services.application import (
    apply_for_evaluation,
    attach_evidence,
    submit_application,
)
from evaluations.services.assignment import assign_evaluator, declare_conflict
from registry.database import db
from registry.models import (
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    TechnologyCategory,
    User,
)
from registry.norms import drafting
from registry.norms.models import CriterionKind
from registry.norms.services import create_norm, publish_version
from registry.passwords import hash_password
from tests.catalog.solution_builders import complete_data, first_version
from tests.evaluations import scheme_builders
from tests.evaluations.agreement.agreement_builders import accepted
from tests.routing import WRITE, Case, only

PDF = b"%PDF-1.7\n%%EOF\n"
VENDOR_ONLY = only({"vendor": 200})
EVALUATOR_ONLY = only({"evaluator": 200})
AUTHORITY_ONLY = only({"authority": 200})
# The vendor's own draft: the evaluator is not assigned (404), the authority sees all.
OWN = only({"vendor": 200, "evaluator": 404, "authority": 200})
# Another vendor's evaluation assigned to the evaluator (who declared no conflict).
ASSIGNED = only({"vendor": 404, "evaluator": 200, "authority": 200})


def _norm_version(authority: User) -> Any:

    category_id = db.session.scalar(
        select(TechnologyCategory.id).where(TechnologyCategory.code == "video-analysis")
    )
    assert category_id is not None
    norm = create_norm(authority, "RT-EVAL", "Route walk norm", category_id)
    version = norm.versions[0]
    drafting.update_version_settings(authority, version, 24, [("Certified", 60)], [], "First.")
    section = drafting.add_section(authority, version, "Main")
    for code, kind in (("RT-A", CriterionKind.PASS_FAIL), ("RT-B", CriterionKind.SCORED)):
        drafting.add_criterion(
            authority,
            version,
            drafting.CriterionData(
                section_id=section.id,
                code=code,
                title=f"Criterion {code}",
                guidance="",
                kind=kind,
                weight=1,
                mandatory=False,
                evidence_required=False,
            ),
        )
    return publish_version(authority, version)


def _second_evaluator() -> User:
    body = Organisation(
        name="Route walk second lab",
        kind=OrganisationKind.EVALUATION_BODY,
        status=OrganisationStatus.ACTIVE,
        region="Bretagne",
    )
    user = User(
        organisation=body,
        email="second-lab@example.org",
        full_name="Second Lab",
        password_hash=hash_password("not used in the walk"),
    )
    db.session.add_all([body, user])
    db.session.flush()
    return user


def extend_world(world: dict[str, Any]) -> dict[str, int]:
    """A draft of the vendor; a submitted one of the other vendor assigned to the evaluator."""
    people = world["people"]
    authority, vendor, other = people["authority"], people["vendor"], people["other"]
    evaluator = people["evaluator"]
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        version = _norm_version(authority)
        own_solution = publish_solution(
            vendor, create_solution(vendor, complete_data(name="Walk own"))
        )
        other_solution = publish_solution(
            other, create_solution(other, complete_data(name="Walk other"))
        )
        accepted(vendor, authority)  # applying needs the agreement in force
        accepted(other, authority)
        own = apply_for_evaluation(
            vendor,
            own_solution.id,
            version.id,
            product_version_id=first_version(vendor, own_solution).id,
        )
        # A text file: its download is the one served with a charset of its own.
        own_evidence = attach_evidence(vendor, own, "own.txt", io.BytesIO(b"Notes\n"))
        assigned = apply_for_evaluation(
            other,
            other_solution.id,
            version.id,
            product_version_id=first_version(other, other_solution).id,
        )
        assigned_evidence = attach_evidence(other, assigned, "other.pdf", io.BytesIO(PDF))
        submit_application(other, assigned)
        second = _second_evaluator()
        for person in (evaluator, second):
            scheme_builders.qualify(person, version.norm)
        scheme_builders.confirm_declarations(authority)
        scheme_builders.review_application(assigned, authority)
        own_assignment = assign_evaluator(authority, assigned, evaluator.id, None)
        declare_conflict(evaluator, own_assignment, False, "")
        foreign = assign_evaluator(authority, assigned, second.id, None)
        db.session.flush()
    return {
        "own_evaluation": own.id,
        "own_evidence": own_evidence.id,
        "assigned_evaluation": assigned.id,
        "assigned_evidence": assigned_evidence.id,
        "own_assignment": own_assignment.id,
        "foreign_assignment": foreign.id,
    }


CASES = [
    # The vendor's applications
    Case("evaluations.index", "GET", "/evaluations/", VENDOR_ONLY),
    Case("evaluations.index", "GET", "/evaluations/?status=draft&page=99", VENDOR_ONLY),
    Case("evaluations.apply", "GET", "/evaluations/apply", VENDOR_ONLY),
    Case("evaluations.apply", "POST", "/evaluations/apply", VENDOR_ONLY, phase=WRITE),
    Case("evaluations.detail", "GET", "/evaluations/{own_evaluation}", OWN),
    Case("evaluations.detail", "GET", "/evaluations/{assigned_evaluation}", ASSIGNED),
    Case(
        "evaluations.detail",
        "GET",
        "/evaluations/2147483647",
        only({"vendor": 404, "evaluator": 404, "authority": 404}),
    ),
    Case(
        "evaluations.download",
        "GET",
        "/evaluations/{own_evaluation}/evidence/{own_evidence}",
        OWN,
    ),
    Case(
        "evaluations.download",
        "GET",
        "/evaluations/{assigned_evaluation}/evidence/{assigned_evidence}",
        ASSIGNED,
    ),
    Case(
        "evaluations.download",
        "GET",
        "/evaluations/{own_evaluation}/evidence/{assigned_evidence}",
        only({"vendor": 404, "evaluator": 404, "authority": 404}),
    ),
    Case(
        "evaluations.note",
        "POST",
        "/evaluations/{assigned_evaluation}/note",
        only({"vendor": 404}),
        data={"vendor_note": "Not mine"},
        phase=WRITE,
    ),
    Case(
        "evaluations.note",
        "POST",
        "/evaluations/{own_evaluation}/note",
        only({"vendor": 302}),
        data={"vendor_note": "Walk note"},
        phase=WRITE,
    ),
    Case(
        "evaluations.upload",
        "POST",
        "/evaluations/{own_evaluation}/evidence",
        only({"vendor": 400}),
        phase=WRITE,
    ),
    Case(
        "evaluations.upload",
        "POST",
        "/evaluations/{assigned_evaluation}/evidence",
        only({"vendor": 404}),
        phase=WRITE,
    ),
    Case(
        "evaluations.remove",
        "POST",
        "/evaluations/{assigned_evaluation}/evidence/{assigned_evidence}/remove",
        only({"vendor": 404}),
        phase=WRITE,
    ),
    Case(
        "evaluations.submit",
        "POST",
        "/evaluations/{assigned_evaluation}/submit",
        only({"vendor": 404}),
        phase=WRITE,
    ),
    Case(
        "evaluations.withdraw",
        "POST",
        "/evaluations/{assigned_evaluation}/withdraw",
        only({"vendor": 404}),
        phase=WRITE,
    ),
    Case(
        "evaluations.respond",
        "POST",
        "/evaluations/{own_evaluation}/respond",
        only({"vendor": 400}),
        phase=WRITE,
    ),
    Case(
        "evaluations.respond",
        "POST",
        "/evaluations/{assigned_evaluation}/respond",
        only({"vendor": 404}),
        phase=WRITE,
    ),
    # The authority
    Case("evaluations.pipeline", "GET", "/evaluations/pipeline", AUTHORITY_ONLY),
    Case(
        "evaluations.pipeline",
        "GET",
        "/evaluations/pipeline?status=%27%20OR%201%3D1--&page=0",
        AUTHORITY_ONLY,
    ),
    Case(
        "evaluations.return_to_vendor",
        "POST",
        "/evaluations/{assigned_evaluation}/return",
        only({"authority": 400}),
        phase=WRITE,
    ),
    Case(
        "evaluations.assign",
        "POST",
        "/evaluations/{assigned_evaluation}/assign",
        only({"authority": 400}),
        phase=WRITE,
    ),
    Case(
        "evaluations.resolve",
        "POST",
        "/evaluations/{assigned_evaluation}/resolve",
        only({"authority": 400}),
        phase=WRITE,
    ),
    Case(
        "evaluations.decide",
        "POST",
        "/evaluations/{assigned_evaluation}/decide",
        only({"authority": 400}),
        data={"decision": "certified", "level": "Certified", "rationale": "Skipping steps"},
        phase=WRITE,
    ),
    # The evaluator
    Case("evaluations.assignments", "GET", "/evaluations/assignments", EVALUATOR_ONLY),
    Case(
        "evaluations.score",
        "GET",
        "/evaluations/assignments/{own_assignment}/score",
        EVALUATOR_ONLY,
    ),
    Case(
        "evaluations.score",
        "GET",
        "/evaluations/assignments/{foreign_assignment}/score",
        only({"evaluator": 404}),
    ),
    Case(
        "evaluations.score",
        "POST",
        "/evaluations/assignments/{foreign_assignment}/score",
        only({"evaluator": 404}),
        phase=WRITE,
    ),
    Case(
        "evaluations.declare",
        "POST",
        "/evaluations/assignments/{foreign_assignment}/declare",
        only({"evaluator": 404}),
        data={"has_conflict": "no"},
        phase=WRITE,
    ),
    Case(
        "evaluations.submit_scores",
        "POST",
        "/evaluations/assignments/{foreign_assignment}/submit",
        only({"evaluator": 404}),
        phase=WRITE,
    ),
    # The API: never public, only what the session user may see.
    Case(
        "evaluations_api.evaluations",
        "GET",
        "/api/v1/evaluations",
        {"anonymous": 401, "vendor": 200, "buyer": 403, "evaluator": 200, "authority": 200},
    ),
]
