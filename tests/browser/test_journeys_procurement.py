"""The joint-procurement journey in Chromium: three buyers' needs → lot → call → offers → award.

Three demo buyers each state and open a need for drone-borne sensors in Normandie (a region
the demo's own needs do not use, so the lot forms on its own); one buyer's ceiling is below
the price that will be awarded. The authority runs an aggregation round, asks the lot's
buyers to confirm, freezes the lot and opens a joint call with a PDF document. A certified
vendor offers (a second offer is refused, nothing changed); a vendor without a label meeting
the requirement sees why it cannot offer and its posted offer is refused. The deadline passes
(moved in the database: the deadline is the clock), an edit is refused, the authority awards:
one contract line per remaining buyer, the cheap buyer drops out. Buyers, the public call
page and the OCDS package (validated against OCDS 1.1 with our extensions) show the award.
axe checks every page on the way.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import BrowserContext, Locator, Page, expect
from weasyprint import HTML

from procurement.calls.models import JointCall
from registry.database import normalise_database_url
from registry.demo import DEMO_DOMAIN, DEMO_PASSWORD, DEMO_TOTP_SECRETS, DEPUTY_EMAIL
from tests.browser.browser_support import (
    DESKTOP,
    PHONE,
    assert_no_sideways_scrolling,
    check_accessibility,
    declare_no_exclusion_ground,
    login_as,
    screenshot,
)
from tests.browser.conftest import LiveServer
from tests.procurement.ocds import ocds_schema

pytestmark = pytest.mark.browser

CATEGORY = "sensors-drones-robotics"
CATEGORY_NAME = "Sensors, drones and robotics"
NORM = "DRONE-SENS"
REGION = "FR-NOR"
REGION_NAME = "Normandie"
# A demo vendor with three solutions holding valid DRONE-SENS labels (so it stays eligible
# whatever single label another test suspends), and one whose labels are all for video analytics.
VENDOR = f"robotix@{DEMO_DOMAIN}"
VENDOR_NAME = "Robotix Patrol"
# Tiers: 31 000 EUR from one unit, 26 000 EUR from six. The lot's 12 units price at 26 000,
# above Val-de-Loire's ceiling: it drops out and the 9 units left still price at 26 000.
TIERS = (("1", "31000.00"), ("6", "26000.00"))
AWARDED_PRICE = "26,000.00 EUR"
LEAD_TIME = "45"


@dataclass(frozen=True)
class Buyer:
    """A demo buyer and the need it states."""

    slug: str
    name: str
    firm: int
    optional: int
    ceiling: str

    @property
    def email(self) -> str:
        return f"{self.slug}@{DEMO_DOMAIN}"


BUYERS = (
    Buyer("montclair", "City of Montclair", 5, 1, "30000.00"),
    Buyer("riviera", "Town of Riviera-sur-Mer", 4, 2, "29000.00"),
    Buyer("val-de-loire", "Val-de-Loire Metropolitan Area", 3, 1, "20000.00"),
)
KEPT = BUYERS[:2]
DROPPED = BUYERS[2]


def _flash(page: Page, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def _check_at_both_widths(page: Page, name: str) -> None:
    """axe at desktop width, then at phone width (the layout reflows in place)."""
    check_accessibility(page, f"{name}-desktop")
    page.set_viewport_size(PHONE)
    check_accessibility(page, f"{name}-phone")
    assert_no_sideways_scrolling(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)


def _nav(page: Page, label: str) -> None:
    page.get_by_role("navigation", name="Primary navigation").get_by_role(
        "link", name=label, exact=True
    ).click()


def _state_and_open_a_need(page: Page, buyer: Buyer, title: str) -> None:
    """The buyer enters its need through the form, saves it and opens it to pooling."""
    _nav(page, "My needs")
    page.get_by_role("link", name="New need").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New need")
    page.get_by_label("Short title").fill(title)
    page.get_by_label("Technology category").select_option(CATEGORY)
    norms = page.get_by_label("Norm the solution must be certified against")
    norms.select_option(NORM)
    page.get_by_label("Minimum label level").select_option("1")
    page.get_by_label("Firm quantity").fill(str(buyer.firm))
    page.get_by_label("Optional extra quantity").fill(str(buyer.optional))
    page.get_by_label("Unit", exact=True).select_option("sensor")
    page.get_by_label("Maximum unit price (EUR, excluding VAT)").fill(buyer.ceiling)
    need_by = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=240)
    page.get_by_label("Needed by").fill(need_by.isoformat())
    page.get_by_label("Region", exact=True).select_option(REGION)
    page.get_by_label("Notes").fill("Airborne thermal sensors for coastal search and rescue.")
    page.get_by_role("button", name="Save need").click()
    _flash(page, f"“{title}” is saved as a draft. Open it when it is ready.")
    page.get_by_role("button", name="Open", exact=True).click()
    _flash(page, f"“{title}” is open: the next round will consider it.")


def _run_aggregation(authority: Page) -> None:
    """Regional pooling, so the Normandie needs form a lot of their own."""
    authority.goto("/procurement/aggregation")
    expect(authority.get_by_role("heading", level=1)).to_have_text("Aggregation")
    authority.get_by_label("Pool needs").select_option("2")
    authority.get_by_label("Minimum buyers per lot").fill("2")
    authority.get_by_label("Minimum certified solutions able to meet a need").fill("1")
    authority.get_by_label("Minimum modelled saving of pooling (%)").fill("5")
    authority.get_by_role("button", name="Run aggregation").click()
    _flash(authority, "Round run: ")


def _our_lot_row(authority: Page) -> Locator:
    table = authority.get_by_role("table", name=re.compile(r"^Lots proposed by the last round"))
    return table.get_by_role("row").filter(has_text=f"{CATEGORY_NAME} · sensor · {REGION_NAME}")


def _members_table(page: Page, reference: str) -> Locator:
    return page.get_by_role("table", name=f"Needs in {reference} ({len(BUYERS)})")


def _confirm_membership(page: Page, title: str, reference: str) -> None:
    _nav(page, "My needs")
    memberships = page.get_by_role("table", name=re.compile(r"^Lot memberships"))
    row = memberships.get_by_role("row").filter(has=page.get_by_role("link", name=title))
    expect(row.get_by_role("rowheader")).to_have_text(reference)
    row.get_by_role("button", name="Confirm", exact=True).click()
    _flash(page, f"You confirmed “{title}” in {reference}.")


def _sign_mandate(page: Page, title: str, reference: str) -> None:
    """The buyer records its signatory's mandate from its need's page."""
    _nav(page, "My needs")
    page.get_by_role("link", name=title).first.click()
    page.get_by_role("link", name=f"Sign the mandate for {reference}").click()
    page.get_by_label("Name of the signatory").fill("Claire Dubois")
    page.get_by_label("Capacity of the signatory").fill("Mayor")
    # USWDS hides the real checkbox behind its own drawing: the label is what one clicks.
    signed = "The signatory signed this mandate for my organisation"
    page.locator("label", has_text=signed).click()
    expect(page.get_by_label(signed)).to_be_checked()
    page.get_by_role("button", name="Record the mandate").click()
    _flash(page, f"Your mandate for {reference} is recorded.")


def _pdf(folder: Path) -> Path:
    """A small, real PDF: the technical specification of the call."""
    path = folder / "specification.pdf"
    HTML(
        string="<h1>Technical specification</h1><p>Thermal sensors for drones, "
        "IP54, 40 minutes of flight.</p>"
    ).write_pdf(path)
    return path


def _fill_offer(page: Page, tiers: tuple[tuple[str, str], ...], lead_time: str) -> None:
    for index, (quantity, price) in enumerate(tiers, start=1):
        page.get_by_label(f"From quantity (tier {index})").fill(quantity)
        page.get_by_label(f"Unit price (tier {index}, EUR)").fill(price)
    page.get_by_label("Lead time (days from the order to delivery)").fill(lead_time)
    declare_no_exclusion_ground(page)


def _tiers_shown(page: Page) -> Locator:
    return page.get_by_role("table", name=re.compile(r"^Unit price by total quantity"))


def _csrf_token(page: Page) -> str:
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert token, f"no CSRF token on {page.url}"
    return token


def _pass_the_deadline(live_server: LiveServer, call_id: int) -> None:
    """The deadline is the clock: move it just into the past in the server's database."""
    engine = sa.create_engine(normalise_database_url(live_server.database_url))
    table: Any = JointCall.__table__
    try:
        with engine.begin() as connection:
            changed = connection.execute(
                sa.update(table)
                .where(table.c.id == call_id)
                .values(deadline=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
            )
            assert changed.rowcount == 1
    finally:
        engine.dispose()


def _signed_in(new_context: Callable[..., BrowserContext], email: str) -> Page:
    page = new_context().new_page()
    login_as(page, email)
    return page


def test_three_buyers_pool_a_call_is_offered_on_awarded_and_published(
    new_context: Callable[..., BrowserContext], live_server: LiveServer, tmp_path: Path
) -> None:
    """Needs → lot → call → offers (one refused) → deadline → award → contracts → OCDS."""
    suffix = secrets.token_hex(3)
    titles = {buyer.slug: f"Drone thermal sensors {buyer.slug} {suffix}" for buyer in BUYERS}

    # Three buyers state and open compatible needs.
    buyers = {buyer.slug: _signed_in(new_context, buyer.email) for buyer in BUYERS}
    for buyer in BUYERS:
        _state_and_open_a_need(buyers[buyer.slug], buyer, titles[buyer.slug])

    # The authority runs a round; the lot of the three needs is proposed.
    authority = new_context(account="authority").new_page()
    _run_aggregation(authority)
    row = _our_lot_row(authority)
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").nth(2)).to_have_text(str(len(BUYERS)))
    _check_at_both_widths(authority, "procurement-aggregation")
    row.get_by_role("link", name=re.compile(r"^LOT-\d{5}$")).click()
    reference = authority.get_by_role("heading", level=1).inner_text().split(":")[0]
    lot_url = authority.url
    members = _members_table(authority, reference)
    for buyer in BUYERS:
        member = members.get_by_role("row").filter(
            has=authority.get_by_role("rowheader", name=buyer.name, exact=True)
        )
        expect(member).to_contain_text(titles[buyer.slug])
        expect(member).to_contain_text("Waiting")
    # The buyer whose ceiling is far below the others' is flagged already.
    dropping = members.get_by_role("row").filter(has_text=titles[DROPPED.slug])
    expect(dropping.get_by_text("Below the estimate")).to_be_visible()
    authority.get_by_role("button", name="Ask buyers to confirm").click()
    _flash(authority, "its buyers were asked to confirm")

    # Each buyer confirms from its needs page.
    for buyer in BUYERS:
        _confirm_membership(buyers[buyer.slug], titles[buyer.slug], reference)
    # Each buyer records the mandate its signatory signed.
    for buyer in BUYERS:
        _sign_mandate(buyers[buyer.slug], titles[buyer.slug], reference)

    # The authority freezes the lot and opens a call with a document.
    authority.goto(lot_url)
    expect(authority.get_by_text("Confirmed by its buyers", exact=True)).to_be_visible()
    authority.get_by_text("Freeze lot…", exact=True).click()
    authority.get_by_role("button", name="Yes, freeze lot").click()
    _flash(authority, f"{reference} is frozen.")
    screenshot(authority, "procurement-lot")
    _check_at_both_widths(authority, "procurement-lot")
    authority.get_by_role("link", name="Open a joint call").click()
    expect(authority.get_by_role("heading", level=1)).to_have_text(
        f"Open a joint call for {reference}"
    )
    expect(authority.get_by_label("Call title")).to_have_value(
        f"{CATEGORY_NAME}: joint call for {reference}"
    )
    authority.get_by_label("Description").fill(
        "Thermal sensors for drones, delivered to each buyer; the lowest unit price wins."
    )
    # Above the EU threshold (the round's demand for the need): at least 30 days to offer.
    deadline = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=31)
    authority.get_by_label("Deadline for offers").fill(deadline.isoformat())
    authority.get_by_label("Duration of the framework agreement (months)").fill("24")
    _check_at_both_widths(authority, "procurement-open-call")
    authority.get_by_role("button", name="Open the call").click()
    _flash(authority, "is open; eligible vendors were notified.")
    heading = authority.get_by_role("heading", level=1).inner_text()
    call_reference = heading.split(":")[0]
    call_id = int(call_reference.removeprefix("CALL-"))
    call_path = f"/procurement/calls/{call_id}"
    authority.get_by_label("Document title").fill("Technical specification")
    authority.locator("input[type=file]").set_input_files(_pdf(tmp_path))
    authority.get_by_role("button", name="Attach").click()
    _flash(authority, "The document is attached.")
    documents = authority.get_by_role("table", name="Tender documents (1)")
    expect(documents).to_contain_text("specification.pdf")
    expect(authority.get_by_text("Sealed until the deadline")).to_be_visible()

    # The certified vendor sees it can offer, and offers.
    vendor = _signed_in(new_context, VENDOR)
    _nav(vendor, "Joint calls")
    listed = vendor.get_by_role("row").filter(
        has=vendor.get_by_role("link", name=call_reference, exact=True)
    )
    expect(listed.get_by_text("You can offer", exact=True)).to_be_visible()
    listed.get_by_role("link", name=call_reference, exact=True).click()
    vendor.get_by_role("link", name="Make an offer").click()
    expect(vendor.get_by_role("heading", level=1)).to_have_text(
        f"Make an offer on {call_reference}"
    )
    _fill_offer(vendor, TIERS, LEAD_TIME)
    vendor.get_by_label("Notes").fill("Delivery in two batches per buyer.")
    vendor.get_by_label("Notes").blur()
    screenshot(vendor, "procurement-offer-form")
    _check_at_both_widths(vendor, "procurement-offer-form")
    vendor.get_by_role("button", name="Submit the offer").click()
    _flash(vendor, "is saved and sealed until the deadline.")
    offer_url = vendor.url
    # Encrypted at once: not even its own vendor reads the prices back, only the receipt.
    expect(_tiers_shown(vendor)).to_have_count(0)
    expect(vendor.get_by_text("Encrypted", exact=True)).to_be_visible()
    expect(vendor.locator("code.receipt")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    receipt = vendor.locator("code.receipt").inner_text()

    # A second offer from the same vendor is refused; the first is unchanged.
    vendor.goto(f"{call_path}/offer")
    expect(vendor.get_by_text("Your organisation has already made an offer")).to_be_visible()
    _fill_offer(vendor, (("1", "100.00"),), "5")
    vendor.get_by_role("button", name="Submit the offer").click()
    expect(
        vendor.get_by_role("alert").filter(
            has_text=re.compile(
                r"already made an offer on this call \(OFFER-\d{5}\).*Nothing was changed\."
            )
        )
    ).to_be_visible()
    vendor.goto(offer_url)
    expect(vendor.locator("code.receipt")).to_have_text(receipt)

    # A vendor without a label meeting the requirement is told why, and its offer is refused.
    outsider = new_context(account="vendor").new_page()
    outsider.goto(call_path)
    why = outsider.get_by_role("heading", name="You cannot offer on this call")
    expect(why).to_be_visible()
    reason = (
        f"None of your published solutions in {CATEGORY_NAME} holds a valid label under "
        f"{NORM} at level Certified or above."
    )
    expect(outsider.get_by_text(reason)).to_be_visible()
    expect(outsider.get_by_role("link", name="Make an offer")).to_have_count(0)
    _check_at_both_widths(outsider, "procurement-call-ineligible")
    refused = outsider.request.post(
        f"{call_path}/offer",
        form={
            "csrf_token": _csrf_token(outsider),
            "solution": "1",
            "tier_quantity_1": "1",
            "tier_price_1": "100.00",
            "lead_time_days": "5",
        },
    )
    assert refused.status == 200, refused.status
    answer = refused.text()
    assert "You cannot offer on this call" in answer and reason in answer, answer[-3000:]
    assert "is saved and sealed" not in answer

    # The vendor starts an edit; the deadline passes before it saves: refused, nothing changed.
    vendor.get_by_role("link", name="Edit your offer").click()
    _fill_offer(vendor, (("1", "31000.00"), ("6", "20000.00")), LEAD_TIME)
    _pass_the_deadline(live_server, call_id)
    vendor.get_by_role("button", name="Save changes").click()
    expect(
        vendor.get_by_role("alert").filter(
            has_text=re.compile(r"The deadline for offers passed on .*your offer was not changed\.")
        )
    ).to_be_visible()
    # Past the deadline the offers stay encrypted until two opening officers, each with their
    # own password, release their shares of the call's key: then everyone entitled reads them.
    vendor.goto(offer_url)
    expect(_tiers_shown(vendor)).to_have_count(0)
    authority.goto(call_path)
    expect(
        authority.get_by_text(re.compile(r"The offers stay encrypted until 2 of the 2"))
    ).to_be_visible()
    deputy = new_context().new_page()
    login_as(deputy, DEPUTY_EMAIL, totp_secret=DEMO_TOTP_SECRETS[DEPUTY_EMAIL])
    authority.goto(f"/procurement/calls/{call_id}/opening")
    authority.get_by_label("Your password").fill(DEMO_PASSWORD)
    authority.get_by_role("button", name="Release my share").click()
    _flash(authority, "Your share is released")
    deputy.goto(f"/procurement/calls/{call_id}/opening")
    screenshot(deputy, "procurement-opening")
    deputy.get_by_label("Your password").fill(DEMO_PASSWORD)
    deputy.get_by_role("button", name="Release my share").click()
    _flash(deputy, f"The offers on {call_reference} are open.")
    vendor.goto(offer_url)
    expect(_tiers_shown(vendor)).to_contain_text(AWARDED_PRICE)
    expect(_tiers_shown(vendor)).not_to_contain_text("20,000.00 EUR")
    expect(_tiers_shown(vendor)).not_to_contain_text("100.00 EUR")
    expect(vendor.locator("code.receipt")).to_have_text(receipt)

    # The authority sees the unsealed offer and awards.
    authority.goto(call_path)
    offers = authority.get_by_role("table", name="Offers received (1)")
    expect(offers.get_by_role("cell", name=VENDOR_NAME)).to_be_visible()
    expect(offers).to_contain_text("Compliant")
    expect(offers).to_contain_text(f"{LEAD_TIME} days")
    authority.get_by_text("Award the call…", exact=True).click()
    authority.get_by_role("button", name="Yes, award the call").click()
    _flash(authority, f"{call_reference} is awarded.")
    lines = authority.get_by_role("table", name=f"One contract line per buyer need ({len(KEPT)})")
    expect(lines.locator("tbody tr")).to_have_count(len(KEPT))
    for buyer in KEPT:
        expect(
            lines.get_by_role("row").filter(has_text=buyer.name).filter(has_text=titles[buyer.slug])
        ).to_have_count(1)
    dropouts = authority.get_by_role("table", name="Buyers that dropped out (1)")
    expect(dropouts.get_by_role("rowheader", name=DROPPED.name)).to_be_visible()
    expect(authority.get_by_text(f"{len(KEPT)} buyer needs; 1 dropped out")).to_be_visible()
    screenshot(authority, "procurement-call-awarded")
    _check_at_both_widths(authority, "procurement-call-awarded")

    # Each buyer sees its own outcome: a contract line, or why it dropped out.
    for buyer in KEPT:
        page = buyers[buyer.slug]
        page.goto(call_path)
        outcome = page.get_by_role("table", name=re.compile(r"^Your contract lines"))
        row = outcome.get_by_role("row").filter(has_text=titles[buyer.slug])
        expect(row).to_contain_text(re.compile(r"Contract CONTRACT-\d{5}"))
        expect(row).to_contain_text(AWARDED_PRICE)
    page = buyers[DROPPED.slug]
    page.goto(call_path)
    expect(page.get_by_text(re.compile(r"^Dropped out: the price 26,000\.00 EUR"))).to_be_visible()
    check_accessibility(page, "procurement-call-buyer-dropped")

    # The public call page shows the award to anyone.
    visitor = new_context().new_page()
    visitor.goto(f"/procurement/public/calls/{call_id}")
    expect(visitor.get_by_role("heading", name="Award", exact=True)).to_be_visible()
    expect(visitor.get_by_text(VENDOR_NAME, exact=True)).to_be_visible()
    contracts = visitor.get_by_role("table", name=f"Contracts, one per buyer ({len(KEPT)})")
    expect(contracts.locator("tbody tr")).to_have_count(len(KEPT))
    expect(
        visitor.get_by_text(re.compile(rf"^{DROPPED.name}: its ceiling was below the price"))
    ).to_be_visible()
    screenshot(visitor, "procurement-public-call-awarded")
    _check_at_both_widths(visitor, "procurement-public-call-awarded")

    # The OCDS package validates and has a tender, the award and one contract per line.
    ocid = visitor.locator("code").filter(has_text=re.compile(r"-CALL-")).first.inner_text()
    response = visitor.request.get(f"/procurement/ocds/{ocid}.json")
    assert response.ok, response.status
    package = response.json()
    release = ocds_schema.release_schema()
    ocds_schema.assert_valid(ocds_schema.package_validator(release), release, package)
    releases = package["releases"]
    tags = [item["tag"] for item in releases]
    # Each change that alters a release publishes it again: the stages follow one another.
    stages = [tag for index, tag in enumerate(tags) if index == 0 or tag != tags[index - 1]]
    assert stages[:3] == [["tender"], ["tenderUpdate"], ["award"]], tags
    (award,) = [item for item in releases if item["tag"] == ["award"]][-1]["awards"]
    assert award["suppliers"][0]["name"] == VENDOR_NAME
    assert sorted(buyer["name"] for buyer in award["buyers"]) == sorted(b.name for b in KEPT)
    contract_releases = [item for item in releases if item["tag"] == ["contract"]]
    contract_buyers = {item["contracts"][0]["buyer"]["name"] for item in contract_releases}
    assert contract_buyers == {buyer.name for buyer in KEPT}
    assert {item["contracts"][0]["awardID"] for item in contract_releases} == {award["id"]}
    items = releases[0]["tender"]["items"]
    assert len(items) == len(BUYERS)

    # The dashboard draws the lots, ours among them, with charts and their data tables.
    authority.goto("/procurement/dashboard")
    expect(authority.locator("svg").first).to_be_visible()
    expect(authority.get_by_text(reference).first).to_be_visible()
    screenshot(authority, "procurement-dashboard")
    _check_at_both_widths(authority, "procurement-dashboard")
