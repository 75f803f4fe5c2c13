"""Registry journeys in Chromium: register, approve, invite, suspend; and axe on the key pages."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from registry.demo import AUTHORITY_EMAIL, DEMO_PASSWORD, DEMO_TOTP_SECRETS
from tests.browser.browser_support import (
    AccessibilityCase,
    check_accessibility_case,
    choose_with_arrows,
    link_from_outbox,
    login_as,
    screenshot,
    send_form_empty,
    tab_to,
)

pytestmark = pytest.mark.browser

PASSWORD = "a long keyboard passphrase"
AUTHORITY_TOTP = DEMO_TOTP_SECRETS[AUTHORITY_EMAIL]


def _register_with_keyboard_only(page: Page, organisation: str, email: str) -> None:
    """Fill and send the registration form with Tab, typing, arrows, Enter and Space only."""
    keyboard = page.keyboard
    page.goto("/register")
    screenshot(page, "register")
    # The first Tab reaches the skip link, which moves the focus past the navigation.
    keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    keyboard.press("Enter")
    tab_to(page, page.get_by_label("Organisation name"), max_presses=3)
    keyboard.type(organisation)
    keyboard.press("Tab")
    expect(page.get_by_label("Kind of organisation")).to_be_focused()
    expect(page.get_by_label("Kind of organisation")).to_have_value("vendor")
    keyboard.press("Tab")
    choose_with_arrows(page, page.get_by_label("Company size (vendors)"), "Startup")
    tab_to(page, page.get_by_label("Kind of company identifier"), max_presses=6)
    choose_with_arrows(
        page, page.get_by_label("Kind of company identifier"), "SIREN (France, 9 digits)"
    )
    keyboard.press("Tab")
    expect(page.get_by_label("Company identifier", exact=True)).to_be_focused()
    keyboard.type("732 829 320")
    tab_to(page, page.get_by_label("Your full name"), max_presses=8)
    keyboard.type("Ada Keyboard")
    keyboard.press("Tab")
    keyboard.type("ada.at.keyboard-labs.example")  # mistyped, to meet the error summary
    keyboard.press("Tab")
    keyboard.type(PASSWORD)
    tab_to(page, page.get_by_role("button", name="Register"), max_presses=3)
    keyboard.press("Enter")

    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_contain_text(
        "Your e-mail address: Enter an e-mail address like name@example.org."
    )
    expect(page.get_by_label("Organisation name")).to_have_value(organisation)
    expect(page.get_by_label("Company size (vendors)")).to_have_value("startup")
    screenshot(page, "register-errors")
    # The next Tab reaches the summary's link, which takes the focus to the field to fix. (The
    # focus is on the summary, or, after the skip link, the sequential navigation starts at
    # <main>: see test_the_error_summary_takes_the_focus.)
    keyboard.press("Tab")
    expect(summary.get_by_role("link", name=re.compile("Your e-mail address"))).to_be_focused()
    keyboard.press("Enter")
    email_field = page.get_by_label("Your e-mail address")
    expect(email_field).to_be_focused()
    keyboard.press("ControlOrMeta+a")
    keyboard.type(email)
    keyboard.press("Tab")
    # Passwords are never sent back to the browser: type it again.
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    keyboard.type(PASSWORD)
    keyboard.press("Tab")
    expect(page.get_by_role("button", name="Register")).to_be_focused()
    keyboard.press("Space")

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you, your registration is received"
    )
    expect(page.get_by_role("status")).to_contain_text(f"{organisation} (Vendor) is Pending")
    expect(page.get_by_role("status")).to_contain_text("awaiting approval")
    screenshot(page, "registration-received")


def _open_in_console(page: Page, organisation: str, status: str) -> None:
    """Find an organisation with the console's filters and open it."""
    page.get_by_role("navigation", name="Primary navigation").get_by_role(
        "link", name="Organisations"
    ).click()
    filters = page.get_by_role("search", name="Filter organisations")
    filters.get_by_label("Name contains").fill(organisation)
    filters.get_by_label("Kind").select_option(label="Vendor")
    filters.get_by_label("Status").select_option(label=status)
    filters.get_by_role("button", name="Filter").click()
    table = page.get_by_role("table", name=re.compile("matching the filters"))
    expect(table.get_by_role("row")).to_have_count(2)  # the header and our organisation
    expect(table.get_by_role("cell", name=status, exact=True)).to_be_visible()
    screenshot(page, f"console-organisations-{status.lower()}")
    table.get_by_role("link", name=organisation).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(organisation)


