"""Issuing the label of a certified evaluation: number, dates, credential, event."""

from __future__ import annotations

from sqlalchemy import select

from evaluations.labels.certified import start_scope
from evaluations.labels.dates import add_months
from evaluations.labels.events import record_event
from evaluations.labels.facts import sign_label
from evaluations.labels.numbering import format_label_number, next_label_sequence
from evaluations.models import Decision, Evaluation, EvaluationStatus, Label, LabelStatus
from registry.access import require_role
from registry.database import db, utcnow
from registry.exceptions import RuleViolation
from registry.models import Role, User

# The counter row (in label_counter) that hands out status list positions: year 0 is never a
# label year, and a counter row gives the same "no duplicates, never reused" guarantee.
STATUS_INDEX_COUNTER = 0
# The same bound as a status change's reason: both are published as a label event's reason.
MAX_PUBLIC_STATEMENT_LENGTH = 2000


def _lock_evaluation(evaluation_id: int) -> Evaluation | None:
    # populate_existing: a concurrent issuer's commit must be seen after waiting for the lock.
    return db.session.scalars(
        select(Evaluation)
        .where(Evaluation.id == evaluation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()


def issue_label(actor: User | None, evaluation: Evaluation, *, public_statement: str) -> Label:
    """Issue the label of a certified evaluation: number, dates, credential, event, audit, mail.

    `public_statement` is the "issued" reason shown on the label page and in the decision log;
    the evaluation's decision rationale stays internal and is never copied into it.
    """
    actor = require_role(actor, Role.AUTHORITY)
    statement = public_statement_text(public_statement)
    locked = _lock_evaluation(evaluation.id)
    if locked is None:
        raise RuleViolation("The evaluation no longer exists.")
    evaluation = locked
    existing = db.session.scalar(select(Label).where(Label.evaluation_id == evaluation.id))
    if existing is not None:
        raise RuleViolation(f"A label was already issued for this evaluation ({existing.number}).")
    if evaluation.status is not EvaluationStatus.DECIDED or evaluation.decision is not (
        Decision.CERTIFIED
    ):
        raise RuleViolation("Only an evaluation decided as certified gets a label.")
    if not evaluation.decided_level or evaluation.computed_percent is None:
        raise RuleViolation("The decision names no level or score.")
    version = evaluation.norm_version
    now = utcnow()
    issued_on = now.date()
    year = issued_on.year
    sequence = next_label_sequence(year)
    status_index = next_label_sequence(STATUS_INDEX_COUNTER)
    label = Label(
        number=format_label_number(year, sequence),
        year=year,
        sequence=sequence,
        evaluation_id=evaluation.id,
        solution_id=evaluation.solution_id,
        norm_version_id=evaluation.norm_version_id,
        vendor_id=evaluation.vendor_id,
        level=evaluation.decided_level,
        score_percent=float(evaluation.computed_percent),
        issued_at=now,
        valid_from=issued_on,
        expires_on=add_months(issued_on, version.validity_months),
        status=LabelStatus.VALID,
        status_reason="",
        status_changed_at=now,
        status_list_index=status_index,
        issued_by_id=actor.id,
        credential="",
    )
    db.session.add(label)
    db.session.flush()
    start_scope(label, actor)
    sign_label(label)
    record_event(actor, label, "issued", None, statement)
    return label


def public_statement_text(statement: str | None) -> str:
    """The public statement of a certification, stripped; refused when empty or too long."""
    text = (statement or "").strip()
    if not text:
        raise RuleViolation(
            "Write the public statement: it is shown on the label page and in the decision log.",
            "public_statement",
        )
    if len(text) > MAX_PUBLIC_STATEMENT_LENGTH:
        raise RuleViolation(
            f"The public statement is too long (at most {MAX_PUBLIC_STATEMENT_LENGTH} characters).",
            "public_statement",
        )
    return text
