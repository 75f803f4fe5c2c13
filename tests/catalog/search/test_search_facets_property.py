"""Property: for random catalogs and queries, facet counts equal a database count."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from catalog import services
from catalog.label_facts import LabelSummary, NoLabels, register_label_provider
from catalog.models import PriceBand, Solution
from catalog.search import index, indexer
from catalog.search.query import query
from registry.database import db
from registry.models import Organisation, OrganisationKind, User, VendorSize
from tests.catalog import solution_builders

WORDS = ["alpha", "bravo", "charlie", "delta"]
CATEGORIES = ["video-analysis", "cybersecurity", "public-alert"]
ACTIVITIES = ["planning", "intelligence", "feedback"]
REGIONS = ["FR", "FR-BRE", "FR-IDF"]
STANDARDS = ["ONVIF Profile S", "IEC 62443-4-2", "OASIS CAP 1.2"]
LEVELS = ["Certified", "Advanced"]
NORMS = ["VA-INTEROP", "CY-ANOMALY"]

solution_strategy = st.fixed_dictionaries(
    {
        "words": st.lists(st.sampled_from(WORDS), min_size=1, max_size=2, unique=True),
        "vendor": st.integers(0, 1),
        "category": st.sampled_from(CATEGORIES),
        "activities": st.lists(st.sampled_from(ACTIVITIES), min_size=1, max_size=2, unique=True),
        "regions": st.lists(st.sampled_from(REGIONS), min_size=1, max_size=2, unique=True),
        "standards": st.lists(st.sampled_from(STANDARDS), max_size=2, unique=True),
        "price_band": st.sampled_from(list(PriceBand)),
        "privacy": st.booleans(),
        "state": st.sampled_from(["draft", "published", "published", "archived"]),
        "label": st.none() | st.tuples(st.sampled_from(LEVELS), st.sampled_from(NORMS)),
    }
)
query_strategy = st.fixed_dictionaries(
    {
        "word": st.none() | st.sampled_from(WORDS),
        "filters": st.dictionaries(
            st.sampled_from(
                [
                    "category",
                    "activities",
                    "regions",
                    "standards",
                    "privacy",
                    "label_level",
                    "recertification",
                ]
            ),
            st.lists(
                st.sampled_from(
                    [*CATEGORIES, *ACTIVITIES, *REGIONS, *STANDARDS, "yes", *LEVELS, "due"]
                ),
                min_size=1,
                max_size=2,
            ),
            max_size=3,
        ),
    }
)


def _values(solution: Solution, labels: dict[int, tuple[str, str]]) -> dict[str, set[str]]:
    """A solution's facet values, read from the database rows (not from the index)."""
    label = labels.get(solution.id)
    return {
        "category": {solution.primary_category.code} if solution.primary_category else set(),
        "activities": set(solution.activity_codes),
        "regions": set(solution.region_codes),
        "standards": set(solution.standard_codes),
        "price_band": {solution.price_band.value} if solution.price_band else set(),
        "privacy": {"yes" if solution.privacy_sensitive else "no"},
        "vendor_size": {solution.vendor.vendor_size.value}
        if solution.vendor.vendor_size
        else set(),
        "label_level": {label[0]} if label else set(),
        "norms": {label[1]} if label else set(),
        # Labels under the first norm are due for re-certification (see the provider).
        "recertification": {"due" if label[1] == NORMS[0] else "current"} if label else set(),
        "certified": {"yes" if label else "no"},
    }


def _database_counts(
    word: str | None, filters: dict[str, list[str]], labels: dict[int, tuple[str, str]]
) -> tuple[int, dict[str, dict[str, int]]]:
    """Total and facet counts straight from the database, with the same filter semantics."""
    rows = db.session.scalars(services.public_solutions()).all()
    if word:
        rows = [s for s in rows if word in s.name.split() or word in s.summary.split()]
    facts = {s.id: _values(s, labels) for s in rows}

    def passes(solution_id: int, skip: str | None) -> bool:
        return all(
            facts[solution_id][name] & set(values)
            for name, values in filters.items()
            if name != skip
        )

    total = sum(passes(s.id, None) for s in rows)
    counts: dict[str, dict[str, int]] = {}
    for name in index.FACET_FIELDS:
        field_counts: dict[str, int] = {}
        for solution in rows:
            if passes(solution.id, name):
                for value in facts[solution.id][name]:
                    field_counts[value] = field_counts.get(value, 0) + 1
        for value in filters.get(name, []):
            field_counts.setdefault(value, 0)
        counts[name] = field_counts
    return total, counts


def test_facet_counts_match_the_database(
    app: Flask, create_user: Callable[..., User], tmp_path: Any
) -> None:
    """Random catalogs (some drafts and archived) and random filters: index == database."""
    authority_vendors = [create_user(kind=OrganisationKind.VENDOR) for _ in range(2)]
    for user, size in zip(authority_vendors, (VendorSize.STARTUP, VendorSize.LARGE), strict=True):
        organisation = db.session.get(Organisation, user.organisation_id)
        assert organisation is not None
        organisation.vendor_size = size
    db.session.commit()
    labels: dict[int, tuple[str, str]] = {}

    class Provider(NoLabels):
        def summaries_for(self, solution_ids: list[int]) -> dict[int, LabelSummary]:
            return {
                i: LabelSummary(
                    True,
                    labels[i][0],
                    1,
                    [labels[i][1]],
                    dt.date(2030, 1, 1),
                    None,
                    [labels[i][1]] if labels[i][1] == NORMS[0] else [],
                )
                for i in solution_ids
                if i in labels
            }

    register_label_provider(app, Provider())

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        catalog=st.lists(solution_strategy, min_size=1, max_size=8),
        queries=st.lists(query_strategy, min_size=1, max_size=4),
    )
    def check(catalog: list[dict[str, Any]], queries: list[dict[str, Any]]) -> None:
        # Each example starts from an empty catalog and a fresh index folder.
        for solution in db.session.scalars(select(Solution)).all():
            db.session.delete(solution)
        labels.clear()
        db.session.commit()
        index_dir = str(tmp_path / f"index-{secrets.token_hex(4)}")
        for position, item in enumerate(catalog):
            owner = authority_vendors[item["vendor"]]
            name = f"{' '.join(item['words'])} {position}"
            fields = {
                "name": name,
                "summary": f"{item['words'][-1]} summary",
                "primary_category": item["category"],
                "activities": item["activities"],
                "regions": item["regions"],
                "standards": item["standards"],
                "price_band": item["price_band"],
                "privacy_sensitive": item["privacy"],
                "privacy_features": "Masking." if item["privacy"] else "",
            }
            if item["state"] == "draft":
                solution = solution_builders.draft(owner, **fields)
            elif item["state"] == "archived":
                solution = solution_builders.archived(owner, **fields)
            else:
                solution = solution_builders.published(owner, **fields)
            if item["label"]:
                labels[solution.id] = item["label"]
        indexer.rebuild(index_dir)
        for asked in queries:
            result = query(asked["word"] or "", asked["filters"], index_dir=index_dir)
            total, counts = _database_counts(asked["word"], asked["filters"], labels)
            assert result.total == total
            assert result.facets == counts

    check()
