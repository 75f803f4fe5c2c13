"""Confidential values stay confidential: a sentinel in every confidential field, searched for
on every surface an anonymous visitor can reach.

The world (tests/sentinel_builders.py) is made through the services beside the route walk's
world (tests/routing.py). The anonymous visitor then requests every GET case of
tests/route_cases/, every GET route of the application aimed at the sentinel world's objects,
and every page, API response, export, feed, OCDS package and PDF (text and attachments) those
link to, following pagination. No sentinel may appear in a body or a header. The walk runs at
four moments where visibility changes: a call taking offers, the same call past its
deadline, awarded (by then the evaluation is decided and its label published), and past the
embargo of a vulnerability case. After the award the public facts must appear, and after the
embargo the case's, so that publishing nothing cannot pass.

What is public and what is not (docs/DESIGN.md "Roles" and "Entities", README "Pooled demand",
"Open joint procurement", the open-data policy page):

| field | shown to anonymous visitors |
| --- | --- |
| a need's ceiling (maximum unit price), also of a buyer that left an award | never |
| budgets at the ceilings (a need's, a lot's firm and maximum) | never |
| a need's notes | never |
| buyer's name, need title, quantities, need-by date, region | once the need is open |
| offers: vendors, prices, totals, lead times | not before the deadline |
| an offer's vendor, price and total at the lot's quantity, lead time | from the deadline |
| an offer's other tier prices | never, unless one is the awarded price |
| an offer's prices and lead time before the vendor changed it | never |
| the award: supplier, solution, price, total, contract lines, buyers | from the award |
| names of the buyers that left the award (not their ceilings) | from the award |
| evidence: file names, contents, stored names, SHA-256 | never |
| conflict-of-interest declarations | never |
| evaluators' justifications (scores, 0–5, cannot be sentinels) | never |
| a certification decision's public statement | yes, with the label (decision log, label page) |
| a decision's internal rationale, the reason for a lower level | never |
| a pending revocation proposal's reason | never (published only once a second officer confirms) |
| draft solutions: name, summary, description | never |
| draft norms and draft versions: code, criteria titles and guidance | never |
| shortlists: names and notes | never |
| users: e-mail addresses, full names, password hashes, TOTP secrets | never |
| invitations: the invited address | never |
| an unapproved (pending or rejected) organisation: name, description, website | never |
| the reason an organisation was rejected | never |
| audit log entries (they repeat the values above) | never (decision log: label events) |
| a vulnerability report's words and its reporter's contact | never |
| a vulnerability case's title, summary, CVE id, vendor analysis | once settled, past its embargo |
| a report not yet settled (reported, under analysis) | never |
| label numbers, published solutions, vendors' and buyers' organisation names | yes |
"""

from __future__ import annotations

import html
import io
import itertools
import json
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from werkzeug.test import TestResponse

from catalog.search import indexer
from procurement.calls.services.awarding import award_call
from registry.database import db
from registry.dates import today
from registry.models import Organisation, User
from tests import sentinel_builders
from tests.procurement.calls.call_builders import pass_deadline
from tests.routing import build_world, collect_cases, path_values
from tests.sentinel_builders import Sentinel, SentinelWorld, money_sentinel
from vulnerabilities.labels import apply_label_effects
from vulnerabilities.models import VulnerabilityCase

# Distinct addresses of one path followed from links (facets, sort orders); pages of a
# paginated list are followed further.
PER_PATH = 12
PER_PAGINATED_PATH = 60
MOST_REQUESTS = 4000
API_PAGE = 2
_LINK = re.compile(r"""(?:href|src)\s*=\s*["']([^"'#]+)""")
# The site's own absolute URLs start with BASE_URL (or the test client's host, which no page
# should print): the path that follows.
_ABSOLUTE_PATH = r"(/[^\s\"'<>]*)"
_JSON_PATH = re.compile(r'"(/[^/"\s<>{}][^"\s<>{}]*)"')


CASES, WORLD_EXTENDERS = collect_cases()


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """As in production, the development outbox page is off; the bulk OCDS package has pages
    of two releases, so that the walk follows its pages."""
    return {**app_config, "SHOW_OUTBOX": False, "OCDS_PAGE_SIZE": 2}


