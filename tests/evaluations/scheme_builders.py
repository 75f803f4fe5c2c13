"""Helpers that put people in the scheme's register so assignment and decision accept them:
evaluator approvals, accreditations of their bodies, confirmed declarations of interests, the
application review and the second officer's review before a decision.

The register's own rows are written directly (their pages and services are tested elsewhere);
the reviews go through the real services.
"""

from __future__ import annotations

import datetime as dt

from evaluations.bodies.models import (
    Accreditation,
    AccreditationScope,
    ApprovalStatus,
    EvaluatorApproval,
)
from evaluations.bodies.services import accreditation_covering
from evaluations.impartiality.models import (
    DecisionReview,
    DeclarationConfirmation,
    InterestDeclaration,
)
from evaluations.models import Decision, Evaluation
from evaluations.services.application_review import record_application_review
from evaluations.services.decision import record_review
from registry import dates
from registry.database import db, utcnow
from registry.models import Organisation, User
from registry.norms.models import Norm
from registry.norms.services import thresholds_of


def confirm_declarations(user: User, at: dt.datetime | None = None) -> DeclarationConfirmation:
    """`user` confirms their declarations of interests (now, or at `at`)."""
    confirmation = DeclarationConfirmation(user_id=user.id, confirmed_at=at or utcnow())
    db.session.add(confirmation)
    db.session.flush()
    return confirmation


def declare_interest(user: User, vendor: Organisation, nature: str = "Shares") -> None:
    """`user` declares an open interest in `vendor`."""
    db.session.add(InterestDeclaration(user_id=user.id, vendor_id=vendor.id, nature=nature))
    db.session.flush()


def approve(evaluator: User, status: ApprovalStatus = ApprovalStatus.APPROVED) -> None:
    """The authority's approval of `evaluator` (or another status) is on record."""
    approval = db.session.query(EvaluatorApproval).filter_by(user_id=evaluator.id).one_or_none()
    if approval is None:
        approval = EvaluatorApproval(user_id=evaluator.id, competence="Trained evaluator.")
        db.session.add(approval)
    approval.status = status
    approval.decided_at = utcnow()
    db.session.flush()


def accredit(
    organisation: Organisation,
    norm: Norm,
    *,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    withdrawn: bool = False,
    whole_category: bool = False,
) -> Accreditation:
    """An accreditation of the body covering `norm` (or its whole category), a year each side
    of today unless told."""
    today = dates.today()
    accreditation = Accreditation(
        organisation_id=organisation.id,
        accreditation_body="COFRAC",
        standard="ISO/IEC 17025",
        certificate_number=f"1-{organisation.id:04d}-{norm.id}",
        valid_from=valid_from or today - dt.timedelta(days=365),
        valid_until=valid_until or today + dt.timedelta(days=365),
        withdrawn_at=utcnow() if withdrawn else None,
    )
    accreditation.scope = [
        AccreditationScope(
            category_id=norm.category_id, norm_id=None if whole_category else norm.id
        )
    ]
    db.session.add(accreditation)
    db.session.flush()
    return accreditation


def qualify(evaluator: User, norm: Norm) -> None:
    """`evaluator` approved, their body accredited for `norm`, their declarations confirmed."""
    approve(evaluator)
    if accreditation_covering(evaluator.organisation_id, norm, dates.today()) is None:
        accredit(evaluator.organisation, norm)
    confirm_declarations(evaluator)


def review_application(evaluation: Evaluation, officer: User) -> None:
    """`officer` records that the submitted application is complete and in scope."""
    record_application_review(officer, evaluation, "Complete and in scope.")
    db.session.flush()


def review(
    evaluation: Evaluation,
    officer: User,
    decision: str | None = None,
    level: str | None = None,
) -> DecisionReview:
    """`officer` reviews the scored evaluation, agreeing with the computed result by default."""
    if decision is None:
        decision = (
            Decision.CERTIFIED.value if evaluation.computed_level else Decision.REJECTED.value
        )
    if decision == Decision.CERTIFIED.value and level is None:
        level = evaluation.computed_level or thresholds_of(evaluation.norm_version)[0][0]
    found = record_review(officer, evaluation, "agree", decision, level, "Reviewed the scores.")
    db.session.flush()
    return found
