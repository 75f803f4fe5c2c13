"""What the catalog search index needs to know about labels (registered into catalog.search)."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import select

from catalog.search import LabelFacts, register_label_facts_provider
from evaluations.labels.status_changes import recertification_due_clause
from evaluations.models import Label, LabelStatus
from registry.database import db
from registry.norms.models import Norm, NormLevel, NormVersion


def label_facts(solution_ids: list[int]) -> dict[int, LabelFacts]:
    """Facts of the labels of these solutions: only VALID labels count as certification, and
    those due for re-certification are named (evaluations.labels.basis)."""
    rows = db.session.execute(
        select(
            Label.solution_id,
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
    for solution_id, level, status, expires_on, issued_at, code, position, due in rows:
        if LabelStatus(status) is LabelStatus.VALID:
            grouped.setdefault(solution_id, []).append(
                (level, position or 0, expires_on, issued_at, code, bool(due))
            )
    facts: dict[int, LabelFacts] = {}
    for solution_id, labels in grouped.items():
        best = max(labels, key=lambda label: (label[1], label[3]))
        facts[solution_id] = LabelFacts(
            certified=True,
            best_level=best[0],
            level_rank=best[1],
            norm_codes=sorted({label[4] for label in labels}),
            expiry=max(label[2] for label in labels),
            newest_label_at=max(label[3] for label in labels),
            recertification_due_norms=sorted({label[4] for label in labels if label[5]}),
        )
    return facts


def register(app: Flask) -> None:
    """Tell the catalog's search index how to read label facts."""
    register_label_facts_provider(app, label_facts)
