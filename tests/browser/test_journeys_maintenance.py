"""Maintenance of a label in Chromium: a new version joins the certified scope.

A demo vendor holding a valid label declares a new version of the labelled solution, then asks
from the label page that it join the label's scope (impact analysis, one touched criterion). The
authority routes it as a minor change to a demo evaluator, who declares no conflict, scores the
touched criterion and submits; the authority approves. A demo buyer then finds the new version in
the label's certified scope on the public label page, in the catalog filtered by that version
(the search index follows within seconds) and on the compare page. axe checks the new pages.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from registry.demo import DEMO_DOMAIN, DEMO_TOTP_SECRETS
from tests.browser.browser_support import (
    check_accessibility,
    declare_version,
    login_as,
    screenshot,
)

pytestmark = pytest.mark.browser

# A demo vendor and solution no other journey touches; the version is new to the demo data.
VENDOR = f"interop@{DEMO_DOMAIN}"
SOLUTION = "Interop Bridge Connect"
NEW_VERSION = "2.3"
EVALUATOR = f"lnes@{DEMO_DOMAIN}"
EVALUATOR_BODY = "Laboratoire National d'Essais Sécurité"
# The search indexer applies a change within 2 s; a busy machine gets some slack.
INDEX_SECONDS = 15


def _flash(page: Page, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def _with_version(text: str) -> re.Pattern[str]:
    """A link's name: the text, then the new version read out to screen readers only."""
    return re.compile(rf"^{re.escape(text)}\s*, version {re.escape(NEW_VERSION)}$")


def _vendor_declares(vendor: Page, released: dt.date) -> tuple[str, str]:
    """Declare the version on the solution, then ask for it on the label; (label, criterion)."""
    login_as(vendor, VENDOR)
    vendor.get_by_role("navigation", name="Primary navigation").get_by_role(
        "link", name="My solutions"
    ).click()
    vendor.get_by_role("link", name=SOLUTION, exact=True).click()
    expect(vendor.get_by_role("heading", level=1)).to_have_text(SOLUTION)
    declare_version(vendor, NEW_VERSION, released)
    vendor.get_by_role("link", name="view the public page").click()
    labels = vendor.get_by_role("table", name=re.compile(f"Labels of {SOLUTION}"))
    labels.get_by_role("link", name=re.compile(r"^STR-")).first.click()
    number = vendor.get_by_role("heading", level=1).inner_text().removeprefix("Label ")
    vendor.get_by_role("link", name="Declare a new version for this label").click()
    expect(vendor.get_by_role("heading", level=1)).to_have_text(
        f"Declare a new version for label {number}"
    )
    check_accessibility(vendor, "maintenance-declare")
    vendor.get_by_label("New version").select_option(
        label=f"{NEW_VERSION} (released {released.isoformat()})"
    )
    vendor.get_by_label("Impact analysis").fill(
        "The message broker library moved to a bug-fix release; the data formats, the "
        "signatures and the audit trail are unchanged."
    )
    touched = vendor.get_by_role("group", name="Criteria the change touches")
    # USWDS draws its own boxes and moves the real inputs out of sight: click the label.
    first = touched.locator("label").first
    criterion = first.inner_text().split(" — ")[0].strip()
    first.click()
    expect(touched.get_by_role("checkbox").first).to_be_checked()
    security = vendor.get_by_role("group", name="Is the change security relevant?")
    security.locator("label", has_text=re.compile(r"^No$")).click()
    vendor.get_by_role("button", name="Send to the authority").click()
    _flash(vendor, "Your maintenance request is filed")
    expect(vendor.get_by_role("heading", level=1)).to_have_text(
        f"Maintenance of label {number}: version {NEW_VERSION}"
    )
    check_accessibility(vendor, "maintenance-request-vendor")
    return number, criterion


def _authority_routes(authority: Page, number: str) -> str:
    """From the dashboard's queue, route the request as minor; return its address."""
    authority.goto("/dashboard")
    authority.get_by_role("link", name="Maintenance requests", exact=True).click()
    queue = authority.get_by_role("table", name=re.compile("Maintenance requests"))
    expect(queue).to_be_visible()
    check_accessibility(authority, "maintenance-queue")
    queue.get_by_role("link", name=_with_version(number)).click()
    expect(authority.get_by_role("heading", level=1)).to_have_text(
        f"Maintenance of label {number}: version {NEW_VERSION}"
    )
    check_accessibility(authority, "maintenance-request-declared")
    authority.get_by_role("group", name="Route as").locator(
        "label", has_text="Minor change"
    ).click()
    evaluator = authority.get_by_label("Evaluator (minor change)")
    option = evaluator.locator("option", has_text=EVALUATOR_BODY).first
    evaluator.select_option(option.get_attribute("value"))
    due = dt.date.today() + dt.timedelta(days=14)
    authority.get_by_label("Review due date (minor change)").fill(due.isoformat())
    authority.get_by_role("button", name="Route", exact=True).click()
    _flash(authority, "Routed:")
    expect(authority.get_by_text("Review due")).to_be_visible()
    return authority.url


