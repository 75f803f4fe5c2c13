"""The public catalog page: free text, facets with counts, certified-only by default."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, render_template, request
from werkzeug.datastructures import MultiDict

from catalog.lists.views import compare_basket
from catalog.models import PriceBand
from catalog.regions import REGIONS
from catalog.search import index
from catalog.search.query import SearchResult, clean_filters, query
from registry.models import VendorSize
from registry.priorities.services import activities, categories

bp = Blueprint("catalog_search", __name__)

PER_PAGE = 20
MAX_PAGE = 10_000
FACET_TITLES = {
    "category": "Technology category",
    "activities": "Security activity",
    "label_level": "Label level",
    "norms": "Norm",
    "vendor_size": "Vendor size",
    "regions": "Region",
    "standards": "Standard",
    "price_band": "Price band",
    "privacy": "Privacy",
    "recertification": "Re-certification",
}
SORT_TITLES = {"relevance": "Relevance", "newest_label": "Newest label", "name": "Name"}
# A long facet group shows its most frequent values first and this many of them; "Show all"
# (the `all` parameter, or the script without a reload) lists the rest.
FACET_SHOWN = 6
# Groups that start open; any other group opens once one of its values is chosen.
OPEN_FACETS = frozenset({"category", "activities", "label_level"})


@dataclass
class SearchArguments:
    """What a catalog URL asks for, read forgivingly (bad values are dropped, never errors)."""

    text: str
    filters: dict[str, set[str]]
    certified_only: bool
    sort: str
    page: int

    def engine_filters(self) -> dict[str, set[str]]:
        """The filters as query takes them (certified-only becomes a facet filter)."""
        filters = dict(self.filters)
        if self.certified_only:
            filters["certified"] = {"yes"}
        return filters

    def url_args(self) -> dict[str, Any]:
        """The arguments that reproduce this search (for links and pagination)."""
        args: dict[str, Any] = {name: sorted(values) for name, values in self.filters.items()}
        if self.text:
            args["q"] = self.text
        if not self.certified_only:
            args["certified"] = "0"
        if self.sort != "relevance":
            args["sort"] = self.sort
        return args


def read_arguments(args: MultiDict[str, str]) -> SearchArguments:
    """Parse the query string of the catalog page or the search API."""
    text = args.get("q", "")[: index.MAX_QUERY_CHARS * 2].strip()
    fields = [name for name in index.FACET_FIELDS if name != "certified"]
    filters = clean_filters({name: args.getlist(name) for name in [*fields, *index.FILTER_FIELDS]})
    flags = args.getlist("certified")
    # The page's checkbox sends "1" after a hidden "0": "1" wins, a lone "0" turns it off.
    certified_only = "1" in flags or "0" not in flags
    sort = args.get("sort", "relevance")
    if sort not in index.SORTS:
        sort = "relevance"
    try:
        page = min(max(1, int(args.get("page", "1"))), MAX_PAGE)
    except ValueError:
        page = 1
    return SearchArguments(text, filters, certified_only, sort, page)


def value_names() -> dict[str, dict[str, str]]:
    """Human names of the facet values that are codes."""
    return {
        "category": {c.code: c.name for c in categories()},
        "activities": {a.code: a.name for a in activities()},
        "regions": dict(REGIONS),
        "price_band": {band.value: band.label for band in PriceBand},
        "vendor_size": {size.value: size.label for size in VendorSize},
        "privacy": {"yes": "Privacy-sensitive", "no": "Not privacy-sensitive"},
        "recertification": {"due": "Re-certification due", "current": "Labels up to date"},
        "certified": {"yes": "With a valid label", "no": "Without a valid label"},
    }


def _facet_groups(
    result: SearchResult,
    arguments: SearchArguments,
    names: dict[str, dict[str, str]],
    expanded: set[str],
) -> list[dict[str, Any]]:
    groups = []
    for field, title in FACET_TITLES.items():
        counts = result.facets.get(field, {})
        known = names.get(field, {})
        if known:
            order = {value: position for position, value in enumerate(known)}
            values = sorted(counts, key=lambda v: (order.get(v, len(order)), v))
        else:
            values = sorted(counts, key=lambda v: (-counts[v], v))
        chosen = arguments.filters.get(field, set())
        options = [
            {
                "value": value,
                "name": known.get(value, value),
                "count": counts[value],
                "checked": value in chosen,
                # A chosen value always shows, however far down the list it is.
                "hidden": position >= FACET_SHOWN and value not in chosen and field not in expanded,
            }
            for position, value in enumerate(values)
        ]
        if options:
            groups.append(
                {
                    "field": field,
                    "title": title,
                    "options": options,
                    "hidden_count": sum(1 for option in options if option["hidden"]),
                    "chosen": len(chosen & set(counts)),
                    "open": field in OPEN_FACETS or bool(chosen) or field in expanded,
                }
            )
    return groups


class ResultPage:
    """The attributes _macros/pagination.html expects, for a search result."""

    def __init__(self, result: SearchResult) -> None:
        self.page = result.page
        self.pages = result.pages
        self.total = result.total
        self.has_prev = self.page > 1
        self.has_next = self.page < self.pages
        self.prev_num = self.page - 1
        self.next_num = self.page + 1
        self.first = (self.page - 1) * result.per_page + 1
        self.last = min(self.total, self.page * result.per_page)

    def iter_pages(
        self, left_edge: int = 1, left_current: int = 2, right_current: int = 2, right_edge: int = 1
    ) -> Any:
        """Page numbers with None for gaps, like Flask-SQLAlchemy's Pagination."""
        last = 0
        for number in range(1, self.pages + 1):
            if (
                number <= left_edge
                or self.page - left_current <= number <= self.page + right_current
                or number > self.pages - right_edge
            ):
                if last + 1 != number:
                    yield None
                yield number
                last = number


@bp.get("/catalog")
def catalog() -> str:
    """The searchable catalog of published solutions, certified ones by default."""
    arguments = read_arguments(request.args)
    result = query(
        arguments.text,
        arguments.engine_filters(),
        arguments.sort,
        arguments.page,
        PER_PAGE,
    )
    names = value_names()
    expanded = {field for field in request.args.getlist("all") if field in FACET_TITLES}
    certified_counts = result.facets.get("certified", {})
    # The compare basket travels with every link of the page, as the search does.
    basket = compare_basket()
    search_args = arguments.url_args()
    url_args = {**search_args, "compare": basket} if basket else search_args
    return render_template(
        "catalog/catalog.html",
        arguments=arguments,
        result=result,
        page=ResultPage(result),
        groups=_facet_groups(result, arguments, names, expanded),
        expanded=sorted(expanded),
        names=names,
        sort_titles=SORT_TITLES,
        without_certified=sum(certified_counts.values()),
        basket=basket,
        search_args=search_args,
        url_args=url_args,
        clear_args={k: v for k, v in url_args.items() if k not in arguments.filters},
        versions=sorted(arguments.filters.get("version", ())),
    )
