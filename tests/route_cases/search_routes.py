"""Routes of the catalog search: the /catalog page and the search API (public, read-only)."""

from __future__ import annotations

from typing import Any

from catalog.search import indexer
from tests.routing import Case, everyone


def extend_world(world: dict[str, Any]) -> dict[str, int]:
    """Index what the other route cases published, so the pages render real hits."""
    indexer.apply_pending()
    return {}


CASES = [
    Case("catalog_search.catalog", "GET", "/catalog", everyone(200)),
    Case(
        "catalog_search.catalog",
        "GET",
        "/catalog?q=published&certified=0&sort=name&category=video-analysis&privacy=no",
        everyone(200),
    ),
    Case("catalog_search.catalog", "GET", "/catalog?q=%27+OR+1%3D1--&page=99999", everyone(200)),
    Case("catalog_search.catalog", "GET", "/catalog?q=(((&sort=x&page=-1", everyone(200)),
    Case("catalog_search_api.catalog_search", "GET", "/api/v1/catalog/search", everyone(200)),
    Case(
        "catalog_search_api.catalog_search",
        "GET",
        "/api/v1/catalog/search?q=AND+NOT&certified=0&per_page=7&regions=FR",
        everyone(200),
    ),
    Case(
        "catalog_search_api.catalog_search",
        "GET",
        "/api/v1/catalog/search?q=AND+NOT&certified=0&per_page=abc&regions=FR",
        everyone(400),
    ),
]