def _evaluator_reviews(evaluator: Page, criterion: str) -> None:
    """My assignments → the review: no conflict, score the touched criterion, submit."""
    login_as(evaluator, EVALUATOR, totp_secret=DEMO_TOTP_SECRETS[EVALUATOR])
    evaluator.get_by_role("navigation", name="Primary navigation").get_by_role(
        "link", name="My assignments"
    ).click()
    reviews = evaluator.get_by_role("table", name=re.compile("Delta reviews of new versions"))
    reviews.get_by_role("link", name=_with_version(SOLUTION)).click()
    expect(evaluator.get_by_role("heading", level=1)).to_have_text(
        f"Maintenance review: {SOLUTION} {NEW_VERSION}"
    )
    check_accessibility(evaluator, "maintenance-review-declare")
    evaluator.locator("label", has_text="No, I have no conflict of interest").click()
    evaluator.get_by_role("button", name="Record my declaration").click()
    _flash(evaluator, "Declaration recorded.")
    section = evaluator.get_by_role("region", name=re.compile(f"^{re.escape(criterion)} — "))
    value = section.get_by_label(re.compile(r"^Your (score|verdict)$"))
    is_pass_fail = value.locator("option[value='pass']").count() > 0
    value.select_option("pass" if is_pass_fail else "4")
    section.get_by_label("Justification").fill(
        f"{criterion} re-tested on version {NEW_VERSION}: the behaviour is unchanged."
    )
    evaluator.get_by_role("button", name="Save scores").click()
    _flash(evaluator, "Saved (1 criteria).")
    check_accessibility(evaluator, "maintenance-review-scored")
    evaluator.get_by_label("Review summary").fill(
        "The touched criterion was re-tested on the new version; nothing changed."
    )
    evaluator.get_by_role("button", name="Submit the review").click()
    _flash(evaluator, "Your review is submitted")


def _authority_approves(authority: Page, address: str) -> None:
    authority.goto(address)
    authority.get_by_role("group", name="Decision").locator("label", has_text="Approve").click()
    authority.get_by_label("Reason").fill("The delta review confirms the certified properties.")
    check_accessibility(authority, "maintenance-request-reviewed")
    authority.get_by_role("button", name="Record the decision").click()
    _flash(authority, "Decided:")
    screenshot(authority, "maintenance-approved")


def _buyer_sees_the_scope(buyer: Page, number: str) -> None:
    buyer.goto(f"/labels/{number}")
    expect(buyer.locator("dd.certified-versions")).to_contain_text(NEW_VERSION)
    scope = buyer.get_by_role("table", name=re.compile("Certified versions"))
    expect(scope.get_by_role("rowheader", name=NEW_VERSION, exact=True)).to_be_visible()
    screenshot(buyer, "maintenance-label-scope")

    hit = buyer.locator("li.solution-item").filter(
        has=buyer.get_by_role("link", name=SOLUTION, exact=True)
    )
    buyer.goto(f"/catalog?version={NEW_VERSION}")
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=INDEX_SECONDS)
    while hit.count() == 0 and dt.datetime.now(dt.UTC) < deadline:
        buyer.wait_for_timeout(250)
        buyer.reload()
    expect(hit).to_have_count(1)
    expect(buyer.locator("li.solution-item")).to_have_count(1)
    expect(hit.locator(".certified-versions")).to_contain_text(NEW_VERSION)
    check_accessibility(buyer, "catalog-version-filter")

    hit.get_by_role("link", name=f"Add to comparison {SOLUTION}").click()
    buyer.goto(buyer.url.replace(f"version={NEW_VERSION}", "q=Interop+Bridge"))
    others = buyer.locator(".solution-item__compare a")
    others.first.click()
    buyer.get_by_role("link", name="compare them now").click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text("Compare solutions")
    table = buyer.get_by_role("table", name=re.compile("The solutions side by side"))
    versions = table.get_by_role("row").filter(
        has=buyer.get_by_role("rowheader", name="Certified versions")
    )
    # The solution added first is the first column.
    expect(versions.locator("td").first).to_contain_text(NEW_VERSION)
    screenshot(buyer, "maintenance-compare")


def test_a_new_version_joins_a_label_through_a_minor_maintenance(
    new_context: Callable[..., BrowserContext],
) -> None:
    """Declare a version → ask for it on the label → route → review → approve → public scope."""
    released = dt.date.today() - dt.timedelta(days=3)
    vendor = new_context().new_page()
    number, criterion = _vendor_declares(vendor, released)

    authority = new_context(account="authority").new_page()
    address = _authority_routes(authority, number)

    evaluator = new_context().new_page()
    _evaluator_reviews(evaluator, criterion)

    _authority_approves(authority, address)
    expect(authority.get_by_text("Approved").first).to_be_visible()

    vendor.reload()
    expect(vendor.get_by_text(f"{NEW_VERSION} (released")).to_be_visible()

    buyer = new_context(account="buyer").new_page()
    _buyer_sees_the_scope(buyer, number)
