"""What browser journeys share: sign-in, accessibility checks, screenshots, keyboard and outbox.

Journeys import these helpers; the fixtures that start the server and the browser live in
tests/browser/conftest.py.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import BrowserContext, FloatRect, Locator, Page, ViewportSize, expect

from procurement.calls.access.declarations import EXCLUSION_GROUNDS
from registry.demo import AUTHORITY_EMAIL, DEMO_DOMAIN, DEMO_PASSWORD, DEMO_TOTP_SECRETS

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE_REPORTS = ARTIFACTS / "axe"
AXE_SCRIPT = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"

DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}

# Demo accounts that `new_context(account=...)` signs in once per test session.
DEMO_ACCOUNTS: dict[str, tuple[str, str | None]] = {
    "authority": (AUTHORITY_EMAIL, DEMO_TOTP_SECRETS[AUTHORITY_EMAIL]),
    "evaluator": (f"lnes@{DEMO_DOMAIN}", DEMO_TOTP_SECRETS[f"lnes@{DEMO_DOMAIN}"]),
    "vendor": (f"vigilis@{DEMO_DOMAIN}", None),
    "buyer": (f"saint-aubin@{DEMO_DOMAIN}", None),
}
BLOCKING_IMPACTS = ("serious", "critical")

# The last TOTP time step this test process used per secret. The server refuses a step that is
# not newer than the last accepted one, and every refusal counts towards the login throttle.
_used_totp_steps: dict[str, int] = {}


def fresh_totp_code(secret: str) -> str:
    """A code the server has not seen yet: this time step's, the next one's, or after a wait."""
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(dt.datetime.now(dt.UTC))
    step = max(now_step, _used_totp_steps.get(secret, now_step - 1) + 1)
    # The server accepts one step of clock drift either way; further ahead means waiting.
    while step > totp.timecode(dt.datetime.now(dt.UTC)) + 1:
        time.sleep(0.5)
    _used_totp_steps[secret] = step
    return totp.generate_otp(step)


def login_as(
    page: Page, email: str, password: str = DEMO_PASSWORD, totp_secret: str | None = None
) -> None:
    """Sign in through the real forms (password, then a TOTP code when a secret is given)."""
    page.goto("/login")
    page.get_by_label("E-mail address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    if totp_secret is not None:
        expect(page).to_have_url(re.compile(r"/login/totp(\?|$)"))
        page.get_by_label("Six-digit code").fill(fresh_totp_code(totp_secret))
        page.get_by_role("button", name="Continue", exact=True).click()
    welcome = page.get_by_role("status").filter(has_text="Welcome")
    expect(welcome, f"the sign-in of {email} did not succeed").to_be_visible()


def screenshot(page: Page, name: str, *, full_page: bool = True, max_height: int = 3000) -> Path:
    """Save a PNG of the page under test-artifacts/screenshots/ (kept out of git)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    clip: FloatRect | None = None
    if full_page:
        # Long lists (the outbox, the audit log) would make pictures of several megabytes.
        width, height = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
        )
        if height > max_height:
            clip = {"x": 0, "y": 0, "width": width, "height": max_height}
    page.screenshot(path=str(path), full_page=full_page, clip=clip, animations="disabled")
    return path


def assert_no_sideways_scrolling(page: Page, name: str) -> None:
    """The page fits the window's width (WCAG 1.4.10 reflow): nothing to scroll sideways."""
    scroll_width, client_width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if scroll_width <= client_width:
        return
    # The innermost elements that reach past the window.
    culprits = page.evaluate(
        """(width) => [...document.querySelectorAll('body *')].filter((el) =>
            el.getBoundingClientRect().right > width + 1
            && ![...el.children].some((c) => c.getBoundingClientRect().right > width + 1)
        ).slice(0, 5).map((el) => `<${el.tagName.toLowerCase()} class="${el.className}">`
            + ` ${Math.round(el.getBoundingClientRect().right)} px: `
            + (el.textContent || '').trim().slice(0, 60))""",
        client_width,
    )
    raise AssertionError(
        f"{name} ({page.url}) is {scroll_width} px wide in a {client_width} px window: "
        "it scrolls sideways; let wide content wrap or scroll in its own box. Too wide: "
        + "; ".join(culprits)
    )


