"""Assurance continuity: a new version of a certified solution joins its label's scope.

The vendor declares the new version with an impact analysis and the norm criteria the change
touches. The authority routes the request:

- **major**: the change needs a new evaluation; the request closes and the scope stays as it is;
- **minor**: one evaluator, who declares first that they have no conflict, scores the touched
  criteria only (a delta review); the authority then approves (the version joins the scope and
  the credential is re-signed, `certified.add_to_scope`) or refuses (nothing changes).

declared → in review → reviewed → approved / refused; declared → major; an evaluator's conflict
sends the request back to declared; the vendor may withdraw an open request. Every step
timestamps the request, writes an audit entry and mails the people concerned.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, case, select

from catalog.models import SolutionVersion
from evaluations import scoring
from evaluations.bodies.checks import evaluator_problem
from evaluations.labels.certified import add_to_scope, in_scope
from evaluations.models import (
    Label,
    LabelStatus,
    MaintenanceRequest,
    MaintenanceScore,
    MaintenanceStatus,
)
from evaluations.services.scores import needs_justification, stored_value
from evaluations.services.transitions import NOTE_MIN, authority_staff, checked_text, notify
from registry import audit, dates
from registry.access import require_role
from registry.database import db, utcnow
from registry.exceptions import NotVisible, RuleViolation
from registry.models import AuditEntry, Role, User
from registry.norms.models import NormCriterion

OPEN_STATUSES = (
    MaintenanceStatus.DECLARED,
    MaintenanceStatus.IN_REVIEW,
    MaintenanceStatus.REVIEWED,
)
MINOR, MAJOR = "minor", "major"
# A suspended label's scope can grow too: a version that fixes what the label was suspended for
# joins the scope first, and the authority may then reinstate the label.
OPEN_TO_MAINTENANCE = (LabelStatus.VALID, LabelStatus.SUSPENDED)
CONFLICT_ACTION = "maintenance.conflict"


# --- reading ------------------------------------------------------------------------------


def touched_codes(request: MaintenanceRequest) -> list[str]:
    """The codes of the criteria the change touches, as the vendor declared them."""
    codes: list[str] = json.loads(request.touched_criteria or "[]")
    return codes


def touched_criteria(request: MaintenanceRequest) -> list[NormCriterion]:
    """The touched criteria of the label's norm version, in the norm's order."""
    codes = set(touched_codes(request))
    return [c for c in request.label.norm_version.ordered_criteria() if c.code in codes]


def score_of(request: MaintenanceRequest, criterion_id: int) -> MaintenanceScore | None:
    """The evaluator's saved score of one touched criterion, if any."""
    return next((s for s in request.scores if s.criterion_id == criterion_id), None)


def maintenance_value(score: MaintenanceScore) -> int | bool | None:
    """A saved score's value: True/False for pass/fail, 0..5 otherwise."""
    return score.passed if score.value is None else score.value


def versions_to_declare(label: Label) -> list[SolutionVersion]:
    """The solution's declared versions that are neither in the scope nor in an open request."""
    busy = set(
        db.session.scalars(
            select(MaintenanceRequest.version_id).where(
                MaintenanceRequest.label_id == label.id,
                MaintenanceRequest.status.in_(OPEN_STATUSES),
            )
        )
    )
    return [v for v in label.solution.versions if v.id not in busy and not in_scope(label, v.id)]


def requests_of_label(label: Label) -> list[MaintenanceRequest]:
    """Every maintenance request of a label, newest first."""
    return list(
        db.session.scalars(
            select(MaintenanceRequest)
            .where(MaintenanceRequest.label_id == label.id)
            .order_by(MaintenanceRequest.requested_at.desc(), MaintenanceRequest.id.desc())
        )
    )


def queue_statement() -> Select[Any]:
    """The authority's queue: awaiting routing first, then awaiting a decision, then the rest."""
    rank = case(
        (MaintenanceRequest.status == MaintenanceStatus.DECLARED, 0),
        (MaintenanceRequest.status == MaintenanceStatus.REVIEWED, 1),
        (MaintenanceRequest.status == MaintenanceStatus.IN_REVIEW, 2),
        else_=3,
    )
    return select(MaintenanceRequest).order_by(
        rank, MaintenanceRequest.status_changed_at.desc(), MaintenanceRequest.id.desc()
    )