def test_a_vendor_registers_is_approved_invites_a_colleague_and_is_suspended(
    new_context: Callable[..., BrowserContext],
) -> None:
    """The registry's whole onboarding journey, with the authority and two vendor users."""
    suffix = secrets.token_hex(3)
    organisation = f"Keyboard Labs {suffix}"
    founder_email = f"ada-{suffix}@keyboard-labs.example"
    colleague_email = f"grace-{suffix}@keyboard-labs.example"

    # (a) A vendor registers with the keyboard alone and is told to wait for approval.
    founder = new_context().new_page()
    founder.goto("/")
    screenshot(founder, "home")
    _register_with_keyboard_only(founder, organisation, founder_email)
    founder.goto("/login")
    founder.get_by_label("E-mail address").fill(founder_email)
    founder.get_by_label("Password").fill(PASSWORD)
    founder.get_by_role("button", name="Sign in").click()
    expect(founder.get_by_role("alert")).to_contain_text("awaiting approval by the authority")

    # (b) The authority signs in with its TOTP code, finds the registration and approves it.
    authority = new_context().new_page()
    login_as(authority, AUTHORITY_EMAIL, totp_secret=AUTHORITY_TOTP)
    _open_in_console(authority, organisation, "Pending")
    authority.get_by_role("button", name="Approve").click()
    expect(authority.get_by_role("status")).to_contain_text(f"{organisation} is active.")
    screenshot(authority, "console-organisation")

    # (c) The founder signs in and invites a colleague, who accepts from the e-mail.
    login_as(founder, founder_email, PASSWORD)
    expect(founder.get_by_role("heading", level=1)).to_have_text("Dashboard")
    screenshot(founder, "dashboard-vendor")
    founder.get_by_role("link", name="Members and invitations").click()
    founder.get_by_label("E-mail address of the person to invite").fill(colleague_email)
    founder.get_by_role("button", name="Send invitation").click()
    expect(founder.get_by_role("status")).to_contain_text(f"Invitation sent to {colleague_email}")
    invitations = founder.get_by_role("table", name=re.compile("Invitations not yet accepted"))
    expect(invitations.get_by_role("rowheader", name=colleague_email)).to_be_visible()
    screenshot(founder, "organisation-members")

    colleague = new_context().new_page()
    link = link_from_outbox(colleague, colleague_email, f"Invitation to join {organisation}")
    screenshot(colleague, "outbox")
    colleague.goto(link)
    expect(colleague.get_by_role("heading", level=1)).to_have_text(f"Join {organisation}")
    colleague.get_by_label("Your full name").fill("Grace Colleague")
    colleague.get_by_label("Password").fill(PASSWORD + " too")
    colleague.get_by_role("button", name="Create my account").click()
    expect(colleague.get_by_role("status")).to_contain_text("Your account is ready")
    login_as(colleague, colleague_email, PASSWORD + " too")
    expect(colleague.get_by_text("Signed in as Grace Colleague")).to_be_visible()

    # (d) The authority suspends the organisation; the open sessions end at their next click.
    authority.reload()
    authority.get_by_label("Reason").fill("Evidence of misrepresented certifications.")
    authority.get_by_role("button", name="Suspend").click()
    expect(authority.get_by_role("status")).to_contain_text(f"{organisation} is suspended.")
    expect(authority.get_by_text("Suspended", exact=True)).to_be_visible()

    founder.get_by_role("link", name="Dashboard").first.click()
    expect(founder).to_have_url(re.compile(r"/login\?next=/dashboard$"))
    expect(founder.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(founder.get_by_role("button", name="Sign out")).to_have_count(0)
    colleague.reload()
    expect(colleague).to_have_url(re.compile(r"/login"))
    founder.get_by_label("E-mail address").fill(founder_email)
    founder.get_by_label("Password").fill(PASSWORD)
    founder.get_by_role("button", name="Sign in").click()
    expect(founder.get_by_role("alert")).to_contain_text("Your organisation is suspended.")

    # The audit log tells the story, newest first.
    authority.get_by_role("navigation", name="Primary navigation").get_by_role(
        "link", name="Audit log"
    ).click()
    expect(authority.get_by_role("heading", level=1)).to_have_text("Audit log")
    for action in ("organisation.suspended", "invitation.created", "organisation.active"):
        expect(authority.get_by_text(action, exact=True).first).to_be_visible()
    screenshot(authority, "audit-log")


@pytest.mark.parametrize(
    "fragment",
    ["", "#main-content"],
    ids=["plain", "after-skip-link"],
)
def test_the_error_summary_takes_the_focus(page: Page, fragment: str) -> None:
    """A form sent with errors puts the keyboard focus on its error summary."""
    page.goto(f"/register{fragment}")
    page.get_by_label("Organisation name").press("Enter")
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_visible()
    # The focus must still be there once the browser has finished loading and scrolling.
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    expect(summary).to_be_focused(timeout=1000)


# --- accessibility ----------------------------------------------------------------------------


def _invite_someone_invalid(page: Page) -> None:
    page.get_by_role("link", name="Members and invitations").click()
    page.get_by_label("E-mail address of the person to invite").fill("not an address")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_visible()


def _password_step_of_authority(page: Page) -> None:
    page.get_by_label("E-mail address").fill(AUTHORITY_EMAIL)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")


ACCESSIBILITY_CASES = [
    # Public pages.
    AccessibilityCase("home", "/"),
    AccessibilityCase("login", "/login"),
    AccessibilityCase("register", "/register"),
    AccessibilityCase("not-found", "/no-such-page", status=404),
    # The main forms, with their errors shown.
    AccessibilityCase("register-errors", "/register", prepare=send_form_empty("Register")),
    AccessibilityCase("login-errors", "/login", prepare=send_form_empty("Sign in")),
    AccessibilityCase("totp-code", "/login", prepare=_password_step_of_authority),
    AccessibilityCase("dashboard", "/dashboard", account="vendor"),
    AccessibilityCase("invite-errors", "/dashboard", "vendor", _invite_someone_invalid),
    # The authority's console.
    AccessibilityCase(
        "console-filters", "/admin/organisations?q=a&kind=vendor&status=active", "authority"
    ),
    AccessibilityCase("console-users", "/admin/users?q=demo", "authority"),
    AccessibilityCase("console-audit", "/admin/audit", "authority"),
    AccessibilityCase(
        "console-new-staff", "/admin/staff/new", "authority", send_form_empty("Create the account")
    ),
    AccessibilityCase("outbox", "/dev/outbox"),
]


@pytest.mark.parametrize("case", ACCESSIBILITY_CASES, ids=lambda case: case.name)
def test_no_serious_accessibility_violations(
    new_context: Callable[..., BrowserContext], case: AccessibilityCase
) -> None:
    """axe-core finds no serious or critical violation at desktop and phone widths."""
    check_accessibility_case(new_context, case)


def test_the_invitation_form_is_accessible(new_context: Callable[..., BrowserContext]) -> None:
    """The page an invited person lands on passes axe, before and after a failed try."""
    vendor = new_context(account="vendor").new_page()
    vendor.goto("/dashboard")
    vendor.get_by_role("link", name="Members and invitations").click()
    email = f"invitee-{secrets.token_hex(3)}@example.org"
    vendor.get_by_label("E-mail address of the person to invite").fill(email)
    vendor.get_by_role("button", name="Send invitation").click()
    expect(vendor.get_by_role("status")).to_contain_text(f"Invitation sent to {email}")
    link = link_from_outbox(vendor, email, "Invitation to join")
    check_accessibility_case(new_context, AccessibilityCase("accept-invitation", link))
    check_accessibility_case(
        new_context,
        AccessibilityCase(
            "accept-invitation-errors", link, prepare=send_form_empty("Create my account")
        ),
    )
