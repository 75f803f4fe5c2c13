"""The search index: text matching, facets, suggestions, highlights, bad input, the pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalog.label_facts import LabelSummary, NoLabels, register_label_provider
from catalog.search import indexer
from catalog.search.query import query
from registry.models import OrganisationKind, User, VendorSize
from tests.catalog import solution_builders

BAD_INPUTS = [
    "' OR 1=1--",
    "(((",
    "AND NOT",
    "x" * 10_240,
    "<script>alert(1)</script>",
    "*",
    "\x00",
]


@pytest.fixture
def vendor(create_user: Callable[..., User]) -> User:
    """A startup vendor."""
    return create_user(kind=OrganisationKind.VENDOR)


@pytest.fixture
def certified_ids(app: Flask) -> set[int]:
    """Solution ids the test says are certified (a stand-in for the evaluations package)."""
    chosen: set[int] = set()

    class Provider(NoLabels):
        def summaries_for(self, solution_ids: list[int]) -> dict[int, LabelSummary]:
            return {
                i: LabelSummary(
                    certified=True,
                    best_level="Advanced",
                    level_rank=2,
                    norm_codes=["VA-INTEROP"],
                    expiry=dt.date(2030, 1, 1),
                    newest_label_at=dt.datetime(2026, 1, i % 28 + 1, tzinfo=dt.UTC),
                )
                for i in solution_ids
                if i in chosen
            }

    register_label_provider(app, Provider())
    return chosen


def _catalog(vendor: User, certified_ids: set[int]) -> dict[str, Any]:
    harbour = solution_builders.published(
        vendor,
        name="Harbour Watch",
        summary="Detects intrusions with thermal cameras.",
        primary_category="video-analysis",
        description_markdown="Watches **quays** at night.",
    )
    alert = solution_builders.published(
        vendor,
        name="Citizen Alert",
        summary="Sends public alerts to phones.",
        primary_category="public-alert",
        description_markdown="Broadcasts *messages* by cell broadcast.",
        standards=["OASIS CAP 1.2", "IP66 / IK10 (IEC 60529, IEC 62262)"],
        privacy_sensitive=True,
        privacy_features="Data minimisation.",
    )
    draft = solution_builders.draft(vendor, name="Secret Camera Draft", summary="Cameras.")
    certified_ids.add(harbour.id)
    indexer.apply_pending()
    return {"harbour": harbour.id, "alert": alert.id, "draft": draft.id}


def test_stemming_prefix_and_drafts(app: Flask, vendor: User, certified_ids: set[int]) -> None:
    """Word forms and the start of a word match; drafts never appear."""
    ids = _catalog(vendor, certified_ids)
    assert query("camera").ids == [ids["harbour"]]  # "cameras" in the summary
    assert query("detecting intrusion").ids == [ids["harbour"]]
    assert query("therm").ids == [ids["harbour"]]
    assert query("secret").ids == []
    assert query("").total == 2


def test_facets_count_and_filter(app: Flask, vendor: User, certified_ids: set[int]) -> None:
    """Counts per value, OR within a field, certified-only as a filter."""
    ids = _catalog(vendor, certified_ids)
    result = query("", {"certified": ["yes"]})
    assert result.ids == [ids["harbour"]]
    assert result.facets["certified"] == {"yes": 1, "no": 1}  # its own filter is not applied
    assert result.facets["category"] == {"video-analysis": 1}
    assert result.facets["label_level"] == {"Advanced": 1}
    assert result.facets["norms"] == {"VA-INTEROP": 1}
    assert result.facets["vendor_size"] == {VendorSize.STARTUP.value: 1}
    both = query("", {"category": ["video-analysis", "public-alert"]})
    assert both.total == 2
    standard = query("", {"standards": ["IP66 / IK10 (IEC 60529, IEC 62262)"]})
    assert standard.ids == [ids["alert"]]
    assert query("", {"privacy": ["yes"]}).ids == [ids["alert"]]
    assert query("", {"unknown": ["x"], "category": [""]}).total == 2


def test_sorts_and_pages(app: Flask, vendor: User, certified_ids: set[int]) -> None:
    """Name order, newest label first, and pages that slice the same order."""
    ids = _catalog(vendor, certified_ids)
    assert query("", sort="name").ids == [ids["alert"], ids["harbour"]]
    assert query("", sort="newest_label").ids == [ids["harbour"], ids["alert"]]
    second = query("", sort="name", page=2, per_page=1)
    assert second.ids == [ids["harbour"]]
    assert second.pages == 2
    assert query("", page=5, per_page=1).ids == []


def test_fuzzy_retry_and_suggestion(app: Flask, vendor: User, certified_ids: set[int]) -> None:
    """A misspelt word finds close matches and suggests the real word."""
    ids = _catalog(vendor, certified_ids)
    result = query("harbuor")
    assert result.ids == [ids["harbour"]]
    assert result.fuzzy
    assert result.suggestion == "harbour"
    assert query("zzzzqqq").total == 0


def test_highlights_are_segments(app: Flask, vendor: User, certified_ids: set[int]) -> None:
    """Highlights come as (text, matched) pairs so the template escapes every segment."""
    _catalog(vendor, certified_ids)
    hit = query("thermal").hits[0]
    assert ("thermal", True) in hit.highlight
    assert "".join(text for text, _ in hit.highlight) == "Detects intrusions with thermal cameras."


@pytest.mark.parametrize("text", BAD_INPUTS)
def test_bad_input_never_fails(
    app: Flask, client: FlaskClient, vendor: User, certified_ids: set[int], text: str
) -> None:
    """docs/SECURITY.md's bad search input gives results or 'no results', never a 500.

    A NUL is no text at all: the request is refused with a 400 naming the parameter.
    """
    _catalog(vendor, certified_ids)
    query(text, {"category": [text]})
    page = client.get("/catalog", query_string={"q": text, "category": text, "page": text})
    api = client.get("/api/v1/catalog/search", query_string={"q": text, "category": text})
    if "\x00" in text:
        assert page.status_code == 400 and "parameter q" in page.get_data(as_text=True)
        assert api.status_code == 400 and api.json["parameter"] == "q"  # type: ignore[index]
        return
    assert page.status_code == 200
    assert "<script>alert" not in page.get_data(as_text=True)
    assert api.status_code == 200
    assert api.json is not None
    assert set(api.json) >= {"ids", "hits", "facets", "total", "page", "pages", "suggestion"}
    # The API holds per_page to its declared integer type: refused by name, never a default.
    refused = client.get("/api/v1/catalog/search", query_string={"q": text, "per_page": text})
    assert refused.status_code == 400 and refused.json["parameter"] == "per_page"  # type: ignore[index]


def test_catalog_page(
    app: Flask, client: FlaskClient, vendor: User, certified_ids: set[int]
) -> None:
    """Certified only by default, turned off by certified=0; facets and a useful empty state."""
    _catalog(vendor, certified_ids)
    page = client.get("/catalog").get_data(as_text=True)
    assert "Harbour Watch" in page
    assert "Citizen Alert" not in page
    assert "Startup" in page
    everything = client.get("/catalog?certified=0").get_data(as_text=True)
    assert "Citizen Alert" in everything
    assert "Secret Camera Draft" not in everything
    # The page's own form sends a hidden 0 then the ticked 1: still certified only.
    assert "Citizen Alert" not in client.get("/catalog?certified=0&certified=1").get_data(
        as_text=True
    )
    empty = client.get("/catalog?q=alerts").get_data(as_text=True)
    assert "Include solutions without a valid label (1)" in empty
    marked = client.get("/catalog?q=thermal").get_data(as_text=True)
    assert "<mark>thermal</mark>" in marked
    suggestion = client.get("/catalog?q=harbuor").get_data(as_text=True)
    assert "Did you mean" in suggestion


def test_the_catalog_search_keeps_a_compare_basket(
    app: Flask, client: FlaskClient, vendor: User, certified_ids: set[int]
) -> None:
    """Results can be added to the comparison; the basket survives a new search, a facet link
    and the next page, and leads to the compare page."""
    ids = _catalog(vendor, certified_ids)
    first, second = ids["harbour"], ids["alert"]
    page = client.get(f"/catalog?certified=0&compare={first}").get_data(as_text=True)
    assert "1 solution chosen for comparison; choose at least one more" in page
    assert "In the comparison" in page
    assert f'<input type="hidden" name="compare" value="{first}">' in page
    assert f"compare={first}&amp;compare={second}" in page  # the link that adds the second
    basket = f"compare={first}&compare={second}"
    both = client.get(f"/catalog?certified=0&{basket}&category=public-alert")
    text = both.get_data(as_text=True)
    assert f"/compare?ids={first}&amp;ids={second}" in text
    # The search form sends both again; so does the link that clears the filters.
    for chosen in (first, second):
        assert f'<input type="hidden" name="compare" value="{chosen}">' in text
    assert (
        f'href="/catalog?certified=0&amp;compare={first}&amp;compare={second}">Clear the filters'
        in text
    )
    cleared = client.get("/catalog?certified=0&q=alert").get_data(as_text=True)
    assert "chosen for comparison" not in cleared


def test_script_in_a_name_is_escaped(
    app: Flask, client: FlaskClient, vendor: User, certified_ids: set[int]
) -> None:
    """A name with markup is shown as text in hits and highlights."""
    solution = solution_builders.published(
        vendor, name="<script>x</script> Watch", summary='"><img onerror=alert(1)> script'
    )
    certified_ids.add(solution.id)
    indexer.apply_pending()
    body = client.get("/catalog?q=script").get_data(as_text=True)
    assert "&lt;script&gt;x&lt;/script&gt; Watch" in body
    assert "<img onerror" not in body


def test_api_search(app: Flask, client: FlaskClient, vendor: User, certified_ids: set[int]) -> None:
    """The API gives ids, hits, facet counts and paging."""
    ids = _catalog(vendor, certified_ids)
    body = client.get("/api/v1/catalog/search?certified=0&sort=name&per_page=1").json
    assert body is not None
    assert body["ids"] == [ids["alert"]]
    assert body["total"] == 2
    assert body["pages"] == 2
    assert body["facets"]["certified"] == {"yes": 1, "no": 1}
    assert body["hits"][0]["vendor"]["name"] == vendor.organisation.name
    assert body["hits"][0]["certified"] is False


def test_no_index_yet_is_an_empty_catalog(client: FlaskClient) -> None:
    """Before the first indexer run the page and the API answer, with nothing found."""
    assert client.get("/catalog").status_code == 200
    body = client.get("/api/v1/catalog/search?q=x").json
    assert body is not None and body["total"] == 0
