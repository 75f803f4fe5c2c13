"""Checks on the register of evaluation bodies, made when an evaluator is assigned.

An evaluator may be assigned only when the authority approved them and their body holds an
accreditation valid that day (from ≤ day ≤ until, not withdrawn) whose scope covers the
evaluation's norm: a scope entry naming the norm, or naming its technology category with no norm.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, or_, select

from evaluations.bodies.models import (
    Accreditation,
    AccreditationScope,
    ApprovalStatus,
    EvaluatorApproval,
)
from registry.database import db
from registry.models import User
from registry.norms.models import Norm


def is_approved(user: User) -> bool:
    """The authority approved this evaluator (and has not withdrawn the approval)."""
    status = db.session.scalar(
        select(EvaluatorApproval.status).where(EvaluatorApproval.user_id == user.id)
    )
    return status is ApprovalStatus.APPROVED


def covering_accreditation(organisation_id: int, norm: Norm, day: dt.date) -> Accreditation | None:
    """The body's accreditation valid on `day` whose scope covers `norm`, if there is one."""
    return db.session.scalar(
        select(Accreditation)
        .join(AccreditationScope, AccreditationScope.accreditation_id == Accreditation.id)
        .where(
            Accreditation.organisation_id == organisation_id,
            Accreditation.valid_from <= day,
            Accreditation.valid_until >= day,
            Accreditation.withdrawn_at.is_(None),
            or_(
                AccreditationScope.norm_id == norm.id,
                and_(
                    AccreditationScope.norm_id.is_(None),
                    AccreditationScope.category_id == norm.category_id,
                ),
            ),
        )
        .order_by(Accreditation.valid_until.desc(), Accreditation.id)
        .limit(1)
    )


def qualification_problem(evaluator: User, norm: Norm, day: dt.date) -> str | None:
    """Why `evaluator` may not evaluate against `norm` on `day`, or None when they may."""
    if not is_approved(evaluator):
        return f"{evaluator.full_name} is not an evaluator approved by the authority."
    if covering_accreditation(evaluator.organisation_id, norm, day) is None:
        return (
            f"{evaluator.organisation.name} holds no accreditation valid today whose scope "
            f"covers {norm.code}."
        )
    return None
