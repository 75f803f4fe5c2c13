"""The certification journey in Chromium: from a vendor's registration to a suspended label.

A new vendor registers and is approved, enters and publishes a solution, applies against a
norm in force and attaches its evidence; two evaluators (one signing in with a TOTP code)
declare no conflict and score, disagreeing on one criterion; the authority records the
consensus, certifies (which issues the label) and suspends the label, which the public page
then says. axe checks every page on the way, the main forms at phone width too.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Locator, Page, expect

from registry.demo import DEMO_DOMAIN, DEMO_TOTP_SECRETS, DEPUTY_EMAIL
from tests.browser.browser_support import (
    DESKTOP,
    PHONE,
    SolutionDraft,
    approve_organisation,
    check_accessibility,
    create_published_solution,
    login_as,
    register_organisation,
    screenshot,
)

pytestmark = pytest.mark.browser

PASSWORD = "a long certification passphrase"
NORM = "ALERT-CAP v1"
SECOND_EVALUATOR = f"cyberlab@{DEMO_DOMAIN}"
# Both evaluators pass every pass/fail criterion and give 4 to every scored one, except on
# DISPUTED where the second gives 2: a gap of two points is a disagreement.
AGREED_SCORE = "4"
DISPUTED = "ALERT-GEO"
DISPUTED_SCORE = "2"


def _check_at_both_widths(page: Page, name: str) -> None:
    """axe at desktop width, then at phone width (the layout reflows in place)."""
    check_accessibility(page, f"{name}-desktop")
    page.set_viewport_size(PHONE)
    check_accessibility(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)


def _flash(page: Page, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def _choose(scope: Page | Locator, label: str) -> None:
    """Tick a radio button or checkbox by its label (USWDS hides the input itself)."""
    scope.locator("label", has_text=re.compile(f"^{re.escape(label)}$")).click()
    expect(scope.get_by_label(label, exact=True)).to_be_checked()


def _option_starting(select: Locator, prefix: str) -> str:
    """The text of the select's option that starts with prefix (options carry long titles)."""
    texts = [text.strip() for text in select.locator("option").all_inner_texts()]
    matching = [text for text in texts if text.startswith(prefix)]
    assert matching, f"no option starting with {prefix!r} among {texts}"
    return matching[0]


def _evidence_png(folder: Path) -> Path:
    """A small, real PNG file: a test chart as a vendor would scan it."""
    path = folder / "cap-validation-report.png"
    image = Image.new("RGB", (64, 48), "white")
    for x in range(0, 64, 8):
        for y in range(48):
            image.putpixel((x, y), (0, 94, 162))
    image.save(path, format="PNG")
    return path


