"""Demo evaluations in every state, made through the real services; loading twice changes nothing.

Each published demo solution is paired with the norm in force for its category. A few pairs
stop at each state of the workflow (draft, submitted, returned, in review with scores in
progress, scored with a disagreement, rejected, withdrawn); all the others are certified by
the two demo evaluators, at the "Certified" or "Advanced" level in turn, and get their label
(the label demo, which runs next, suspends, revokes or expires some of them).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from sqlalchemy import select

from catalog.demo import demo_version
from catalog.models import Solution, SolutionStatus
from evaluations import scoring
from evaluations.bodies.models import (
    Accreditation,
    AccreditationScope,
    ApprovalStatus,
    EvaluatorApproval,
)
from evaluations.bodies.services import accreditation_covering, is_approved
from evaluations.impartiality.declarations import is_current
from evaluations.impartiality.models import DeclarationConfirmation
from evaluations.models import Assignment, Evaluation
from evaluations.services.application import (
    apply_for_evaluation,
    attach_evidence,
    return_for_information,
    submit_application,
    update_application,
    withdraw_application,
)
from evaluations.services.application_review import record_application_review
from evaluations.services.assignment import assign_evaluator, declare_conflict
from evaluations.services.decision import decide, record_review
from evaluations.services.scores import consolidation, save_score, submit_scores
from registry import dates
from registry.database import db, utcnow
from registry.demo import AUTHORITY_EMAIL, DEMO_DOMAIN, DEPUTY_EMAIL, EVALUATION_BODIES, VENDORS
from registry.models import Organisation, User
from registry.norms.models import Norm, NormCriterion, NormVersion
from registry.norms.services import criteria_for_scoring, thresholds_of

NORM_FOR_CATEGORY = {
    "video-analysis": "VA-INTEROP",
    "video-protection": "VA-INTEROP",
    "systems-integration": "SI-INTEROP",
    "command-coordination": "SI-INTEROP",
    "data-collection": "SI-INTEROP",
    "data-analysis": "SI-INTEROP",
    "flow-modeling": "SI-INTEROP",
    "cybersecurity": "CYB-ANOMALY",
    "access-id-control": "ACC-ID",
    "public-alert": "ALERT-CAP",
    "sensors-drones-robotics": "DRONE-SENS",
}
# Every fourth pair (from the second) stops at one of these states, in this order.
STOPS = ("draft", "submitted", "returned", "in_review", "scored", "rejected", "withdrawn")
LEVELS = ("Advanced", "Certified")


def _pdf(title: str) -> bytes:
    # A tiny but well-formed PDF: the evidence checks only need the signature to agree.
    return f"%PDF-1.4\n% {title}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".encode()


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _pairs() -> list[tuple[Solution, NormVersion]]:
    """(published demo solution, version in force of its category's norm), in a stable order."""
    names = [name for name, _slug, _size, _region in VENDORS]
    solutions = db.session.scalars(
        select(Solution)
        .join(Organisation, Solution.vendor_id == Organisation.id)
        .where(Organisation.name.in_(names), Solution.status == SolutionStatus.PUBLISHED)
        .order_by(Solution.id)
    ).all()
    versions: dict[str, NormVersion | None] = {}
    pairs = []
    for solution in solutions:
        category = solution.primary_category.code if solution.primary_category else ""
        code = NORM_FOR_CATEGORY.get(category)
        if code is None:
            continue
        if code not in versions:
            norm = db.session.scalar(select(Norm).where(Norm.code == code))
            versions[code] = norm.published_version if norm else None
        version = versions[code]
        if version is not None:
            pairs.append((solution, version))
    return pairs


def _uniform_value(version: NormVersion, target: str | None) -> int:
    """The score every scored criterion gets so that the result lands on `target`."""
    criteria = [scoring.Criterion(*c) for c in criteria_for_scoring(version)]  # type: ignore[arg-type]
    candidates = {"Advanced": (5, 4), "Certified": (3, 4, 2)}.get(target or "", (1,))
    for value in candidates:
        results = scoring.consolidate(
            criteria,
            [
                scoring.EvaluatorScore(1, c.code, True if c.kind == scoring.PASS_FAIL else value)
                for c in criteria
            ],
        )
        percent = scoring.weighted_percent(results, criteria)
        failed = scoring.mandatory_failed(results, criteria)
        if scoring.level_for(percent, not failed, thresholds_of(version)) == target:
            return value
    return candidates[-1]


def _score(
    assignment: Assignment,
    criteria: list[NormCriterion],
    value: int,
    passed: bool = True,
    offset: dict[str, int] | None = None,
) -> None:
    for criterion in criteria:
        if criterion.kind.value == scoring.PASS_FAIL:
            raw = "pass" if passed else "fail"
        else:
            raw = str(max(0, min(5, value + (offset or {}).get(criterion.code, 0))))
        save_score(
            assignment.evaluator,
            assignment,
            criterion,
            raw,
            f"Demo: {criterion.code} checked against the vendor's evidence and a test run.",
        )


def _apply(vendor_user: User, solution: Solution, version: NormVersion) -> Evaluation:
    """A draft application with a datasheet and a test report per criterion that needs one."""
    product = solution.versions[0] if solution.versions else demo_version(vendor_user, solution)
    evaluation = apply_for_evaluation(
        vendor_user, solution.id, version.id, product_version_id=product.id
    )
    update_application(vendor_user, evaluation, "Our test reports are attached per criterion.")
    attach_evidence(
        vendor_user,
        evaluation,
        "product-datasheet.pdf",
        io.BytesIO(_pdf(solution.name)),
        description="Datasheet",
    )
    for criterion in version.ordered_criteria():
        if criterion.evidence_required:
            attach_evidence(
                vendor_user,
                evaluation,
                f"{criterion.code.lower()}-test-report.pdf",
                io.BytesIO(_pdf(criterion.code)),
                criterion.id,
            )
    return evaluation


def _stopped_before_review(
    authority: User, vendor_user: User, evaluation: Evaluation, stop: str | None
) -> bool:
    """Submit the application unless it stays a draft; True when the demo stops before review."""
    if stop == "draft":
        return True
    submit_application(vendor_user, evaluation)
    if stop == "submitted":
        return True
    if stop != "returned":
        record_application_review(
            authority,
            evaluation,
            "Complete: a test report for every criterion that needs one; in the norm's scope.",
        )
    if stop == "returned":
        return_for_information(
            authority,
            evaluation,
            "Please add the penetration-test report of the current release.",
        )
        return True
    if stop == "withdrawn":
        withdraw_application(vendor_user, evaluation)
        return True
    return False


def _score_both(
    first: Assignment,
    second: Assignment,
    version: NormVersion,
    stop: str | None,
    level: str,
) -> None:
    """Both evaluators' scores: low for a rejection, apart for a disagreement, else the level."""
    criteria = version.ordered_criteria()
    if stop == "rejected":
        value = 1
        _score(first, criteria, value)
        _score(second, criteria, value)
    elif stop == "scored":
        # The second evaluator is 2 points harsher on the first scored criterion.
        value = _uniform_value(version, "Certified")
        harsh = next(
            (c.code for c in criteria if c.kind.value == scoring.SCORED),
            "",
        )
        _score(first, criteria, value)
        _score(second, criteria, value, offset={harsh: -2} if value >= 2 else {harsh: 2})
    else:
        value = _uniform_value(version, level)
        _score(first, criteria, value)
        _score(second, criteria, value)


def _run(
    officers: tuple[User, User],
    evaluators: tuple[User, User],
    solution: Solution,
    version: NormVersion,
    stop: str | None,
    level: str,
) -> Evaluation:
    # The deputy reviews the application, assigns the evaluators and reviews the result; the
    # authority, who took no other part, decides.
    authority, deputy = officers
    vendor_user = solution.vendor.users[0]
    evaluation = _apply(vendor_user, solution, version)
    if _stopped_before_review(deputy, vendor_user, evaluation, stop):
        return evaluation
    due = utcnow().date() + dt.timedelta(days=30)
    first, second = (
        assign_evaluator(deputy, evaluation, evaluator.id, due) for evaluator in evaluators
    )
    declare_conflict(evaluators[0], first, False, "")
    declare_conflict(evaluators[1], second, False, "")
    if stop == "in_review":
        criteria = version.ordered_criteria()
        _score(first, criteria[: max(1, len(criteria) // 2)], 4)
        return evaluation
    _score_both(first, second, version, stop, level)
    submit_scores(evaluators[0], first)
    submit_scores(evaluators[1], second)
    if stop == "scored":
        return evaluation
    if stop == "rejected":
        decide(
            authority,
            evaluation,
            "rejected",
            None,
            "The evidence does not show the norm's requirements are met; apply again with "
            "test reports of the current release.",
        )
        return evaluation
    computed = consolidation(evaluation).level
    record_review(
        deputy,
        evaluation,
        "agree",
        "certified",
        computed,
        "The two evaluators agree and every mandatory criterion passed.",
    )
    decide(
        authority,
        evaluation,
        "certified",
        computed,
        "Both evaluators' scores agree; the vendor's test reports cover every mandatory "
        "criterion and the on-site test confirmed the export format.",
        public_statement=(
            f"Meets {version.label} at level {computed}: every mandatory criterion passed in "
            "independent tests by two evaluation bodies."
        ),
    )
    return evaluation


def _seed_scheme(authority: User, officers: list[User], evaluators: list[User]) -> None:
    """What assignment and decision require: the demo evaluators approved, their bodies
    accredited for the categories of every norm, everyone's declarations of interests current."""
    norms = list(db.session.scalars(select(Norm).order_by(Norm.id)))
    today = dates.today()
    for evaluator in evaluators:
        if not is_approved(evaluator):
            db.session.add(
                EvaluatorApproval(
                    user_id=evaluator.id,
                    status=ApprovalStatus.APPROVED,
                    competence="Demo: five years of interoperability and privacy testing.",
                    decided_by_id=authority.id,
                    decided_at=utcnow(),
                    decision_note="Demo: training and experience checked.",
                )
            )
        missing = {
            norm.category_id
            for norm in norms
            if accreditation_covering(evaluator.organisation_id, norm, today) is None
        }
        if missing:
            accreditation = Accreditation(
                organisation_id=evaluator.organisation_id,
                accreditation_body="COFRAC",
                standard="ISO/IEC 17025",
                certificate_number=f"1-{evaluator.organisation_id:04d}-DEMO",
                valid_from=today - dt.timedelta(days=365),
                valid_until=today + dt.timedelta(days=3 * 365),
                created_by_id=authority.id,
            )
            accreditation.scope = [AccreditationScope(category_id=c) for c in sorted(missing)]
            db.session.add(accreditation)
        db.session.flush()
    for person in [*officers, *evaluators]:
        if not is_current(person, today):
            db.session.add(DeclarationConfirmation(user_id=person.id, confirmed_at=utcnow()))
    db.session.flush()


def seed_demo_evaluations() -> list[Any]:
    """Create the demo evaluations that do not exist yet; the caller commits."""
    authority, deputy = _user(AUTHORITY_EMAIL), _user(DEPUTY_EMAIL)
    found = [_user(f"{slug}@{DEMO_DOMAIN}") for _name, slug, _region in EVALUATION_BODIES]
    evaluator_users = [user for user in found if user is not None]
    if authority is None or deputy is None or len(evaluator_users) < 2:
        return []
    evaluators = (evaluator_users[0], evaluator_users[1])
    _seed_scheme(authority, [authority, deputy], evaluator_users)
    stops = iter(STOPS)
    certified = 0
    for index, (solution, version) in enumerate(_pairs()):
        stop = next(stops, None) if index % 4 == 1 else None
        level = LEVELS[certified % 2]
        if stop is None:
            certified += 1
        exists = db.session.scalar(
            select(Evaluation.id).where(
                Evaluation.solution_id == solution.id, Evaluation.norm_version_id == version.id
            )
        )
        if exists is not None or not solution.vendor.users:
            continue
        _run((authority, deputy), evaluators, solution, version, stop, level)
        db.session.flush()
    return []
