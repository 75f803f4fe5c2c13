"""Revocation by two officers in Chromium: authority@ proposes, deputy@ confirms or refuses.

The authority proposes to revoke a suspended demo label and finds it waiting for a second
officer, without a way to confirm it itself; the deputy finds it from the dashboard, confirms in
the confirmation step, and the public page says REVOKED. The deputy then refuses the demo's
other proposal with a note, and that label stays valid. axe checks the new pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from registry.demo import DEMO_TOTP_SECRETS, DEPUTY_EMAIL
from tests.browser.browser_support import check_accessibility, login_as

pytestmark = pytest.mark.browser


def _flash(page: Page, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def test_two_officers_revoke_a_label_and_a_refusal_changes_nothing(
    new_context: Callable[..., BrowserContext],
) -> None:
    """Propose (authority@) → waiting → dashboard list (deputy@) → confirm → public REVOKED."""
    authority = new_context(account="authority").new_page()
    authority.goto("/labels?status=suspended")
    authority.get_by_role("link", name=re.compile(r"^STR-")).first.click()
    number = authority.get_by_role("heading", level=1).inner_text().removeprefix("Label ")
    authority.goto(f"/labels/{number}/manage")
    propose = authority.get_by_role("group", name="Propose revocation")
    propose.get_by_label(re.compile("^Public reason")).fill(
        "The certified firmware is no longer the one shipped."
    )
    propose.get_by_label(re.compile("^Emergency")).fill("Buyers install this firmware today.")
    propose.get_by_text("Propose revocation…", exact=True).click()
    propose.get_by_role("button", name=f"Yes, propose revocation {number}").click()
    _flash(authority, "It waits for a second officer.")
    expect(authority.get_by_text("it is waiting for a second officer")).to_be_visible()
    expect(authority.get_by_text("Confirm revocation…")).to_have_count(0)
    check_accessibility(authority, "label-manage-proposed")

    deputy = new_context().new_page()
    login_as(deputy, DEPUTY_EMAIL, totp_secret=DEMO_TOTP_SECRETS[DEPUTY_EMAIL])
    deputy.goto("/dashboard")
    deputy.get_by_role("link", name="Revocation proposals").click()
    proposals = deputy.get_by_role("table", name=re.compile("Pending revocation proposals"))
    expect(proposals).to_contain_text(number)
    check_accessibility(deputy, "revocation-proposals")
    proposals.get_by_role("link", name=number, exact=True).click()
    deputy.get_by_text("Confirm revocation…", exact=True).click()
    expect(deputy.get_by_text("Revocation is final")).to_be_visible()
    check_accessibility(deputy, "label-manage-confirm")
    deputy.get_by_role("button", name=f"Yes, revoke {number}").click()
    _flash(deputy, f"Label {number} is revoked.")

    visitor = new_context().new_page()
    visitor.goto(f"/labels/{number}")
    expect(visitor.get_by_role("status")).to_contain_text("REVOKED")
    expect(visitor.get_by_role("status")).to_contain_text("no longer the one shipped")

    # The demo's other proposal: the deputy refuses it, and the label stays valid.
    deputy.goto("/labels/revocations")
    proposals = deputy.get_by_role("table", name=re.compile("Pending revocation proposals"))
    other = proposals.get_by_role("link", name=re.compile(r"^STR-")).first
    other_number = other.inner_text()
    other.click()
    refuse = deputy.get_by_role("group", name="Refuse")
    refuse.get_by_label("Why you refuse (required, for the proposing officer)").fill(
        "The camera in question is an accessory, not part of the certified model."
    )
    refuse.get_by_text("Refuse…", exact=True).click()
    refuse.get_by_role("button", name="Yes, refuse the revocation").click()
    _flash(deputy, f"Revocation of label {other_number} refused.")
    visitor.goto(f"/labels/{other_number}")
    expect(visitor.get_by_role("status")).to_contain_text("VALID")
