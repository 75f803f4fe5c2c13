"""The vendor's application: apply, edit, evidence, submit, withdraw, return and respond.

Removed evidence files are deleted only once the transaction commits (the session hooks below).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import BinaryIO

from sqlalchemy import select

from catalog.models import Solution, SolutionStatus
from catalog.versions import version_of
from evaluations.agreement.services import require_accepted
from evaluations.models import (
    Assignment,
    Evaluation,
    EvaluationEvent,
    EvaluationStatus,
    Evidence,
    Score,
)
from evaluations.records.holds import is_held
from evaluations.services.application_review import clear_application_review
from evaluations.services.assignment import maybe_start_review
from evaluations.services.transitions import (
    EDITABLE_BY_VENDOR,
    OPEN_STATUSES,
    WITHDRAWABLE,
    authority_staff,
    checked_text,
    describe,
    move,
    notify,
    require_status,
    require_vendor_owner,
)
from registry import audit, uploads
from registry.access import require_role
from registry.database import after_commit, db, utcnow
from registry.exceptions import NotVisible, RuleViolation
from registry.models import Role, User
from registry.norms.models import NormCriterion, NormVersion, NormVersionStatus

# --- the vendor's application -----------------------------------------------------------


def apply_for_evaluation(
    actor: User | None, solution_id: int, version_id: int, *, product_version_id: int | None
) -> Evaluation:
    """Start a draft application of one's own published solution against a published version.

    `version_id` is the norm version; `product_version_id` the declared version of the solution
    to evaluate (an evaluation is for one version: the label's first scope entry).
    """
    user = require_role(actor, Role.VENDOR)
    # An application is made under the certification agreement in force, accepted beforehand.
    require_accepted(user.organisation_id)
    # Lock the solution so two clicks on "apply" cannot both pass the "one open" check
    # (PostgreSQL; SQLite writers are serialised by BEGIN IMMEDIATE).
    solution = db.session.scalar(
        select(Solution).where(Solution.id == solution_id).with_for_update()
    )
    if solution is None or solution.vendor_id != user.organisation_id:
        raise RuleViolation("Choose one of your organisation's solutions.", "solution_id")
    if solution.status is not SolutionStatus.PUBLISHED:
        raise RuleViolation("Only a published solution can be evaluated.", "solution_id")
    product_version = version_of(solution.id, product_version_id)
    if product_version is None:
        raise RuleViolation(
            "Choose the version of the solution to evaluate "
            "(declare it first if it is not listed).",
            "product_version_id",
        )
    version = db.session.get(NormVersion, version_id)
    if version is None or version.status is not NormVersionStatus.PUBLISHED:
        raise RuleViolation("Choose a norm version in force.", "version_id")
    already = db.session.scalar(
        select(Evaluation.id).where(
            Evaluation.solution_id == solution.id,
            Evaluation.norm_version_id == version.id,
            Evaluation.status.in_(OPEN_STATUSES),
        )
    )
    if already is not None:
        raise RuleViolation(
            "This solution already has an open evaluation against this norm version.",
            "solution_id",
        )
    now = utcnow()
    evaluation = Evaluation(
        solution=solution,
        product_version_id=product_version.id,
        norm_version=version,
        vendor_id=solution.vendor_id,
        status=EvaluationStatus.DRAFT,
        vendor_note="",
        return_request="",
        decision_rationale="",
        created_at=now,
        status_changed_at=now,
    )
    db.session.add(evaluation)
    db.session.flush()
    db.session.add(
        EvaluationEvent(
            evaluation=evaluation, from_status=None, to_status="draft", at=now, actor_id=user.id
        )
    )
    audit.record(user, "evaluation.apply", evaluation, summary=f"applied: {describe(evaluation)}")
    db.session.flush()
    return evaluation


def update_application(actor: User | None, evaluation: Evaluation, vendor_note: str) -> None:
    """Change the vendor's note to the evaluators while the application is editable."""
    user = require_vendor_owner(actor, evaluation)
    require_status(evaluation, EDITABLE_BY_VENDOR, "be edited")
    evaluation.vendor_note = checked_text(vendor_note, "vendor_note", "The note")
    audit.record(user, "evaluation.update", evaluation, summary="note updated")
    db.session.flush()


def missing_evidence(evaluation: Evaluation) -> list[NormCriterion]:
    """Criteria that require evidence and have none attached yet."""
    covered = {e.criterion_id for e in evaluation.evidence}
    return [
        c
        for c in evaluation.norm_version.ordered_criteria()
        if c.evidence_required and c.id not in covered
    ]


def submit_application(actor: User | None, evaluation: Evaluation) -> None:
    """Send a draft to the authority; every criterion that requires evidence must have some."""
    user = require_vendor_owner(actor, evaluation)
    require_status(evaluation, (EvaluationStatus.DRAFT,), "be submitted")
    missing = missing_evidence(evaluation)
    if missing:
        raise RuleViolation(
            "Attach evidence for: " + ", ".join(f"{c.code} {c.title}" for c in missing) + "."
        )
    evaluation.submitted_at = utcnow()
    move(user, evaluation, EvaluationStatus.SUBMITTED, "submit")
    notify(
        authority_staff(),
        "A new evaluation was submitted",
        f"{evaluation.vendor.name} submitted {describe(evaluation)}. Assign two evaluators.",
    )
    db.session.flush()


def withdraw_application(actor: User | None, evaluation: Evaluation) -> None:
    """The vendor withdraws its application before it is scored."""
    user = require_vendor_owner(actor, evaluation)
    require_status(evaluation, WITHDRAWABLE, "be withdrawn")
    move(user, evaluation, EvaluationStatus.WITHDRAWN, "withdraw")
    db.session.flush()


# How many files one upload may attach; more are refused before any is stored.
MAX_FILES_PER_UPLOAD = 10


def attach_evidence(
    actor: User | None,
    evaluation: Evaluation,
    filename: str | None,
    stream: BinaryIO,
    criterion_id: int | None = None,
    description: str = "",
) -> Evidence:
    """Check and store a file, then add its row; if the database step fails the file goes."""
    (item,) = attach_evidence_files(
        actor, evaluation, [(filename, stream)], criterion_id, description
    )
    return item


def attach_evidence_files(
    actor: User | None,
    evaluation: Evaluation,
    files: Sequence[tuple[str | None, BinaryIO]],
    criterion_id: int | None = None,
    description: str = "",
) -> list[Evidence]:
    """Attach several files at once, all or none: every file is checked before any is stored,
    and a refusal names the file it is about."""
    user = require_vendor_owner(actor, evaluation)
    require_status(evaluation, EDITABLE_BY_VENDOR, "take new evidence")
    if not files:
        raise RuleViolation("Choose at least one file.", "file")
    if len(files) > MAX_FILES_PER_UPLOAD:
        raise RuleViolation(
            f"Attach at most {MAX_FILES_PER_UPLOAD} files at a time; you chose {len(files)}.",
            "file",
        )
    criterion = None
    if criterion_id:
        criterion = db.session.get(NormCriterion, criterion_id)
        if criterion is None or criterion.version_id != evaluation.norm_version_id:
            raise RuleViolation("Choose a criterion of this norm version.", "criterion_id")
    text = checked_text(description, "description", "The description")
    checked_files = []
    for filename, stream in files:
        try:
            checked_files.append(uploads.check_upload(filename, stream))
        except RuleViolation as error:
            if len(files) == 1:
                raise
            name = uploads.display_name(filename)
            raise RuleViolation(f"{name}: {error.message} No file was attached.", "file") from error
    items = []
    for checked in checked_files:
        with uploads.stored_file(checked) as stored_name:
            item = Evidence(
                evaluation=evaluation,
                criterion=criterion,
                description=text,
                **uploads.stored_file_columns(checked, stored_name, user.id),
            )
            db.session.add(item)
            db.session.flush()
            audit.record(
                user,
                "evidence.attach",
                item,
                summary=f"{checked.display_name} for {describe(evaluation)}",
                data={"sha256": checked.sha256, "criterion": criterion.code if criterion else None},
            )
        items.append(item)
    return items


def evidence_is_fixed(evaluation: Evaluation) -> bool:
    """Whether the evaluation's evidence can no longer be removed or replaced: once it has been
    in review (evaluators read it) or any evaluator saved a score. A returned application may
    still take new files; the ones the evaluators saw stay as they were."""
    reviewed = db.session.scalar(
        select(EvaluationEvent.id)
        .where(
            EvaluationEvent.evaluation_id == evaluation.id,
            EvaluationEvent.to_status == EvaluationStatus.IN_REVIEW.value,
        )
        .limit(1)
    )
    if reviewed is not None:
        return True
    scored = db.session.scalar(
        select(Score.id)
        .join(Assignment, Score.assignment_id == Assignment.id)
        .where(Assignment.evaluation_id == evaluation.id)
        .limit(1)
    )
    return scored is not None


def remove_evidence(actor: User | None, evaluation: Evaluation, item: Evidence) -> None:
    """Delete a file while the application is editable, never once it is fixed (in review
    or scored) nor while a legal hold covers the evaluation.

    The file stays, named by no row, for ``files sweep`` to remove after its grace period
    (counted from the commit): a backup taken meanwhile finds every file its snapshot names.
    """
    user = require_vendor_owner(actor, evaluation)
    require_status(evaluation, EDITABLE_BY_VENDOR, "change its evidence")
    if item.evaluation_id != evaluation.id:
        raise NotVisible()
    if evidence_is_fixed(evaluation):
        raise RuleViolation(
            "The evaluators have reviewed this evidence: it can no longer be removed or "
            "replaced. Attach an additional file instead."
        )
    if is_held(evaluation):
        raise RuleViolation(
            "A legal hold covers this evaluation's records: its evidence cannot be removed."
        )
    stored_name = item.stored_name
    audit.record(user, "evidence.remove", item, summary=item.original_name)
    db.session.delete(item)
    db.session.flush()
    # A rolled-back request keeps both the row and the file, as it was.
    after_commit(functools.partial(uploads.release, stored_name))


def return_for_information(actor: User | None, evaluation: Evaluation, request_text: str) -> None:
    """The authority asks the vendor for more information; the vendor can add evidence."""
    user = require_role(actor, Role.AUTHORITY)
    require_status(
        evaluation,
        (EvaluationStatus.SUBMITTED, EvaluationStatus.IN_REVIEW),
        "be returned to the vendor",
    )
    evaluation.return_request = checked_text(
        request_text, "request_text", "The request", required=True
    )
    move(user, evaluation, EvaluationStatus.RETURNED, "return", evaluation.return_request)
    db.session.flush()


def respond_to_return(actor: User | None, evaluation: Evaluation, response_text: str) -> None:
    """The vendor answers a return request; the application goes back to review."""
    user = require_vendor_owner(actor, evaluation)
    require_status(evaluation, (EvaluationStatus.RETURNED,), "be resubmitted")
    note = checked_text(response_text, "response_text", "Your answer", required=True)
    clear_application_review(evaluation)
    move(user, evaluation, EvaluationStatus.SUBMITTED, "respond", note)
    maybe_start_review(user, evaluation)
    notify(
        authority_staff(),
        "A vendor answered your request",
        f"{evaluation.vendor.name} answered the request on {describe(evaluation)}:\n\n{note}",
    )
    db.session.flush()
