"""Demo records (idempotent): a legal hold on one decided demo evaluation, placed by the
authority for fictitious proceedings. Runs after the evaluations' and labels' demos; does
nothing once any hold exists or when the demo has no decided evaluation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from evaluations.models import Evaluation, EvaluationStatus
from evaluations.records.holds import place_hold
from evaluations.records.models import HoldTarget, LegalHold
from registry.database import db
from registry.demo import AUTHORITY_EMAIL
from registry.models import User

DEMO_REFERENCE = "TA-Montclair 2026/0142"


def seed_demo_records() -> list[Any]:
    """One legal hold on the oldest decided demo evaluation; twice changes nothing.

    Returns no demo account (the list `seed-demo` prints)."""
    if db.session.scalar(select(LegalHold.id).limit(1)) is not None:
        return []
    authority = db.session.scalar(select(User).where(User.email == AUTHORITY_EMAIL))
    evaluation = db.session.scalar(
        select(Evaluation)
        .where(Evaluation.status == EvaluationStatus.DECIDED)
        .order_by(Evaluation.id)
        .limit(1)
    )
    if authority is None or evaluation is None:
        return []
    place_hold(
        authority,
        HoldTarget.EVALUATION,
        evaluation.id,
        "A buyer contests the award of a contract that relied on this certification; the "
        "administrative court asked the authority to keep every record of the evaluation.",
        DEMO_REFERENCE,
    )
    db.session.flush()
    return []