def _apply_and_attach_evidence(vendor: Page, solution: str, evidence: Path) -> None:
    """Apply against the norm, attach a file for every criterion that needs one, submit."""
    vendor.get_by_role("navigation", name="Primary navigation").get_by_role(
        "link", name="My evaluations"
    ).click()
    vendor.get_by_role("link", name="Apply for an evaluation").click()
    expect(vendor.get_by_role("heading", level=1)).to_have_text("Apply for an evaluation")
    # A new vendor has not accepted the certification agreement: the page says so and leads
    # to it; its administrator accepts for the organisation, then applies.
    vendor.get_by_role("link", name="Read and accept the certification agreement").click()
    _choose(vendor, "I have read this version and accept it on behalf of my organisation.")
    vendor.get_by_role("button", name="Accept version 1").click()
    _flash(vendor, "Your organisation accepted version 1 of the certification agreement.")
    vendor.get_by_role("navigation", name="Primary navigation").get_by_role(
        "link", name="My evaluations"
    ).click()
    vendor.get_by_role("link", name="Apply for an evaluation").click()
    expect(vendor.get_by_role("heading", level=1)).to_have_text("Apply for an evaluation")
    vendor.get_by_label("Solution").select_option(label=solution)
    products = vendor.get_by_label("Version to evaluate")
    products.select_option(label=_option_starting(products, f"{solution} — version 1.0"))
    versions = vendor.get_by_label("Norm version")
    versions.select_option(label=_option_starting(versions, f"{NORM} — "))
    screenshot(vendor, "evaluation-application-form")
    _check_at_both_widths(vendor, "evaluation-apply")
    vendor.get_by_role("button", name="Start the application").click()
    _flash(vendor, "Your application is saved as a draft. Attach evidence, then submit.")
    expect(vendor.get_by_role("heading", level=1)).to_contain_text(f"{solution} against {NORM}")
    expect(vendor.get_by_text("Draft", exact=True)).to_be_visible()

    # Submitting too early names what is missing.
    vendor.get_by_text("Submit…", exact=True).click()
    vendor.get_by_role("button", name="Yes, submit").click()
    expect(vendor.get_by_role("status").filter(has_text="Attach evidence for:")).to_be_visible()

    missing = vendor.locator(".evidence-checklist li")
    codes = [item.split(" — ", 1)[0] for item in missing.all_inner_texts()]
    assert DISPUTED in codes, codes
    _check_at_both_widths(vendor, "evaluation-evidence")
    for number, code in enumerate(codes, start=1):
        # USWDS turns the file input into a drop zone that names itself; the input keeps its id.
        vendor.locator("input#file[type=file]").set_input_files(evidence)
        criteria = vendor.get_by_label("For criterion")
        criteria.select_option(label=_option_starting(criteria, f"{code} — "))
        vendor.get_by_label("Short description").fill(f"Test report {number} for {code}")
        vendor.get_by_role("button", name="Upload").click()
        _flash(vendor, "The file is attached.")
    expect(vendor.locator(".evidence-checklist")).to_have_count(0)
    row = vendor.get_by_role("row").filter(has=vendor.get_by_role("rowheader", name=DISPUTED))
    expect(row.get_by_role("link", name=evidence.name)).to_be_visible()

    vendor.get_by_text("Submit…", exact=True).click()
    vendor.get_by_role("button", name="Yes, submit").click()
    _flash(vendor, "Your application is submitted.")
    expect(vendor.get_by_text("Submitted", exact=True)).to_be_visible()


def _assign_two_evaluators(authority: Page, solution: str) -> str:
    """The authority opens the submitted application and assigns both demo evaluation bodies."""
    authority.get_by_role("navigation", name="Primary navigation").get_by_role(
        "link", name="Evaluations"
    ).click()
    authority.get_by_role("link", name=re.compile(r"^Submitted \(\d+\)$")).click()
    authority.get_by_role("link", name=solution, exact=True).click()
    expect(authority.get_by_role("heading", level=1)).to_contain_text(solution)
    expect(authority.get_by_text("No evaluator is assigned yet.")).to_be_visible()
    # The application review comes first: complete and in scope.
    authority.get_by_label("Review note").fill("A test report for every criterion; in scope.")
    authority.get_by_role("button", name="Record: complete and in scope").click()
    _flash(authority, "The application review is recorded; evaluators can now be assigned.")
    for body in ("Laboratoire National d'Essais Sécurité", "CyberLab Évaluation"):
        choices = authority.get_by_label("Evaluator", exact=True)
        choices.select_option(label=f"{body} administrator — {body}")
        authority.get_by_role("button", name="Assign", exact=True).click()
        _flash(authority, "The evaluator is assigned and notified.")
        assigned = authority.get_by_role("table", name="Assigned evaluators")
        expect(assigned.get_by_role("rowheader", name=f"{body} administrator")).to_be_visible()
    return authority.url


def _declare_no_conflict(evaluator: Page, solution: str) -> None:
    evaluator.goto("/evaluations/assignments")
    evaluator.get_by_role("link", name=f"Declare conflicts for {solution}").click()
    expect(evaluator.get_by_role("heading", level=1)).to_have_text("Declare conflicts of interest")
    _choose(evaluator, "No, I have no conflict of interest")
    evaluator.get_by_role("button", name="Record my declaration").click()
    _flash(evaluator, "Declaration recorded.")
    expect(evaluator.get_by_role("heading", level=1)).to_have_text(f"Scoring: {solution}")