@cache
def _axe_source() -> str:
    if not AXE_SCRIPT.is_file():
        pytest.fail(
            f"{AXE_SCRIPT.relative_to(REPO_ROOT)} is missing: run `npm ci` (axe-core is a "
            "devDependency in package.json) before the browser tests."
        )
    return AXE_SCRIPT.read_text(encoding="utf-8")


_RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({
      target: n.target.join(" "), html: n.html, summary: n.failureSummary || ""
    })),
  }));
}"""


def _describe(violation: dict[str, Any], limit: int = 5) -> str:
    lines = [f"[{violation['impact']}] {violation['id']}: {violation['help']}"]
    lines.append(f"    {violation['helpUrl']}")
    for node in violation["nodes"][:limit]:
        lines.append(f"    at {node['target']}: {node['html'][:200]}")
        if node["summary"]:
            lines.append("      " + node["summary"].replace("\n", "\n      "))
    if len(violation["nodes"]) > limit:
        lines.append(f"    … and {len(violation['nodes']) - limit} more elements")
    return "\n".join(lines)


def check_accessibility(page: Page, name: str) -> list[dict[str, Any]]:
    """Run axe-core on the page; fail on serious or critical violations, print the others."""
    # The app's CSP has no 'unsafe-inline', so page.add_script_tag(content=...) is refused
    # ("Executing inline script violates ... Content Security Policy"). page.evaluate goes
    # through the DevTools protocol, which CSP does not govern, so axe runs in the page as
    # served, with the real policy still in force (no bypass_csp context, no route rewrite).
    if page.evaluate("typeof window.axe") != "object":
        page.evaluate(_axe_source())
    violations: list[dict[str, Any]] = page.evaluate(_RUN_AXE)
    AXE_REPORTS.mkdir(parents=True, exist_ok=True)
    report = {"name": name, "url": page.url, "violations": violations}
    (AXE_REPORTS / f"{name}.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    others = [v for v in violations if v["impact"] not in BLOCKING_IMPACTS]
    for violation in others:
        print(f"axe {name} ({page.url}), not blocking:\n{_describe(violation)}")
    assert not blocking, f"axe found serious or critical violations on {name} ({page.url}):\n" + (
        "\n".join(_describe(v) for v in blocking)
    )
    return violations


def focused_element(page: Page) -> str:
    """A short description of the element that has the keyboard focus, for messages."""
    description: str = page.evaluate(
        """() => {
          const el = document.activeElement;
          if (!el || el === document.body) return "<body>";
          const id = el.id ? "#" + el.id : "";
          const text = (el.innerText || el.value || "").trim().slice(0, 40);
          return `<${el.tagName.toLowerCase()}${id}> ${text}`;
        }"""
    )
    return description


def is_focused(target: Locator) -> bool:
    """Whether the element has the keyboard focus."""
    return bool(target.evaluate("el => el === document.activeElement"))


def tab_to(page: Page, target: Locator, *, max_presses: int = 60, backwards: bool = False) -> int:
    """Press Tab (or Shift+Tab) until the target has the focus; fail if it is never reached."""
    key = "Shift+Tab" if backwards else "Tab"
    for presses in range(max_presses + 1):
        if is_focused(target):
            return presses
        page.keyboard.press(key)
    pytest.fail(
        f"{target} was not reached with {max_presses} presses of {key}; "
        f"the focus is on {focused_element(page)}"
    )


def choose_with_arrows(page: Page, select: Locator, option_label: str) -> None:
    """Pick an option of the focused <select> with the arrow keys, as a keyboard user does."""
    assert is_focused(select), f"the select is not focused; {focused_element(page)} is"
    count = select.locator("option").count()
    for _ in range(count):
        if select.evaluate("el => el.options[el.selectedIndex].text") == option_label:
            return
        page.keyboard.press("ArrowDown")
    pytest.fail(f"no option {option_label!r} reached with the arrow keys in {select}")


def link_from_outbox(page: Page, to: str, subject_contains: str) -> str:
    """Open /dev/outbox and return the first web address in the newest matching message."""
    page.goto("/dev/outbox")
    message = (
        page.locator("article.outbox-message")
        .filter(has=page.get_by_role("heading", name=re.compile(re.escape(subject_contains))))
        .filter(has=page.locator("dd", has_text=to))
        .first
    )
    expect(message, f"no message to {to} about {subject_contains!r}").to_be_visible()
    body = message.locator("pre").inner_text()
    found = re.search(r"https?://\S+", body)
    assert found, f"no link in the message to {to}:\n{body}"
    return found.group(0)


@dataclass(frozen=True)
class AccessibilityCase:
    """A page for axe to check: its address, who looks at it, and what to do there first."""

    name: str
    path: str
    account: str | None = None
    prepare: Callable[[Page], None] | None = None
    status: int = 200


def send_form_empty(button: str) -> Callable[[Page], None]:
    """A `prepare` step: press the form's button untouched, so that its errors show."""

    def prepare(page: Page) -> None:
        page.get_by_role("button", name=button, exact=True).click()
        expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_visible()

    return prepare


