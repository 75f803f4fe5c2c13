"""Norms and versions: reading them, creating and withdrawing norms, opening a draft,
publishing it (which freezes it) and superseding the version in force.

Editing a draft's content is in registry.norms.drafting; the checks both use are in
registry.norms.rules.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import selectinload

from registry import audit, events
from registry.access import require_role
from registry.database import db, utcnow
from registry.dates import today
from registry.exceptions import NotVisible, RuleViolation
from registry.models import Role, TechnologyCategory, User
from registry.norms import rules
from registry.norms.compare import CriterionSnapshot, VersionSnapshot
from registry.norms.models import (
    MAX_VALIDITY_MONTHS,
    MAX_WEIGHT,
    MIN_VALIDITY_MONTHS,
    MIN_WEIGHT,
    PUBLIC_VERSION_STATUSES,
    CriterionKind,
    Norm,
    NormCriterion,
    NormLevel,
    NormSection,
    NormStandard,
    NormStatus,
    NormVersion,
    NormVersionStatus,
)
from registry.wording import counted


class ScoringCriterion(NamedTuple):
    """A criterion as evaluations.scoring.Criterion takes it: (code, kind, weight, mandatory)."""

    code: str
    kind: str
    weight: int
    mandatory: bool


def find_norm(actor: User | None, code: str) -> Norm:
    """A norm by code; one without a published version is visible to the authority only."""
    norm = db.session.scalar(select(Norm).where(Norm.code == code.strip().upper()[:40]))
    if norm is None or not (norm.is_public or _is_authority(actor)):
        raise NotVisible()
    return norm


def find_version(actor: User | None, norm: Norm, number: int) -> NormVersion:
    """A version of a norm by number; drafts are visible to the authority only (else 404)."""
    version = next((v for v in norm.versions if v.number == number), None)
    if version is None or not (version.is_public or _is_authority(actor)):
        raise NotVisible()
    return version


def norms_statement(actor: User | None, category_code: str = "", status: str = "") -> Select[Any]:
    """Norms ordered by code, filtered by category code and status; public ones unless authority."""
    statement = (
        select(Norm)
        .options(selectinload(Norm.versions), selectinload(Norm.category))
        .order_by(Norm.code)
    )
    if not _is_authority(actor):
        statement = statement.where(
            exists(
                select(NormVersion.id).where(
                    NormVersion.norm_id == Norm.id,
                    NormVersion.status.in_(PUBLIC_VERSION_STATUSES),
                )
            )
        )
    if category_code:
        statement = statement.join(TechnologyCategory).where(
            TechnologyCategory.code == category_code
        )
    if status in {s.value for s in NormStatus}:
        statement = statement.where(Norm.status == NormStatus(status))
    return statement


def applicable_versions(category_id: int | None = None) -> list[NormVersion]:
    """The versions in force (published, norm active), which solutions may be evaluated against."""
    statement = (
        select(NormVersion)
        .join(Norm)
        .where(NormVersion.status == NormVersionStatus.PUBLISHED, Norm.status == NormStatus.ACTIVE)
        .order_by(Norm.code)
    )
    if category_id is not None:
        statement = statement.where(Norm.category_id == category_id)
    return list(db.session.scalars(statement))


def criteria_for_scoring(version: NormVersion) -> list[ScoringCriterion]:
    """The version's criteria in reading order, as plain tuples for evaluations.scoring."""
    return [
        ScoringCriterion(c.code, c.kind.value, c.weight, c.mandatory)
        for c in version.ordered_criteria()
    ]


def thresholds_of(version: NormVersion) -> list[tuple[str, int]]:
    """The version's levels as (name, minimum percent), lowest first (Thresholds.from_pairs)."""
    return [(level.name, level.minimum_percent) for level in version.levels]


def snapshot_of(version: NormVersion) -> VersionSnapshot:
    """The plain data registry.norms.compare works on."""
    titles = {section.id: section.title for section in version.sections}
    return VersionSnapshot(
        number=version.number,
        validity_months=version.validity_months,
        levels=tuple(thresholds_of(version)),
        standards=tuple(s.reference for s in version.standards),
        sections=tuple(section.title for section in version.sections),
        criteria=tuple(
            CriterionSnapshot(
                code=c.code,
                section=titles.get(c.section_id, ""),
                title=c.title,
                guidance=c.guidance,
                kind=c.kind.value,
                mandatory=c.mandatory,
                weight=c.weight,
                evidence_required=c.evidence_required,
            )
            for c in version.ordered_criteria()
        ),
    )