def reviews_of(evaluator: User, today: dt.date | None = None) -> list[MaintenanceRequest]:
    """The evaluator's maintenance reviews: open ones, overdue first, then by due date."""
    today = today or utcnow().date()
    rows = db.session.scalars(
        select(MaintenanceRequest).where(
            MaintenanceRequest.evaluator_id == evaluator.id,
            MaintenanceRequest.status.in_(OPEN_STATUSES),
        )
    ).all()
    far = dt.date.max
    return sorted(
        rows,
        key=lambda r: (not is_overdue(r, today), r.due_date or far, r.id),
    )


def is_overdue(request: MaintenanceRequest, today: dt.date | None = None) -> bool:
    """In review with its due date already past."""
    today = today or utcnow().date()
    return (
        request.status is MaintenanceStatus.IN_REVIEW
        and request.due_date is not None
        and request.due_date < today
    )


def get_request(actor: User | None, request_id: int) -> MaintenanceRequest:
    """A request the actor may open: the vendor's own, the assigned evaluator's, or any."""
    request = db.session.get(MaintenanceRequest, request_id)
    if request is None or actor is None:
        raise NotVisible()
    if actor.role is Role.AUTHORITY:
        return request
    if actor.role is Role.VENDOR and request.label.vendor_id == actor.organisation_id:
        return request
    if actor.role is Role.EVALUATOR and request.evaluator_id == actor.id:
        return request
    raise NotVisible()


def conflicted_evaluator_ids(request: MaintenanceRequest) -> set[int]:
    """The evaluators who declared a conflict on this request (they cannot be routed again)."""
    return {
        actor_id
        for actor_id in db.session.scalars(
            select(AuditEntry.actor_id).where(
                AuditEntry.action == CONFLICT_ACTION,
                AuditEntry.object_type == MaintenanceRequest.__tablename__,
                AuditEntry.object_id == str(request.id),
            )
        )
        if actor_id is not None
    }


# --- helpers ------------------------------------------------------------------------------


def _describe(request: MaintenanceRequest) -> str:
    return (
        f"version {request.version.version} of “{request.label.solution.name}” "
        f"(label {request.label.number})"
    )


def _vendor_members(request: MaintenanceRequest) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(
                User.organisation_id == request.label.vendor_id, User.is_active.is_(True)
            )
        )
    )


def _move(
    actor: User, request: MaintenanceRequest, to: MaintenanceStatus, action: str, note: str = ""
) -> None:
    before = request.status
    request.status = to
    request.status_changed_at = utcnow()
    db.session.flush()
    audit.record(
        actor,
        f"maintenance.{action}",
        request,
        summary=f"Maintenance of {_describe(request)}: {to.label.lower()}"[:2000],
        data={
            "label": request.label.number,
            "version": request.version.version,
            "from": before.value if before else None,
            "to": to.value,
            "note": note[:500],
        },
        organisation_id=request.label.vendor_id,
    )


def _require(request: MaintenanceRequest, allowed: Iterable[MaintenanceStatus], doing: str) -> None:
    if request.status not in tuple(allowed):
        raise RuleViolation(
            f"This maintenance request is {request.status.label.lower()}: it cannot {doing} now."
        )


def _require_reviewer(actor: User | None, request: MaintenanceRequest) -> User:
    user = require_role(actor, Role.EVALUATOR)
    if request.evaluator_id != user.id:
        raise NotVisible()
    _require(request, (MaintenanceStatus.IN_REVIEW,), "be reviewed")
    return user


def _checked_codes(label: Label, codes: Iterable[str]) -> list[str]:
    known = [c.code for c in label.norm_version.ordered_criteria()]
    chosen = {code.strip() for code in codes if code and code.strip()}
    unknown = sorted(chosen - set(known))
    if unknown:
        raise RuleViolation(
            f"Not criteria of {label.norm_version.label}: {', '.join(unknown)}.", "touched"
        )
    if not chosen:
        raise RuleViolation("Tick at least one criterion the change touches.", "touched")
    return [code for code in known if code in chosen]


# --- the vendor ---------------------------------------------------------------------------