@dataclass
class Page:
    """One anonymous response, as searchable text."""

    url: str
    status: int
    text: str


def pdf_text(data: bytes) -> str:
    """A PDF's text (pdftotext when installed, else pypdf) and its attached files; a file that
    is not a readable PDF (a tender document of the route world) as its raw bytes."""
    try:
        reader = PdfReader(io.BytesIO(data))
        attachments = reader.attachments.items()
    except PdfReadError:
        return data.decode("latin-1")
    parts = [data.decode("latin-1")]
    tool = shutil.which("pdftotext")
    if tool:
        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / "document.pdf"
            source.write_bytes(data)
            result = subprocess.run(
                [tool, "-q", str(source), "-"], capture_output=True, check=True, timeout=60
            )
            parts.append(result.stdout.decode("utf-8", "replace"))
    else:
        parts.extend(page.extract_text() or "" for page in reader.pages)
    for name, contents in attachments:
        parts.append(name)
        parts.extend(content.decode("utf-8", "replace") for content in contents)
    return "\n".join(parts)


def readable(response: TestResponse) -> str:
    """Headers and body as text: PDFs extracted, JSON escapes and HTML entities undone."""
    headers = "\n".join(f"{key}: {value}" for key, value in response.headers.items())
    data = response.get_data()
    if response.mimetype == "application/pdf":
        return headers + "\n" + pdf_text(data)
    body = data.decode("utf-8", "replace")
    if response.is_json:
        body += "\n" + json.dumps(response.get_json(), ensure_ascii=False)
    return headers + "\n" + html.unescape(body)


def without_address(text: str, url: str) -> str:
    """The text less the address asked for (a redirect to sign-in names it): a sentinel in
    the address is the visitor's own."""
    for form in sorted({url, quote(url, safe="/"), quote(url, safe="")}, key=len, reverse=True):
        text = re.sub(re.escape(form) + r"""(?=["'\s<>&]|$)""", "", text)
    return text


def links_in(text: str, base_url: str) -> Iterable[str]:
    """Same-site addresses a page names: href/src attributes, absolute URLs (OCDS links,
    feeds), paths in JSON (the API's page links)."""
    for found in _LINK.findall(text):
        if found.startswith("/") and not found.startswith("//"):
            yield found
    sites = "|".join(re.escape(site) for site in (base_url.rstrip("/"), "http://localhost"))
    yield from re.findall(f"(?:{sites}){_ABSOLUTE_PATH}", text)
    yield from _JSON_PATH.findall(text)


def seeds(app: Flask, route_world: dict[str, Any], world: SentinelWorld) -> list[str]:
    """Every GET case of the route walk, and every GET route aimed at the sentinel objects."""
    values = path_values(route_world, "anonymous")
    found = [case.path.format(**values) for case in CASES if case.method == "GET"]
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()):
            continue
        if not rule.arguments:
            if rule.rule.startswith("/api/"):
                found.append(f"{rule.rule}?per_page={API_PAGE}")  # the lists, page by page
            continue
        names = sorted(rule.arguments)
        choices = [world.ids.get(name, []) for name in names]
        for combination in itertools.product(*choices):
            try:
                built = rule.build(dict(zip(names, combination, strict=True)))
            except (ValueError, TypeError):
                continue  # a value of another route's kind (a norm code where a number goes)
            if built is not None:
                found.append(built[1])
    return found


def walk(client: FlaskClient, start: list[str]) -> list[Page]:
    """Request every seed anonymously and follow the links of every successful answer."""
    queue = list(dict.fromkeys(start))
    seen = set(queue)
    per_path: Counter[str] = Counter()
    pages: list[Page] = []
    while queue:
        assert len(pages) < MOST_REQUESTS, "the walk does not end: a link makes new addresses"
        url = queue.pop(0)
        response = client.get(url)
        text = readable(response)
        pages.append(Page(url, response.status_code, without_address(text, url)))
        if response.status_code != 200:
            continue
        for link in links_in(text, client.application.config["BASE_URL"]):
            link = html.unescape(link)
            parts = urlsplit(link)
            if parts.path.startswith("/static/") or link in seen:
                continue
            limit = PER_PAGINATED_PATH if "page=" in parts.query else PER_PATH
            if per_path[parts.path] >= limit:
                continue
            per_path[parts.path] += 1
            seen.add(link)
            queue.append(link)
    return pages


