"""Label facts for the catalog, supplied by a higher package through a registered provider.

Labels live in `evaluations`, above `catalog`; the catalog must not import it. So the catalog
states what it needs (`LabelProvider`) and evaluations registers an implementation at start-up
(`evaluations.catalog_facts.register(app)`). Without one (a catalog-only app, some tests), every
solution simply has no label.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from flask import Flask, current_app

_EXTENSION = "catalog_label_provider"
# The statuses under which a label counts as certification.
VALID = "valid"


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


def register_label_provider(app: Flask, provider: LabelProvider) -> None:
    """Make `provider` the source of label facts for this app."""
    app.extensions[_EXTENSION] = provider


def label_provider() -> LabelProvider:
    """The registered provider, or one that knows no labels."""
    provider: LabelProvider | None = current_app.extensions.get(_EXTENSION)
    return provider if provider is not None else NoLabels()
