"""A lawful joint call from its first question to a buyer's first order, in Chromium.

Set up through the call builders in the live server's database: a frozen lot of two new
buyers' needs (mandates signed) and two new vendors, each with a certified solution under a
norm of their own. In the browser the demo authority opens the call with weighted criteria
(price 50 %, lead time 50 %); one vendor asks a question, the authority answers, and the other
vendor reads the answer without the asker's name; a corrigendum extends the deadline; both
vendors offer (receipts shown) and the authority can read no price. The deadline passes (moved
in the database: the deadline is the clock), authority@ and deputy@ release their shares and
the offers open; the authority sees the weighted scores and awards the dearer, faster offer;
each vendor reads its letter. The standstill passes (the award is dated back through the
standstill's own history helper), each buyer signs its contract line, and one buyer orders
and sees the remaining quantity drop.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from procurement.calls.legal.demo import opening_days
from procurement.calls.models import JointCall
from registry.database import db, utcnow
from registry.dates import today, when
from registry.demo import AUTHORITY_EMAIL, DEMO_PASSWORD, DEMO_TOTP_SECRETS, DEPUTY_EMAIL
from registry.models import (
    BuyerType,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    User,
    VendorSize,
)
from registry.passwords import hash_password
from tests.browser.browser_support import (
    check_accessibility,
    declare_no_exclusion_ground,
    login_as,
    screenshot,
)
from tests.browser.conftest import LiveServer
from tests.procurement.calls.call_builders import frozen_lot, pass_standstill
from tests.procurement.need_builders import certified_market
from tests.support import PASSWORD

pytestmark = pytest.mark.browser

# Firm quantities and ceilings of the two buyers' needs (each also has 5 optional units).
QUANTITIES = (10, 20)
CEILING = "1200.00"
# The dearer vendor delivers on time; the cheaper one 45 days after the buyers' need-by date
# (a year away), so with price and lead time weighted 50/50 the dearer offer wins:
# 50 % × 90 (900/1000) + 50 % × 100 = 95 against 50 % × 100 + 50 % × 50 = 75.
DEAR = ("1000.00", "30")
CHEAP = ("900.00", "410")


@dataclass(frozen=True)
class Party:
    """A user made for the journey and its organisation's name."""

    email: str
    organisation: str


@dataclass(frozen=True)
class World:
    """What the builders made: the lot, its two buyers and two certified vendors."""

    lot_id: int
    lot_reference: str
    deadline: dt.date
    buyers: tuple[Party, Party]
    vendors: tuple[Party, Party]


