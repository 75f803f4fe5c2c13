"""Catalog tools for buyers: folding facets, "Show all", returning to the item just added to
the comparison, the one public list, and the compare page's differences and overall scores."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalog.models import PriceBand
from catalog.search import indexer
from evaluations import catalog_facts
from registry.models import OrganisationKind, User
from tests.catalog.lists_label_builders import make_label
from tests.catalog.solution_builders import published
from tests.norms.norm_builders import published as published_norm

STANDARDS = [f"STD-{letter}" for letter in "ABCDEFGH"]


@pytest.fixture
def vendor(create_user: Callable[..., User]) -> User:
    """A vendor offering the solutions."""
    return create_user(kind=OrganisationKind.VENDOR)


def _group(page: str, field: str) -> str:
    """The HTML of one facet group of the catalog page."""
    found = re.search(
        rf'<details class="facet-group" id="facet-group-{field}"(.*?)</details>', page, re.S
    )
    assert found is not None, f"no {field} group"
    return found.group(0)


def _visible_options(group: str) -> list[str]:
    options = re.findall(
        r'<div class="usa-checkbox facet-option"( hidden)?>\s*<input[^>]*value="([^"]+)"', group
    )
    return [value for hidden, value in options if not hidden]


def _many_standards(vendor: User) -> None:
    """Eight standards; STD-A is the most declared, then STD-B."""
    published(vendor, name="Alpha", standards=["STD-A", "STD-B"])
    published(vendor, name="Beta", standards=["STD-A", "STD-B"])
    published(vendor, name="Gamma", standards=["STD-A", *STANDARDS[2:]])
    indexer.apply_pending()


def test_a_long_facet_group_shows_its_top_values_and_a_way_to_all(
    app: Flask, client: FlaskClient, vendor: User
) -> None:
    _many_standards(vendor)
    page = client.get("/catalog?certified=0").get_data(as_text=True)
    standards = _group(page, "standards")
    # The most declared first, six of the eight, the rest behind "Show all 8".
    assert _visible_options(standards) == ["STD-A", "STD-B", "STD-C", "STD-D", "STD-E", "STD-F"]
    link = re.search(
        r'<a class="facet-show-all" data-facet="standards" href="([^"]+)">Show all 8', standards
    )
    assert link is not None
    # Without the script the link reloads with every value listed, at the same group.
    href = link.group(1).replace("&amp;", "&")
    assert href.endswith("#facet-group-standards") and "all=standards" in href
    expanded = client.get(href.split("#", 1)[0]).get_data(as_text=True)
    assert _visible_options(_group(expanded, "standards")) == STANDARDS
    assert "facet-show-all" not in _group(expanded, "standards")
    assert '<input type="hidden" name="all" value="standards">' in expanded
    # A chosen value shows even below the top six, and its group opens and says so.
    chosen = client.get("/catalog?certified=0&standards=STD-H").get_data(as_text=True)
    group = _group(chosen, "standards")
    assert "STD-H" in _visible_options(group)
    assert group.startswith('<details class="facet-group" id="facet-group-standards" open>')
    assert "(1 chosen)" in group
    # A short group lists everything and offers no "Show all".
    assert "facet-show-all" not in _group(page, "category")


def test_groups_fold_and_filters_keep_an_apply_button(
    app: Flask, client: FlaskClient, vendor: User
) -> None:
    _many_standards(vendor)
    page = client.get("/catalog?certified=0").get_data(as_text=True)
    assert _group(page, "category").startswith(
        '<details class="facet-group" id="facet-group-category" open>'
    )
    assert _group(page, "standards").startswith(
        '<details class="facet-group" id="facet-group-standards">'
    )
    assert '<legend class="usa-sr-only">Standard</legend>' in page
    # The script reloads on a ticked box; the button is there for browsers without it.
    assert 'class="facet-groups" data-auto-submit' in page
    assert ">Apply the filters</button>" in page
    assert "<script>" not in page  # the policy allows no inline script


def test_add_to_comparison_returns_to_the_same_item(
    app: Flask, client: FlaskClient, vendor: User
) -> None:
    first = published(vendor, name="First")
    second = published(vendor, name="Second")
    indexer.apply_pending()
    page = client.get("/catalog?certified=0").get_data(as_text=True)
    add = re.search(r'href="([^"]+)">Add to comparison<span class="usa-sr-only"> Second', page)
    assert add is not None
    href = add.group(1).replace("&amp;", "&")
    assert href.endswith(f"compare={second.id}#solution-{second.id}")
    after = client.get(href.split("#", 1)[0]).get_data(as_text=True)
    item = re.search(rf'<li class="solution-item" id="solution-{second.id}".*?</li>', after, re.S)
    assert item is not None and "In the comparison" in item.group(0)
    # From the solution's own page, too, the catalog opens at the solution just added.
    solution_page = client.get(f"/solutions/{first.id}").get_data(as_text=True)
    assert f'compare={first.id}#solution-{first.id}">Add to comparison' in solution_page


def test_the_former_solution_list_leads_to_the_catalog_for_good(
    app: Flask, client: FlaskClient, vendor: User
) -> None:
    uncertified = published(vendor, name="Unlabelled", primary_category="data-analysis")
    indexer.apply_pending()
    response = client.get("/solutions?category=data-analysis&activity=planning&compare=7&compare=9")
    assert response.status_code == 301
    assert response.headers["Location"] == (
        "/catalog?certified=0&category=data-analysis&activities=planning&compare=7&compare=9"
    )
    # The list showed solutions without a label; where it leads shows them too.
    landed = client.get("/solutions?category=data-analysis", follow_redirects=True)
    assert "Unlabelled" in landed.get_data(as_text=True)
    assert uncertified.id
    assert client.get("/solutions").headers["Location"] == "/catalog?certified=0"


def _header(html: str) -> list[str]:
    nav = html.split('aria-label="Primary navigation"', 1)[1].split("usa-nav__secondary", 1)[0]
    return re.findall(r"<span>([^<]+)</span></a></li>", nav)


def test_one_public_catalog_entry_and_the_vendors_own_list(
    app: Flask, client: FlaskClient, vendor: User, login: Any
) -> None:
    links = _header(client.get("/").get_data(as_text=True))
    assert "Catalog" in links and "Solutions" not in links
    login(client, vendor)
    links = _header(client.get("/dashboard").get_data(as_text=True))
    assert "Catalog" in links and "My solutions" in links and "Solutions" not in links


@pytest.fixture
def compared(app: Flask, create_user: Callable[..., User]) -> dict[str, Any]:
    """Four labelled solutions: two alike but for their scores, two from another vendor."""
    catalog_facts.register(app)
    vendor = create_user(kind=OrganisationKind.VENDOR)
    other = create_user(kind=OrganisationKind.VENDOR)
    evaluator = create_user(kind=OrganisationKind.EVALUATION_BODY)
    norm = published_norm(create_user(kind=OrganisationKind.AUTHORITY))
    solutions = [
        published(vendor, name="North"),
        published(vendor, name="South"),
        published(other, name="East", price_band=PriceBand.UNDER_10K),
        published(other, name="West"),
    ]
    for solution, percent, export in zip(
        solutions, (72.5, 72.5, 90, 55), (4, 4, 5, 3), strict=True
    ):
        make_label(
            solution,
            norm,
            percent=percent,
            evaluator=evaluator,
            scores={"EXPORT": export, "MASK": 3},
        )
    return {"ids": [solution.id for solution in solutions]}


def _row(page: str, title: str) -> str:
    found = re.search(rf"<tr[^>]*><th scope=\"row\">{re.escape(title)}.*?</tr>", page, re.S)
    assert found is not None, title
    return found.group(0)


def test_compare_flags_the_rows_that_differ_in_words(
    app: Flask, client: FlaskClient, compared: dict[str, Any]
) -> None:
    ids = compared["ids"]
    page = client.get("/compare?" + "&".join(f"ids={i}" for i in ids)).get_data(as_text=True)
    assert "Rows marked" in page
    # Two vendors and two price bands differ; the category and the regions do not.
    for title in ("Vendor", "Price band"):
        assert '<span class="compare-differs">Differs</span>' in _row(page, title)
    for title in ("Category", "Regions served", "Privacy"):
        assert "Differs" not in _row(page, title)
    assert "Differs" in _row(page, "EXPORT") and "Differs" not in _row(page, "MASK")
    # Two alike solutions: nothing is flagged, and the page says they are the same.
    alike = client.get(f"/compare?ids={ids[0]}&ids={ids[1]}").get_data(as_text=True)
    assert '<span class="compare-differs">' not in alike.split("</caption>", 1)[1]
    assert "These solutions are the same on every row below." in alike


def test_compare_gives_each_solutions_overall_score_under_the_norm(
    app: Flask, client: FlaskClient, compared: dict[str, Any]
) -> None:
    ids = compared["ids"]
    page = client.get("/compare?" + "&".join(f"ids={i}" for i in ids)).get_data(as_text=True)
    row = _row(page, "Overall score under TEST-NORM")
    assert re.findall(r"<strong>([^<]+)</strong>", row) == ["72.5 %", "72.5 %", "90 %", "55 %"]
    assert "Differs" in row
    same = _row(client.get(f"/compare?ids={ids[0]}&ids={ids[1]}").get_data(as_text=True), "Overall")
    assert "Differs" not in same
