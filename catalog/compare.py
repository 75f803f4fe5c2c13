"""Two to four published (or since archived) solutions side by side, with their labels and
per-criterion results."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flask import Blueprint, render_template, request

from catalog import services
from catalog.label_facts import LabelFact, label_provider
from catalog.models import Solution
from catalog.regions import REGIONS
from catalog.vulnerability_facts import open_vulnerabilities
from registry.database import db

MIN_COMPARED = 2
MAX_COMPARED = 4
# More ids than this in one URL is not a comparison; the rest are not even parsed.
MAX_IDS_READ = 20

bp = Blueprint("compare", __name__)


@dataclass
class CriterionRow:
    """One criterion code and each compared solution's result for it (None: not assessed)."""

    code: str
    title: str
    results: dict[int, str | None]


@dataclass
class Comparison:
    """Everything the compare page shows, already checked against what the public may see."""

    solutions: list[Solution]
    labels: dict[int, list[LabelFact]]
    messages: list[str] = field(default_factory=list)
    norms: list[tuple[str, str]] = field(default_factory=list)  # (code, title) among labels
    norm_code: str = ""
    norm_labels: dict[int, LabelFact | None] = field(default_factory=dict)
    criteria: list[CriterionRow] = field(default_factory=list)

    def certified_versions(self, solution_id: int) -> list[str]:
        """The versions the solution's valid labels certify, newest release first, no repeats."""
        versions: list[str] = []
        for label in self.labels.get(solution_id, []):
            if label.is_valid:
                versions += [version for version in label.scope if version not in versions]
        return versions

    def has_valid_label(self, solution_id: int) -> bool:
        """Whether one of the solution's labels is valid."""
        return any(label.is_valid for label in self.labels.get(solution_id, []))

    @property
    def ids(self) -> list[int]:
        """The compared solutions' ids, in the page's order."""
        return [solution.id for solution in self.solutions]

    def differing_rows(self, vulnerability_counts: dict[int, int]) -> set[str]:
        """The rows of the side-by-side table whose values are not the same for every solution."""
        values = _row_values(self, vulnerability_counts)
        return {row for row, cells in values.items() if len(set(cells)) > 1}

    def criterion_differs(self, row: CriterionRow) -> bool:
        """Whether the compared solutions' results for this criterion are not all the same."""
        return len({row.results[solution_id] for solution_id in self.ids}) > 1

    def overall_scores(self) -> dict[int, float | None]:
        """Each solution's overall score (percent) under the chosen norm; None without a label."""
        return {
            solution_id: label.score_percent if label is not None else None
            for solution_id, label in self.norm_labels.items()
        }

    @property
    def scores_differ(self) -> bool:
        """Whether the overall scores under the chosen norm are not all the same."""
        return len(set(self.overall_scores().values())) > 1


def _row_values(
    comparison: Comparison, vulnerability_counts: dict[int, int]
) -> dict[str, list[object]]:
    """What each row of the side-by-side table says of each solution, as comparable values."""
    solutions = comparison.solutions
    return {
        "vendor": [solution.vendor_id for solution in solutions],
        "category": [solution.primary_category_id for solution in solutions],
        "activities": [frozenset(a.code for a in solution.activities) for solution in solutions],
        "maturity": [solution.maturity for solution in solutions],
        "labels": [
            frozenset(
                (label.norm_code, label.level, label.status)
                for label in comparison.labels.get(solution.id, [])
            )
            for solution in solutions
        ],
        "vulnerabilities": [vulnerability_counts.get(solution.id, 0) for solution in solutions],
        "versions": [tuple(comparison.certified_versions(s.id)) for s in solutions],
        "standards": [frozenset(solution.standard_codes) for solution in solutions],
        "price_model": [solution.price_model for solution in solutions],
        "price_band": [solution.price_band for solution in solutions],
        "privacy": [
            (s.privacy_sensitive, s.uses_biometrics, s.uses_facial_recognition) for s in solutions
        ],
        "regions": [frozenset(solution.region_codes) for solution in solutions],
    }


def parse_ids(values: list[str]) -> tuple[list[int], int]:
    """Distinct plausible ids in the given order, and how many values were not ids at all."""
    ids: list[int] = []
    rejected = 0
    for raw in values[:MAX_IDS_READ]:
        text = raw.strip()
        if text.isascii() and text.isdigit() and len(text) <= 10 and 0 < int(text) <= 2**31 - 1:
            if int(text) not in ids:
                ids.append(int(text))
        else:
            rejected += 1
    return ids, rejected + max(0, len(values) - MAX_IDS_READ)


