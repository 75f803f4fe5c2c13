"""Retention of records and the purge of files past it.

Each record type has a retention period in years, counted from the record's end:

- certified evaluations (evidence, evaluators' reports, the decision): from the end of the
  label's validity (its expiry date), ``RECORDS_RETENTION_YEARS`` (5 by default);
- evaluations never certified (withdrawn, or decided "not certified"): from their end (the
  withdrawal or the decision), ``RECORDS_RETENTION_YEARS_UNDECIDED`` (3 by default);
- vulnerability reports and complaints: ``RECORDS_RETENTION_YEARS_VULNERABILITY`` and
  ``RECORDS_RETENTION_YEARS_COMPLAINT`` (10 each); shown with the others, kept in full.

The purge deletes the FILES of evaluations past their retention (evidence, evaluators'
reports) and marks their rows purged (``registry.uploads.purged_name``): the rows keep the
file's name, size and SHA-256, the audit trail is untouched (the chain stays verifiable), and
one audit entry per evaluation says what was purged. Nothing a legal hold covers is purged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from evaluations.models import Decision, Evaluation, EvaluationStatus, Evidence, Label
from evaluations.records.holds import held_evaluation_ids
from evaluations.records.models import EvaluatorReport
from registry import audit, uploads
from registry.database import db
from registry.dates import today
from registry.wording import counted


@dataclass(frozen=True)
class RecordType:
    """One type of record and the setting of its retention period."""

    key: str
    label: str
    setting: str
    counted_from: str
    purged_by_portal: bool = True

    @property
    def years(self) -> int:
        """The configured retention period, in years."""
        return int(current_app.config[self.setting])


CERTIFIED = RecordType(
    "certified",
    "Certified evaluations: evidence, evaluators' reports, decision",
    "RECORDS_RETENTION_YEARS",
    "the end of the label's validity",
)
NOT_CERTIFIED = RecordType(
    "not_certified",
    "Evaluations never certified (withdrawn or not certified)",
    "RECORDS_RETENTION_YEARS_UNDECIDED",
    "the withdrawal or the decision",
)
RECORD_TYPES = (
    CERTIFIED,
    NOT_CERTIFIED,
    RecordType(
        "vulnerability",
        "Vulnerability reports",
        "RECORDS_RETENTION_YEARS_VULNERABILITY",
        "the case's closing",
        purged_by_portal=False,
    ),
    RecordType(
        "complaint",
        "Complaints and appeals",
        "RECORDS_RETENTION_YEARS_COMPLAINT",
        "the case's closing",
        purged_by_portal=False,
    ),
)


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Retained:
    """A finished evaluation, its record type and the day its retention ends."""

    evaluation_id: int
    record_type: RecordType
    ends_on: dt.date
    held: bool


def _end_of(evaluation: Evaluation, expiry: dt.date | None) -> tuple[RecordType, dt.date] | None:
    if evaluation.status is EvaluationStatus.WITHDRAWN:
        return NOT_CERTIFIED, evaluation.status_changed_at.date()
    if evaluation.status is not EvaluationStatus.DECIDED:
        return None
    if evaluation.decision is Decision.CERTIFIED and expiry is not None:
        return CERTIFIED, expiry
    return NOT_CERTIFIED, (evaluation.decided_at or evaluation.status_changed_at).date()


def _with_files() -> set[int]:
    """Evaluations that still have a file not purged."""
    ids: set[int] = set()
    for model in (Evidence, EvaluatorReport):
        ids.update(
            db.session.scalars(
                select(model.evaluation_id)
                .where(model.stored_name.not_like(f"{uploads.PURGED_PREFIX}%"))
                .distinct()
            )
        )
    return ids


def past_retention(on: dt.date | None = None) -> list[Retained]:
    """Finished evaluations that still have files and whose retention ended before `on`."""
    day = on or today()
    with_files = _with_files()
    if not with_files:
        return []
    held = held_evaluation_ids()
    expiry = {
        evaluation_id: expires_on
        for evaluation_id, expires_on in db.session.execute(
            select(Label.evaluation_id, Label.expires_on).where(Label.evaluation_id.in_(with_files))
        )
    }
    found = []
    for evaluation in db.session.scalars(
        select(Evaluation)
        .where(
            Evaluation.id.in_(with_files),
            Evaluation.status.in_((EvaluationStatus.DECIDED, EvaluationStatus.WITHDRAWN)),
        )
        .order_by(Evaluation.id)
    ):
        end = _end_of(evaluation, expiry.get(evaluation.id))
        if end is None:
            continue
        record_type, ended = end
        ends_on = add_years(ended, record_type.years)
        if ends_on < day:
            found.append(Retained(evaluation.id, record_type, ends_on, evaluation.id in held))
    return found


def eligible(on: dt.date | None = None) -> list[Retained]:
    """What the purge would take: past retention and not held."""
    return [item for item in past_retention(on) if not item.held]


@dataclass(frozen=True)
class TypeSummary:
    """One line of the records page: a type, its setting, how many are eligible or held."""

    record_type: RecordType
    eligible: int
    held: int


def summary(on: dt.date | None = None) -> list[TypeSummary]:
    """Per record type: eligible for the purge, and past retention but held."""
    items = past_retention(on)
    return [
        TypeSummary(
            record_type,
            sum(1 for i in items if i.record_type is record_type and not i.held),
            sum(1 for i in items if i.record_type is record_type and i.held),
        )
        for record_type in RECORD_TYPES
    ]


def purge_evaluation(item: Retained) -> list[str]:
    """Mark the evaluation's files purged and audit it; return the stored names to delete
    once the caller has committed (a rolled-back purge keeps its files)."""
    names: list[str] = []
    purged: dict[str, list[int]] = {"evidence": [], "evaluator_report": []}
    rows: list[Evidence | EvaluatorReport] = [
        *db.session.scalars(
            select(Evidence).where(
                Evidence.evaluation_id == item.evaluation_id,
                Evidence.stored_name.not_like(f"{uploads.PURGED_PREFIX}%"),
            )
        ),
        *db.session.scalars(
            select(EvaluatorReport).where(
                EvaluatorReport.evaluation_id == item.evaluation_id,
                EvaluatorReport.stored_name.not_like(f"{uploads.PURGED_PREFIX}%"),
            )
        ),
    ]
    for row in rows:
        names.append(row.stored_name)
        purged[row.__tablename__].append(row.id)
        row.stored_name = uploads.purged_name(row.__tablename__, row.id)
    audit.record(
        None,
        "records.purge",
        object_type="evaluation",
        object_id=item.evaluation_id,
        summary=(
            f"{counted(len(names), 'file')} purged: retention ({item.record_type.key}) "
            f"ended {item.ends_on.isoformat()}"
        ),
        data={**purged, "retention_ended": item.ends_on.isoformat()},
    )
    db.session.flush()
    return names


def delete_files(names: list[str]) -> None:
    """Delete purged files from the upload folder (after the commit that marked them)."""
    for name in names:
        uploads.delete_file(name)
