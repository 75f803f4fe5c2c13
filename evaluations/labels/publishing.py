"""What is published of labels.

The public label with its facts, credential and PDF, the two signed status lists, and the
certified counts the catalog shows.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from catalog.gaps import published_counts
from catalog.models import Solution
from evaluations.labels.documents.facts import (
    CertifiedVersion,
    Classification,
    CriterionSummary,
    LabelFacts,
)
from evaluations.labels.documents.signing import (
    STATUS_LIST_VALIDITY,
    STATUS_PURPOSES,
    build_status_list_credential,
    credential_bytes,
)
from evaluations.labels.facts import certified_fields
from evaluations.labels.keys import current_signing_key
from evaluations.labels.pdf import cached_label_pdf
from evaluations.labels.remediation import open_references
from evaluations.models import Label, LabelEvent, LabelStatus
from registry.database import db

LABEL_NUMBER_PATTERN = re.compile(r"STR-[0-9]{4}-[0-9]{5,6}")


def find_public_label(number: str) -> Label | None:
    """The label with this number if the public may see it; None looks like "unknown"."""
    if not LABEL_NUMBER_PATTERN.fullmatch(number):
        return None
    label = db.session.scalar(select(Label).where(Label.number == number))
    # A label whose credential was never made (a half-finished issue) is not published.
    if label is None or not label.credential:
        return None
    return label


def public_statement_of(evaluation_id: int) -> LabelEvent | None:
    """The "issued" event of the evaluation's label: its reason is the public statement."""
    return db.session.scalar(
        select(LabelEvent)
        .join(Label, Label.id == LabelEvent.label_id)
        .where(Label.evaluation_id == evaluation_id, LabelEvent.action == "issued")
    )


def _certified_claims(label: Label, subject: dict[str, Any]) -> dict[str, Any]:
    """What the label certifies, as LabelFacts fields: from its credential (context v2), or,
    for a credential signed before those claims were in it (v1), from the label's frozen facts
    and scope."""
    data = subject["label"]
    if "scope" not in data:
        fields = certified_fields(label)
        fields.pop("solution_name")
        fields.pop("vendor_name")
        return fields
    category = subject.get("category")
    return {
        "category": Classification(category["code"], category["title"]) if category else None,
        "activities": tuple(
            Classification(item["code"], item["title"]) for item in subject.get("activities", [])
        ),
        "standards": tuple(subject.get("standards", [])),
        "privacy_sensitive": bool(subject.get("privacySensitive")),
        "uses_biometrics": bool(subject.get("usesBiometrics")),
        "uses_facial_recognition": bool(subject.get("usesFacialRecognition")),
        "scope": tuple(
            CertifiedVersion(
                version=entry["version"],
                released_on=dt.date.fromisoformat(entry["released"]),
                purl=entry.get("purl", ""),
                cpe=entry.get("cpe", ""),
            )
            for entry in data["scope"]
        ),
        "facts_revision": int(data.get("factsRevision", 1)),
    }


def label_facts(label: Label) -> LabelFacts:
    """The facts printed on the label, from its stored credential plus its current status."""
    credential = json.loads(label.credential)
    subject = credential["credentialSubject"]
    data = subject["label"]
    return LabelFacts(
        number=data["number"],
        status=label.status.value,
        level=data["level"],
        score_percent=float(data["scorePercent"]),
        solution_id=int(subject["solutionId"]),
        solution_name=subject["name"],
        vendor_id=int(subject["vendor"]["vendorId"]),
        vendor_name=subject["vendor"]["name"],
        norm_code=data["norm"]["code"],
        norm_title=data["norm"]["title"],
        norm_version=data["norm"]["version"],
        issued_on=dt.date.fromisoformat(data["issued"]),
        expires_on=dt.date.fromisoformat(data["expires"]),
        verification_url=data["verificationUrl"],
        status_list_index=label.status_list_index,
        criteria=tuple(
            CriterionSummary(
                code=row["code"],
                title=row["title"],
                result=row["result"],
                section=row.get("section", ""),
            )
            for row in data["criteria"]
        ),
        authority_name=credential["issuer"].get("name", LabelFacts.authority_name),
        status_reason=label.status_reason,
        **_certified_claims(label, subject),
    )


