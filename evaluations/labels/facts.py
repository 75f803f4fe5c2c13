"""A label's facts from the database, and its signed credential made from them.

The facts are the solution, vendor, norm and per-criterion results; the credential is signed
with the current key.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import current_app, url_for
from sqlalchemy import select

from evaluations.labels.documents.facts import CriterionSummary, LabelFacts
from evaluations.labels.documents.signing import credential_bytes, issue_label_credential
from evaluations.labels.keys import current_signing_key
from evaluations.models import Assignment, AssignmentStatus, Evaluation, Label, Resolution, Score
from evaluations.scoring import (
    PASS_FAIL,
    Criterion,
    CriterionResult,
    EvaluatorScore,
    apply_resolutions,
    consolidate,
)
from registry.database import db


def verification_url(number: str) -> str:
    """The public page that verifies a label (printed on the PDF, in the QR code)."""
    return url_for("labels.label_page", number=number, _external=True)


def _criterion_result_text(result: CriterionResult) -> str:
    if result.value is None:
        return "Not scored"
    if result.kind == PASS_FAIL:
        return "Pass" if result.value else "Fail"
    return f"{float(result.value):g} / 5"


def criteria_results(evaluation: Evaluation) -> list[tuple[Any, CriterionResult]]:
    """Each criterion of the evaluation's norm version with its consolidated result."""
    version = evaluation.norm_version
    ordered = version.ordered_criteria()
    criteria = [
        Criterion(c.code, c.kind.value, float(c.weight), bool(c.mandatory)) for c in ordered
    ]
    by_id = {c.id: c for c in ordered}
    rows = db.session.execute(
        select(Assignment.evaluator_id, Score.criterion_id, Score.value, Score.passed)
        .join(Assignment, Assignment.id == Score.assignment_id)
        .where(
            Assignment.evaluation_id == evaluation.id,
            Assignment.status == AssignmentStatus.SUBMITTED,
        )
    ).all()
    scores = []
    for evaluator_id, criterion_id, value, passed in rows:
        criterion = by_id.get(criterion_id)
        if criterion is None:
            continue
        raw = passed if criterion.kind.value == PASS_FAIL else value
        if raw is not None:
            scores.append(EvaluatorScore(evaluator_id, criterion.code, raw))
    results = consolidate(criteria, scores)
    resolutions: dict[str, object] = {}
    for resolution in db.session.scalars(
        select(Resolution).where(Resolution.evaluation_id == evaluation.id)
    ):
        criterion = by_id.get(resolution.criterion_id)
        if criterion is None:
            continue
        raw = resolution.passed if criterion.kind.value == PASS_FAIL else resolution.value
        if raw is not None:
            resolutions[criterion.code] = raw
    results = apply_resolutions(results, resolutions)
    return list(zip(ordered, results, strict=True))


def build_label_facts(label: Label) -> LabelFacts:
    """The label's facts from the database: solution, vendor, norm and per-criterion results."""
    version = label.norm_version
    # The certified facts frozen with the label (evaluations.labels.certified), not the record.
    frozen: dict[str, Any] = json.loads(label.certified_facts) if label.certified_facts else {}
    summaries = tuple(
        CriterionSummary(
            code=criterion.code,
            title=criterion.title,
            result=_criterion_result_text(result),
            section=criterion.section.title if criterion.section is not None else "",
        )
        for criterion, result in criteria_results(label.evaluation)
    )
    return LabelFacts(
        number=label.number,
        status=label.status.value,
        level=label.level,
        score_percent=float(label.score_percent),
        solution_id=label.solution_id,
        solution_name=frozen.get("name", label.solution.name),
        vendor_id=label.vendor_id,
        vendor_name=frozen.get("vendor", label.vendor.name),
        norm_code=version.norm.code,
        norm_title=version.norm.title,
        norm_version=str(version.number),
        issued_on=label.valid_from,
        expires_on=label.expires_on,
        verification_url=verification_url(label.number),
        status_list_index=label.status_list_index,
        criteria=summaries,
        authority_name=current_app.config.get("AUTHORITY_NAME") or LabelFacts.authority_name,
        status_reason=label.status_reason,
    )


def sign_label(label: Label, *, created: datetime | None = None) -> None:
    """(Re)make the label's signed credential from its facts with the current key.

    `created` is the proof's creation time: the issue time unless given (an amendment signs
    the amended facts now).
    """
    facts = build_label_facts(label)
    credential = issue_label_credential(
        facts,
        current_signing_key(),
        current_app.config["BASE_URL"],
        credential_id=f"{verification_url(label.number)}.json",
        created=created or label.issued_at,
    )
    label.credential = credential_bytes(credential).decode("utf-8")
