"""The authority's to-do queue on the demo data: counted in the header, listed on the
dashboard, readable at phone width, and each item leads to where the work is done."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.browser_support import (
    DESKTOP,
    PHONE,
    assert_no_sideways_scrolling,
    check_accessibility,
    screenshot,
)

pytestmark = pytest.mark.browser


def test_the_authority_follows_the_first_item_of_its_queue(
    new_context: Callable[..., BrowserContext],
) -> None:
    page = new_context(PHONE, account="authority").new_page()
    page.goto("/dashboard")
    queue = page.locator("#todo")
    expect(queue.get_by_role("heading", name="To do", exact=True)).to_be_visible()
    summary = queue.locator("p").first.inner_text()
    match = re.match(r"(\d+) items? waiting for you", summary)
    assert match is not None, f"no count in the queue: {summary!r}"
    total = int(match.group(1))
    assert total > 0
    header_count = page.locator('[data-badge="todo"] .count-badge').first.inner_text()
    assert int(header_count) == total
    assert_no_sideways_scrolling(page, "authority's to-do queue")
    check_accessibility(page, "authority-todo-queue")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "dashboard-authority-queue", max_height=1400)

    first = queue.locator(".todo-list a").first
    destination = first.get_attribute("href")
    assert destination
    first.click()
    expect(page).to_have_url(re.compile(re.escape(destination) + "$"))
    expect(page.locator("h1")).to_be_visible()