def _published(ids: list[int]) -> list[Solution]:
    if not ids:
        return []
    found = {
        solution.id: solution
        for solution in db.session.scalars(
            # An archived solution stays in a comparison, marked as no longer offered: a buyer
            # who put it in the basket learns what became of it.
            services.public_solutions(with_archived=True).where(Solution.id.in_(ids))
        ).unique()
    }
    return [found[solution_id] for solution_id in ids if solution_id in found]


def _label_for_norm(labels: list[LabelFact], norm_code: str) -> LabelFact | None:
    """The label that speaks for a solution under a norm: a valid one first, then the newest."""
    under = [label for label in labels if label.norm_code == norm_code]
    valid = [label for label in under if label.is_valid]
    chosen = valid or under
    return chosen[0] if chosen else None


def build_comparison(raw_ids: list[str], norm_code: str = "") -> Comparison:
    """Check the requested ids, load the published ones, and line up their labels by criterion."""
    messages: list[str] = []
    ids, rejected = parse_ids(raw_ids)
    if len(ids) > MAX_COMPARED:
        messages.append(
            f"You can compare at most {MAX_COMPARED} solutions at a time: "
            f"the first {MAX_COMPARED} are shown. Remove one to add another."
        )
        ids = ids[:MAX_COMPARED]
    solutions = _published(ids)
    missing = len(ids) - len(solutions) + rejected
    if missing:
        # Drafts and unknown ids read the same: nothing says which one it was.
        verb = "is" if missing == 1 else "are"
        past = "was" if missing == 1 else "were"
        messages.append(
            f"{missing} of the requested solutions {verb} not in the catalog and {past} left out."
        )
    if len(solutions) < MIN_COMPARED:
        messages.append(f"Choose at least {MIN_COMPARED} solutions from the catalog to compare.")
    labels = label_provider().labels_for([s.id for s in solutions])
    comparison = Comparison(solutions=solutions, labels=labels, messages=messages)
    counts = Counter(
        label.norm_code for solution_labels in labels.values() for label in solution_labels
    )
    titles = {label.norm_code: label.norm_title for ls in labels.values() for label in ls}
    # Each solution counts once per norm, so the default norm is the one most of them hold.
    holders = Counter(code for ls in labels.values() for code in {label.norm_code for label in ls})
    comparison.norms = sorted((code, titles[code]) for code in counts)
    if not comparison.norms:
        return comparison
    if norm_code not in titles:
        norm_code = sorted(holders.items(), key=lambda item: (-item[1], item[0]))[0][0]
    comparison.norm_code = norm_code
    comparison.norm_labels = {
        solution.id: _label_for_norm(labels[solution.id], norm_code) for solution in solutions
    }
    comparison.criteria = _criterion_rows(solutions, comparison.norm_labels)
    return comparison


def _criterion_rows(
    solutions: list[Solution], norm_labels: dict[int, LabelFact | None]
) -> list[CriterionRow]:
    """One row per criterion of the chosen labels, with each solution's result (None if none)."""
    chosen = [label for label in norm_labels.values() if label is not None]
    criteria = label_provider().criteria_for([label.id for label in chosen])
    rows: dict[str, CriterionRow] = {}
    for solution in solutions:
        label = norm_labels[solution.id]
        if label is None:
            continue
        for fact in criteria.get(label.id, []):
            row = rows.setdefault(fact.code, CriterionRow(fact.code, fact.title, {}))
            row.results[solution.id] = fact.result
    for row in rows.values():
        for solution in solutions:
            row.results.setdefault(solution.id, None)
    return list(rows.values())


def compare_url_ids(ids: list[int], without: int | None = None) -> list[int]:
    """The ids for a compare link, leaving one out."""
    return [solution_id for solution_id in ids if solution_id != without]


@bp.get("/compare")
def compare() -> str:
    """Two to four published solutions side by side; the ids come in the query string."""
    comparison = build_comparison(
        request.args.getlist("ids"), request.args.get("norm", "").strip()[:40]
    )
    vulnerabilities = open_vulnerabilities(comparison.ids)
    differing = (
        comparison.differing_rows({key: len(found) for key, found in vulnerabilities.items()})
        if len(comparison.solutions) >= MIN_COMPARED
        else set()
    )
    return render_template(
        "catalog/compare.html",
        comparison=comparison,
        region_names=REGIONS,
        max_compared=MAX_COMPARED,
        without=compare_url_ids,
        vulnerabilities=vulnerabilities,
        differing=differing,
    )