def recertification_due_after(version: NormVersion) -> dt.date | None:
    """For a superseded version, the date after which its labels show "re-certification due"."""
    return version.transition_date if version.status is NormVersionStatus.SUPERSEDED else None


def _is_authority(actor: User | None) -> bool:
    return actor is not None and actor.role is Role.AUTHORITY


def _category(category_id: int) -> TechnologyCategory:
    category = db.session.get(TechnologyCategory, category_id)
    if category is None:
        raise RuleViolation("Choose a technology category.", "category_id")
    return category


def create_norm(
    actor: User | None, code: str, title: str, category_id: int, description: str = ""
) -> Norm:
    """Create a norm with an empty draft version 1 (default levels and validity)."""
    actor = require_role(actor, Role.AUTHORITY)
    code = code.strip().upper()
    low, high = rules.NORM_CODE_LENGTH
    if not (low <= len(code) <= high and rules.NORM_CODE.fullmatch(code)):
        raise RuleViolation(
            f"A norm code is {low} to {high} capital letters, digits and single hyphens, "
            "e.g. VA-INTEROP.",
            "code",
        )
    if db.session.scalar(select(Norm.id).where(Norm.code == code)) is not None:
        raise RuleViolation(f"A norm with the code {code} already exists.", "code")
    norm = Norm(
        code=code,
        title=rules.clean_title(title),
        category=_category(category_id),
        status=NormStatus.ACTIVE,
        description=rules.clean_text(description, rules.MAX_DESCRIPTION, "description"),
        created_by=actor,
    )
    version = NormVersion(
        norm=norm,
        number=1,
        status=NormVersionStatus.DRAFT,
        validity_months=rules.DEFAULT_VALIDITY_MONTHS,
        created_by=actor,
        levels=[
            NormLevel(position=i, name=name, minimum_percent=minimum)
            for i, (name, minimum) in enumerate(rules.DEFAULT_LEVELS, 1)
        ],
    )
    db.session.add_all([norm, version])
    audit.record(
        actor,
        "norm.created",
        norm,
        summary=f"norm {code} created: {norm.title}",
        data={"code": code, "category": norm.category.code},
    )
    return norm


def update_norm_details(
    actor: User | None, norm: Norm, title: str, category_id: int, description: str
) -> None:
    """Change a norm's title, category or description (its code never changes)."""
    actor = require_role(actor, Role.AUTHORITY)
    rules.require_active(norm)
    before = {"title": norm.title, "category": norm.category.code}
    norm.title = rules.clean_title(title)
    norm.category = _category(category_id)
    norm.description = rules.clean_text(description, rules.MAX_DESCRIPTION, "description")
    audit.record(
        actor,
        "norm.updated",
        norm,
        summary=f"norm {norm.code} details updated",
        data={"before": before, "after": {"title": norm.title, "category": norm.category.code}},
    )


def withdraw_norm(actor: User | None, norm: Norm, reason: str) -> None:
    """Withdraw a norm: its version in force becomes withdrawn and an open draft is discarded."""
    actor = require_role(actor, Role.AUTHORITY)
    rules.require_active(norm)
    reason = rules.clean_text(reason, rules.MAX_NOTE, "reason")
    if not reason:
        raise RuleViolation("Give the reason for the withdrawal.", "reason")
    now = utcnow()
    published = norm.published_version
    if published is not None:
        published = rules.lock_version(published)
        published.status = NormVersionStatus.WITHDRAWN
        published.withdrawn_at = now
    draft = norm.draft_version
    if draft is not None:
        db.session.delete(rules.lock_version(draft))  # with its content (cascade)
        db.session.flush()
        db.session.expire(norm, ["versions"])
    norm.status = NormStatus.WITHDRAWN
    norm.withdrawn_at = now
    norm.withdrawal_reason = reason
    audit.record(
        actor,
        "norm.withdrawn",
        norm,
        summary=f"norm {norm.code} withdrawn",
        data={
            "reason": reason,
            "withdrawn_version": published.number if published else None,
            "discarded_draft": draft.number if draft else None,
        },
    )
    # Labels issued under the norm become due for re-certification (evaluations subscribes).
    events.publish("norm.withdrawn", actor=actor, norm=norm, reason=reason)


