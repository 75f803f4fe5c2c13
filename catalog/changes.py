"""Change requests: the certified facts of a certified solution change only when the authority
approves.

A label certifies a solution's name, category, activities and the claims its evaluation relied
on (declared standards, privacy flags). Once a solution holds a label (valid or suspended), a
vendor's edit of those fields does not change the record: it files a change request, with the
vendor's reason and the changed fields only (old and new). The authority approves or refuses
it with a reason. Approval writes the new values to the solution and calls every callback
registered with ``register_change_approved`` in the same transaction (evaluations re-freezes the
labels' certified facts and re-signs their credentials). Other fields (summary, description,
deployments, maturity, prices, regions) are marketing and commercial text that no label relies
on: they stay free to edit and no label prints them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from flask import Flask, current_app
from sqlalchemy import Select, case, func, select
from sqlalchemy.exc import IntegrityError

from catalog.label_facts import label_provider
from catalog.models import (
    ChangeRequestStatus,
    Solution,
    SolutionChangeRequest,
    SolutionStandard,
    SolutionStatus,
)
from catalog.search.index import enqueue_solution_change
from registry import audit
from registry.access import require_role
from registry.arguments import MAX_ID
from registry.database import db, utcnow
from registry.exceptions import NotVisible, RuleViolation
from registry.mail import send_mail
from registry.models import (
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Role,
    SecurityActivity,
    TechnologyCategory,
    User,
)
from registry.public_address import public_url

# The certified fields, in the order a diff shows them, with their names on the page.
CERTIFIED_FIELDS: Final = {
    "name": "Product name",
    "primary_category": "Technology category",
    "activities": "Security activities",
    "standards": "Standards declared",
    "privacy_sensitive": "Processes personal data in a privacy-sensitive way",
    "uses_biometrics": "Uses biometrics",
    "uses_facial_recognition": "Uses facial recognition",
}
REASON_MAX: Final = 2000
ChangeApproved = Callable[[User, Solution, SolutionChangeRequest], None]
_EXTENSION: Final = "catalog.change_approved"


@dataclass(frozen=True)
class FieldChange:
    """One line of a change request's diff."""

    field: str
    title: str
    old: Any
    new: Any


def certified_state(solution: Solution) -> dict[str, Any]:
    """The certified fields of the record as plain values (codes for category and activities)."""
    return {
        "name": solution.name,
        "primary_category": solution.primary_category.code if solution.primary_category else None,
        "activities": solution.activity_codes,
        "standards": solution.standard_codes,
        "privacy_sensitive": solution.privacy_sensitive,
        "uses_biometrics": solution.uses_biometrics,
        "uses_facial_recognition": solution.uses_facial_recognition,
    }


def certified_fields_locked(solution: Solution) -> bool:
    """Whether a label (valid or suspended) certifies this solution's facts."""
    if solution.id is None:
        return False
    return label_provider().certifies(solution.id)


def diff(request: SolutionChangeRequest) -> list[FieldChange]:
    """The changed fields of a request, old and new, in the order of CERTIFIED_FIELDS."""
    previous = json.loads(request.previous)
    proposed = json.loads(request.proposed)
    return [
        FieldChange(name, title, previous.get(name), proposed[name])
        for name, title in CERTIFIED_FIELDS.items()
        if name in proposed
    ]


def set_certified(solution: Solution, values: dict[str, Any]) -> None:
    """Write certified field values (as `certified_state` gives them) onto the record."""
    if "name" in values:
        solution.name = values["name"]
    if "primary_category" in values:
        code = values["primary_category"]
        solution.primary_category = (
            db.session.scalar(select(TechnologyCategory).where(TechnologyCategory.code == code))
            if code
            else None
        )
    if "activities" in values:
        codes = list(values["activities"])
        found = db.session.scalars(
            select(SecurityActivity).where(SecurityActivity.code.in_(codes))
        ).all()
        solution.activities = sorted(found, key=lambda activity: activity.position)
    if "standards" in values:
        solution.standards.clear()
        db.session.flush()
        solution.standards = [
            SolutionStandard(position=i, code=code) for i, code in enumerate(values["standards"], 1)
        ]
    for flag in ("privacy_sensitive", "uses_biometrics", "uses_facial_recognition"):
        if flag in values:
            setattr(solution, flag, bool(values[flag]))


def pending_request(solution_id: int) -> SolutionChangeRequest | None:
    """The solution's pending change request, if any."""
    return db.session.scalar(
        select(SolutionChangeRequest).where(
            SolutionChangeRequest.solution_id == solution_id,
            SolutionChangeRequest.status == ChangeRequestStatus.PENDING,
        )
    )


def _reason(text: str | None, field: str, what: str) -> str:
    value = (text or "").strip()
    if not value:
        raise RuleViolation(f"State {what}.", field)
    if len(value) > REASON_MAX:
        raise RuleViolation(f"The reason is too long (at most {REASON_MAX} characters).", field)
    return value


