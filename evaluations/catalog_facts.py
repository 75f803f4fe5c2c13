"""What the catalog shows of labels: facts for pages, compare, open data, feed events, the search
index and the market-gaps view, and watchers.

`register(app)` (called from evaluations.init_app) gives the catalog its one label provider
(catalog.label_facts) and makes every new LabelEvent row notify the followers of the solution,
its vendor and the norm (catalog.lists.watch), in the same transaction as the status change. Hooking
the row rather than each service means no status change (issue, suspend, reinstate, revoke,
expire, or one added later) can forget to tell followers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session, selectinload

from catalog.label_facts import (
    CellKey,
    CriterionFact,
    LabelEventFact,
    LabelFact,
    LabelSummary,
    register_label_provider,
)
from catalog.lists.watch import notify_label_event
from catalog.models import Solution, SolutionVersion
from evaluations.labels.certified import certified_facts, scope_versions
from evaluations.labels.facts import criteria_results, verification_url
from evaluations.labels.publishing import certified_counts
from evaluations.labels.remediation import labels_under_remediation
from evaluations.labels.status_changes import recertification_due, recertification_due_clause
from evaluations.models import Label, LabelEvent, LabelScope, LabelStatus
from evaluations.scoring import PASS_FAIL, CriterionResult
from registry.database import db
from registry.norms.models import Norm, NormLevel, NormVersion

_REGISTERED = "evaluations_catalog_facts"


def result_text(result: CriterionResult) -> str:
    """A consolidated result as the public reads it: "Pass", "Fail", "4.5 / 5", "Not scored"."""
    if result.value is None:
        return "Not scored"
    if result.kind == PASS_FAIL:
        return "Pass" if result.value else "Fail"
    return f"{float(result.value):g} / 5"


def _public_labels() -> Any:
    # A label without its credential is a half-finished issue: the verification page does not
    # show it either (evaluations.labels.find_public_label).
    return (
        select(Label)
        .where(Label.credential != "")
        .options(selectinload(Label.norm_version).selectinload(NormVersion.norm))
    )


def to_fact(label: Label, under_remediation: bool = False) -> LabelFact:
    """The public facts of one label row (whether it is marked: read once for many rows)."""
    version = label.norm_version
    return LabelFact(
        id=label.id,
        number=label.number,
        solution_id=label.solution_id,
        norm_code=version.norm.code,
        norm_title=version.norm.title,
        norm_version=version.number,
        level=label.level,
        score_percent=float(label.score_percent),
        status=label.status.value,
        issued_on=label.valid_from,
        expires_on=label.expires_on,
        status_reason=label.status_reason,
        verification_url=verification_url(label.number),
        recertification_due=recertification_due(label),
        scope=tuple(scope_versions(label)),
        under_remediation=under_remediation,
    )


def _certified_versions(solution_ids: list[int]) -> dict[int, list[str]]:
    """The version strings in the scope of each solution's valid labels, sorted."""
    found: dict[int, set[str]] = {}
    if not solution_ids:
        return {}
    rows = db.session.execute(
        select(Label.solution_id, SolutionVersion.version)
        .join(LabelScope, LabelScope.label_id == Label.id)
        .join(SolutionVersion, SolutionVersion.id == LabelScope.version_id)
        .where(Label.solution_id.in_(solution_ids), Label.status == LabelStatus.VALID)
    ).all()
    for solution_id, version in rows:
        found.setdefault(solution_id, set()).add(version)
    return {solution_id: sorted(versions) for solution_id, versions in found.items()}