def label_credential_bytes(label: Label) -> bytes:
    """The signed credential file, exactly as issued."""
    return label.credential.encode("utf-8")


def label_pdf_path(label: Label) -> Path:
    """The cached PDF of the label in its current status and marks (rendered only if not cached
    yet)."""
    return cached_label_pdf(
        label_facts(label), label_credential_bytes(label), remediation=open_references(label)
    )


def warm_label_pdf(label: Label) -> None:
    """Render the label's PDF now (after a commit), so the first visitor gets a cached file."""
    try:
        label_pdf_path(label)
    except OSError:  # the cache will be filled on the first request instead
        current_app.logger.exception("could not render the PDF of label %s", label.number)


def status_indices(purpose: str) -> tuple[list[int], dt.datetime | None]:
    """The status list positions flagged for a purpose, and when that set last changed."""
    wanted = LabelStatus.REVOKED if purpose == "revocation" else LabelStatus.SUSPENDED
    rows = db.session.execute(
        select(Label.status_list_index, Label.status_changed_at).where(Label.status == wanted)
    ).all()
    last = db.session.scalar(
        select(func.max(LabelEvent.at)).where(
            (LabelEvent.to_status == wanted.value) | (LabelEvent.from_status == wanted.value)
        )
    )
    return sorted(row[0] for row in rows), last


# Signed lists are valid for STATUS_LIST_VALIDITY and signed again every half of it, at fixed
# moments counted from this one, so the served copy always has more than half its validity left.
_RESIGN_EVERY = STATUS_LIST_VALIDITY / 2
_RESIGN_EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@functools.lru_cache(maxsize=16)
def _signed_status_list(
    purpose: str, indices: tuple[int, ...], key_id: str, base_url: str, created: str, keys_dir: str
) -> str:
    key = current_signing_key(keys_dir)
    moment = dt.datetime.fromisoformat(created)
    credential = build_status_list_credential(purpose, indices, key, base_url, created=moment)
    return credential_bytes(credential).decode("utf-8")


def _signed_at(last_change: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """When the list served at ``now`` was signed: its last change or the latest re-signing.

    A pure function of the database and the clock, so every worker process signs the same
    bytes (Ed25519 signatures are deterministic) and the ETag only changes with the list or
    at a re-signing moment.
    """
    resigned = now - (now - _RESIGN_EPOCH) % _RESIGN_EVERY
    if last_change is None or last_change < resigned:
        return resigned
    return last_change.replace(microsecond=0)


def status_list_credential(purpose: str, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The signed Bitstring Status List credential of one purpose (revocation, suspension).

    Valid for STATUS_LIST_VALIDITY from its ``validFrom``, and never served with less than
    half of that left.
    """
    if purpose not in STATUS_PURPOSES:
        raise ValueError(purpose)
    indices, last = status_indices(purpose)
    created = _signed_at(last, now or dt.datetime.now(dt.UTC))
    # The key id is part of the cache key: after a rotation the lists are signed anew.
    key = current_signing_key()
    text = _signed_status_list(
        purpose,
        tuple(indices),
        key.id,
        current_app.config["BASE_URL"],
        created.isoformat(),
        current_app.config["KEYS_DIR"],
    )
    result: dict[str, Any] = json.loads(text)
    return result


def status_lists(*, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Both published status lists, as verifiers use them."""
    return [status_list_credential(purpose, now=now) for purpose in STATUS_PURPOSES]


def certified_counts() -> dict[tuple[str, str], int]:
    """Published solutions with at least one valid label, per (activity, primary category)."""
    has_valid = (
        select(Label.id)
        .where(Label.solution_id == Solution.id, Label.status == LabelStatus.VALID)
        .exists()
    )
    return published_counts(has_valid)
