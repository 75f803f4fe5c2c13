"""A label's facts from the database, and its signed credential made from them.

The facts are what the label certifies (frozen with it: evaluations.labels.certified), the norm
and the per-criterion results; the credential is signed with the current key.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import current_app, url_for
from sqlalchemy import select

from evaluations.labels.documents.facts import (
    CertifiedVersion,
    Classification,
    CriterionSummary,
    LabelFacts,
)
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


def certified_fields(label: Label) -> dict[str, Any]:
    """The LabelFacts fields of what the label certifies: its frozen facts and its scope."""
    # Imported here: evaluations.labels.certified signs labels with sign_label below.
    from evaluations.labels.certified import certified_facts, scope_entries

    frozen = certified_facts(label)
    category = frozen.get("category")
    return {
        "solution_name": frozen["name"],
        "vendor_name": frozen["vendor"],
        "category": Classification(category["code"], category["title"]) if category else None,
        "activities": tuple(
            Classification(item["code"], item["title"]) for item in frozen["activities"]
        ),
        "standards": tuple(frozen["standards"]),
        "privacy_sensitive": bool(frozen["privacy_sensitive"]),
        "uses_biometrics": bool(frozen["uses_biometrics"]),
        "uses_facial_recognition": bool(frozen["uses_facial_recognition"]),
        "scope": tuple(
            CertifiedVersion(
                version=entry.version,
                released_on=date.fromisoformat(entry.released_on),
                purl=entry.purl,
                cpe=entry.cpe,
            )
            for entry in scope_entries(label)
        ),
        "facts_revision": label.facts_revision or 1,
    }


def build_label_facts(label: Label) -> LabelFacts:
    """The label's facts from the database: its certified facts and scope, norm and results.

    What the label certifies of the solution (name, vendor, category, activities, standards,
    privacy flags, versions) is read from the label (evaluations.labels.certified), never from
    the solution record the vendor edits.
    """
    version = label.norm_version
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
        vendor_id=label.vendor_id,
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
        **certified_fields(label),
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
