"""Catalog tools in Chromium: four solutions side by side at 1280 px, a facet without "Apply"."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.browser_support import (
    DESKTOP,
    PHONE,
    assert_no_sideways_scrolling,
    screenshot,
)

pytestmark = pytest.mark.browser


def test_four_solutions_fit_side_by_side_and_a_ticked_facet_reloads(
    new_context: Callable[..., BrowserContext],
) -> None:
    page = new_context(DESKTOP).new_page()
    found = page.request.get("/api/v1/catalog/search?certified=0&per_page=4").json()
    ids = found["ids"]
    assert len(ids) == 4, found
    page.goto("/compare?" + "&".join(f"ids={solution_id}" for solution_id in ids))
    table = page.get_by_role("table", name=re.compile("The solutions side by side"))
    expect(table.get_by_role("columnheader")).to_have_count(4)
    assert_no_sideways_scrolling(page, "compare of four")
    box = page.locator(".compare-scroll").first
    assert box.evaluate("el => el.scrollWidth <= el.clientWidth + 1"), "the table scrolls"
    screenshot(page, "catalog-compare-four", max_height=2200)
    # On a narrow screen the table scrolls in its box and the row names stay in view.
    page.set_viewport_size(PHONE)
    box.evaluate("el => { el.scrollLeft = 200; }")
    vendor = table.get_by_role("rowheader", name=re.compile("^Vendor"))
    assert box.evaluate("el => el.scrollLeft") > 0
    left = vendor.evaluate("el => el.getBoundingClientRect().left")
    assert abs(left - box.evaluate("el => el.getBoundingClientRect().left")) <= 2

    # On a phone each badge keeps its words on one line; a row of badges wraps between them.
    page.goto("/catalog")
    lines = page.locator(".solution-item__meta .usa-tag:not(.recertification-due)").evaluate_all(
        """tags => tags.map(tag => {
            const range = document.createRange();
            range.selectNodeContents(tag);
            return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
        })"""
    )
    assert lines and max(lines) == 1, lines
    assert_no_sideways_scrolling(page, "catalog on a phone")
    page.set_viewport_size(DESKTOP)

    page.goto("/catalog?certified=0")
    screenshot(page, "catalog-facets", max_height=1400)
    facet = page.get_by_role("group", name="Technology category")
    facet.locator("label").first.click()
    expect(page).to_have_url(re.compile(r"[?&]category="))
    expect(facet.get_by_role("checkbox").first).to_be_checked()