def check_accessibility_case(
    new_context: Callable[..., BrowserContext], case: AccessibilityCase
) -> None:
    """Open and prepare the page; at desktop then phone width: axe, reflow, a screenshot."""
    page = new_context(viewport=DESKTOP, account=case.account).new_page()
    response = page.goto(case.path)
    assert response is not None and response.status == case.status, (
        f"{case.path} answered {response.status if response else 'nothing'}, not {case.status}"
    )
    if case.prepare is not None:
        case.prepare(page)
    # Resizing the same page (the layout reflows as on a phone) halves the page loads and
    # sign-ins that loading it again at each width would cost.
    for name, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        check_accessibility(page, f"{case.name}-{name}")
        assert_no_sideways_scrolling(page, f"{case.name}-{name}")
        screenshot(page, f"{name}-{case.name}")


# --- organisations and solutions made through the forms ---------------------------------------


def register_organisation(
    page: Page, organisation: str, email: str, password: str, *, full_name: str = "Ada Vendor"
) -> None:
    """Register a vendor organisation and its first user through /register."""
    page.goto("/register")
    page.get_by_label("Organisation name").fill(organisation)
    page.get_by_label("Kind of organisation").select_option("vendor")
    page.get_by_label("Company size (vendors)").select_option(label="Startup")
    page.get_by_label("Kind of company identifier").select_option("FR-SIRENE")
    page.get_by_label("Company identifier", exact=True).fill("732829320")
    page.get_by_label("Your full name").fill(full_name)
    page.get_by_label("Your e-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you, your registration is received"
    )
    expect(page.get_by_role("status")).to_contain_text(f"{organisation} (Vendor) is Pending")


def approve_organisation(authority: Page, organisation: str) -> None:
    """The authority finds a pending organisation in its console and approves it."""
    authority.goto("/admin/organisations?status=pending")
    filters = authority.get_by_role("search", name="Filter organisations")
    filters.get_by_label("Name contains").fill(organisation)
    filters.get_by_role("button", name="Filter").click()
    table = authority.get_by_role("table", name=re.compile("matching the filters"))
    table.get_by_role("link", name=organisation, exact=True).click()
    expect(authority.get_by_role("heading", level=1)).to_have_text(organisation)
    authority.get_by_role("button", name="Approve").click()
    expect(authority.get_by_role("status")).to_contain_text(f"{organisation} is active.")