def _flash(page: Page, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


@contextmanager
def _server_database(live_server: LiveServer) -> Iterator[None]:
    """An application context on the live server's database, for the builders."""
    app = live_server.application()
    with app.test_request_context():
        try:
            yield
        finally:
            db.session.remove()
            db.engine.dispose()


def _new_user(kind: OrganisationKind, name: str) -> User:
    organisation = Organisation(
        name=name,
        kind=kind,
        status=OrganisationStatus.ACTIVE,
        vendor_size=VendorSize.STARTUP if kind is OrganisationKind.VENDOR else None,
        buyer_type=BuyerType.LOCAL_GOVERNMENT if kind is OrganisationKind.BUYER else None,
        region="Bretagne",
    )
    user = User(
        organisation=organisation,
        email=f"journey-{secrets.token_hex(4)}@example.org",
        full_name=f"{name} officer",
        password_hash=hash_password(PASSWORD),
        is_org_admin=True,
    )
    db.session.add_all([organisation, user])
    db.session.commit()
    return user


def _world(live_server: LiveServer) -> World:
    suffix = secrets.token_hex(3).upper()
    with _server_database(live_server):
        authority = db.session.scalar(select(User).where(User.email == AUTHORITY_EMAIL))
        assert authority is not None
        vendors = [
            _new_user(OrganisationKind.VENDOR, f"Journey Dear Vendor {suffix}"),
            _new_user(OrganisationKind.VENDOR, f"Journey Cheap Vendor {suffix}"),
        ]
        certified_market(authority, vendors, f"JOURNEY-{suffix}")
        buyers = [
            _new_user(OrganisationKind.BUYER, f"Journey Town {suffix}"),
            _new_user(OrganisationKind.BUYER, f"Journey City {suffix}"),
        ]
        lot = frozen_lot(
            authority,
            buyers,
            code=f"JOURNEY-{suffix}",
            quantities=QUANTITIES,
            ceilings=[CEILING, CEILING],
            title=f"Journey licences {suffix}",
        )
        deadline = today() + dt.timedelta(days=opening_days(lot) + 1)
        return World(
            lot.id,
            lot.reference,
            deadline,
            (
                Party(buyers[0].email, buyers[0].organisation.name),
                Party(buyers[1].email, buyers[1].organisation.name),
            ),
            (
                Party(vendors[0].email, vendors[0].organisation.name),
                Party(vendors[1].email, vendors[1].organisation.name),
            ),
        )


def _pass_the_deadline(live_server: LiveServer, call_id: int) -> None:
    """The deadline is the clock: move it just into the past in the server's database."""
    with _server_database(live_server):
        call = db.session.get(JointCall, call_id)
        assert call is not None
        call.deadline = utcnow() - dt.timedelta(seconds=1)
        db.session.commit()


def _pass_the_standstill(live_server: LiveServer, call_id: int) -> None:
    """Date the award, its letters and its standstill back, as if awarded weeks ago."""
    with _server_database(live_server):
        call = db.session.get(JointCall, call_id)
        assert call is not None
        pass_standstill(call)


def _signed_in(new_context: Callable[..., BrowserContext], email: str) -> Page:
    page = new_context().new_page()
    login_as(page, email, PASSWORD)
    return page


def _offer(page: Page, call_path: str, price: str, lead_time: str) -> tuple[str, str]:
    """The vendor offers one tier from a single unit; returns (offer address, receipt)."""
    page.goto(call_path)
    page.get_by_role("link", name="Make an offer").click()
    page.get_by_label("From quantity (tier 1)").fill("1")
    page.get_by_label("Unit price (tier 1, EUR)").fill(price)
    page.get_by_label("Lead time (days from the order to delivery)").fill(lead_time)
    declare_no_exclusion_ground(page)
    page.get_by_role("button", name="Submit the offer").click()
    _flash(page, "is saved and sealed until the deadline.")
    receipt = page.locator("code.receipt")
    expect(receipt).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    return page.url, receipt.inner_text()


def _release_share(page: Page, call_id: int) -> None:
    page.goto(f"/procurement/calls/{call_id}/opening")
    page.get_by_label("Your password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Release my share").click()


def _stamp(moment: dt.datetime) -> str:
    """A moment as the pages show it: in the portal's zone (Europe/Paris) with the zone's name."""
    return when(moment)


def test_a_joint_call_from_a_question_to_a_buyers_first_order(
    new_context: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    world = _world(live_server)
    dear, cheap = world.vendors

    # The authority opens the call on the frozen lot, weighing price and lead time equally.
    authority = new_context(account="authority").new_page()
    authority.goto(f"/procurement/lots/{world.lot_id}/call")
    expect(authority.get_by_role("heading", level=1)).to_have_text(
        f"Open a joint call for {world.lot_reference}"
    )
    authority.get_by_label("Deadline for offers").fill(world.deadline.isoformat())
    authority.get_by_label("Weight of the price (%)").fill("50")
    authority.get_by_label("Weight of the lead time (%)").fill("50")
    authority.get_by_label("Weight of the quality (%)").fill("0")
    authority.get_by_role("button", name="Open the call").click()
    _flash(authority, "is open; eligible vendors were notified.")
    call_reference = authority.get_by_role("heading", level=1).inner_text().split(":")[0]
    call_id = int(call_reference.removeprefix("CALL-"))
    call_path = f"/procurement/calls/{call_id}"
    first_deadline = dt.datetime.combine(world.deadline, dt.time(12))
    expect(authority.get_by_text(f"Offers close on {_stamp(first_deadline)}.")).to_be_visible()
    criteria = authority.get_by_role("table", name="Weighted criteria published with the call (2)")
    expect(criteria.get_by_role("row").filter(has_text="Price")).to_contain_text("50 %")
    expect(criteria.get_by_role("row").filter(has_text="Lead time")).to_contain_text("50 %")

    # 1. A vendor asks a question during the enquiry period; the authority answers it.
    asker = _signed_in(new_context, dear.email)
    asker.goto(call_path)
    expect(asker.get_by_text("Vendors may ask questions until")).to_be_visible()
    question = "May the licences be delivered as one key per buyer rather than one per unit?"
    asker.get_by_label("Your question").fill(question)
    asker.get_by_role("button", name="Send the question").click()
    _flash(asker, "its answer will be published to every vendor without your name.")
    own = asker.get_by_role("heading", name="Your organisation's questions")
    expect(own).to_be_visible()
    expect(asker.get_by_text(re.compile(r"asked .* CES?T: waiting for an answer"))).to_be_visible()

    authority.goto(call_path)
    expect(
        authority.get_by_role("heading", name="Questions waiting for an answer (1)")
    ).to_be_visible()
    answer = "One key per buyer is accepted, provided it activates every unit of its contract line."
    authority.get_by_label("Answer", exact=True).fill(answer)
    authority.get_by_role("button", name="Publish the answer").click()
    _flash(authority, "is published.")
    expect(
        authority.get_by_role("heading", name="Questions waiting for an answer (0)")
    ).to_be_visible()

    # The other vendor reads the question and its answer, with nobody's name beside them.
    other = _signed_in(new_context, cheap.email)
    other.goto(call_path)
    answers = other.locator("dl.enquiry-answers")
    expect(answers.locator("dt")).to_have_count(1)
    expect(answers.locator("dt")).to_contain_text(question)
    expect(answers.locator("dd")).to_have_text(answer)
    expect(other.get_by_role("heading", name="Your organisation's questions")).to_have_count(0)
    expect(other.locator("main")).not_to_contain_text(dear.organisation)
    expect(other.locator("main")).not_to_contain_text(f"{dear.organisation} officer")
    screenshot(other, "joint-call-answered-question")

    # 2. The authority publishes a corrigendum; the deadline moves by the minimum extension.
    authority.goto(call_path)
    authority.get_by_label("What changes").fill(
        "Section 3 of the specification now accepts one activation key per buyer."
    )
    authority.get_by_text("Publish the corrigendum…", exact=True).click()
    authority.get_by_role("button", name="Yes, publish the corrigendum").click()
    new_deadline = first_deadline + dt.timedelta(days=6)
    _flash(authority, f"offers now close on {_stamp(new_deadline)}.")
    expect(authority.get_by_text(f"Offers close on {_stamp(new_deadline)}.")).to_be_visible()
    other.goto(call_path)
    expect(other.get_by_text(f"Offers close on {_stamp(new_deadline)}.")).to_be_visible()
    expect(other.locator("ul.corrigenda li")).to_have_count(1)
    expect(other.locator("ul.corrigenda li")).to_contain_text(
        f"Deadline moved from {_stamp(first_deadline)} to {_stamp(new_deadline)}."
    )

    # 3. Both vendors offer and get their receipts; the authority reads no price.
    dear_offer, dear_receipt = _offer(asker, call_path, *DEAR)
    cheap_offer, _ = _offer(other, call_path, *CHEAP)
    expect(other.get_by_text("Encrypted", exact=True)).to_be_visible()
    authority.goto(call_path)
    expect(authority.get_by_text("Sealed until the deadline")).to_be_visible()
    expect(authority.get_by_role("table", name=re.compile(r"^Offers received"))).to_have_count(0)
    expect(authority.locator("main")).not_to_contain_text("1,000.00 EUR")
    expect(authority.locator("main")).not_to_contain_text("900.00 EUR")
    for address in (dear_offer, cheap_offer):
        refused = authority.goto(address)
        assert refused is not None and refused.status == 404, address
        expect(authority.locator("main")).not_to_contain_text("EUR")

    # 4. The deadline passes; two officers release their shares and the offers open.
    _pass_the_deadline(live_server, call_id)
    _release_share(authority, call_id)
    _flash(authority, "Your share is released")
    deputy = new_context().new_page()
    login_as(deputy, DEPUTY_EMAIL, totp_secret=DEMO_TOTP_SECRETS[DEPUTY_EMAIL])
    _release_share(deputy, call_id)
    _flash(deputy, f"The offers on {call_reference} are open.")
    asker.goto(dear_offer)
    expect(asker.locator("code.receipt")).to_have_text(dear_receipt)
    expect(
        asker.get_by_role("table", name=re.compile(r"^Unit price by total quantity"))
    ).to_contain_text("1,000.00 EUR")

    # 5. The authority sees both offers, awards, and the weighted scores rank the dearer first.
    authority.goto(call_path)
    offers = authority.get_by_role("table", name="Offers received (2)")
    expect(offers.get_by_role("cell", name=dear.organisation, exact=True)).to_be_visible()
    expect(offers.get_by_role("cell", name=cheap.organisation, exact=True)).to_be_visible()
    expect(offers).to_contain_text("900.00 EUR")
    authority.get_by_text("Award the call…", exact=True).click()
    authority.get_by_role("button", name="Yes, award the call").click()
    _flash(authority, f"{call_reference} is awarded.")
    expect(
        authority.get_by_text(re.compile(rf"^{re.escape(dear.organisation)} — "))
    ).to_be_visible()
    scores = authority.get_by_role("table", name="Scores of the offers at the award (2)")
    rows = scores.locator("tbody tr")
    expect(rows).to_have_count(2)
    dear_number = dear_offer.rsplit("/", 1)[1]
    cheap_number = cheap_offer.rsplit("/", 1)[1]
    expect(rows.nth(0).get_by_role("cell")).to_have_text(["1", "90.00", "100.00", "95.00"])
    expect(rows.nth(0).get_by_role("rowheader")).to_have_text(f"OFFER-{int(dear_number):05d}")
    expect(rows.nth(1).get_by_role("cell")).to_have_text(["2", "100.00", "50.00", "75.00"])
    expect(rows.nth(1).get_by_role("rowheader")).to_have_text(f"OFFER-{int(cheap_number):05d}")
    lines = authority.get_by_role("table", name="One contract line per buyer need (2)")
    expect(lines.locator("tbody tr")).to_have_count(2)
    screenshot(authority, "joint-call-weighted-award")

    # Letters for both vendors: the authority lists them, each vendor reads its own.
    authority.get_by_role("link", name="Award letters").click()
    letters = authority.get_by_role("table", name="Letters sent (2)")
    expect(letters.get_by_role("row").filter(has_text=dear.organisation)).to_contain_text("Won")
    expect(letters.get_by_role("row").filter(has_text=cheap.organisation)).to_contain_text(
        "Not retained"
    )
    for vendor, outcome in ((asker, "Won"), (other, "Not retained")):
        vendor.goto(f"{call_path}/letters")
        expect(vendor.get_by_role("heading", level=2)).to_have_text(
            re.compile(rf"^\S+: {outcome}$")
        )
        expect(vendor.get_by_text(re.compile(r"^The standstill ends on "))).to_be_visible()
    screenshot(other, "joint-call-letter-not-retained")
    check_accessibility(other, "joint-call-letter-not-retained")

    # 6. During the standstill a buyer cannot sign; once it has passed, each buyer signs.
    town = _signed_in(new_context, world.buyers[0].email)
    town.goto(call_path)
    expect(town.get_by_text(re.compile(r"^Standstill until "))).to_be_visible()
    expect(town.get_by_role("link", name="Record the signature")).to_have_count(0)
    _pass_the_standstill(live_server, call_id)
    city = _signed_in(new_context, world.buyers[1].email)
    for buyer, page in ((world.buyers[0], town), (world.buyers[1], city)):
        page.goto(call_path)
        expect(page.get_by_text(re.compile(r"^The standstill ended on "))).to_be_visible()
        page.get_by_role("link", name="Record the signature").click()
        page.get_by_label("Signatory's name").fill("Claire Dubois")
        page.get_by_label("Capacity").fill("Mayor")
        page.get_by_label("Date of signature").fill(today().isoformat())
        if buyer is world.buyers[0]:
            check_accessibility(page, "joint-call-sign")
        page.get_by_text("Record the signature…", exact=True).click()
        page.get_by_role("button", name="Yes, record the signature").click()
        _flash(page, "is recorded.")
        signatures = page.get_by_role("table", name="Signature of each contract line (2)")
        expect(signatures.get_by_role("row").filter(has_text=buyer.organisation)).to_contain_text(
            "Signed on"
        )
    expect(
        city.get_by_role("table", name="Signature of each contract line (2)")
    ).not_to_contain_text("Pending")

    # 7. A buyer orders against its line and sees the remaining quantity drop.
    orders = town.get_by_role("table", name=re.compile(r"^What each contract has ordered"))
    expect(orders.locator("tbody tr")).to_have_count(1)
    maximum = QUANTITIES[0] + 5
    expect(orders.locator("tbody tr").get_by_role("cell").nth(3)).to_have_text(str(maximum))
    orders.get_by_role("link", name=re.compile(r"^Orders on CONTRACT-")).click()
    expect(town.get_by_text(f"0; {maximum} remain to be ordered")).to_be_visible()
    expect(town.get_by_text("No order has been placed on this contract yet.")).to_be_visible()
    line_url = town.url
    town.get_by_label("Quantity to order").fill("4")
    town.get_by_label("Note for the vendor (optional)").fill("Deliver to the town hall.")
    town.get_by_role("button", name="Place the order").click()
    _flash(town, "is placed; the vendor was sent it.")
    town.goto(line_url)
    expect(town.get_by_text(f"4; {maximum - 4} remain to be ordered")).to_be_visible()
    placed = town.get_by_role(
        "table", name=re.compile(r"^Orders on CONTRACT-\d+, newest first \(1\)")
    )
    expect(placed.locator("tbody tr")).to_have_count(1)
    screenshot(town, "joint-call-order")
    check_accessibility(town, "joint-call-order")
    town.goto(call_path)
    expect(orders.locator("tbody tr").get_by_role("cell").nth(2)).to_have_text(f"4 of {maximum}")
    expect(orders.locator("tbody tr").get_by_role("cell").nth(3)).to_have_text(str(maximum - 4))
