"""Impartiality checks made by the services: declarations of interests kept current, no open
interest in the vendor, and separation of duties between assigning, evaluating, recording the
consensus, reviewing and deciding (ISO/IEC 17065 4.2, 5.2, 7.5)."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import select

from evaluations.impartiality.declarations import confirmation_months, has_open_interest, is_current
from evaluations.impartiality.models import DecisionReview
from evaluations.models import Decision, Evaluation
from registry.database import db
from registry.models import Organisation, User

# Every level of a norm needs a review before a certification at it.
ALL_LEVELS = "*"
REJECTED = Decision.REJECTED.value


def interest_problem(user: User, vendor: Organisation) -> str | None:
    """Why an open interest bars `user` from this vendor's evaluation, or None."""
    if has_open_interest(user, vendor.id):
        return f"{user.full_name} declared an interest in {vendor.name}."
    return None


def impartiality_problem(user: User, vendor: Organisation, day: dt.date) -> str | None:
    """Why `user` may not take part in this vendor's evaluation: stale declarations or an
    open interest; None when they may."""
    if not is_current(user, day):
        return (
            f"{user.full_name} has not confirmed their declarations of interests in the last "
            f"{confirmation_months()} months."
        )
    return interest_problem(user, vendor)


def involvement(user: User, evaluation: Evaluation) -> list[str]:
    """What `user` did on this evaluation that bars them from deciding it."""
    done = []
    if any(a.assigned_by_id == user.id for a in evaluation.assignments):
        done.append("assigned an evaluator")
    if any(a.evaluator_id == user.id for a in evaluation.assignments):
        done.append("evaluated it")
    if any(r.resolved_by_id == user.id for r in evaluation.resolutions):
        done.append("recorded a consensus")
    return done


def review_levels() -> set[str]:
    """DECISION_REVIEW_LEVELS as a set of names: level names, "*" (every level), "rejected"."""
    setting = current_app.config["DECISION_REVIEW_LEVELS"]
    names = setting.split(",") if isinstance(setting, str) else list(setting)
    return {str(name).strip() for name in names if str(name).strip()}


def review_required(decision: str, level: str | None) -> bool:
    """A certification at a listed level (or any, with "*") needs a second officer's review
    first; a rejection needs one only when the setting lists "rejected"."""
    levels = review_levels()
    if decision == REJECTED:
        return REJECTED in levels
    return ALL_LEVELS in levels or (level is not None and level in levels)


def reviews_of(evaluation: Evaluation) -> list[DecisionReview]:
    """The decision reviews recorded on an evaluation, oldest first."""
    return list(
        db.session.scalars(
            select(DecisionReview)
            .where(DecisionReview.evaluation_id == evaluation.id)
            .order_by(DecisionReview.id)
        )
    )


def review_by_another(evaluation: Evaluation, decider: User) -> DecisionReview | None:
    """The newest review of this evaluation by an officer other than `decider`."""
    others = [r for r in reviews_of(evaluation) if r.reviewer_id != decider.id]
    return others[-1] if others else None