def _copy_content(source: NormVersion, target: NormVersion) -> None:
    # No autoflush: a criterion must not be written before it belongs to both parents.
    with db.session.no_autoflush:
        target.levels = [
            NormLevel(position=lv.position, name=lv.name, minimum_percent=lv.minimum_percent)
            for lv in source.levels
        ]
        target.standards = [
            NormStandard(position=s.position, reference=s.reference) for s in source.standards
        ]
        target.sections = []
        target.criteria = []
        for section in source.sections:
            copy = NormSection(position=section.position, title=section.title)
            target.sections.append(copy)
            for criterion in section.criteria:
                duplicate = NormCriterion(
                    position=criterion.position,
                    code=criterion.code,
                    title=criterion.title,
                    guidance=criterion.guidance,
                    kind=criterion.kind,
                    mandatory=criterion.mandatory,
                    weight=criterion.weight,
                    evidence_required=criterion.evidence_required,
                )
                copy.criteria.append(duplicate)
                target.criteria.append(duplicate)


def start_draft(actor: User | None, norm: Norm) -> NormVersion:
    """Open the next version as a draft, copied from the latest version (one draft at a time)."""
    actor = require_role(actor, Role.AUTHORITY)
    rules.require_active(norm)
    existing = norm.draft_version
    if existing is not None:
        raise RuleViolation(
            f"Version {existing.number} is already being drafted; finish or discard it first."
        )
    latest = norm.latest_version
    version = NormVersion(
        norm=norm,
        number=(latest.number + 1) if latest else 1,
        status=NormVersionStatus.DRAFT,
        validity_months=latest.validity_months if latest else rules.DEFAULT_VALIDITY_MONTHS,
        created_by=actor,
    )
    db.session.add(version)
    if latest is not None:
        _copy_content(latest, version)
    else:
        version.levels = [
            NormLevel(position=i, name=name, minimum_percent=minimum)
            for i, (name, minimum) in enumerate(rules.DEFAULT_LEVELS, 1)
        ]
    audit.record(
        actor,
        "norm_version.drafted",
        version,
        summary=f"{version.label} drafted" + (f" from version {latest.number}" if latest else ""),
        data={"norm": norm.code, "number": version.number, "copied_from": latest and latest.number},
    )
    return version


def discard_draft(actor: User | None, version: NormVersion) -> None:
    """Delete a draft version and everything in it."""
    actor = require_role(actor, Role.AUTHORITY)
    version = rules.require_draft(version)
    label, number, norm = version.label, version.number, version.norm
    audit.record(
        actor,
        "norm_version.discarded",
        version,
        summary=f"draft {label} discarded",
        data={"norm": norm.code, "number": number, "criteria": len(version.criteria)},
    )
    db.session.delete(version)  # with its levels, standards, sections and criteria
    db.session.flush()
    db.session.expire(norm, ["versions"])


def publication_problems(version: NormVersion) -> list[str]:
    """Everything that keeps a draft from being published (empty when it may be)."""
    problems: list[str] = []
    if version.status is not NormVersionStatus.DRAFT:
        problems.append(f"{version.label} is {version.status.value}, not a draft.")
    if version.norm.status is not NormStatus.ACTIVE:
        problems.append(f"{version.norm.code} is withdrawn.")
    if not MIN_VALIDITY_MONTHS <= version.validity_months <= MAX_VALIDITY_MONTHS:
        problems.append(
            f"Label validity must be {MIN_VALIDITY_MONTHS} to {MAX_VALIDITY_MONTHS} months."
        )
    problems.extend(rules.level_problems(thresholds_of(version)))
    problems.extend(_content_problems(version))
    return problems