class DatabaseLabelProvider:
    """Label facts read from the evaluations tables, as they are now."""

    def labels_for(
        self, solution_ids: Iterable[int], statuses: Iterable[str] | None = None
    ) -> dict[int, list[LabelFact]]:
        """Labels of each solution, newest first, optionally only in `statuses`."""
        ids = list(solution_ids)
        result: dict[int, list[LabelFact]] = {solution_id: [] for solution_id in ids}
        if not ids:
            return result
        statement = (
            _public_labels()
            .where(Label.solution_id.in_(ids))
            .order_by(Label.issued_at.desc(), Label.id.desc())
        )
        if statuses is not None:
            statement = statement.where(Label.status.in_(list(statuses)))
        found = db.session.scalars(statement).all()
        marked = labels_under_remediation(label.id for label in found)
        for label in found:
            result[label.solution_id].append(to_fact(label, label.id in marked))
        return result

    def criteria_for(self, label_ids: Iterable[int]) -> dict[int, list[CriterionFact]]:
        """Per-criterion consolidated results of each label's evaluation."""
        result: dict[int, list[CriterionFact]] = {}
        for label_id in label_ids:
            label = db.session.get(Label, label_id)
            if label is None or not label.credential:
                result[label_id] = []
                continue
            result[label_id] = [
                CriterionFact(
                    code=criterion.code,
                    title=criterion.title,
                    result=result_text(outcome),
                    section=criterion.section.title if criterion.section else "",
                )
                for criterion, outcome in criteria_results(label.evaluation)
            ]
        return result

    def recent_events(self, limit: int) -> list[LabelEventFact]:
        """The latest status changes of public labels, newest first."""
        rows = db.session.scalars(
            select(LabelEvent)
            .join(Label, Label.id == LabelEvent.label_id)
            .where(Label.credential != "")
            .options(
                selectinload(LabelEvent.label)
                .selectinload(Label.norm_version)
                .selectinload(NormVersion.norm),
                selectinload(LabelEvent.label)
                .selectinload(Label.solution)
                .selectinload(Solution.vendor),
            )
            .order_by(LabelEvent.at.desc(), LabelEvent.id.desc())
            .limit(limit)
        ).all()
        marked = labels_under_remediation(row.label_id for row in rows)
        return [
            LabelEventFact(
                id=row.id,
                action=row.action,
                at=row.at,
                reason=row.reason,
                label=to_fact(row.label, row.label_id in marked),
                # The names the label certifies, not the record's current ones.
                solution_name=certified_facts(row.label)["name"],
                vendor_name=certified_facts(row.label)["vendor"],
            )
            for row in rows
        ]

    def summaries_for(self, solution_ids: list[int]) -> dict[int, LabelSummary]:
        """Summaries of the certified solutions among these: only VALID labels count as
        certification, and those due for re-certification are named (evaluations.labels.basis)."""
        rows = db.session.execute(
            select(
                Label.solution_id,
                Label.id,
                Label.level,
                Label.status,
                Label.expires_on,
                Label.issued_at,
                Norm.code,
                NormLevel.position,
                recertification_due_clause(),
            )
            .join(NormVersion, NormVersion.id == Label.norm_version_id)
            .join(Norm, Norm.id == NormVersion.norm_id)
            .outerjoin(
                NormLevel,
                (NormLevel.version_id == Label.norm_version_id) & (NormLevel.name == Label.level),
            )
            .where(Label.solution_id.in_(solution_ids))
        ).all()
        grouped: dict[int, list[tuple[str, int, dt.date, dt.datetime, str, bool]]] = {}
        valid_ids: dict[int, list[int]] = {}
        for (
            solution_id,
            label_id,
            level,
            status,
            expires_on,
            issued_at,
            code,
            position,
            due,
        ) in rows:
            if LabelStatus(status) is LabelStatus.VALID:
                grouped.setdefault(solution_id, []).append(
                    (level, position or 0, expires_on, issued_at, code, bool(due))
                )
                valid_ids.setdefault(solution_id, []).append(label_id)
        versions = _certified_versions(list(grouped))
        marked = labels_under_remediation(i for ids in valid_ids.values() for i in ids)
        facts: dict[int, LabelSummary] = {}
        for solution_id, labels in grouped.items():
            best = max(labels, key=lambda label: (label[1], label[3]))
            facts[solution_id] = LabelSummary(
                certified=True,
                best_level=best[0],
                level_rank=best[1],
                norm_codes=sorted({label[4] for label in labels}),
                expiry=max(label[2] for label in labels),
                newest_label_at=max(label[3] for label in labels),
                recertification_due_norms=sorted({label[4] for label in labels if label[5]}),
                certified_versions=versions.get(solution_id, []),
                under_remediation=any(i in marked for i in valid_ids[solution_id]),
            )
        return facts

    def certified_counts(self) -> Mapping[CellKey, int]:
        """Certified solutions per (activity, category) cell (evaluations.labels)."""
        return certified_counts()

    def certifies(self, solution_id: int) -> bool:
        """Whether a valid or suspended label holds the solution's certified facts."""
        return (
            db.session.scalar(
                select(Label.id)
                .where(
                    Label.solution_id == solution_id,
                    Label.status.in_([LabelStatus.VALID, LabelStatus.SUSPENDED]),
                )
                .limit(1)
            )
            is not None
        )


def _notify_followers(session: Session, flush_context: Any, instances: Any) -> None:
    if not has_app_context() or not current_app.extensions.get(_REGISTERED):
        return
    for obj in list(session.new):
        if not isinstance(obj, LabelEvent):
            continue
        label = obj.label if obj.label is not None else session.get(Label, obj.label_id)
        if label is None:
            continue
        version = label.norm_version or session.get(NormVersion, label.norm_version_id)
        solution = label.solution or session.get(Solution, label.solution_id)
        if version is None or solution is None:
            continue
        notify_label_event(
            number=label.number,
            action=obj.action,
            solution_id=solution.id,
            solution_name=solution.name,
            vendor_id=solution.vendor_id,
            norm_id=version.norm_id,
            norm_label=version.label,
            level=label.level,
            reason=obj.reason,
            link=verification_url(label.number),
        )


event.listen(Session, "before_flush", _notify_followers)


def register(app: Flask) -> None:
    """Give the catalog its label facts and tell followers about every label event."""
    register_label_provider(app, DatabaseLabelProvider())
    app.extensions[_REGISTERED] = True