def declare_maintenance(
    actor: User | None,
    label: Label,
    version: SolutionVersion,
    impact_analysis: str,
    touched_criteria_codes: Iterable[str],
    security_relevant: bool,
) -> MaintenanceRequest:
    """The vendor asks for a new version of its valid label's solution to join the scope."""
    user = require_role(actor, Role.VENDOR)
    if label.vendor_id != user.organisation_id:
        raise NotVisible()
    if label.status not in OPEN_TO_MAINTENANCE:
        raise RuleViolation(
            f"Label {label.number} is {label.status.value}: only a valid or suspended label's "
            "scope can grow."
        )
    if version.solution_id != label.solution_id:
        raise RuleViolation("Choose a version of the labelled solution.", "version_id")
    if in_scope(label, version.id):
        raise RuleViolation(f"Version {version.version} is already in the scope.", "version_id")
    analysis = checked_text(impact_analysis, "impact_analysis", "The impact analysis", True)
    codes = _checked_codes(label, touched_criteria_codes)
    open_request = db.session.scalar(
        select(MaintenanceRequest.id).where(
            MaintenanceRequest.label_id == label.id,
            MaintenanceRequest.version_id == version.id,
            MaintenanceRequest.status.in_(OPEN_STATUSES),
        )
    )
    if open_request is not None:
        raise RuleViolation(
            f"Version {version.version} already has an open maintenance request.", "version_id"
        )
    now = utcnow()
    request = MaintenanceRequest(
        label=label,
        version=version,
        status=MaintenanceStatus.DECLARED,
        impact_analysis=analysis,
        touched_criteria=json.dumps(codes),
        security_relevant=bool(security_relevant),
        requested_by_id=user.id,
        requested_at=now,
        status_changed_at=now,
    )
    db.session.add(request)
    _move(user, request, MaintenanceStatus.DECLARED, "declare", ", ".join(codes))
    notify(
        authority_staff(),
        "A maintenance request awaits routing",
        f"{user.organisation.name} declared {_describe(request)} for the label's scope "
        f"(touched criteria: {', '.join(codes)}"
        + ("; security relevant" if request.security_relevant else "")
        + "). Route it as a minor or a major change.",
    )
    return request


def withdraw(actor: User | None, request: MaintenanceRequest) -> MaintenanceRequest:
    """The vendor withdraws an open request; the scope stays as it is."""
    user = require_role(actor, Role.VENDOR)
    if request.label.vendor_id != user.organisation_id:
        raise NotVisible()
    _require(request, OPEN_STATUSES, "be withdrawn")
    reviewer = request.evaluator
    _move(user, request, MaintenanceStatus.WITHDRAWN, "withdraw")
    notify(
        [*authority_staff(), *([reviewer] if reviewer else [])],
        "A maintenance request was withdrawn",
        f"The vendor withdrew its maintenance request for {_describe(request)}.",
    )
    return request


# --- the authority: routing ---------------------------------------------------------------


def _check_reviewer(request: MaintenanceRequest, evaluator: User | None) -> User:
    if evaluator is None or not evaluator.is_active or evaluator.role is not Role.EVALUATOR:
        raise RuleViolation("Choose an active evaluator for a minor change.", "evaluator_id")
    if not evaluator.organisation.is_active:
        raise RuleViolation("Choose an evaluator of an active evaluation body.", "evaluator_id")
    if evaluator.id in conflicted_evaluator_ids(request):
        raise RuleViolation(
            f"{evaluator.full_name} declared a conflict of interest on this request.",
            "evaluator_id",
        )
    # A delta review is an evaluation: the gates of an assignment hold for it too.
    label = request.label
    problem = evaluator_problem(evaluator, label.norm_version.norm, label.vendor, dates.today())
    if problem:
        raise RuleViolation(problem, "evaluator_id")
    return evaluator


def _check_due(due_date: dt.date | None) -> dt.date:
    today = utcnow().date()
    if due_date is None:
        raise RuleViolation("Give the review a due date.", "due_date")
    if not today <= due_date <= today + dt.timedelta(days=366):
        raise RuleViolation("The due date must be within the next year.", "due_date")
    return due_date


