"""Label facts for the catalog, supplied by a higher package through a registered provider.

Labels live in `evaluations`, above `catalog`; the catalog must not import it. So the catalog
states what it needs (`LabelProvider`: the labels shown on solution pages, compare, exports and
feeds; the summary the search index stores; the certified counts of the market-gaps view) and
evaluations registers one implementation at start-up (`evaluations.catalog_facts.register(app)`).
Without one (a catalog-only app, some tests), every solution simply has no label.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from flask import Flask, current_app

_EXTENSION = "catalog_label_provider"
# The statuses under which a label counts as certification.
VALID = "valid"
CellKey = tuple[str, str]  # (activity code, category code) of the market-gaps view


@dataclass(frozen=True)
class CriterionFact:
    """One criterion of a label's evaluation and its consolidated result, as text."""

    code: str
    title: str
    result: str
    section: str = ""


@dataclass(frozen=True)
class LabelFact:
    """What the public may know about one label."""

    id: int
    number: str
    solution_id: int
    norm_code: str
    norm_title: str
    norm_version: int
    level: str
    score_percent: float
    status: str  # valid, suspended, revoked, expired
    issued_on: dt.date
    expires_on: dt.date
    status_reason: str = ""
    verification_url: str = ""
    # Norm version superseded past its transition date, or norm withdrawn.
    recertification_due: bool = False
    # The certified scope: the version strings the label covers, newest release first.
    scope: tuple[str, ...] = ()
    # A disclosed vulnerability affects a certified version and no fix is in the scope yet.
    under_remediation: bool = False

    @property
    def norm_label(self) -> str:
        """E.g. "VA-INTEROP v2"."""
        return f"{self.norm_code} v{self.norm_version}"

    @property
    def is_valid(self) -> bool:
        """Whether the label counts as certification today."""
        return self.status == VALID


@dataclass(frozen=True)
class LabelEventFact:
    """One public change of a label's status, for the feed."""

    id: int
    action: str  # issued, suspended, reinstated, revoked, expired
    at: dt.datetime
    reason: str
    label: LabelFact
    solution_name: str
    vendor_name: str


@dataclass(frozen=True)
class LabelSummary:
    """What the labels of one solution say, as the search index stores it."""

    certified: bool = False
    best_level: str | None = None
    level_rank: int = 0
    norm_codes: list[str] = field(default_factory=list)
    expiry: dt.date | None = None
    newest_label_at: dt.datetime | None = None
    # Norm codes of the valid labels due for re-certification (they count less for buyers).
    recertification_due_norms: list[str] = field(default_factory=list)
    # The version strings in the scope of the valid labels (the catalog's version filter).
    certified_versions: list[str] = field(default_factory=list)
    # A valid label is marked "vulnerability under remediation".
    under_remediation: bool = False


NO_LABELS = LabelSummary()


class LabelProvider(Protocol):
    """What the catalog asks of whoever keeps the labels."""

    def labels_for(
        self, solution_ids: Iterable[int], statuses: Iterable[str] | None = None
    ) -> dict[int, list[LabelFact]]:
        """Labels of each solution (newest first), optionally only those in `statuses`."""

    def criteria_for(self, label_ids: Iterable[int]) -> dict[int, list[CriterionFact]]:
        """The per-criterion results of each label's evaluation, in the norm's order."""

    def recent_events(self, limit: int) -> list[LabelEventFact]:
        """The latest label status changes, newest first."""

    def summaries_for(self, solution_ids: list[int]) -> dict[int, LabelSummary]:
        """The summary of each certified solution among these (the others are absent)."""

    def certified_counts(self) -> Mapping[CellKey, int] | None:
        """Certified solutions per (activity, category) cell; None when labels are not counted."""

    def certifies(self, solution_id: int) -> bool:
        """Whether a label (valid or suspended) holds this solution's certified facts."""


class NoLabels:
    """The provider used when no package supplies labels."""

    def labels_for(
        self, solution_ids: Iterable[int], statuses: Iterable[str] | None = None
    ) -> dict[int, list[LabelFact]]:
        """No solution has a label."""
        return {solution_id: [] for solution_id in solution_ids}

    def criteria_for(self, label_ids: Iterable[int]) -> dict[int, list[CriterionFact]]:
        """No label, no criteria."""
        return {label_id: [] for label_id in label_ids}

    def recent_events(self, limit: int) -> list[LabelEventFact]:
        """Nothing has happened."""
        return []

    def summaries_for(self, solution_ids: list[int]) -> dict[int, LabelSummary]:
        """No solution is certified."""
        return {}

    def certified_counts(self) -> Mapping[CellKey, int] | None:
        """Nobody counts certified solutions."""
        return None

    def certifies(self, solution_id: int) -> bool:
        """No label certifies anything."""
        return False


def register_label_provider(app: Flask, provider: LabelProvider) -> None:
    """Make `provider` the source of label facts for this app."""
    app.extensions[_EXTENSION] = provider


def label_provider() -> LabelProvider:
    """The registered provider, or one that knows no labels."""
    provider: LabelProvider | None = current_app.extensions.get(_EXTENSION)
    return provider if provider is not None else NoLabels()


def label_summaries(solution_ids: list[int]) -> dict[int, LabelSummary]:
    """The label summary of each of these solutions (uncertified when nothing is known)."""
    found = label_provider().summaries_for(solution_ids) if solution_ids else {}
    return {solution_id: found.get(solution_id, NO_LABELS) for solution_id in solution_ids}
