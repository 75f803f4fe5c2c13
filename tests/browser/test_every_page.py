"""Every page a role can open fits a 390 px phone and passes axe.

For each role (signed out, and the demo vendor, buyer, evaluator and authority) the test walks
the portal breadth first from its start pages, following the same-origin links the pages show,
and opens ONE page per Flask endpoint (a URL is mapped to its endpoint through the app's own
URL map, so /solutions/3 and /solutions/7 count once). On each HTML page it checks that nothing
scrolls sideways and that axe finds no serious or critical violation. Downloads and other
non-HTML answers are skipped by their content type.

After all roles, every GET endpoint that answers HTML must have been opened by at least one
role, except the few in NOT_CRAWLED, each with its reason: a page only a link in an e-mail
reaches, a page whose GET changes state, or an answer that is not a page.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urlsplit

from playwright.sync_api import BrowserContext, Page
from playwright.sync_api import Error as PlaywrightError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter, RequestRedirect

from tests.browser.browser_support import (
    PHONE,
    assert_no_sideways_scrolling,
    check_accessibility,
)
from tests.browser.conftest import LiveServer

# The authority sees the most pages; later roles open only the endpoints no role before them
# opened (each page costs a load and an axe run, and the test must stay within minutes).
ROLES: tuple[str | None, ...] = ("authority", "evaluator", "vendor", "buyer", None)
# Sideways scrolling and axe read the pages, which the database does not shape: the
# PostgreSQL run leaves this walk out (tests/conftest.py).
SAME_ON_EVERY_DATABASE = True

START_PAGES = ("/", "/dashboard")

_DOWNLOAD = "a stored file or generated document, downloaded, not a page"
_MAIL = "reached only from a link in an e-mail"
_AFTER_FORM = "shown only after a form is sent (its POST redirects there)"
_NO_LINK_YET = (
    "no link to it on the one page per endpoint the walk opens: the link shows only for an "
    "object in a particular state, which the demo data does not hold on the page visited, or "
    "only on a role's own view of a page an earlier role already checked"
)

# GET endpoints no role reaches by following links, or that are not pages, and why.
NOT_CRAWLED: dict[str, str] = {
    "static": "stylesheets, scripts and images, not pages",
    "public.healthz": "the load balancer's health check, plain text",
    "advisories.directory_hash": "a CSAF document's checksum file, plain text",
    "wellknown.safetech_context_document": "a JSON-LD context, not a page",
    "dev.outbox": "the development outbox, linked from no page (the outbox journeys open it)",
    "catalog.solutions": "the former solution list, a permanent redirect to the catalog",
    "agreement.mark_pack": _DOWNLOAD,
    "versions.sbom": _DOWNLOAD,
    "evaluations.download": _DOWNLOAD,
    "records.download_report": _DOWNLOAD,
    "calls.document": _DOWNLOAD,
    "call_documents.version": _DOWNLOAD,
    "call_documents.public_version": _DOWNLOAD,
    "procurement_public.document": _DOWNLOAD,
    "calls_access.evidence_document": _DOWNLOAD,
    "auth.accept_invitation": _MAIL,
    "auth.reset_password": _MAIL,
    "auth.totp_verify": "a step of signing in; a signed-in account is sent on",
    "auth.totp_enrol": "a step of signing in; a signed-in account is sent on",
    "complaints.filed": _AFTER_FORM,
    "vulnerabilities.report_received": _AFTER_FORM,
}
# Pages the walk does not reach yet. Each is a gap to close with demo data or a link, not a
# page exempt from the checks.
NOT_REACHED_YET: dict[str, str] = dict.fromkeys(
    (
        "admin.index",
        "advisories.label_advisories",
        "advisories.solution_advisories",
        "bodies.mine",
        "bodies.propose_evaluator",
        "call_legal.sign_mandate",
        "call_orders.order",
        "calls.edit_offer",
        "calls.new_offer",
        "calls.offer",
        "calls.open_call",
        "calls_access.eligibility",
        "calls_access.evidence_upload",
        "calls_access.winner_evidence",
        "calls_scoring.low_price_page",
        "calls_scoring.scores",
        "compare.compare",
        "complaints.new_appeal",
        "complaints.track",
        "csaf_import.unmatched",
        "csaf_import.upload",
        "evaluations.maintenance_declare",
        "evaluations.maintenance_review",
        "labels.suspended_with_vendor",
        "labels.terminate",
        "lists.shortlist",
        "norm_admin.edit_criterion",
        "norm_admin.edit_section",
        "norm_admin.editor",
        "norm_admin.new_criterion",
        "norm_admin.publish",
        "norms.compare",
        "priorities.edit_draft",
        "priorities.publish",
        "procurement.edit_need",
        "sealing.opening_key",
        "solutions.edit",
        "standstill.answer_review",
        "standstill.letters",
        "standstill.reviews",
        "standstill.sign",
        "versions.declare",
        "versions.end_of_support",
        "vulnerabilities.new_report",
    ),
    _NO_LINK_YET,
)

# Endpoints whose answers are data or documents, never HTML pages: the API's blueprints, and
# addresses ending in a file type (JSON, XML, CSV, PDF, feeds, keys, signatures, text).
DATA_BLUEPRINTS = ("api",)
DATA_SUFFIXES = (".json", ".xml", ".csv", ".pdf", ".atom", ".asc", ".txt")


@dataclass
class Crawl:
    """What one role's walk saw: the endpoints it opened, and what it found wrong there."""

    role: str
    opened: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _url_map(live_server: LiveServer) -> MapAdapter:
    app = live_server.application()
    return app.url_map.bind(urlsplit(live_server.url).netloc)