def answered(app: Flask, pages: list[Page]) -> set[str]:
    """The endpoints that answered 200 in a walk."""
    adapter = app.url_map.bind("localhost")
    return {
        adapter.match(urlsplit(page.url).path, method="GET")[0]
        for page in pages
        if page.status == 200
    }


def leaks(pages: list[Page], secrets: list[Sentinel]) -> list[str]:
    """Every (address, field) where a sentinel shows."""
    return [
        f"{page.url} ({page.status}) shows the {secret.field} {secret.value!r}"
        for page in pages
        for secret in secrets
        if secret.found_in(page.text)
    ]


def anonymous_walk(app: Flask, route_world: dict[str, Any], world: SentinelWorld) -> list[Page]:
    """One anonymous walk over every surface; the session is fresh."""
    db.session.expire_all()
    return walk(app.test_client(), seeds(app, route_world, world))


@pytest.fixture
def worlds(
    app: Flask,
    create_organisation: Callable[..., Organisation],
    create_user: Callable[..., User],
) -> tuple[dict[str, Any], SentinelWorld]:
    """The sentinel world (made first, so the route world's aggregation finds its lot frozen)
    and the route walk's world."""
    world = sentinel_builders.build(create_organisation, create_user)
    route_world = build_world(app, create_organisation, create_user, WORLD_EXTENDERS)
    indexer.rebuild()
    return route_world, world


def test_no_confidential_value_on_any_anonymous_surface(
    app: Flask, worlds: tuple[dict[str, Any], SentinelWorld]
) -> None:
    route_world, world = worlds
    call, authority = world.call, world.authority
    assert call is not None and authority is not None

    before = anonymous_walk(app, route_world, world)
    found = leaks(
        before, world.always + world.until_deadline + world.until_award + world.until_embargo
    )
    assert not found, "before the deadline:\n" + "\n".join(found)
    public = {case.endpoint for case in CASES if case.expected["anonymous"] == 200}
    public.discard("dev.outbox")  # off, as in production (the app_config fixture above)
    assert public <= answered(app, before), "anonymous routes the walk did not reach"
    followed = {page.url for page in before if page.status == 200}
    assert {"/procurement/ocds.json?page=2", f"/api/v1/calls?page=2&per_page={API_PAGE}"} <= (
        followed
    ), "the walk does not follow the pages of the lists"

    pass_deadline(call)
    found = leaks(
        anonymous_walk(app, route_world, world),
        world.always + world.until_award + world.until_embargo,
    )
    assert not found, "after the deadline:\n" + "\n".join(found)

    award_call(authority, call)
    db.session.commit()
    assert call.award is not None and len(call.award.dropouts) == 1
    label = sentinel_builders.decide(world)
    awarded = anonymous_walk(app, route_world, world)
    found = leaks(awarded, world.always + world.until_embargo)
    assert not found, "after the award and the certification:\n" + "\n".join(found)
    assert_public_facts(awarded, world)
    assert any(page.url == f"/labels/{label.number}" and page.status == 200 for page in awarded)
    assert_disclosed(awarded, world.disclosed_case, world.watched_label, world.disclosed)

    # The embargo of the confirmed case ends (the clock moves), and the daily run marks its label.
    embargoed = world.embargoed
    assert embargoed is not None
    embargoed.embargo_until = today()
    apply_label_effects()
    db.session.commit()
    after = anonymous_walk(app, route_world, world)
    found = leaks(after, world.always)
    assert not found, "after the embargo:\n" + "\n".join(found)
    assert_disclosed(after, embargoed, world.watched_label, world.until_embargo[:2])


