"""Demo labels in every status: some suspended, one revoked, a few expired (idempotent).

The evaluation workflow's demo (order 40) leaves certified evaluations with valid labels. If it
left fewer than MIN_LABELS (it is not there, or made fewer), this seeder certifies more
published solutions itself, with two evaluators' scores, so the label pages work either way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from catalog.demo import demo_version
from catalog.models import Solution, SolutionStatus
from evaluations.labels.dates import add_months
from evaluations.labels.facts import sign_label
from evaluations.labels.issuing import issue_label
from evaluations.labels.revocation import confirm_revocation, propose_revocation
from evaluations.labels.status_changes import expire_labels, suspend_label
from evaluations.models import (
    Assignment,
    AssignmentStatus,
    Decision,
    Evaluation,
    EvaluationStatus,
    Label,
    LabelEvent,
    LabelStatus,
    Score,
)
from registry import dates
from registry.database import db, utcnow
from registry.demo import AUTHORITY_EMAIL, DEMO_DOMAIN, DEPUTY_EMAIL, EVALUATION_BODIES
from registry.models import User
from registry.norms.models import CriterionKind, Norm, NormVersion, NormVersionStatus

MIN_LABELS = 22
DEMO_MARK = "Demo:"


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _published_versions() -> list[NormVersion]:
    return list(
        db.session.scalars(
            select(NormVersion)
            .join(Norm, Norm.id == NormVersion.norm_id)
            .where(NormVersion.status == NormVersionStatus.PUBLISHED)
            .order_by(Norm.code, NormVersion.number)
        )
    )


def _certify(
    authority: User, evaluators: list[User], solution: Solution, version: NormVersion, index: int
) -> Label:
    """A decided, certified evaluation with every evaluator's scores, and its label."""
    now = utcnow()
    levels = [(level.name, level.minimum_percent) for level in version.levels]
    advanced = index % 3 == 0 and len(levels) > 1
    level_name, minimum = levels[-1] if advanced else levels[0]
    # The evaluated release: the oldest declared (catalog.demo), so newer ones can join by
    # maintenance.
    product = demo_version(solution.vendor.users[0], solution)
    evaluation = Evaluation(
        solution_id=solution.id,
        product_version_id=product.id,
        norm_version_id=version.id,
        vendor_id=solution.vendor_id,
        status=EvaluationStatus.DECIDED,
        vendor_note="",
        return_request="",
        status_changed_at=now,
        submitted_at=now,
        decided_at=now,
        computed_percent=float(min(100, minimum + 4 + index % 5)),
        computed_level=level_name,
        decision=Decision.CERTIFIED,
        decided_level=level_name,
        decision_rationale=(
            f"Scores of both evaluators within one point on every criterion (demo data, "
            f"level {level_name})."
        ),
        decided_by_id=authority.id,
    )
    db.session.add(evaluation)
    db.session.flush()
    high = 5 if advanced else 4
    for position, evaluator in enumerate(evaluators):
        assignment = Assignment(
            evaluation_id=evaluation.id,
            evaluator_id=evaluator.id,
            status=AssignmentStatus.SUBMITTED,
            assigned_by_id=authority.id,
            declared_at=now,
            submitted_at=now,
        )
        db.session.add(assignment)
        db.session.flush()
        for number, criterion in enumerate(version.ordered_criteria()):
            pass_fail = criterion.kind is CriterionKind.PASS_FAIL
            db.session.add(
                Score(
                    assignment_id=assignment.id,
                    criterion_id=criterion.id,
                    value=None if pass_fail else high - (number + position) % 2,
                    passed=True if pass_fail else None,
                    justification="Demo score.",
                    updated_at=now,
                )
            )
    db.session.flush()
    return issue_label(
        authority,
        evaluation,
        public_statement=f"Meets {version.label} at level {level_name} (demo data).",
    )


def certify_for_demo(authority: User, solution: Solution, version: NormVersion) -> Label | None:
    """Certify one more published solution at the version's highest level, as the demo labels
    are (two evaluators' scores, a decided evaluation); None without evaluators."""
    evaluators = [u for u in (_user(f"{slug}@{DEMO_DOMAIN}") for _, slug, _ in EVALUATION_BODIES)]
    found = [u for u in evaluators if u is not None]
    if not found:
        return None
    return _certify(authority, found, solution, version, 0)


