"""Labels marked "vulnerability under remediation", and the end of that mark.

The vulnerabilities package (above this one) decides when a disclosed case marks a label
(`mark`) and tells which version fixes it (`set_fixed_version`). The mark ends when that version
joins the label's certified scope through an approved maintenance (`clear_fixed_in`, called by
`certified.add_to_scope`), or when the authority clears it (`clear`). Each mark and each end is
a label event: public in the decision log, shown in the history, told to followers.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from evaluations.labels.events import record_event
from evaluations.models import Label, LabelAdvisory
from registry.database import db, utcnow
from registry.exceptions import RuleViolation
from registry.models import User


def open_advisories(label: Label) -> list[LabelAdvisory]:
    """The label's marks still open, oldest first."""
    return list(
        db.session.scalars(
            select(LabelAdvisory)
            .where(LabelAdvisory.label_id == label.id, LabelAdvisory.cleared_at.is_(None))
            .order_by(LabelAdvisory.id)
        )
    )


def open_references(label: Label) -> tuple[str, ...]:
    """The case references of the label's open marks, oldest first (what the PDF prints)."""
    return tuple(advisory.case_reference for advisory in open_advisories(label))


def labels_under_remediation(label_ids: Iterable[int]) -> set[int]:
    """Those of ``label_ids`` with an open mark (one query)."""
    ids = list(set(label_ids))
    if not ids:
        return set()
    return set(
        db.session.scalars(
            select(LabelAdvisory.label_id).where(
                LabelAdvisory.label_id.in_(ids), LabelAdvisory.cleared_at.is_(None)
            )
        )
    )


def open_advisories_by_label(
    label_ids: Iterable[int] | None = None,
) -> dict[int, list[LabelAdvisory]]:
    """Open marks grouped by label, oldest first (one query); all labels when ``label_ids`` is
    None (open marks are few: a list page reads them once rather than per row)."""
    statement = select(LabelAdvisory).where(LabelAdvisory.cleared_at.is_(None))
    if label_ids is not None:
        statement = statement.where(LabelAdvisory.label_id.in_(list(set(label_ids))))
    found: dict[int, list[LabelAdvisory]] = {}
    for advisory in db.session.scalars(statement.order_by(LabelAdvisory.id)):
        found.setdefault(advisory.label_id, []).append(advisory)
    return found


def mark(
    actor: User | None, label: Label, reference: str, title: str, severity: str
) -> LabelAdvisory | None:
    """Mark the label for the case ``reference``; None if it already was (once per case)."""
    existing = db.session.scalar(
        select(LabelAdvisory).where(
            LabelAdvisory.label_id == label.id, LabelAdvisory.case_reference == reference
        )
    )
    if existing is not None:
        return None
    advisory = LabelAdvisory(
        label_id=label.id, case_reference=reference, title=title[:200], severity=severity
    )
    db.session.add(advisory)
    db.session.flush()
    record_event(
        actor,
        label,
        "remediation",
        label.status.value,
        f"Vulnerability {reference} ({severity}) under remediation: {title}"[:2000],
    )
    return advisory


def set_fixed_version(reference: str, version_id: int) -> None:
    """The case ``reference`` is fixed in that version: its joining a scope ends the mark."""
    for advisory in db.session.scalars(
        select(LabelAdvisory).where(LabelAdvisory.case_reference == reference)
    ):
        advisory.fixed_version_id = version_id


def _end(actor: User | None, advisory: LabelAdvisory, reason: str) -> None:
    advisory.cleared_at = utcnow()
    record_event(actor, advisory.label, "remediated", advisory.label.status.value, reason[:2000])


def clear_fixed_in(actor: User | None, label: Label, version_id: int, version: str) -> None:
    """End the label's marks whose fix is ``version``, now in its scope."""
    for advisory in open_advisories(label):
        if advisory.fixed_version_id == version_id:
            _end(
                actor,
                advisory,
                f"Vulnerability {advisory.case_reference} fixed in version {version}, "
                "now in the certified scope.",
            )


def clear(actor: User | None, label: Label, reference: str, reason: str) -> None:
    """The authority ends a mark by hand (a reason is required)."""
    text = (reason or "").strip()
    if len(text) < 3:
        raise RuleViolation("A reason is required.", "reason")
    advisory = next((a for a in open_advisories(label) if a.case_reference == reference), None)
    if advisory is None:
        raise RuleViolation(f"Label {label.number} is not marked for {reference}.")
    _end(actor, advisory, f"Vulnerability {reference}: {text}")
