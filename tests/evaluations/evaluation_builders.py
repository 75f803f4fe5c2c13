"""Helpers for the evaluation workflow tests: people, a published norm and solution, and
evaluations brought to each state through the real services."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from evaluations.models import Assignment, Evaluation
from evaluations.services.application import (
    apply_for_evaluation,
    attach_evidence,
    submit_application,
)
from evaluations.services.assignment import assign_evaluator, declare_conflict
from evaluations.services.scores import save_score, submit_scores
from registry.database import db
from registry.models import OrganisationKind, User
from registry.norms.models import NormVersion
from tests.catalog import solution_builders
from tests.catalog.solution_builders import first_version
from tests.evaluations import scheme_builders
from tests.evaluations.agreement.agreement_builders import accepted
from tests.norms import norm_builders

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Cast:
    """Everyone a workflow test needs."""

    authority: User
    vendor: User
    other_vendor: User
    evaluator: User
    second_evaluator: User
    third_evaluator: User
    version: NormVersion
    solution_id: int
    # A second authority officer: who recorded a consensus may not decide (four eyes).
    deputy: User
    # A third officer, who reviews applications, assigns the evaluators and reviews the scored
    # evaluation before the decision: who assigned may not decide (separation of duties).
    assigner: User


def make_cast(create_user: Callable[..., User]) -> Cast:
    """The authority, two vendors, three evaluators of two bodies, a norm and a solution.

    The evaluators are approved and their bodies accredited for the norm; every officer and
    evaluator has confirmed their declarations of interests.
    """
    authority = create_user(kind=OrganisationKind.AUTHORITY, full_name="Officer")
    deputy = create_user(authority.organisation, full_name="Deputy Officer")
    assigner = create_user(authority.organisation, full_name="Assigning Officer")
    vendor = create_user(kind=OrganisationKind.VENDOR, full_name="Vendor person")
    other = create_user(kind=OrganisationKind.VENDOR, full_name="Other vendor person")
    first = create_user(kind=OrganisationKind.EVALUATION_BODY, full_name="Eva Luator")
    second = create_user(kind=OrganisationKind.EVALUATION_BODY, full_name="Sam Scorer")
    third = create_user(first.organisation, full_name="Third Evaluator")
    version = norm_builders.published(authority)
    solution = solution_builders.published(vendor)
    for evaluator in (first, second, third):
        scheme_builders.qualify(evaluator, version.norm)
    for officer in (authority, deputy, assigner):
        scheme_builders.confirm_declarations(officer)
    db.session.commit()
    return Cast(
        authority, vendor, other, first, second, third, version, solution.id, deputy, assigner
    )


def draft(cast: Cast) -> Evaluation:
    """A draft application with a PDF attached to every criterion."""
    accepted(cast.vendor, cast.authority)
    evaluation = apply_for_evaluation(
        cast.vendor,
        cast.solution_id,
        cast.version.id,
        product_version_id=first_version(cast.vendor, cast.solution_id).id,
    )
    for criterion in cast.version.ordered_criteria():
        attach_evidence(
            cast.vendor, evaluation, f"{criterion.code}.pdf", io.BytesIO(PDF), criterion.id
        )
    db.session.commit()
    return evaluation


def submitted(cast: Cast, reviewed: bool = True) -> Evaluation:
    """A submitted application, reviewed as complete and in scope unless told otherwise."""
    evaluation = draft(cast)
    submit_application(cast.vendor, evaluation)
    if reviewed:
        scheme_builders.review_application(evaluation, cast.assigner)
    db.session.commit()
    return evaluation


def assigned(cast: Cast) -> tuple[Evaluation, Assignment, Assignment]:
    """Two evaluators assigned, neither has declared yet."""
    evaluation = submitted(cast)
    first = assign_evaluator(cast.assigner, evaluation, cast.evaluator.id, None)
    second = assign_evaluator(cast.assigner, evaluation, cast.second_evaluator.id, None)
    db.session.commit()
    return evaluation, first, second


def in_review(cast: Cast) -> tuple[Evaluation, Assignment, Assignment]:
    """Both evaluators declared no conflict: the evaluation is in review."""
    evaluation, first, second = assigned(cast)
    declare_conflict(cast.evaluator, first, False, "")
    declare_conflict(cast.second_evaluator, second, False, "")
    db.session.commit()
    return evaluation, first, second


def score_all(cast: Cast, assignment: Assignment, values: dict[str, str]) -> None:
    """Save one evaluator's values (by criterion code) with a justification each."""
    for criterion in cast.version.ordered_criteria():
        save_score(
            assignment.evaluator,
            assignment,
            criterion,
            values[criterion.code],
            f"Checked {criterion.code} on the evidence.",
        )
    db.session.commit()


AGREE = {"ONVIF-S": "pass", "EXPORT": "4", "MASK": "4"}


def scored(
    cast: Cast,
    first_values: dict[str, str] | None = None,
    second_values: dict[str, Any] | None = None,
    reviewed: bool = True,
) -> Evaluation:
    """Both evaluators scored and submitted: the evaluation is scored, and (unless told
    otherwise) reviewed by the assigning officer, so that the authority or its deputy decides."""
    evaluation, first, second = in_review(cast)
    score_all(cast, first, first_values or AGREE)
    score_all(cast, second, second_values or AGREE)
    submit_scores(cast.evaluator, first)
    submit_scores(cast.second_evaluator, second)
    if reviewed:
        scheme_builders.review(evaluation, cast.assigner)
    db.session.commit()
    return evaluation
