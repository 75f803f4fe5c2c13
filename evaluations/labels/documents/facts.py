"""A label as plain data: the facts shown on its card and stated in its credential."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

# What a label shows for its scope when it was issued before versions were tracked.
NO_VERSION_RECORDED: Final = "No version recorded (issued before versions were tracked)"


@dataclass(frozen=True)
class CriterionSummary:
    """One line of the criteria summary: a criterion and its consolidated result."""

    code: str
    title: str
    result: str
    section: str = ""


@dataclass(frozen=True)
class Classification:
    """A coded classification the label certifies (the category, an activity)."""

    code: str
    title: str


@dataclass(frozen=True)
class CertifiedVersion:
    """One version in the label's certified scope, with what identifies it."""

    version: str
    released_on: date
    purl: str = ""
    cpe: str = ""


@dataclass(frozen=True)
class LabelFacts:
    """Everything shown on a label card and stated in its credential, as plain values."""

    number: str
    status: str
    level: str
    score_percent: float
    solution_id: int
    solution_name: str
    vendor_id: int
    vendor_name: str
    norm_code: str
    norm_title: str
    norm_version: str
    issued_on: date
    expires_on: date
    verification_url: str
    status_list_index: int
    criteria: tuple[CriterionSummary, ...] = field(default_factory=tuple)
    authority_name: str = "National Public Security Technology Authority"
    status_reason: str = ""
    # What the label certifies of the solution, frozen at issue (amended only by the authority).
    category: Classification | None = None
    activities: tuple[Classification, ...] = field(default_factory=tuple)
    standards: tuple[str, ...] = field(default_factory=tuple)
    privacy_sensitive: bool = False
    uses_biometrics: bool = False
    uses_facial_recognition: bool = False
    # The certified versions, newest release first; empty for a label issued before versions
    # were tracked. Each amendment of the facts or the scope raises the revision.
    scope: tuple[CertifiedVersion, ...] = field(default_factory=tuple)
    facts_revision: int = 1

    def certified_versions_text(self) -> str:
        """The scope in words: "2.1 (released 2026-03-01), 2.0 (released 2025-09-15)"."""
        if not self.scope:
            return NO_VERSION_RECORDED
        return ", ".join(
            f"{entry.version} (released {entry.released_on.isoformat()})" for entry in self.scope
        )

    def privacy_text(self) -> str:
        """The certified privacy flags in words: "Privacy-sensitive: biometrics"."""
        uses = [
            text
            for flag, text in (
                (self.uses_biometrics, "biometrics"),
                (self.uses_facial_recognition, "facial recognition"),
            )
            if flag
        ]
        if not (self.privacy_sensitive or uses):
            return "Not privacy-sensitive"
        return "Privacy-sensitive" + (f": {', '.join(uses)}" if uses else "")

    def as_json(self) -> dict[str, Any]:
        """The facts as JSON-compatible values (dates as ISO strings), for hashing and logs."""
        data = asdict(self)
        data["issued_on"] = self.issued_on.isoformat()
        data["expires_on"] = self.expires_on.isoformat()
        data["score_percent"] = score_value(self.score_percent)
        data["scope"] = [
            {**asdict(entry), "released_on": entry.released_on.isoformat()} for entry in self.scope
        ]
        return data


def score_value(score: float | Decimal | int) -> float:
    """A score percentage as the number the credential states: one decimal place."""
    # Half up, as people round: 87.25 % is printed 87.3 %, not 87.2 % (banker's rounding).
    return float(Decimal(str(score)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