def _score_everything(evaluator: Page, solution: str, disputed_score: str) -> None:
    """Score every criterion of the scoring page, save, then submit."""
    evaluator.goto("/evaluations/assignments")
    evaluator.get_by_role("link", name=f"Score {solution}").click()
    expect(evaluator.get_by_text("Score each criterion:")).to_be_visible()
    criteria = evaluator.get_by_role("region", name=re.compile(r"^[A-Z][A-Z0-9]*-[A-Z0-9-]+ — "))
    count = criteria.count()
    assert count >= 2
    for index in range(count):
        section = criteria.nth(index)
        code = section.get_by_role("heading", level=2).inner_text().split(" — ")[0]
        verdict = section.get_by_label("Your verdict")
        if verdict.count():
            verdict.select_option(label="Pass")
        else:
            value = disputed_score if code == DISPUTED else AGREED_SCORE
            section.get_by_label("Your score").select_option(value)
            section.get_by_label("Justification").fill(f"Scored {value} after the field test.")
    evaluator.get_by_role("button", name="Save all").click()
    _flash(evaluator, f"Saved ({count} criteria).")
    evaluator.get_by_text("Submit scores…", exact=True).click()
    evaluator.get_by_role("button", name="Yes, submit scores").click()
    _flash(evaluator, "Your scores are submitted. You can now see the other evaluators'.")
    expect(evaluator.get_by_text("You submitted your scores")).to_be_visible()