def hold_certified_changes(
    actor: User, solution: Solution, before: dict[str, Any], reason: str | None
) -> SolutionChangeRequest | None:
    """After an edit: put certified fields back and file what changed as a change request.

    `before` is `certified_state` before the edit. Returns the request, or None when no
    certified field changed or no label certifies the solution.
    """
    after = certified_state(solution)
    changed = [name for name in CERTIFIED_FIELDS if after[name] != before[name]]
    if not changed or not certified_fields_locked(solution):
        return None
    reason = _reason(
        reason, "change_reason", "why the certified facts change: the authority reviews it"
    )
    if pending_request(solution.id) is not None:
        raise RuleViolation(
            "A change request for this solution is already waiting for the authority: "
            "withdraw it or wait for the decision before asking for another.",
            "change_reason",
        )
    set_certified(solution, {name: before[name] for name in changed})
    request = SolutionChangeRequest(
        solution_id=solution.id,
        status=ChangeRequestStatus.PENDING,
        reason=reason,
        previous=json.dumps({name: before[name] for name in changed}, sort_keys=True),
        proposed=json.dumps({name: after[name] for name in changed}, sort_keys=True),
        requested_by_id=actor.id,
        requested_at=utcnow(),
    )
    db.session.add(request)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        raise RuleViolation(
            "A change request for this solution is already waiting for the authority.",
            "change_reason",
        ) from error
    audit.record(
        actor,
        "solution.change_requested",
        request,
        summary=f"Change of certified facts of {solution.name} requested ({', '.join(changed)})",
        data={"solution_id": solution.id, "fields": changed},
        organisation_id=solution.vendor_id,
    )
    _notify_authority(request, changed)
    return request


def get_request(actor: User | None, request_id: int) -> SolutionChangeRequest:
    """A change request the actor may see: the authority's, or the owning vendor's (else 404)."""
    request = (
        db.session.get(SolutionChangeRequest, request_id) if 0 < request_id <= MAX_ID else None
    )
    if request is None or actor is None:
        raise NotVisible("No such change request.")
    if actor.role is Role.AUTHORITY:
        return request
    if actor.role is Role.VENDOR and actor.organisation_id == request.solution.vendor_id:
        return request
    raise NotVisible("No such change request.")


def _require_pending(request: SolutionChangeRequest) -> None:
    if request.status is not ChangeRequestStatus.PENDING:
        raise RuleViolation(f"This change request is already {request.status.value}.")


def _close(
    actor: User, request: SolutionChangeRequest, status: ChangeRequestStatus, reason: str
) -> None:
    """End a pending request: its new status, who ended it, when and why."""
    request.status = status
    request.decided_by_id = actor.id
    request.decided_at = utcnow()
    request.decision_reason = reason
    db.session.flush()


def approve_change(
    actor: User | None, request: SolutionChangeRequest, reason: str
) -> SolutionChangeRequest:
    """The authority approves: the record takes the new values, labels are re-frozen."""
    actor = require_role(actor, Role.AUTHORITY)
    _require_pending(request)
    text = _reason(reason, "decision_reason", "the reason for the approval")
    solution = request.solution
    proposed = json.loads(request.proposed)
    if "name" in proposed and db.session.scalar(
        select(Solution.id).where(
            Solution.vendor_id == solution.vendor_id,
            Solution.name == proposed["name"],
            Solution.id != solution.id,
        )
    ):
        raise RuleViolation("The vendor has another solution with the new name.", "decision_reason")
    if (
        solution.status is SolutionStatus.PUBLISHED
        and proposed.get("privacy_sensitive", solution.privacy_sensitive)
        and not solution.privacy_features.strip()
    ):
        # The features may have been cleared since the request: a published, privacy-sensitive
        # solution describes them (catalog.services.publication_problems).
        raise RuleViolation(
            "Approved, the published solution would be privacy-sensitive without a description "
            "of its data-protection features: the vendor must describe them first.",
            "decision_reason",
        )
    set_certified(solution, proposed)
    solution.updated_at = utcnow()
    _close(actor, request, ChangeRequestStatus.APPROVED, text)
    audit.record(
        actor,
        "solution.change_approved",
        request,
        summary=f"Change of certified facts of {solution.name} approved: {text}"[:2000],
        data={"solution_id": solution.id, "fields": sorted(proposed)},
        organisation_id=solution.vendor_id,
    )
    for callback in _callbacks(current_app):
        callback(actor, solution, request)
    if solution.status is SolutionStatus.PUBLISHED:
        enqueue_solution_change(solution.id, "solution.change_approved")
    _notify_vendor(request)
    return request