def _ensure_labels(authority: User) -> None:
    count = db.session.scalar(select(func.count()).select_from(Label)) or 0
    if count >= MIN_LABELS:
        return
    evaluators = [u for u in (_user(f"{slug}@{DEMO_DOMAIN}") for _, slug, _ in EVALUATION_BODIES)]
    evaluators_found = [u for u in evaluators if u is not None]
    versions = _published_versions()
    if not versions or not evaluators_found:
        return
    labelled = set(db.session.scalars(select(Label.solution_id)))
    solutions = db.session.scalars(
        select(Solution)
        .where(Solution.status == SolutionStatus.PUBLISHED, Solution.id.not_in(labelled or {0}))
        .order_by(Solution.id)
    ).all()
    for index, solution in enumerate(solutions):
        if count >= MIN_LABELS:
            break
        matching = [
            v for v in versions if v.norm.category_id == solution.primary_category_id
        ] or versions
        _certify(authority, evaluators_found, solution, matching[index % len(matching)], index)
        count += 1


def _past_issue_date(label: Label, days_past_expiry: int) -> dt.date | None:
    """When a label that expired `days_past_expiry` ago was issued, if its norm version allows.

    A label is never issued before its norm version was published: None when it would be.
    """
    expires = dates.today() - dt.timedelta(days=days_past_expiry)
    issued = add_months(expires, -label.norm_version.validity_months)
    published = label.norm_version.published_at
    return issued if published is not None and published.date() < issued else None


def _backdate(label: Label, issued: dt.date) -> None:
    """Move a fresh label and its decision into the past: issued on `issued`, expired since."""
    label.valid_from = issued
    label.expires_on = add_months(issued, label.norm_version.validity_months)
    label.issued_at = dt.datetime.combine(issued, dt.time(10, 0), tzinfo=dt.UTC)
    evaluation = label.evaluation
    evaluation.decided_at = evaluation.status_changed_at = label.issued_at
    evaluation.submitted_at = label.issued_at - dt.timedelta(days=45)
    # The credential states the dates: sign it again before anything is rendered from it.
    sign_label(label)


def seed_demo_labels() -> list[Any]:
    """Labels in every status; running it twice changes nothing."""
    authority = _user(AUTHORITY_EMAIL)
    if authority is None:
        return []
    _ensure_labels(authority)
    already = db.session.scalar(
        select(LabelEvent.id).where(LabelEvent.reason.startswith(DEMO_MARK)).limit(1)
    )
    if already is not None:
        return []
    valid = list(
        db.session.scalars(
            select(Label).where(Label.status == LabelStatus.VALID).order_by(Label.id)
        )
    )
    if len(valid) < 8:
        return []
    pending = [3, 40, 400]
    for label in reversed(valid[5:]):
        issued = _past_issue_date(label, pending[-1]) if pending else None
        if issued is not None:
            _backdate(label, issued)
            pending.pop()
    db.session.flush()
    expire_labels()
    suspend_label(
        authority,
        valid[1],
        f"{DEMO_MARK} the vendor reported a firmware defect affecting the audit trail; "
        "suspended until the fix is verified.",
    )
    suspend_label(
        authority,
        valid[3],
        f"{DEMO_MARK} the vendor has not answered the authority's request for the test "
        "report of its latest firmware within the time allowed.",
    )
    # Revocation takes two officers: the authority proposes, the deputy confirms.
    deputy = _user(DEPUTY_EMAIL)
    if deputy is not None:
        proposal = propose_revocation(
            authority,
            valid[4],
            f"{DEMO_MARK} the certified configuration is no longer the one delivered to buyers.",
            emergency_reason="Buyers are installing the uncertified configuration now.",
        )
        confirm_revocation(deputy, proposal)
        # One more waits for the deputy: it shows on the dashboard's revocation proposals.
        propose_revocation(
            authority,
            valid[2],
            f"{DEMO_MARK} the vendor sold the certified model with a camera the norm excludes.",
        )
    db.session.flush()
    return []