def _content_problems(version: NormVersion) -> list[str]:
    """What is wrong with a version's sections and criteria, for publication."""
    problems: list[str] = []
    if not version.criteria:
        problems.append("Add at least one criterion.")
    for section in version.sections:
        if not section.criteria:
            problems.append(f"Section “{section.title}” has no criteria; add some or delete it.")
    seen: set[str] = set()
    for criterion in version.ordered_criteria():
        if criterion.code in seen:
            problems.append(f"The criterion code {criterion.code} is used twice.")
        seen.add(criterion.code)
        if not MIN_WEIGHT <= criterion.weight <= MAX_WEIGHT:
            problems.append(f"{criterion.code}: the weight must be {MIN_WEIGHT} to {MAX_WEIGHT}.")
        if criterion.kind is CriterionKind.PASS_FAIL and not criterion.mandatory:
            problems.append(f"{criterion.code}: a pass/fail criterion is always mandatory.")
    return problems


def _superseded(version: NormVersion, transition_date: dt.date | None) -> NormVersion | None:
    """The version in force that `version` supersedes, locked, once the transition date fits."""
    previous = version.norm.published_version
    if previous is None:
        if transition_date is not None:
            raise RuleViolation(
                "No version is in force yet, so there is nothing to supersede: leave the "
                "transition date empty.",
                "transition_date",
            )
        return None
    if transition_date is None:
        raise RuleViolation(
            f"Version {previous.number} is in force: give the transition date after "
            "which its labels need re-certification.",
            "transition_date",
        )
    if transition_date < today():
        raise RuleViolation("The transition date cannot be in the past.", "transition_date")
    if transition_date > today() + dt.timedelta(days=rules.MAX_TRANSITION_DAYS):
        raise RuleViolation("The transition date is more than five years ahead.", "transition_date")
    return rules.lock_version(previous)


def _check_published_at(
    published_at: dt.datetime | None, previous: NormVersion | None, now: dt.datetime
) -> None:
    """A back-dated publication is neither in the future nor before the version it supersedes."""
    if published_at is None:
        return
    if published_at > now:
        raise RuleViolation("A publication cannot be dated in the future.")
    if previous is not None and previous.published_at and published_at < previous.published_at:
        raise RuleViolation(
            f"Version {previous.number} was published on {previous.published_at:%Y-%m-%d}: "
            "this one cannot be dated before it."
        )


def publish_version(
    actor: User | None,
    version: NormVersion,
    transition_date: dt.date | None = None,
    *,
    published_at: dt.datetime | None = None,
) -> NormVersion:
    """Publish a draft, freezing it; the version in force is superseded from `transition_date`.

    The transition date is required when a version is in force, and may not be in the past:
    after it, labels issued under the superseded version show "re-certification due".
    `published_at` records a publication that happened earlier (history brought in from
    another register, the demo's past); it can be neither in the future nor before the version
    it supersedes, and the audit entry states it.
    """
    actor = require_role(actor, Role.AUTHORITY)
    version = rules.require_draft(version)
    problems = publication_problems(version)
    if problems:
        more = f" ({counted(len(problems) - 1, 'more problem')})" if len(problems) > 1 else ""
        raise RuleViolation(f"{version.label} cannot be published: {problems[0]}{more}")
    previous = _superseded(version, transition_date)
    now = utcnow()
    _check_published_at(published_at, previous, now)
    version.status = NormVersionStatus.PUBLISHED
    version.published_at = published_at or now
    version.published_by = actor
    db.session.flush()
    audit.record(
        actor,
        "norm_version.published",
        version,
        summary=f"{version.label} published"
        + (f", superseding version {previous.number}" if previous else ""),
        data={
            "norm": version.norm.code,
            "number": version.number,
            "criteria": [c.code for c in version.ordered_criteria()],
            "levels": thresholds_of(version),
            "validity_months": version.validity_months,
            **({"published_at": published_at.isoformat()} if published_at else {}),
        },
    )
    if previous is not None:
        previous.status = NormVersionStatus.SUPERSEDED
        previous.superseded_at = now
        previous.superseded_by = version
        previous.transition_date = transition_date
        audit.record(
            actor,
            "norm_version.superseded",
            previous,
            summary=f"{previous.label} superseded by version {version.number}; "
            f"re-certification due after {transition_date}",
            data={"superseded_by": version.number, "transition_date": str(transition_date)},
        )
    events.publish("norm.version_published", norm=version.norm, version=version, previous=previous)
    return version
