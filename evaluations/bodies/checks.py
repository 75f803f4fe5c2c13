"""Checks on the register of evaluation bodies, made when an evaluator is assigned.

An evaluator may be assigned only when the authority approved them and their body holds an
accreditation valid that day (from ≤ day ≤ until, not withdrawn) whose scope covers the
evaluation's norm: a scope entry naming the norm, or naming its technology category with no norm.
"""

from __future__ import annotations

import datetime as dt

from evaluations.bodies.services import accreditation_covering, is_approved
from evaluations.impartiality.checks import impartiality_problem
from registry.models import Organisation, User
from registry.norms.models import Norm


def qualification_problem(evaluator: User, norm: Norm, day: dt.date) -> str | None:
    """Why `evaluator` may not evaluate against `norm` on `day`, or None when they may."""
    if not is_approved(evaluator):
        return f"{evaluator.full_name} is not an evaluator approved by the authority."
    if accreditation_covering(evaluator.organisation_id, norm, day) is None:
        return (
            f"{evaluator.organisation.name} holds no accreditation valid today whose scope "
            f"covers {norm.code}."
        )
    return None


def evaluator_problem(
    evaluator: User, norm: Norm, vendor: Organisation, day: dt.date
) -> str | None:
    """Why `evaluator` may not evaluate this vendor's solution against `norm` on `day` — an
    assignment, a maintenance delta review or a surveillance re-test alike — or None."""
    return qualification_problem(evaluator, norm, day) or impartiality_problem(
        evaluator, vendor, day
    )