def test_a_new_vendor_is_certified_and_its_label_suspended(
    new_context: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    """Registration → solution → application → two evaluators → consensus → label → suspension."""
    suffix = secrets.token_hex(3)
    organisation = f"Beacon Alerts {suffix}"
    email = f"ines-{suffix}@beacon-alerts.example"
    solution = f"Beacon Broadcast {suffix}"

    # The vendor registers; the authority (signed in with its TOTP code) approves.
    vendor = new_context().new_page()
    register_organisation(vendor, organisation, email, PASSWORD, full_name="Inès Beacon")
    authority = new_context(account="authority").new_page()
    approve_organisation(authority, organisation)

    # The vendor signs in, enters its solution (Markdown description) and publishes it.
    login_as(vendor, email, PASSWORD)
    solution_id = create_published_solution(vendor, SolutionDraft(solution))
    preview = vendor.locator(".solution-preview")
    expect(preview.get_by_role("heading", name="What it does")).to_be_visible()
    expect(preview.locator("strong", has_text="CAP 1.2")).to_be_visible()

    # It applies against the norm in force, attaches a real file per criterion and submits.
    _apply_and_attach_evidence(vendor, solution, _evidence_png(tmp_path))

    # The authority assigns two evaluators.
    evaluation_url = _assign_two_evaluators(authority, solution)

    # Both declare no conflict; the second signs in through the TOTP form.
    first = new_context(account="evaluator").new_page()
    second = new_context().new_page()
    login_as(second, SECOND_EVALUATOR, totp_secret=DEMO_TOTP_SECRETS[SECOND_EVALUATOR])
    _declare_no_conflict(first, solution)
    expect(first.get_by_text("Scoring opens when the evaluation is in review")).to_be_visible()
    _declare_no_conflict(second, solution)

    # They score, disagreeing on one criterion; the second sees both scores afterwards.
    _score_everything(first, solution, AGREED_SCORE)
    _check_at_both_widths(first, "evaluation-scoring")
    _score_everything(second, solution, DISPUTED_SCORE)
    disputed = second.get_by_role("complementary", name=f"Evidence for {DISPUTED}")
    expect(disputed).to_contain_text(f"{DISPUTED_SCORE}")
    expect(disputed).to_contain_text("Median: 3 — disagreement")
    screenshot(second, "evaluation-scoring")

    # The authority sees the disagreement and records the consensus; a second officer decides.
    authority.goto(evaluation_url)
    expect(authority.get_by_text("Scored", exact=True)).to_be_visible()
    results = authority.get_by_role("table", name="Result per criterion")
    disputed_row = results.get_by_role("row").filter(
        has=authority.get_by_role("rowheader", name=re.compile(f"^{DISPUTED} — "))
    )
    expect(disputed_row.get_by_text("Disagreement", exact=True)).to_be_visible()
    expect(
        authority.get_by_text("Resolve the flagged disagreements before deciding.")
    ).to_be_visible()
    screenshot(authority, "evaluation-consolidation-disagreement")
    _check_at_both_widths(authority, "evaluation-consolidation")
    disputed_row.get_by_label(f"Consensus value for {DISPUTED}").select_option("4")
    disputed_row.get_by_label("Consensus note").fill(
        "Both reports reviewed together: targeting by polygon works, by address is partial."
    )
    disputed_row.get_by_role("button", name="Record the consensus").click()
    _flash(authority, "The consensus is recorded.")
    expect(disputed_row).to_contain_text("4 (consensus)")
    expect(disputed_row).to_contain_text("Resolved")
    expect(authority.get_by_text("Disagreements to resolve")).to_have_count(0)
    expect(
        authority.get_by_role("region", name="Decide").get_by_text("another authority officer")
    ).to_be_visible()

    # The authority, who assigned the evaluators, reviews the result for the deciding officer.
    review = authority.get_by_role("region", name="Review before the decision")
    _choose(review, "Agree")
    _choose(review, "Certify")
    review.get_by_label("Review note").fill("The consensus is argued; the level follows.")
    review.get_by_role("button", name="Record the review").click()
    _flash(authority, "The review is recorded; another officer takes the decision.")

    deputy = new_context().new_page()
    login_as(deputy, DEPUTY_EMAIL, totp_secret=DEMO_TOTP_SECRETS[DEPUTY_EMAIL])
    deputy.goto(evaluation_url)
    expect(deputy.get_by_text("The consensus is argued; the level follows.")).to_be_visible()
    decide = deputy.get_by_role("region", name="Decide")
    _choose(decide, "Certify")
    level = decide.get_by_label("Level", exact=True)
    computed = level.evaluate("el => el.options[el.selectedIndex].text")
    assert computed in ("Certified", "Advanced"), computed
    statement = "Every mandatory criterion passes in tests by two evaluation bodies."
    decide.get_by_label(re.compile("^Public statement")).fill(statement)
    decide.get_by_label(re.compile("^Internal rationale")).fill(
        "Strong coverage; the vendor's pricing is under review elsewhere."
    )
    _check_at_both_widths(deputy, "evaluation-decide")
    decide.get_by_role("button", name="Record the decision").click()
    _flash(deputy, "The decision is recorded and the vendor is told.")
    expect(deputy.get_by_text(f"Certified at level {computed}")).to_be_visible()

    # The label is issued: its public page, opened from the solution's page, says VALID.
    visitor = new_context().new_page()
    visitor.goto(f"/solutions/{solution_id}")
    labels = visitor.get_by_role("region", name="Certification labels")
    expect(labels.get_by_text("Valid", exact=True)).to_be_visible()
    labels.get_by_role("link", name=re.compile(r"^STR-")).click()
    number = visitor.get_by_role("heading", level=1).inner_text().removeprefix("Label ")
    expect(visitor.get_by_role("status")).to_contain_text("VALID")
    expect(visitor.get_by_role("status")).to_contain_text("This label is valid")
    expect(visitor.get_by_text(f"{NORM.split()[0]} version 1")).to_be_visible()
    # The public statement is published; the internal rationale is not.
    expect(visitor.get_by_text(statement)).to_be_visible()
    expect(visitor.get_by_text("pricing is under review")).to_have_count(0)
    screenshot(visitor, "label-page-valid")
    check_accessibility(visitor, "label-page-valid")

    # The authority suspends it, confirming in the dialog; the public page then says so.
    authority.goto(f"/labels/{number}")
    authority.get_by_role("link", name="Manage this label").click()
    expect(authority.get_by_role("heading", level=1)).to_have_text(f"Manage label {number}")
    suspend = authority.get_by_role("group", name="Suspend")
    reason = "The alert relay failed a spot check on 2 December."
    suspend.get_by_label(re.compile("^Public reason")).fill(reason)
    suspend.get_by_text("Suspend…", exact=True).click()
    expect(suspend.get_by_text("The label stops counting as certification")).to_be_visible()
    check_accessibility(authority, "label-manage")
    suspend.get_by_role("button", name=f"Yes, suspend {number}").click()
    _flash(authority, f"Label {number} is suspended. The vendor was notified.")

    visitor.reload()
    expect(visitor.get_by_role("status")).to_contain_text("SUSPENDED")
    expect(visitor.get_by_role("status")).to_contain_text(f"Reason: {reason}")
    history = visitor.get_by_role("table", name=re.compile("Every change of this label"))
    expect(history).to_contain_text("(suspended)")
    screenshot(visitor, "label-page-suspended")
    check_accessibility(visitor, "label-page-suspended")

    # The vendor sees the decision and its result.
    vendor.goto("/evaluations/")
    vendor.get_by_role("link", name=solution, exact=True).click()
    expect(vendor.get_by_role("heading", name="Your result")).to_be_visible()
    expect(vendor.get_by_text(f"Certified at level {computed}")).to_be_visible()
