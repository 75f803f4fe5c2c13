"""The header at desktop width: each role's navigation on one line, beside the logo."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.browser_support import DESKTOP, assert_no_sideways_scrolling

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("account", [None, "authority", "evaluator", "vendor", "buyer"])
def test_each_roles_navigation_fits_one_line_at_desktop_width(
    new_context: Callable[..., BrowserContext], account: str | None
) -> None:
    page = new_context(DESKTOP, account=account).new_page()
    page.goto("/dashboard" if account else "/")
    items = page.get_by_role("navigation", name="Primary navigation").locator(
        ".usa-nav__primary > li"
    )
    expect(items.first).to_be_visible()
    boxes = [items.nth(index).bounding_box() for index in range(items.count())]
    tops = {round(box["y"]) for box in boxes if box is not None}
    assert len(tops) == 1, (
        f"the navigation of {account or 'a visitor'} wraps onto {len(tops)} lines"
    )
    # No label is broken over two lines either ("Joint / calls" reads as two links).
    lines = items.locator("span").evaluate_all(
        """spans => spans.map(span => {
            const range = document.createRange();
            range.selectNodeContents(span);
            return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
        })"""
    )
    broken = [text for text, count in zip(items.all_inner_texts(), lines, strict=True) if count > 1]
    assert not broken, f"labels broken over two lines: {broken}"
    container = page.locator(".usa-nav-container").bounding_box()
    last = boxes[-1]
    assert container is not None and last is not None
    assert last["x"] + last["width"] <= container["x"] + container["width"] + 1, (
        "the last link sticks out of the header"
    )
    assert_no_sideways_scrolling(page, f"header of {account or 'a visitor'}")