def test_the_sentinels_show_where_they_belong(
    app: Flask,
    create_organisation: Callable[..., Organisation],
    create_user: Callable[..., User],
    login: Callable[..., Any],
) -> None:
    """The patterns find the values as the owners' own pages print them: a buyer's ceiling on
    its need, a vendor's tier prices and lead time on its offer once opened, a draft on its
    editor, an embargoed vulnerability case and its report on the vendor's case page."""
    world = sentinel_builders.build(create_organisation, create_user)
    call, need, offer, vendor = world.call, world.needs[0], world.offers[0], world.vendor
    assert call is not None and vendor is not None
    buyer = app.test_client()
    login(buyer, world.buyers[0])
    own_need = buyer.get(f"/procurement/needs/{need.id}")
    assert money_sentinel("ceiling", need.max_unit_price).found_in(readable(own_need))
    seller = app.test_client()
    login(seller, vendor)
    offer_page = f"/procurement/calls/{call.id}/offers/{offer.id}"
    planted = world.until_deadline + world.until_award + world.always
    priced = {"offer's lead time", "offer's price at the lot's quantity"}
    # Sealed: before the opening not even the vendor reads its own price and lead time back...
    shown = {
        secret.field for secret in planted if secret.found_in(readable(seller.get(offer_page)))
    }
    assert not shown & priced
    # ...and once the officers opened the offers, its page prints them.
    pass_deadline(call)
    shown = {
        secret.field for secret in planted if secret.found_in(readable(seller.get(offer_page)))
    }
    assert shown >= priced
    assert world.case_vendor is not None and world.embargoed is not None
    maker = app.test_client()
    login(maker, world.case_vendor)
    own_case = readable(maker.get(f"/vulnerabilities/{world.embargoed.reference}"))
    shown = {secret.field for secret in world.until_embargo + planted if secret.found_in(own_case)}
    assert shown >= {
        "embargoed case's title",
        "embargoed case's summary",
        "embargoed case's vendor analysis",
        "CVE id",
        "embargoed case: researcher's report",
        "embargoed case: reporter's contact",
    }


def assert_public_facts(pages: list[Page], world: SentinelWorld) -> None:
    """The awarded call's public page, its API answer and its OCDS package show the award:
    the price, every buyer by name, the quantities; the winner's label is public."""
    call = world.call
    assert call is not None and call.award is not None
    price = money_sentinel("awarded unit price", sentinel_builders.AWARDED_PRICE)
    by_url = {page.url: page for page in pages if page.status == 200}
    surfaces = [
        f"/procurement/public/calls/{call.id}",
        f"/api/v1/calls/{call.id}",
        f"/procurement/ocds/{call.ocid}.json",
    ]
    for url in surfaces:
        assert url in by_url, f"{url} was not reached"
        text = by_url[url].text
        assert price.found_in(text), f"{url} does not show the awarded unit price"
        for buyer in world.buyers:
            assert buyer.organisation.name in text, f"{url} does not name {buyer.organisation.name}"
        for line in call.award.lines:
            assert re.search(rf"\b{line.quantity}\b", text), f"{url} lacks a contract's quantity"
    for url in (f"/labels/{world.winner_label}", f"/solutions/{world.winner_solution}"):
        assert url in by_url and world.winner_label in by_url[url].text, f"{url}: no label"
    for url in ("/catalog.json", "/labels/feed.atom"):
        assert world.winner_label in by_url[url].text, f"{url} does not list the winner's label"


def assert_disclosed(
    pages: list[Page], case: VulnerabilityCase | None, label: str, shown: list[Sentinel]
) -> None:
    """A disclosed case's public facts (``shown``: its title, then its summary) appear: on its
    advisory page and CSAF document; its title in the list and the feed of advisories, and on
    the page of the label it marks "vulnerability under remediation"."""
    assert case is not None
    by_url = {page.url: page for page in pages if page.status == 200}
    title = shown[0]
    expected = {
        f"/advisories/{case.reference}": shown,
        f"/advisories/{case.reference}.json": shown,
        "/advisories": [title],
        "/advisories.atom": [title],
        f"/labels/{label}": [title],
        "/labels/feed.atom": [title],
    }
    for url, facts in expected.items():
        assert url in by_url, f"{url} was not reached"
        for fact in facts:
            assert fact.found_in(by_url[url].text), f"{url} does not show the {fact.field}"