def _endpoint(adapter: MapAdapter, url: str) -> str | None:
    """The endpoint a same-origin URL names, or None when none does."""
    parts = urlsplit(url)
    try:
        endpoint, _ = adapter.match(parts.path, method="GET", query_args=parts.query)
    except RequestRedirect as redirect:
        return _endpoint(adapter, redirect.new_url)
    except HTTPException:
        return None
    return str(endpoint)


def _links(page: Page, origin: str) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all(
        "a[href]:not([download])", "links => links.map((link) => link.href)"
    )
    return [urldefrag(href).url for href in hrefs if href.startswith(origin + "/")]


def _open(page: Page, url: str) -> tuple[int, str] | None:
    """Load the URL; (status, content type), or None when the browser took it as a download."""
    try:
        response = page.goto(url, wait_until="load")
    except PlaywrightError as error:
        if "Download is starting" in str(error):
            return None
        raise
    assert response is not None, f"{url} gave no answer"
    return response.status, response.headers.get("content-type", "")


def _crawl(
    context: BrowserContext, role: str, adapter: MapAdapter, origin: str, checked: set[str]
) -> Crawl:
    """Walk breadth first from the start pages and the menu, skipping endpoints an earlier
    role checked (except the start pages and the menu, which lead to the role's own pages)."""
    crawl = Crawl(role)
    data_endpoints = _data_endpoints(adapter)
    page = context.new_page()
    page.goto(f"{origin}/")
    menu = [
        urldefrag(href).url
        for href in page.eval_on_selector_all(
            "nav[aria-label='Primary navigation'] a[href]", "links => links.map((l) => l.href)"
        )
    ]
    starts = [f"{origin}{path}" for path in START_PAGES] + menu
    queue = deque(starts)
    seen = set(checked) - {_endpoint(adapter, url) for url in starts}
    while queue:
        url = queue.popleft()
        endpoint = _endpoint(adapter, url)
        if (
            endpoint is None
            or endpoint in seen
            or endpoint in NOT_CRAWLED
            or endpoint in data_endpoints
        ):
            continue
        seen.add(endpoint)
        answer = _open(page, url)
        if answer is None:
            continue
        status, content_type = answer
        if not content_type.startswith("text/html"):
            continue
        # A redirect (to the sign-in page, say) lands on another endpoint: count that one.
        landed = _endpoint(adapter, page.url)
        if landed is None or (landed != endpoint and landed in seen):
            continue
        seen.add(landed)
        name = f"every-page-{role}-{landed}"
        for check in (assert_no_sideways_scrolling, check_accessibility):
            try:
                check(page, name)
            except AssertionError as error:
                crawl.problems.append(str(error))
        if status < 400:
            crawl.opened[landed] = page.url
            checked.add(landed)
        queue.extend(_links(page, origin))
    page.close()
    return crawl


def _data_endpoints(adapter: MapAdapter) -> set[str]:
    """GET endpoints that answer data or a document rather than a page."""
    return {
        rule.endpoint
        for rule in adapter.map.iter_rules()
        if rule.endpoint.split(".")[0].endswith(DATA_BLUEPRINTS)
        or rule.rule.endswith(DATA_SUFFIXES)
    }


def _html_get_endpoints(adapter: MapAdapter) -> set[str]:
    return {
        rule.endpoint for rule in adapter.map.iter_rules() if "GET" in (rule.methods or ())
    } - _data_endpoints(adapter)


def test_every_page_fits_a_phone_and_passes_axe(
    new_context: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    """Each role's pages, one per endpoint, at 390x844; then every HTML endpoint was seen."""
    started = time.monotonic()
    adapter = _url_map(live_server)
    checked: set[str] = set()
    crawls = [
        _crawl(
            new_context(viewport=PHONE, account=role),
            role or "anonymous",
            adapter,
            live_server.url,
            checked,
        )
        for role in ROLES
    ]
    print(f"every page: {len(checked)} endpoints in {time.monotonic() - started:.0f} s")
    for crawl in crawls:
        print(f"{crawl.role}: {len(crawl.opened)} endpoints: {sorted(crawl.opened)}")
    problems = [problem for crawl in crawls for problem in crawl.problems]
    missed = sorted(
        _html_get_endpoints(adapter) - checked - set(NOT_CRAWLED) - set(NOT_REACHED_YET)
    )
    if missed:
        problems.append(f"no role reached these pages by following links: {missed}")
    assert not problems, f"{len(problems)} problems:\n\n" + "\n\n".join(problems)