def refuse_change(
    actor: User | None, request: SolutionChangeRequest, reason: str
) -> SolutionChangeRequest:
    """The authority refuses: nothing changes but the request's status."""
    actor = require_role(actor, Role.AUTHORITY)
    _require_pending(request)
    text = _reason(reason, "decision_reason", "the reason for the refusal")
    _close(actor, request, ChangeRequestStatus.REFUSED, text)
    audit.record(
        actor,
        "solution.change_refused",
        request,
        summary=f"Change of certified facts of {request.solution.name} refused: {text}"[:2000],
        data={"solution_id": request.solution_id},
        organisation_id=request.solution.vendor_id,
    )
    _notify_vendor(request)
    return request


def withdraw_change(actor: User | None, request: SolutionChangeRequest) -> SolutionChangeRequest:
    """The owning vendor withdraws its pending request."""
    actor = require_role(actor, Role.VENDOR)
    if actor.organisation_id != request.solution.vendor_id:
        raise NotVisible("No such change request.")
    _require_pending(request)
    _close(actor, request, ChangeRequestStatus.WITHDRAWN, "")
    audit.record(
        actor,
        "solution.change_withdrawn",
        request,
        summary=f"Change of certified facts of {request.solution.name} withdrawn",
        data={"solution_id": request.solution_id},
        organisation_id=request.solution.vendor_id,
    )
    return request


def register_change_approved(app: Flask, callback: ChangeApproved) -> None:
    """Call `callback(actor, solution, request)` in the transaction of every approval."""
    callbacks: list[ChangeApproved] = app.extensions.setdefault(_EXTENSION, [])
    if callback not in callbacks:
        callbacks.append(callback)


def _callbacks(app: Flask) -> list[ChangeApproved]:
    callbacks: list[ChangeApproved] = app.extensions.get(_EXTENSION, [])
    return callbacks


def request_queue() -> Select[SolutionChangeRequest]:
    """Every change request for the authority: pending first (oldest first), then decided
    (latest decision first)."""
    pending_first = case((SolutionChangeRequest.status == ChangeRequestStatus.PENDING, 0), else_=1)
    # Pending requests have no decision date: within them, the oldest request comes first.
    return select(SolutionChangeRequest).order_by(
        pending_first,
        SolutionChangeRequest.decided_at.desc(),
        SolutionChangeRequest.requested_at,
        SolutionChangeRequest.id,
    )


def pending_count() -> int:
    """How many change requests wait for the authority."""
    count = db.session.scalar(
        select(func.count()).where(SolutionChangeRequest.status == ChangeRequestStatus.PENDING)
    )
    return int(count or 0)


def past_requests(solution_id: int) -> list[SolutionChangeRequest]:
    """The solution's decided or withdrawn change requests, latest first."""
    return list(
        db.session.scalars(
            select(SolutionChangeRequest)
            .where(
                SolutionChangeRequest.solution_id == solution_id,
                SolutionChangeRequest.status != ChangeRequestStatus.PENDING,
            )
            .order_by(SolutionChangeRequest.id.desc())
        )
    )


def changed_titles(request: SolutionChangeRequest) -> str:
    """The titles of the request's changed fields, in lower case, joined by commas."""
    return ", ".join(change.title.lower() for change in diff(request))


def _notify_authority(request: SolutionChangeRequest, changed: list[str]) -> None:
    """Mail the authority's staff: a change of certified facts waits for their decision."""
    solution = request.solution
    staff = db.session.scalars(
        select(User)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(
            Organisation.kind == OrganisationKind.AUTHORITY,
            Organisation.status == OrganisationStatus.ACTIVE,
            User.is_active.is_(True),
        )
    ).all()
    fields = ", ".join(CERTIFIED_FIELDS[name].lower() for name in changed)
    link = public_url(f"/admin/change-requests/{request.id}")
    for user in staff:
        send_mail(
            user.email,
            f"Change of certified facts requested: {solution.name}"[:150],
            f"Hello {user.full_name},\n\n{solution.vendor.name} asks to change the certified "
            f"facts of {solution.name} ({fields}).\n\nReason: {request.reason}\n\n"
            f"Approve or refuse it: {link}\n",
        )


def _notify_vendor(request: SolutionChangeRequest) -> None:
    """Mail the vendor's users the authority's decision and its reason."""
    solution = request.solution
    vendor = db.session.get(Organisation, solution.vendor_id)
    if vendor is None:
        return
    outcome = request.status.value
    link = public_url(f"/manage/solutions/{solution.id}")
    effect = (
        "The new values are now the certified facts: the record, the catalog and the label "
        "show them."
        if request.status is ChangeRequestStatus.APPROVED
        else "Nothing changes: the certified facts stay as they were."
    )
    for member in vendor.users:
        if member.is_active:
            send_mail(
                member.email,
                f"Change of certified facts {outcome}: {solution.name}"[:150],
                f"Hello {member.full_name},\n\nThe authority {outcome} your request to change "
                f"the certified facts of {solution.name} ({changed_titles(request)}).\n\n"
                f"Reason: {request.decision_reason}\n\n{effect}\n\n{link}\n",
            )
