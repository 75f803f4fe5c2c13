"""An appeal in Chromium: a vendor appeals a revocation, an independent officer upholds it and
the label is valid again, its public history naming the appeal.

Set up through the label builders in the live server's database: a label of the demo vendor
vigilis@, revoked by authority@ (proposing) and a second officer (confirming). In the browser
the vendor appeals from the label page; authority@ acknowledges it and assigns a handler, and
the list of handlers leaves out both officers who revoked the label; deputy@ upholds the appeal
with reinstatement; the public label page says VALID and its history shows the appeal.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from registry.database import db
from registry.demo import AUTHORITY_EMAIL, DEMO_DOMAIN, DEMO_TOTP_SECRETS, DEPUTY_EMAIL
from registry.models import User
from tests.browser.browser_support import check_accessibility, login_as
from tests.browser.conftest import LiveServer
from tests.evaluations.labels import label_builders

pytestmark = pytest.mark.browser

VENDOR = f"vigilis@{DEMO_DOMAIN}"
EVALUATOR = f"lnes@{DEMO_DOMAIN}"


def _flash(page: Page, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def _choose(page: Page, label: str) -> None:
    """Tick a radio button or checkbox by its label (USWDS hides the input itself)."""
    page.locator("label", has_text=re.compile(f"^{re.escape(label)}$")).click()
    expect(page.get_by_label(label, exact=True)).to_be_checked()


def _server_app(live_server: LiveServer) -> Any:
    return live_server.application()


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    assert user is not None
    return user


def _revoked_label(live_server: LiveServer) -> tuple[str, str]:
    """(label number, the confirming officer's name) of a revoked label of vigilis@."""
    app = _server_app(live_server)
    with app.test_request_context():
        world = label_builders.LabelWorld(
            authority=_user(AUTHORITY_EMAIL),
            vendor=_user(VENDOR),
            evaluators=[_user(EVALUATOR)],
            version=label_builders.published_version(f"APL-{secrets.token_hex(2).upper()}"),
        )
        label = label_builders.issued_label(world, solution_name="Appeal Watch Camera")
        label_builders.revoke(world, label, "The delivered model differs from the certified one.")
        db.session.commit()
        found = label.number, label_builders.second_officer(world).full_name
        db.session.remove()
        db.engine.dispose()
    return found


def test_a_vendor_appeals_a_revocation_and_an_independent_officer_reinstates_the_label(
    new_context: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    number, confirming_officer = _revoked_label(live_server)

    vendor = new_context(account="vendor").new_page()
    vendor.goto(f"/labels/{number}")
    expect(vendor.get_by_role("status")).to_contain_text("REVOKED")
    vendor.get_by_role("link", name="Appeal the revocation").click()
    check_accessibility(vendor, "appeal-form")
    vendor.get_by_label("Grounds of the appeal").fill(
        "The buyer's unit carried a reseller's sticker over the model plate; its serial number "
        "is that of the certified configuration."
    )
    vendor.get_by_role("button", name="File the appeal").click()
    _flash(vendor, "Your appeal was filed as APL-")
    reference = vendor.get_by_role("heading", level=1).inner_text().removeprefix("Appeal ")
    assert re.fullmatch(r"APL-\d{4}-\d{5}", reference)

    authority = new_context(account="authority").new_page()
    authority.goto("/dashboard")
    authority.get_by_role("link", name="Complaints and appeals").click()
    authority.get_by_role("link", name=reference, exact=True).click()
    authority.get_by_role("button", name="Acknowledge").click()
    _flash(authority, f"{reference} acknowledged.")
    handlers = authority.get_by_label("Handler")
    options = handlers.locator("option").all_inner_texts()
    # Neither officer who revoked the label may handle the appeal.
    assert "Authority demo officer" not in options and confirming_officer not in options
    handlers.select_option(label="Authority deputy officer")
    check_accessibility(authority, "appeal-case-authority")
    authority.get_by_role("button", name="Assign").click()
    _flash(authority, f"Authority deputy officer handles {reference}.")

    deputy = new_context().new_page()
    login_as(deputy, DEPUTY_EMAIL, totp_secret=DEMO_TOTP_SECRETS[DEPUTY_EMAIL])
    deputy.goto(f"/complaints/{reference}")
    _choose(deputy, "Upheld")
    deputy.get_by_label("Reasons").fill(
        "The serial number matches the certified configuration: the revocation rested on a "
        "misidentified unit."
    )
    _choose(deputy, "Reinstatement of the label")
    _choose(deputy, "I confirm the outcome and its effects; they apply at once.")
    check_accessibility(deputy, "appeal-case-decide")
    deputy.get_by_role("button", name="Record the outcome").click()
    _flash(deputy, f"{reference} decided.")
    expect(deputy.locator(".case-status")).to_contain_text("Decided: upheld")

    visitor = new_context().new_page()
    visitor.goto(f"/labels/{number}")
    expect(visitor.get_by_role("status")).to_contain_text("VALID")
    history = visitor.get_by_role("table", name=re.compile("Every change of this label"))
    expect(history).to_contain_text(f"Reinstated on appeal {reference}")
