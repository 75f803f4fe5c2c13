"""The vendor's application for an evaluation, completed with the keyboard alone.

A new vendor (registered, approved and given a published solution through the forms) reaches
the application form from "My evaluations" and fills and sends it with Tab, Shift+Tab, the
arrow keys, Space and Enter: no mouse click. Every control it stops on shows its focus.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.browser.browser_support import (
    SolutionDraft,
    accept_agreement,
    approve_organisation,
    check_accessibility,
    choose_with_arrows,
    create_published_solution,
    focused_element,
    has_visible_focus,
    login_as,
    register_organisation,
    screenshot,
    tab_to,
)

pytestmark = pytest.mark.browser

PASSWORD = "a long keyboard application passphrase"


def _focus_shows(page: Page, target: Locator) -> None:
    expect(target).to_be_focused()
    assert has_visible_focus(target), f"no visible focus indicator on {focused_element(page)}"


def _option_starting(select: Locator, prefix: str) -> str:
    texts = [text.strip() for text in select.locator("option").all_inner_texts()]
    matching = [text for text in texts if text.startswith(prefix)]
    assert matching, f"no option starting with {prefix!r} among {texts}"
    return matching[0]


def test_the_application_form_works_with_the_keyboard_alone(
    new_context: Callable[..., BrowserContext],
) -> None:
    suffix = secrets.token_hex(3)
    organisation = f"Keyway Sirens {suffix}"
    email = f"kay-{suffix}@keyway-sirens.example"
    first = f"Keyway Siren Relay {suffix}"
    second = f"Keyway Cell Broadcast {suffix}"

    vendor = new_context().new_page()
    register_organisation(vendor, organisation, email, PASSWORD, full_name="Kay Keyway")
    approve_organisation(new_context(account="authority").new_page(), organisation)
    login_as(vendor, email, PASSWORD)
    create_published_solution(vendor, SolutionDraft(first))
    create_published_solution(vendor, SolutionDraft(second))
    accept_agreement(vendor)

    # From here on: keys only.
    vendor.goto("/evaluations/")
    keyboard = vendor.keyboard
    keyboard.press("Tab")
    skip = vendor.get_by_role("link", name="Skip to main content")
    _focus_shows(vendor, skip)
    keyboard.press("Enter")
    apply_link = vendor.get_by_role("link", name="Apply for an evaluation")
    tab_to(vendor, apply_link, max_presses=10)
    _focus_shows(vendor, apply_link)
    keyboard.press("Enter")
    expect(vendor.get_by_role("heading", level=1)).to_have_text("Apply for an evaluation")

    solutions = vendor.get_by_label("Solution")
    products = vendor.get_by_label("Version to evaluate")
    versions = vendor.get_by_label("Norm version")
    button = vendor.get_by_role("button", name="Start the application")
    tab_to(vendor, solutions)
    _focus_shows(vendor, solutions)
    # The options are in the order the service lists them; the arrows reach the second one.
    choose_with_arrows(vendor, solutions, second)
    keyboard.press("Tab")
    _focus_shows(vendor, products)
    choose_with_arrows(vendor, products, _option_starting(products, f"{second} — version 1.0"))
    keyboard.press("Tab")
    _focus_shows(vendor, versions)
    choose_with_arrows(vendor, versions, _option_starting(versions, "ALERT-CAP v1 — "))
    keyboard.press("Tab")
    _focus_shows(vendor, button)
    # Back to check the solution, then forward again, as a careful keyboard user does.
    keyboard.press("Shift+Tab")
    keyboard.press("Shift+Tab")
    keyboard.press("Shift+Tab")
    _focus_shows(vendor, solutions)
    expect(solutions.locator("option:checked")).to_have_text(second)
    tab_to(vendor, button, max_presses=4)
    screenshot(vendor, "keyboard-application-form")
    check_accessibility(vendor, "keyboard-application-form")
    keyboard.press("Enter")

    expect(vendor.get_by_role("status")).to_contain_text(
        "Your application is saved as a draft. Attach evidence, then submit."
    )
    expect(vendor.get_by_role("heading", level=1)).to_have_text(
        re.compile(rf"^{re.escape(second)} against ALERT-CAP v1$")
    )
    expect(vendor.get_by_text("Draft", exact=True)).to_be_visible()
    # The evidence form that follows is reachable by the keyboard too.
    upload = vendor.get_by_role("button", name="Upload")
    tab_to(vendor, upload, max_presses=40)
    _focus_shows(vendor, upload)
