"""Label rows made directly (the label services need a whole evaluation first)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

from catalog.models import Solution, SolutionVersion
from catalog.search.index import enqueue_solution_change
from evaluations.models import (
    Assignment,
    AssignmentStatus,
    Evaluation,
    EvaluationStatus,
    Label,
    LabelEvent,
    LabelScope,
    LabelStatus,
    Score,
)
from registry.database import db, utcnow
from registry.models import User
from registry.norms.models import NormVersion

_numbers = itertools.count(1)


def make_label(
    solution: Solution,
    version: NormVersion,
    *,
    status: LabelStatus = LabelStatus.VALID,
    level: str = "Certified",
    percent: float = 72.5,
    evaluator: User | None = None,
    scores: dict[str, int | bool] | None = None,
    versions: Sequence[SolutionVersion] = (),
) -> Label:
    """A decided evaluation and its label (with an "issued" event), optionally with scores and
    the certified versions of its scope."""
    now = utcnow()
    evaluation = Evaluation(
        solution_id=solution.id,
        norm_version_id=version.id,
        vendor_id=solution.vendor_id,
        status=EvaluationStatus.DECIDED,
        status_changed_at=now,
    )
    db.session.add(evaluation)
    db.session.flush()
    if evaluator is not None and scores:
        assignment = Assignment(
            evaluation_id=evaluation.id,
            evaluator_id=evaluator.id,
            status=AssignmentStatus.SUBMITTED,
        )
        db.session.add(assignment)
        db.session.flush()
        for criterion in version.criteria:
            if criterion.code in scores:
                value = scores[criterion.code]
                db.session.add(
                    Score(
                        assignment_id=assignment.id,
                        criterion_id=criterion.id,
                        value=None if isinstance(value, bool) else value,
                        passed=value if isinstance(value, bool) else None,
                        updated_at=now,
                    )
                )
    sequence = next(_numbers)
    label = Label(
        number=f"STR-2026-{sequence:05d}",
        year=2026,
        sequence=sequence,
        evaluation_id=evaluation.id,
        solution_id=solution.id,
        norm_version_id=version.id,
        vendor_id=solution.vendor_id,
        level=level,
        score_percent=percent,
        issued_at=now,
        valid_from=now.date(),
        expires_on=now.date() + dt.timedelta(days=730),
        status=status,
        status_changed_at=now,
        status_list_index=sequence,
        credential='{"placeholder": true}',
    )
    db.session.add(label)
    db.session.flush()
    db.session.add(
        LabelEvent(label_id=label.id, action="issued", from_status=None, to_status="valid")
    )
    for solution_version in versions:
        db.session.add(LabelScope(label_id=label.id, version_id=solution_version.id, added_at=now))
    db.session.commit()
    return label


def change_status(label: Label, action: str, status: LabelStatus, reason: str) -> None:
    """Change a label's status with its event, as the label services do."""
    previous = label.status.value
    label.status = status
    label.status_reason = reason
    label.status_changed_at = utcnow()
    db.session.add(
        LabelEvent(
            label_id=label.id,
            action=action,
            from_status=previous,
            to_status=status.value,
            reason=reason,
        )
    )
    enqueue_solution_change(label.solution_id, f"label.{action}")
    db.session.commit()