@dataclass(frozen=True)
class SolutionDraft:
    """What the vendor types into the solution form (codes and values of the choices)."""

    name: str
    category: str = "public-alert"
    summary: str = "Sends one alert message to sirens, phones and signs at once."
    description: str = (
        "## What it does\n\nOne **CAP 1.2** message reaches every channel.\n\n"
        "- sirens\n- cell broadcast\n- road signs\n"
    )
    maturity: str = "deployed"
    price_model: str = "subscription"
    price_band: str = "10k_to_50k"
    # The released version declared after publication (an application names one).
    version: str = "1.0"


def declare_version(page: Page, version: str, released: dt.date, purl: str = "") -> None:
    """From the vendor's solution page: declare a released version through its form."""
    page.get_by_role("link", name="Declare a version").click()
    page.get_by_label("Version", exact=True).fill(version)
    page.get_by_label("Release date").fill(released.isoformat())
    if purl:
        page.get_by_label("Package URL (purl)").fill(purl)
    page.get_by_role("button", name="Declare the version").click()
    expect(page.get_by_role("status")).to_contain_text(f"Version {version} of “")


def accept_agreement(page: Page) -> None:
    """The vendor's administrator accepts the certification agreement in force for its
    organisation, as it must before applying for an evaluation."""
    page.goto("/agreement/")
    page.locator("label", has_text="I have read this version and accept it").click()
    page.get_by_role("button", name=re.compile(r"^Accept version ")).click()
    expect(page.get_by_role("status")).to_contain_text("accepted version")


def create_published_solution(page: Page, draft: SolutionDraft) -> int:
    """Enter a complete solution through the vendor's form, publish it; return its id."""
    page.get_by_role("navigation", name="Primary navigation").get_by_role(
        "link", name="My solutions"
    ).click()
    page.get_by_role("link", name="New solution").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New solution")
    page.get_by_label("Name", exact=True).fill(draft.name)
    page.get_by_label("Primary technology category").select_option(draft.category)
    # USWDS draws its own boxes and moves the real inputs out of sight: click the labels.
    for group in ("Security activities served", "Regions served"):
        choices = page.get_by_role("group", name=group)
        choices.locator("label").first.click()
        expect(choices.get_by_role("checkbox").first).to_be_checked()
    page.get_by_label("Summary").fill(draft.summary)
    page.get_by_label("Description", exact=True).fill(draft.description)
    page.get_by_label("Maturity").select_option(draft.maturity)
    page.get_by_label("Price model").select_option(draft.price_model)
    page.get_by_label("Indicative price band").select_option(draft.price_band)
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_role("status")).to_contain_text(f"“{draft.name}” is saved as a draft.")
    page.get_by_text("Publish…", exact=True).click()
    page.get_by_role("button", name="Yes, publish").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"“{draft.name}” is published in the catalog."
    )
    found = re.search(r"/(\d+)(?:[?#].*)?$", page.url)
    assert found, f"no solution id in {page.url}"
    declare_version(page, draft.version, dt.date.today() - dt.timedelta(days=30))
    return int(found.group(1))


def has_visible_focus(target: Locator) -> bool:
    """Whether the focused element draws a focus indicator (an outline or a box shadow)."""
    return bool(
        target.evaluate(
            """el => {
              if (el !== document.activeElement) return false;
              const style = getComputedStyle(el);
              const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
              return outline || (style.boxShadow && style.boxShadow !== "none");
            }"""
        )
    )


def declare_no_exclusion_ground(page: Page) -> None:
    """On the offer form: "No" to every exclusion ground, and the selection criteria met (the
    USWDS checkbox is ticked through its label, as a user does: the input itself is hidden)."""
    for code, _ in EXCLUSION_GROUNDS:
        page.locator(f"select[name=ground_{code}]").select_option("no")
    page.locator("label[for=meets_selection]").click()
    expect(page.locator("#meets_selection")).to_be_checked()
