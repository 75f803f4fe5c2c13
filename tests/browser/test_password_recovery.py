"""A vendor's only user forgets the password and sets a new one through the mailed link."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.browser_support import (
    approve_organisation,
    link_from_outbox,
    login_as,
    register_organisation,
    screenshot,
)

pytestmark = pytest.mark.browser

FIRST_PASSWORD = "the first long passphrase"
NEW_PASSWORD = "a second long passphrase"


def test_a_forgotten_password_is_set_again_through_the_outbox(
    new_context: Callable[..., BrowserContext],
) -> None:
    """Forgot password → mailed link → new password → the old one and old sessions are dead."""
    suffix = secrets.token_hex(3)
    organisation = f"Forgetful Labs {suffix}"
    email = f"ada-{suffix}@forgetful-labs.example"
    vendor = new_context().new_page()
    register_organisation(vendor, organisation, email, FIRST_PASSWORD)
    approve_organisation(new_context(account="authority").new_page(), organisation)
    login_as(vendor, email, FIRST_PASSWORD)

    stranger = new_context().new_page()
    stranger.goto("/login")
    stranger.get_by_role("link", name="Forgot your password?").click()
    screenshot(stranger, "forgot-password")
    stranger.get_by_label("E-mail address").fill(email)
    stranger.get_by_role("button", name="Send me a link").click()
    expect(stranger.get_by_role("heading", level=1)).to_have_text("Check your e-mail")

    link = link_from_outbox(stranger, email, "Set a new password")
    stranger.goto(link)
    expect(stranger.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    stranger.get_by_label("New password").fill(NEW_PASSWORD)
    stranger.get_by_role("button", name="Set the new password").click()
    expect(stranger.get_by_role("status")).to_contain_text("Your new password is set")

    # The session opened with the old password is over; the old password no longer works.
    vendor.goto("/dashboard")
    expect(vendor).to_have_url(re.compile(r"/login"))
    vendor.get_by_label("E-mail address", exact=True).fill(email)
    vendor.get_by_label("Password", exact=True).fill(FIRST_PASSWORD)
    vendor.get_by_role("button", name="Sign in", exact=True).click()
    expect(vendor.get_by_role("alert")).to_be_visible()
    login_as(vendor, email, NEW_PASSWORD)

    # The link works once.
    stranger.goto(link)
    expect(stranger.get_by_role("heading", level=1)).to_have_text(
        "This link does not work any more"
    )