def route(
    actor: User | None,
    request: MaintenanceRequest,
    kind: str,
    evaluator: User | None = None,
    due_date: dt.date | None = None,
    note: str = "",
) -> MaintenanceRequest:
    """The authority routes a declared request: minor (a delta review) or major (closed)."""
    user = require_role(actor, Role.AUTHORITY)
    _require(request, (MaintenanceStatus.DECLARED,), "be routed")
    if kind == MAJOR:
        text = checked_text(note, "note", "Say why a new evaluation is required", True)
        request.routed_by_id = user.id
        request.routing_note = text
        request.decided_by_id = user.id
        request.decided_at = utcnow()
        _move(user, request, MaintenanceStatus.MAJOR, "major", text)
        notify(
            _vendor_members(request),
            "Your maintenance request needs a new evaluation",
            f"The authority routed {_describe(request)} as a major change: a new evaluation "
            f"is required and the label's scope stays as it is.\n\n{text}",
        )
        return request
    if kind != MINOR:
        raise RuleViolation("Choose minor or major.", "kind")
    reviewer = _check_reviewer(request, evaluator)
    due = _check_due(due_date)
    request.routed_by_id = user.id
    request.routing_note = checked_text(note, "note", "The note")
    request.evaluator_id = reviewer.id
    request.evaluator = reviewer
    request.due_date = due
    request.declared_at = None
    _move(user, request, MaintenanceStatus.IN_REVIEW, "minor", request.routing_note)
    notify(
        [reviewer],
        "A maintenance review is assigned to you",
        f"Review {_describe(request)} by {due.isoformat()}: score the touched criteria "
        f"({', '.join(touched_codes(request))}). First declare whether you have a conflict.",
    )
    notify(
        _vendor_members(request),
        "Your maintenance request is in review",
        f"The authority routed {_describe(request)} as a minor change; the review is due "
        f"by {due.isoformat()}.",
    )
    return request


# --- the evaluator ------------------------------------------------------------------------


def declare_conflict(
    actor: User | None, request: MaintenanceRequest, has_conflict: bool, note: str
) -> MaintenanceRequest:
    """The reviewer declares a conflict (back to the authority for routing) or none."""
    user = _require_reviewer(actor, request)
    if request.declared_at is not None:
        raise RuleViolation("You have already made your declaration for this review.")
    if not has_conflict:
        request.declared_at = utcnow()
        request.conflict_note = checked_text(note, "note", "The note")
        db.session.flush()
        audit.record(
            user,
            "maintenance.no_conflict",
            request,
            summary=f"No conflict on the maintenance of {_describe(request)}",
            organisation_id=request.label.vendor_id,
        )
        return request
    text = checked_text(note, "note", "The nature of the conflict", True)
    request.conflict_note = text
    audit.record(
        user,
        CONFLICT_ACTION,
        request,
        summary=f"Conflict on the maintenance of {_describe(request)}: {text}"[:2000],
        organisation_id=request.label.vendor_id,
    )
    request.evaluator = None
    request.due_date = None
    _move(user, request, MaintenanceStatus.DECLARED, "returned", text)
    notify(
        authority_staff(),
        "An evaluator declared a conflict on a maintenance review",
        f"{user.full_name} ({user.organisation.name}) declared a conflict on {_describe(request)}:"
        f" {text}\n\nRoute the request again.",
    )
    return request


def save_score(
    actor: User | None,
    request: MaintenanceRequest,
    criterion: NormCriterion,
    raw_value: str,
    justification: str,
) -> MaintenanceScore:
    """Save the reviewer's score of one touched criterion (same rules as an evaluation's)."""
    _require_reviewer(actor, request)
    if request.declared_at is None:
        raise RuleViolation("Declare your conflicts of interest before scoring.")
    if criterion.version_id != request.label.norm_version_id:
        raise NotVisible()
    if criterion.code not in touched_codes(request):
        raise RuleViolation(
            f"{criterion.code} is not touched by this change: only touched criteria are reviewed.",
            f"value-{criterion.id}",
        )
    kind = criterion.kind.value
    try:
        value = scoring.validate_score_value(kind, raw_value)
    except ValueError:
        message = "Choose pass or fail." if kind == scoring.PASS_FAIL else "Give 0 to 5."
        raise RuleViolation(f"{criterion.code}: {message}", f"value-{criterion.id}") from None
    text = checked_text(
        justification, f"justification-{criterion.id}", f"{criterion.code}: justification"
    )
    if needs_justification(kind, value) and len(text) < NOTE_MIN:
        raise RuleViolation(
            f"{criterion.code}: a fail or a score of 1 or less needs a justification.",
            f"justification-{criterion.id}",
        )
    score = score_of(request, criterion.id)
    if score is None:
        score = MaintenanceScore(request=request, criterion=criterion, justification="")
        db.session.add(score)
    score.value, score.passed = stored_value(kind, value)
    score.justification = text
    score.updated_at = utcnow()
    db.session.flush()
    return score


