"""Helpers for the label tests: certified evaluations (scored by two evaluators) and labels."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyotp
from flask.testing import FlaskClient

from catalog.models import Solution
from evaluations.labels.credentials import Verdict
from evaluations.labels.documents.verification import verify_label_file
from evaluations.labels.issuing import issue_label
from evaluations.labels.revocation import confirm_revocation, propose_revocation
from evaluations.models import (
    Assignment,
    AssignmentStatus,
    Decision,
    Evaluation,
    EvaluationStatus,
    Label,
    Score,
)
from registry.database import db, utcnow
from registry.models import OrganisationKind, User
from registry.norms.models import (
    CriterionKind,
    Norm,
    NormCriterion,
    NormLevel,
    NormSection,
    NormStatus,
    NormVersion,
    NormVersionStatus,
)
from tests.catalog import solution_builders
from tests.evaluations.scheme_builders import qualify
from tests.norms import norm_builders


@dataclass
class LabelWorld:
    """An authority, a vendor, two evaluators and a published norm version."""

    authority: User
    vendor: User
    evaluators: list[User]
    version: NormVersion
    solutions: list[Solution] = field(default_factory=list)
    # A second authority officer, made on first use by `second_officer`.
    deputy: User | None = None


def make_world(create_user: Callable[..., User], code: str | None = None) -> LabelWorld:
    """People and a published norm (3 criteria: ONVIF-S pass/fail, EXPORT and MASK scored); the
    evaluators are approved, their body accredited for the norm, their declarations current,
    so that a review or re-test of the world's labels passes the gates of an assignment."""
    authority = create_user(kind=OrganisationKind.AUTHORITY)
    vendor = create_user(kind=OrganisationKind.VENDOR)
    body = create_user(kind=OrganisationKind.EVALUATION_BODY)
    second = create_user(body.organisation, totp=False, is_org_admin=False)
    version = published_version(code or f"LBL-{secrets.token_hex(2).upper()}")
    for evaluator in (body, second):
        qualify(evaluator, version.norm)
    return LabelWorld(authority, vendor, [body, second], version)


def published_version(code: str, validity_months: int = 24) -> NormVersion:
    """A published norm version made directly (the norm services are tested elsewhere)."""
    now = utcnow()
    norm = Norm(
        code=code,
        title=f"Test norm {code}",
        category_id=norm_builders.category_id("video-analysis"),
        status=NormStatus.ACTIVE,
    )
    version = NormVersion(
        norm=norm,
        number=1,
        # Content goes in while it is a draft: the database refuses it in a published version.
        status=NormVersionStatus.DRAFT,
        validity_months=validity_months,
    )
    version.levels = [
        NormLevel(position=1, name="Certified", minimum_percent=60),
        NormLevel(position=2, name="Advanced", minimum_percent=80),
    ]
    interop = NormSection(version=version, position=1, title="Interoperability")
    privacy = NormSection(version=version, position=2, title="Privacy")
    for section, position, criterion_code, kind, weight in (
        (interop, 1, "ONVIF-S", CriterionKind.PASS_FAIL, 3),
        (interop, 2, "EXPORT", CriterionKind.SCORED, 2),
        (privacy, 1, "MASK", CriterionKind.SCORED, 1),
    ):
        NormCriterion(
            version=version,
            section=section,
            position=position,
            code=criterion_code,
            title=f"Criterion {criterion_code}",
            kind=kind,
            # A pass/fail criterion is always mandatory (a database check says so).
            mandatory=kind is CriterionKind.PASS_FAIL,
            weight=weight,
        )
    db.session.add(norm)
    db.session.flush()
    version.status = NormVersionStatus.PUBLISHED
    version.published_at = now
    db.session.commit()
    return version


