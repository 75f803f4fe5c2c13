"""What a label certifies, frozen with it: the certified facts and the certified scope.

At issue, the label stores the solution's certified facts (name, vendor, category, activities,
the declared standards and privacy flags the evaluation relied on) and the evaluated version as
its first scope entry. Label surfaces (page, PDF, credential, API) read them from the label,
never from the solution record the vendor edits. They change in two ways only, both decided by
the authority and each recorded as a label event ("amended") that re-signs the credential under
the same number:

- an approved change request (catalog.changes) re-freezes the facts;
- an approved maintenance adds a version to the scope (evaluations.maintenance).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import select

from catalog.changes import CERTIFIED_FIELDS, register_change_approved
from catalog.models import Solution, SolutionChangeRequest, SolutionVersion
from evaluations.labels.events import record_event
from evaluations.labels.facts import sign_label
from evaluations.labels.remediation import clear_fixed_in
from evaluations.models import Label, LabelScope, LabelStatus
from registry.database import db, utcnow
from registry.models import User

# Labels whose facts still bind the solution: a revoked or expired label is history.
BINDING_STATUSES = (LabelStatus.VALID, LabelStatus.SUSPENDED)


@dataclass(frozen=True)
class ScopeEntry:
    """One certified version, as label surfaces show it."""

    version: str
    released_on: str
    purl: str
    cpe: str
    end_of_support_on: str | None
    via: str  # "evaluation" or "maintenance"


def facts_of_solution(solution: Solution) -> dict[str, Any]:
    """The certified facts of the record as it stands (codes with titles, for display)."""
    category = solution.primary_category
    return {
        "name": solution.name,
        "vendor": solution.vendor.name,
        "category": {"code": category.code, "title": category.name} if category else None,
        "activities": [
            {"code": activity.code, "title": activity.name} for activity in solution.activities
        ],
        "standards": solution.standard_codes,
        "privacy_sensitive": solution.privacy_sensitive,
        "uses_biometrics": solution.uses_biometrics,
        "uses_facial_recognition": solution.uses_facial_recognition,
    }


def certified_facts(label: Label) -> dict[str, Any]:
    """The label's frozen certified facts."""
    if not label.certified_facts:
        # Only a label in the middle of being issued has none yet.
        return facts_of_solution(label.solution)
    facts: dict[str, Any] = json.loads(label.certified_facts)
    return facts


def comparable_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """Frozen facts reduced to the values `catalog.changes.certified_state` gives (codes)."""
    category = facts.get("category")
    return {
        "name": facts["name"],
        "primary_category": category["code"] if category else None,
        "activities": [activity["code"] for activity in facts["activities"]],
        "standards": list(facts["standards"]),
        "privacy_sensitive": facts["privacy_sensitive"],
        "uses_biometrics": facts["uses_biometrics"],
        "uses_facial_recognition": facts["uses_facial_recognition"],
    }


def freeze_facts(label: Label) -> None:
    """Store the solution's certified facts on the label (at issue, and after an approval)."""
    label.certified_facts = json.dumps(facts_of_solution(label.solution), sort_keys=True)


def scope_entries(label: Label) -> list[ScopeEntry]:
    """The label's certified versions, newest release first."""
    rows = db.session.execute(
        select(SolutionVersion, LabelScope.maintenance_id)
        .join(LabelScope, LabelScope.version_id == SolutionVersion.id)
        .where(LabelScope.label_id == label.id)
        .order_by(SolutionVersion.released_on.desc(), SolutionVersion.id.desc())
    ).all()
    return [
        ScopeEntry(
            version=version.version,
            released_on=version.released_on.isoformat(),
            purl=version.purl,
            cpe=version.cpe,
            end_of_support_on=(
                version.end_of_support_on.isoformat() if version.end_of_support_on else None
            ),
            via="maintenance" if maintenance_id is not None else "evaluation",
        )
        for version, maintenance_id in rows
    ]


def scope_versions(label: Label) -> list[str]:
    """The version strings of the label's scope, newest release first."""
    return [entry.version for entry in scope_entries(label)]


def in_scope(label: Label, version_id: int) -> bool:
    """Whether the version is in the label's certified scope."""
    return (
        db.session.scalar(
            select(LabelScope.id).where(
                LabelScope.label_id == label.id, LabelScope.version_id == version_id
            )
        )
        is not None
    )


def start_scope(label: Label, actor: User | None) -> None:
    """At issue: freeze the facts and put the evaluated version in the scope."""
    freeze_facts(label)
    version_id = label.evaluation.product_version_id
    if version_id is not None:
        db.session.add(
            LabelScope(
                label_id=label.id,
                version_id=version_id,
                added_at=utcnow(),
                added_by_id=actor.id if actor else None,
            )
        )
        db.session.flush()


def add_to_scope(label: Label, version: SolutionVersion, actor: User, maintenance_id: int) -> None:
    """An approved maintenance: the version joins the scope; the credential is re-signed."""
    db.session.add(
        LabelScope(
            label_id=label.id,
            version_id=version.id,
            added_at=utcnow(),
            added_by_id=actor.id,
            maintenance_id=maintenance_id,
        )
    )
    db.session.flush()
    _amend(
        label,
        actor,
        f"Version {version.version} added to the certified scope after a minor change review "
        f"(maintenance request {maintenance_id}).",
    )
    # A version that fixes a disclosed vulnerability ends the label's "under remediation".
    clear_fixed_in(actor, label, version.id, version.version)


def _amend(label: Label, actor: User, reason: str) -> None:
    """What it certifies changed: a new revision, signed now, and an "amended" event."""
    label.facts_revision += 1
    sign_label(label, created=utcnow())
    record_event(actor, label, "amended", label.status.value, reason[:2000])


def _after_change_approved(actor: User, solution: Solution, request: SolutionChangeRequest) -> None:
    proposed = json.loads(request.proposed)
    changed = ", ".join(
        CERTIFIED_FIELDS[name].lower() for name in CERTIFIED_FIELDS if name in proposed
    )
    labels = db.session.scalars(
        select(Label).where(
            Label.solution_id == solution.id,
            Label.status.in_(BINDING_STATUSES),
            Label.credential != "",
        )
    ).all()
    db.session.flush()
    for label in labels:
        freeze_facts(label)
        _amend(
            label,
            actor,
            f"Certified facts changed ({changed}) by approved change request {request.id}: "
            f"{request.decision_reason}",
        )


def register(app: Flask) -> None:
    """Re-freeze labels when the authority approves a change of their certified facts."""
    register_change_approved(app, _after_change_approved)
