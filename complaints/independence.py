"""Who took part in what a case contests: none of them may handle it (ISO/IEC 17065 7.13).

`involved_users` gathers, from the records themselves, everyone who shaped the contested
decision, plus anyone with an open declaration of interests in the vendor concerned.
"""

from __future__ import annotations

from sqlalchemy import select

from complaints.models import ComplaintCase, Subject
from evaluations.impartiality.models import DecisionReview, InterestDeclaration
from evaluations.models import (
    Assignment,
    Evaluation,
    LabelEvent,
    LabelRevocationProposal,
    Resolution,
)
from registry.database import db


def _evaluation_people(evaluation: Evaluation) -> set[int]:
    """Who decided, reviewed the decision, assigned an evaluator or recorded a consensus."""
    people: set[int] = set()
    if evaluation.decided_by_id is not None:
        people.add(evaluation.decided_by_id)
    people.update(
        db.session.scalars(
            select(DecisionReview.reviewer_id).where(DecisionReview.evaluation_id == evaluation.id)
        )
    )
    people.update(
        db.session.scalars(
            select(Assignment.assigned_by_id).where(
                Assignment.evaluation_id == evaluation.id, Assignment.assigned_by_id.is_not(None)
            )
        )
    )
    people.update(
        db.session.scalars(
            select(Resolution.resolved_by_id).where(
                Resolution.evaluation_id == evaluation.id, Resolution.resolved_by_id.is_not(None)
            )
        )
    )
    return {p for p in people if p is not None}


def _label_action_people(case: ComplaintCase) -> set[int]:
    """Who acted on the contested suspension or revocation, proposed or confirmed a revocation."""
    people: set[int] = set()
    if case.label_event_id is not None:
        actor = db.session.scalar(
            select(LabelEvent.actor_id).where(LabelEvent.id == case.label_event_id)
        )
        if actor is not None:
            people.add(actor)
    if case.label_id is not None:
        for proposed_by, decided_by in db.session.execute(
            select(
                LabelRevocationProposal.proposed_by_id, LabelRevocationProposal.decided_by_id
            ).where(LabelRevocationProposal.label_id == case.label_id)
        ):
            people.add(proposed_by)
            if decided_by is not None:
                people.add(decided_by)
    return people


def _declared_interests(vendor_id: int | None) -> set[int]:
    if vendor_id is None:
        return set()
    return set(
        db.session.scalars(
            select(InterestDeclaration.user_id).where(
                InterestDeclaration.vendor_id == vendor_id, InterestDeclaration.ended_at.is_(None)
            )
        )
    )


def involved_users(case: ComplaintCase) -> set[int]:
    """The ids of everyone who may not handle ``case``."""
    people: set[int] = set()
    if case.subject is Subject.DECISION and case.evaluation is not None:
        people |= _evaluation_people(case.evaluation)
    if case.subject in (Subject.SUSPENSION, Subject.REVOCATION):
        people |= _label_action_people(case)
    if case.subject in (Subject.LABEL_HOLDER, Subject.MARK_USE) and case.label is not None:
        decider = case.label.evaluation.decided_by_id
        if decider is not None:
            people.add(decider)
    people |= _declared_interests(case.vendor_id)
    return people