def submit_review(
    actor: User | None, request: MaintenanceRequest, summary: str
) -> MaintenanceRequest:
    """Submit the review once every touched criterion is scored: the authority decides."""
    user = _require_reviewer(actor, request)
    missing = [
        c.code
        for c in touched_criteria(request)
        if (s := score_of(request, c.id)) is None or maintenance_value(s) is None
    ]
    if missing:
        raise RuleViolation("Score every touched criterion first: " + ", ".join(missing))
    request.review_summary = checked_text(summary, "summary", "The review summary", True)
    request.reviewed_at = utcnow()
    _move(user, request, MaintenanceStatus.REVIEWED, "review", request.review_summary)
    notify(
        authority_staff(),
        "A maintenance review awaits your decision",
        f"{user.full_name} reviewed {_describe(request)}.",
    )
    return request


# --- the authority: decision --------------------------------------------------------------


def blocking_criteria(request: MaintenanceRequest) -> list[str]:
    """Touched criteria whose review forbids approval, each with the reason.

    The rule is kept simple: the new version keeps the label's level only if no touched
    criterion got worse than the norm lets any certified product be. So a touched pass/fail
    criterion that fails blocks the approval, and so does a touched mandatory scored criterion
    below the minimum every level requires (`scoring.MANDATORY_SCORE_MINIMUM`). Low scores on
    other criteria do not block: the authority weighs them, reading the justifications.
    """
    blocking: list[str] = []
    for criterion in touched_criteria(request):
        score = score_of(request, criterion.id)
        value = maintenance_value(score) if score else None
        if criterion.kind.value == scoring.PASS_FAIL and value is not True:
            blocking.append(f"{criterion.code} fails")
        elif (
            criterion.mandatory
            and not isinstance(value, bool)
            and (value is None or value < scoring.MANDATORY_SCORE_MINIMUM)
        ):
            blocking.append(
                f"{criterion.code} is mandatory and scored below {scoring.MANDATORY_SCORE_MINIMUM}"
            )
    return blocking


def _decider(actor: User | None, request: MaintenanceRequest) -> User:
    user = require_role(actor, Role.AUTHORITY)
    _require(request, (MaintenanceStatus.REVIEWED,), "be decided")
    if request.evaluator_id == user.id:
        raise RuleViolation("You reviewed this change: another officer must decide it.")
    return user


def approve(actor: User | None, request: MaintenanceRequest, reason: str) -> MaintenanceRequest:
    """Approve a reviewed minor change: the version joins the scope, the credential is re-signed.

    Refused while `blocking_criteria` names a touched criterion, and when the label is no
    longer valid.
    """
    user = _decider(actor, request)
    blocking = blocking_criteria(request)
    if blocking:
        raise RuleViolation(
            "This change cannot be approved: " + "; ".join(blocking) + ". Refuse it, or ask "
            "the vendor for a new evaluation.",
            "reason",
        )
    if request.label.status not in OPEN_TO_MAINTENANCE:
        raise RuleViolation(f"Label {request.label.number} is {request.label.status.value}.")
    text = checked_text(reason, "reason", "The reason", True)
    request.decided_by_id = user.id
    request.decided_at = utcnow()
    request.decision_reason = text
    _move(user, request, MaintenanceStatus.APPROVED, "approve", text)
    add_to_scope(request.label, request.version, user, request.id)
    # The event and the scope row are added by id: the label's loaded lists must be read again.
    db.session.expire(request.label, ["events", "scope"])
    notify(
        [*_vendor_members(request), *([request.evaluator] if request.evaluator else [])],
        "Maintenance approved: the new version is certified",
        f"The authority approved {_describe(request)}: it is now in the label's certified "
        f"scope and the label's credential is re-signed.\n\n{text}",
    )
    return request


def refuse(actor: User | None, request: MaintenanceRequest, reason: str) -> MaintenanceRequest:
    """Refuse a reviewed change, with a reason: the scope stays as it is."""
    user = _decider(actor, request)
    text = checked_text(reason, "reason", "The reason", True)
    request.decided_by_id = user.id
    request.decided_at = utcnow()
    request.decision_reason = text
    _move(user, request, MaintenanceStatus.REFUSED, "refuse", text)
    notify(
        [*_vendor_members(request), *([request.evaluator] if request.evaluator else [])],
        "Maintenance refused",
        f"The authority refused {_describe(request)}; the label's scope stays as it is.\n\n{text}",
    )
    return request
