"""The buyer's journey in Chromium: search, compare, check a label from its PDF, post a need.

A demo buyer searches the catalog with words and a facet, compares two of the results, opens
the printable label of one of them, reads the verification address the label prints beside
its QR code (pdftotext), opens that address and the verification page, and finally posts a
need from a solution's page and finds it in "My needs". axe checks every page on the way.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.browser_support import (
    DESKTOP,
    PHONE,
    assert_no_sideways_scrolling,
    check_accessibility,
    screenshot,
)

pytestmark = pytest.mark.browser

SEARCH_WORDS = "video"
CATEGORY = "Video protection"
MAX_LIST_PAGES = 10


def _check_at_both_widths(page: Page, name: str) -> None:
    check_accessibility(page, f"{name}-desktop")
    page.set_viewport_size(PHONE)
    check_accessibility(page, f"{name}-phone")
    assert_no_sideways_scrolling(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)


def _flash(page: Page, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def _search_the_catalog(buyer: Page) -> list[str]:
    """Words, then a category facet; return the names of the certified results."""
    buyer.get_by_role("navigation", name="Primary navigation").get_by_role(
        "link", name="Catalog", exact=True
    ).click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text("Catalog")
    search = buyer.get_by_role("search", name="Search the catalog")
    search.get_by_label("Search words").fill(SEARCH_WORDS)
    search.get_by_role("button", name="Search", exact=True).click()
    expect(buyer).to_have_url(re.compile(rf"[?&]q={SEARCH_WORDS}"))
    found = buyer.get_by_text(re.compile(r"^\d+ solutions? found\.$"))
    before = int(found.inner_text().split()[0])

    facet = search.get_by_role("group", name="Technology category")
    # USWDS hides the real checkbox behind its own drawing: the label is what one clicks.
    # Ticking the box reloads the results (the button is for browsers without the script).
    facet.locator("label", has_text=re.compile(rf"^{CATEGORY} \(\d+\)$")).click()
    expect(buyer).to_have_url(re.compile(r"[?&]category=video-protection"))
    expect(facet.get_by_role("checkbox", name=re.compile(rf"^{CATEGORY} "))).to_be_checked()
    expect(search.get_by_label("Search words")).to_have_value(SEARCH_WORDS)
    after = int(found.inner_text().split()[0])
    assert 2 <= after <= before, (before, after)
    items = buyer.locator("li.solution-item")
    expect(items).to_have_count(min(after, 20))
    for index in range(items.count()):
        expect(items.nth(index)).to_contain_text(CATEGORY)
        expect(
            items.nth(index).get_by_text(re.compile(r"^Label: .* \(valid", re.IGNORECASE))
        ).to_be_visible()
    expect(buyer.locator("mark").first).to_be_visible()
    _check_at_both_widths(buyer, "catalog-search")
    screenshot(buyer, "catalog-search")
    return [name.strip() for name in items.get_by_role("heading").all_inner_texts()]


def _compare(buyer: Page, first: str, second: str) -> None:
    """Add two solutions to the comparison from the solution pages and the list, compare."""
    buyer.get_by_role("link", name=first, exact=True).click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text(first)
    buyer.get_by_role("link", name="Add to comparison").click()
    expect(buyer.get_by_text("1 solution chosen for comparison")).to_be_visible()
    add_second = buyer.get_by_role("link", name=f"Add to comparison {second}", exact=True)
    for _ in range(MAX_LIST_PAGES):
        if add_second.count():
            break
        buyer.get_by_role("link", name="Next page").click()
    add_second.click()
    buyer.get_by_role("link", name="compare them now").click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text("Compare solutions")
    table = buyer.get_by_role("table", name=re.compile("The solutions side by side"))
    for name in (first, second):
        expect(table.get_by_role("columnheader", name=re.compile(re.escape(name)))).to_be_visible()
    labels_row = table.get_by_role("row").filter(has=buyer.get_by_role("rowheader", name="Labels"))
    expect(labels_row.get_by_text("Valid", exact=True).first).to_be_visible()
    criteria = buyer.get_by_role("table", name=re.compile("Consolidated evaluation results"))
    expect(criteria.get_by_role("row").nth(1)).to_be_visible()
    _check_at_both_widths(buyer, "catalog-compare")
    screenshot(buyer, "catalog-compare")


def _verification_address(pdf: bytes, folder: Path) -> str:
    """The address the label prints under "Verify at" (what its QR code encodes)."""
    path = folder / "label.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    found = re.search(r"Verify at\s+(https?://\S+)", text)
    assert found, f"no verification address in the label PDF:\n{text}"
    return found.group(1)


def _check_label_from_its_pdf(
    buyer: Page, solution: str, new_context: Callable[..., BrowserContext], folder: Path
) -> None:
    """Open the solution's valid label, read its PDF's address, open it and /verify the PDF."""
    buyer.get_by_role("table", name=re.compile("The solutions side by side")).get_by_role(
        "link", name=solution, exact=True
    ).click()
    labels = buyer.get_by_role("region", name="Certification labels")
    valid_row = labels.get_by_role("row").filter(has=buyer.get_by_text("Valid", exact=True))
    valid_row.first.get_by_role("link", name=re.compile(r"^STR-")).click()
    number = buyer.get_by_role("heading", level=1).inner_text().removeprefix("Label ")
    pdf_link = buyer.get_by_role("link", name="Printable label (PDF)")
    href = pdf_link.get_attribute("href")
    assert href == f"/labels/{number}.pdf", href
    response = buyer.request.get(href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    address = _verification_address(pdf, folder)
    assert address.endswith(f"/labels/{number}"), address

    # A phone that scans the QR code opens the address without any session.
    phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.goto(address)
    expect(phone.get_by_role("heading", level=1)).to_have_text(f"Label {number}")
    expect(phone.get_by_role("status")).to_contain_text("VALID")
    expect(phone.get_by_role("status")).to_contain_text("This label is valid")
    expect(phone.get_by_role("link", name=solution)).to_be_visible()
    check_accessibility(phone, "label-from-qr-phone")
    assert_no_sideways_scrolling(phone, "label-from-qr-phone")
    screenshot(phone, "phone-label-from-qr")

    # The verification page checks the PDF file itself: signature, status lists and dates.
    phone.goto("/verify")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Verify a label")
    check_accessibility(phone, "verify-phone")
    phone.get_by_label("Label file (the .json credential or the .pdf label)").set_input_files(
        {"name": f"{number}.pdf", "mimeType": "application/pdf", "buffer": pdf}
    )
    phone.get_by_role("button", name="Verify").click()
    verdict = phone.get_by_role("status").filter(has=phone.get_by_role("heading", level=2))
    expect(verdict.get_by_role("heading", level=2)).to_have_text("Valid")
    check_accessibility(phone, "verify-verdict-phone")


def _post_a_need(buyer: Page, solution: str) -> None:
    """Start a need like a solution, save it, open it, find it in My needs, withdraw it."""
    title = f"Crowd analytics for the summer festival {secrets.token_hex(3)}"
    buyer.get_by_role("link", name="Start a need like this").click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text("New need")
    # Sent empty first: the errors are listed and the page stays accessible.
    buyer.get_by_role("button", name="Save need").click()
    expect(buyer.get_by_role("alert").filter(has_text="There is a problem")).to_be_visible()
    _check_at_both_widths(buyer, "need-form-errors")
    expect(buyer.get_by_label("Technology category")).to_have_value("video-protection")
    buyer.get_by_label("Short title").fill(title)
    buyer.get_by_label("Norm the solution must be certified against").select_option(label="No norm")
    buyer.get_by_label("Firm quantity").fill("12")
    buyer.get_by_label("Optional extra quantity").fill("4")
    buyer.get_by_label("Maximum unit price (EUR, excluding VAT)").fill("1800.00")
    need_by = dt.date.today() + dt.timedelta(days=200)
    buyer.get_by_label("Needed by").fill(need_by.isoformat())
    buyer.get_by_label("Notes").fill("Twelve camera feeds at the festival grounds.")
    _check_at_both_widths(buyer, "need-form")
    screenshot(buyer, "need-form")
    buyer.get_by_role("button", name="Save need").click()
    _flash(buyer, f"“{title}” is saved as a draft. Open it when it is ready.")
    expect(buyer.get_by_role("heading", level=1)).to_have_text(title)
    matching = buyer.get_by_role("table", name=re.compile(r"\d+ certified solutions?$"))
    expect(matching.get_by_role("link", name=solution, exact=True)).to_be_visible()
    check_accessibility(buyer, "need-draft")
    buyer.get_by_role("button", name="Open", exact=True).click()
    _flash(buyer, f"“{title}” is open: the next round will consider it.")

    buyer.get_by_role("navigation", name="Primary navigation").get_by_role(
        "link", name="My needs"
    ).click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text("My needs")
    needs = buyer.get_by_role("table", name=re.compile("Your organisation's needs"))
    row = needs.get_by_role("row").filter(has=buyer.get_by_role("link", name=title))
    expect(row).to_contain_text("Open")
    check_accessibility(buyer, "my-needs")

    # Leave the shared demo data as it was: the need leaves the next rounds.
    row.get_by_role("link", name=title).click()
    buyer.get_by_text("Withdraw…", exact=True).click()
    buyer.get_by_role("button", name="Yes, withdraw").click()
    _flash(buyer, f"“{title}” is withdrawn.")


def test_a_buyer_searches_compares_verifies_a_label_and_posts_a_need(
    new_context: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    """Search with a facet → compare two → label PDF → its address → /verify → a need."""
    buyer = new_context(account="buyer").new_page()
    buyer.goto("/dashboard")
    names = _search_the_catalog(buyer)
    first, second = names[0], names[1]
    _compare(buyer, first, second)
    _check_label_from_its_pdf(buyer, first, new_context, tmp_path)
    buyer.get_by_role("link", name=first, exact=True).click()
    _post_a_need(buyer, first)