def supersede(version: NormVersion, transition: dt.date) -> NormVersion:
    """Version 2 of the norm published; `version` superseded with a transition date."""
    now = utcnow()
    successor = NormVersion(
        norm_id=version.norm_id,
        number=version.number + 1,
        status=NormVersionStatus.PUBLISHED,
        validity_months=version.validity_months,
        published_at=now,
    )
    db.session.add(successor)
    db.session.flush()
    version.status = NormVersionStatus.SUPERSEDED
    version.superseded_at = now
    version.superseded_by_id = successor.id
    version.transition_date = transition
    db.session.commit()
    return successor


def certified_evaluation(
    world: LabelWorld,
    *,
    level: str = "Certified",
    percent: float = 72.5,
    solution_name: str | None = None,
    decided: bool = True,
) -> Evaluation:
    """A committed evaluation, scored by both evaluators and decided as certified."""
    solution = solution_builders.published(
        world.vendor, name=solution_name or f"Harbour Watch {secrets.token_hex(3)}"
    )
    world.solutions.append(solution)
    now = utcnow()
    evaluation = Evaluation(
        solution_id=solution.id,
        norm_version_id=world.version.id,
        vendor_id=solution.vendor_id,
        status=EvaluationStatus.DECIDED if decided else EvaluationStatus.SCORED,
        status_changed_at=now,
        submitted_at=now,
        decided_at=now if decided else None,
        computed_percent=percent,
        computed_level=level,
        decision=Decision.CERTIFIED if decided else None,
        decided_level=level if decided else None,
        decision_rationale="Meets the norm." if decided else "",
        decided_by_id=world.authority.id if decided else None,
    )
    db.session.add(evaluation)
    db.session.flush()
    for offset, evaluator in enumerate(world.evaluators):
        assignment = Assignment(
            evaluation_id=evaluation.id,
            evaluator_id=evaluator.id,
            status=AssignmentStatus.SUBMITTED,
            declared_at=now,
            submitted_at=now,
        )
        db.session.add(assignment)
        db.session.flush()
        for criterion in world.version.criteria:
            pass_fail = criterion.kind is CriterionKind.PASS_FAIL
            db.session.add(
                Score(
                    assignment_id=assignment.id,
                    criterion_id=criterion.id,
                    value=None if pass_fail else 3 + offset,
                    passed=True if pass_fail else None,
                    justification="Checked.",
                    updated_at=now,
                )
            )
    db.session.commit()
    return evaluation


def second_officer(world: LabelWorld) -> User:
    """Another officer of the world's authority (a revocation takes two), with the same password."""
    if world.deputy is None:
        world.deputy = User(
            organisation_id=world.authority.organisation_id,
            email=f"deputy-{secrets.token_hex(4)}@example.org",
            full_name="Deputy Officer",
            password_hash=world.authority.password_hash,
            is_org_admin=False,
            totp_secret=pyotp.random_base32(),
        )
        db.session.add(world.deputy)
        db.session.commit()
    return world.deputy


def revoke(world: LabelWorld, label: Label, reason: str) -> Label:
    """Revoke through the two officers: the authority proposes, its second officer confirms."""
    proposal = propose_revocation(
        world.authority, label, reason, emergency_reason="Evidence of fraud: buyers at risk now."
    )
    return confirm_revocation(second_officer(world), proposal)


def issued_label(
    world: LabelWorld, *, public_statement: str = "Meets the norm.", **options: Any
) -> Label:
    """A committed label of a new certified evaluation."""
    label = issue_label(
        world.authority, certified_evaluation(world, **options), public_statement=public_statement
    )
    db.session.commit()
    return label


def served_verdict(client: FlaskClient, number: str) -> Verdict:
    """The verdict on a label's served credential, against the served keys and status lists."""
    credential = client.get(f"/labels/{number}.json").data
    keys = client.get("/.well-known/safetech-keys.json").get_json()
    lists = [
        # application/vc is JSON without a +json suffix: Flask parses it only when forced.
        client.get(f"/labels/status/{purpose}.json").get_json(force=True)
        for purpose in ("revocation", "suspension")
    ]
    # Without both lists the verdict is STATUS_UNKNOWN.
    assert all(isinstance(status_list, dict) for status_list in lists)
    return verify_label_file(credential, keys, lists)
