"""The download log: every download of an evaluation's files (evidence, evaluators' reports)
is an audit entry naming who, which file and which evaluation; the authority reads the
evaluation's log on its page."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from evaluations.models import Evaluation
from registry import audit
from registry.database import db
from registry.models import AuditEntry, User

DOWNLOAD_ACTION = "records.download"
LOG_LENGTH = 50


def log_download(actor: User, evaluation: Evaluation, row: Any, kind: str) -> None:
    """Write the audit entry of one download; the caller commits it before sending the file."""
    audit.record(
        actor,
        DOWNLOAD_ACTION,
        object_type="evaluation",
        object_id=evaluation.id,
        summary=f"{actor.email} downloaded {kind} “{row.original_name}”",
        data={"kind": kind, "file_id": row.id, "name": row.original_name, "sha256": row.sha256},
    )


@dataclass(frozen=True)
class Download:
    """One line of the download log."""

    at: dt.datetime
    who: str
    name: str
    kind: str


def download_log(evaluation: Evaluation, limit: int = LOG_LENGTH) -> list[Download]:
    """The newest downloads of this evaluation's files, newest first."""
    entries = list(
        db.session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.action == DOWNLOAD_ACTION,
                AuditEntry.object_type == "evaluation",
                AuditEntry.object_id == str(evaluation.id),
            )
            .order_by(AuditEntry.seq.desc())
            .limit(limit)
        )
    )
    lines = []
    for entry in entries:
        data = json.loads(entry.data or "{}")
        lines.append(
            Download(
                entry.at, entry.actor_label, str(data.get("name", "")), str(data.get("kind", ""))
            )
        )
    return lines
