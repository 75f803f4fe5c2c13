"""Legal holds: the authority places one on an evaluation, a label or a solution's records
(with the reason and the reference of the proceedings) and releases it with a reason.

While a hold is in force nothing it covers is purged, and the vendor cannot remove evidence
it covers, even from a draft. An evaluation is covered by a hold on itself, on its label or on
its solution.
"""

from __future__ import annotations

from sqlalchemy import or_, select

from catalog.models import Solution
from evaluations.models import Evaluation, Label
from evaluations.records.models import HoldTarget, LegalHold
from evaluations.services.transitions import authority_staff, checked_text, notify
from registry import audit
from registry.access import require_role
from registry.database import db, utcnow
from registry.exceptions import RuleViolation
from registry.models import Role, User

REFERENCE_MAX = 200


def describe_target(target_type: HoldTarget, target_id: int) -> str:
    """What a hold covers, as named in pages and notices."""
    if target_type is HoldTarget.EVALUATION:
        evaluation = db.session.get(Evaluation, target_id)
        if evaluation is not None:
            return f"evaluation #{evaluation.id} of “{evaluation.solution.name}”"
    elif target_type is HoldTarget.LABEL:
        label = db.session.get(Label, target_id)
        if label is not None:
            return f"label {label.number}"
    else:
        solution = db.session.get(Solution, target_id)
        if solution is not None:
            return f"the records of solution “{solution.name}”"
    return f"{target_type.value} #{target_id}"


def _target_exists(target_type: HoldTarget, target_id: int) -> bool:
    model = {
        HoldTarget.EVALUATION: Evaluation,
        HoldTarget.LABEL: Label,
        HoldTarget.SOLUTION: Solution,
    }[target_type]
    return db.session.get(model, target_id) is not None


def place_hold(
    actor: User | None,
    target_type: HoldTarget | str,
    target_id: int | None,
    reason: str,
    reference: str,
) -> LegalHold:
    """Hold an evaluation's, a label's or a solution's records for proceedings."""
    user = require_role(actor, Role.AUTHORITY)
    try:
        target = HoldTarget(target_type)
    except ValueError:
        raise RuleViolation("Choose what to hold.", "target_type") from None
    if not target_id or not _target_exists(target, target_id):
        raise RuleViolation(f"There is no {target.value} #{target_id or ''}.", "target_id")
    text = checked_text(reason, "reason", "The reason", required=True)
    ref = (reference or "").strip()
    if not ref:
        raise RuleViolation("Give the reference of the proceedings.", "reference")
    if len(ref) > REFERENCE_MAX:
        raise RuleViolation(
            f"The reference must be at most {REFERENCE_MAX} characters.", "reference"
        )
    hold = LegalHold(
        target_type=target,
        target_id=target_id,
        reason=text,
        proceedings_reference=ref,
        placed_at=utcnow(),
        placed_by_id=user.id,
        release_reason="",
    )
    db.session.add(hold)
    db.session.flush()
    named = describe_target(target, target_id)
    audit.record(
        user,
        "records.hold",
        hold,
        summary=f"legal hold on {named} ({ref})",
        data={"target": target.value, "target_id": target_id, "reference": ref},
    )
    notify(
        authority_staff(),
        "A legal hold was placed",
        f"{user.full_name} placed a legal hold on {named} (proceedings {ref}):\n\n{text}\n\n"
        "Nothing it covers will be purged until the hold is released.",
    )
    return hold


def release_hold(actor: User | None, hold: LegalHold, reason: str) -> None:
    """End a hold, saying why; the records it covered follow their retention period again."""
    user = require_role(actor, Role.AUTHORITY)
    if not hold.active:
        raise RuleViolation("This hold is already released.")
    hold.release_reason = checked_text(reason, "reason", "The reason", required=True)
    hold.released_at = utcnow()
    hold.released_by_id = user.id
    named = describe_target(hold.target_type, hold.target_id)
    audit.record(
        user,
        "records.release",
        hold,
        summary=f"legal hold on {named} released ({hold.proceedings_reference})",
        data={"target": hold.target_type.value, "target_id": hold.target_id},
    )
    notify(
        authority_staff(),
        "A legal hold was released",
        f"{user.full_name} released the legal hold on {named} "
        f"(proceedings {hold.proceedings_reference}):\n\n{hold.release_reason}",
    )
    db.session.flush()


def holds_on(evaluation: Evaluation) -> list[LegalHold]:
    """The holds in force that cover this evaluation (on it, its label or its solution)."""
    label_ids = list(
        db.session.scalars(select(Label.id).where(Label.evaluation_id == evaluation.id))
    )
    covers = [
        (LegalHold.target_type == HoldTarget.EVALUATION) & (LegalHold.target_id == evaluation.id),
        (LegalHold.target_type == HoldTarget.SOLUTION)
        & (LegalHold.target_id == evaluation.solution_id),
    ]
    if label_ids:
        covers.append(
            (LegalHold.target_type == HoldTarget.LABEL) & (LegalHold.target_id.in_(label_ids))
        )
    return list(
        db.session.scalars(
            select(LegalHold)
            .where(LegalHold.released_at.is_(None), or_(*covers))
            .order_by(LegalHold.placed_at)
        )
    )


def is_held(evaluation: Evaluation) -> bool:
    """Whether a hold in force covers this evaluation."""
    return bool(holds_on(evaluation))


def held_evaluation_ids() -> set[int]:
    """Every evaluation a hold in force covers."""
    holds = list(db.session.scalars(select(LegalHold).where(LegalHold.released_at.is_(None))))
    ids = {h.target_id for h in holds if h.target_type is HoldTarget.EVALUATION}
    label_ids = [h.target_id for h in holds if h.target_type is HoldTarget.LABEL]
    solution_ids = [h.target_id for h in holds if h.target_type is HoldTarget.SOLUTION]
    if label_ids:
        ids.update(db.session.scalars(select(Label.evaluation_id).where(Label.id.in_(label_ids))))
    if solution_ids:
        ids.update(
            db.session.scalars(
                select(Evaluation.id).where(Evaluation.solution_id.in_(solution_ids))
            )
        )
    return ids
