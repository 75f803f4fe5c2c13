"""The clients of `make load`: 32 concurrent HTTP clients in one asyncio process.

`python -m bench.load_client URL MANIFEST OUT [--mix S] [--each S]` signs the writers in, then
runs the phases one after the other and writes their summaries (bench.load_report) as JSON:

- mix: every kind at once, closed loop (each client sends its next request as soon as the last
  one is answered): 22 readers over catalog searches, list pages, solution pages, label pages,
  label PDFs and API calls; 4 vendors editing a solution, 2 evaluators saving scores and 4
  buyers posting needs (each write is a form page then its POST, as a browser does).
- catalog, list, label: one kind alone, closed loop, for its throughput.
- pdf: cached label PDFs at a steady pace per client (a latency measure, not a saturation one).

The client speaks HTTP/1.1 over a new connection per request (gunicorn's sync workers close
each connection after the response).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import random
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from bench.load_report import CLIENTS, summarise

PASSWORD = "safetech-demo-2026"  # noqa: S105 - the demo accounts (README)
TIMEOUT = 30.0
CUT_OFF_SECONDS = 2.0  # how long a phase waits for the requests under way at its end
DRAIN_SECONDS = 30.0
PDF_RATE_PER_CLIENT = 5.0  # requests per second per client in the pdf phase
PRICE_BANDS = ["under_10k", "10k_to_50k", "50k_to_250k", "over_250k"]
VENDOR_SIZES = ["startup", "sme", "large"]
READ_WEIGHTS = {
    "catalog search with facets": 3,
    "plain 20-row list": 2,
    "solution page": 3,
    "label verification page": 3,
    "cached label PDF": 2,
    "API call": 3,
}


class RequestFailed(Exception):
    """A request that did not get the expected answer."""


@dataclass
class Answer:
    """An HTTP response: status, headers (lower-case names) and body."""

    status: int
    headers: dict[str, list[str]]
    body: bytes

    def header(self, name: str) -> str:
        """The first value of a header, or ""."""
        return self.headers.get(name, [""])[0]


def _dechunk(body: bytes) -> bytes:
    out = bytearray()
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        body = rest[size + 2 :]
    return bytes(out)


def parse_response(raw: bytes) -> Answer:
    """Parse a whole HTTP/1.1 response read until the server closed the connection."""
    head, separator, body = raw.partition(b"\r\n\r\n")
    if not separator:
        raise RequestFailed("incomplete response")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        raise RequestFailed(f"bad status line {lines[0][:40]!r}")
    headers: dict[str, list[str]] = defaultdict(list)
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()].append(value.strip())
    if "chunked" in headers.get("transfer-encoding", [""])[0]:
        body = _dechunk(body)
    return Answer(int(parts[1]), dict(headers), body)


class Browser:
    """One client: its own cookies, one request at a time."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}

    async def request(
        self, method: str, path: str, form: list[tuple[str, str]] | None = None
    ) -> Answer:
        """Send one request on a new connection and read the whole answer."""
        body = urlencode(form).encode() if form is not None else b""
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Connection: close",
            "User-Agent: safetech-load",
        ]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if form is not None:
            lines.append("Content-Type: application/x-www-form-urlencoded")
            lines.append(f"Content-Length: {len(body)}")
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            raw = await reader.read()
        finally:
            writer.close()
        answer = parse_response(raw)
        for cookie in answer.headers.get("set-cookie", []):
            name, _, value = cookie.split(";", 1)[0].partition("=")
            if value:
                self.cookies[name.strip()] = value.strip()
            else:
                self.cookies.pop(name.strip(), None)
        return answer


class FormParser(HTMLParser):
    """The fields of every form on a page, with the values a browser would send."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": [], "selects": {}})
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = a.get("name", "")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = (name, [])
        elif tag == "option" and self._select is not None:
            self._select[1].append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if not self.forms:
            return
        if tag == "select" and self._select is not None:
            name, options = self._select
            self.forms[-1]["selects"][name] = [value for value, _ in options]
            chosen = [value for value, selected in options if selected]
            if not chosen and options:
                chosen = [options[0][0]]
            self.forms[-1]["fields"].extend((name, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.forms[-1]["fields"].append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None


def form_with(page: bytes, field_name: str) -> dict[str, Any]:
    """The first form on the page that has a field called `field_name`."""
    parser = FormParser()
    parser.feed(page.decode("utf-8", errors="replace"))
    for form in parser.forms:
        if any(name == field_name for name, _ in form["fields"]) or field_name in form["selects"]:
            return form
    raise RequestFailed(f"no form with a {field_name!r} field")


def with_values(fields: list[tuple[str, str]], values: dict[str, str]) -> list[tuple[str, str]]:
    """The fields with some single values replaced (or added)."""
    kept = [(name, value) for name, value in fields if name not in values]
    return kept + list(values.items())


# --- the run -------------------------------------------------------------------------------


@dataclass
class Recorder:
    """Latencies and failures per kind, for the phase under way."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    async def timed(
        self, kind: str, call: Callable[[], Awaitable[Answer]], expect: int | None = None
    ) -> Answer | None:
        """Run one request; a status outside 2xx/3xx (or not `expect`) counts as an error."""
        started = time.perf_counter()
        try:
            answer = await asyncio.wait_for(call(), TIMEOUT)
        except (TimeoutError, OSError, RequestFailed) as error:
            self.errors[kind].append(f"{type(error).__name__}: {error}"[:120])
            return None
        elapsed = time.perf_counter() - started
        if (expect is not None and answer.status != expect) or not 200 <= answer.status < 400:
            self.errors[kind].append(f"HTTP {answer.status}")
            return None
        self.latencies[kind].append(elapsed)
        return answer


class Scenario:
    """What the clients ask for, drawn from the manifest of the loaded data."""

    def __init__(self, url: str, manifest: dict[str, Any], seed: int = 1) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.data = manifest
        self.rng = random.Random(seed)

    def browser(self) -> Browser:
        """A fresh client."""
        return Browser(self.host, self.port)

    def read_path(self, kind: str) -> str:
        """A random URL of one read kind."""
        rng, data = self.rng, self.data
        first, last = data["solution_ids"]
        if kind == "catalog search with facets":
            words = " ".join(rng.sample(data["words"], rng.choice([1, 1, 2])))
            args = [("q", words), ("certified", "0")]
            if rng.random() < 0.5:
                args.append(("price_band", rng.choice(PRICE_BANDS)))
            if rng.random() < 0.3:
                args.append(("vendor_size", rng.choice(VENDOR_SIZES)))
            if rng.random() < 0.3:
                args.append(("page", str(rng.randint(2, 3))))
            return "/catalog?" + urlencode(args)
        if kind == "plain 20-row list":
            return f"/solutions?page={rng.randint(1, 50)}"
        if kind == "solution page":
            return f"/solutions/{rng.randint(first, last)}"
        if kind == "label verification page":
            return f"/labels/{rng.choice(data['labels'])}"
        if kind == "cached label PDF":
            return f"/labels/{rng.choice(data['pdf_labels'])}.pdf"
        if kind == "API call":
            return rng.choice(
                [
                    f"/api/v1/solutions?page={rng.randint(1, 50)}&per_page=20",
                    f"/api/v1/solutions/{rng.randint(first, last)}",
                    f"/api/v1/labels/{rng.choice(data['labels'])}",
                    "/api/v1/catalog/search?"
                    + urlencode({"q": rng.choice(data["words"]), "certified": "0"}),
                ]
            )
        raise ValueError(kind)

    async def sign_in(self, browser: Browser, account: str, totp_secret: str | None) -> None:
        """Sign in through the real forms (password, then the one-time code if any)."""
        email = f"{account}@{self.data['domain']}"
        page = await browser.request("GET", "/login")
        form = form_with(page.body, "email")
        fields = with_values(form["fields"], {"email": email, "password": PASSWORD})
        answer = await browser.request("POST", "/login", fields)
        if answer.status != 302:
            raise RequestFailed(f"sign-in of {email} answered {answer.status}")
        if totp_secret is not None:
            import pyotp

            page = await browser.request("GET", "/login/totp")
            form = form_with(page.body, "code")
            code = pyotp.TOTP(totp_secret).now()
            answer = await browser.request(
                "POST", "/login/totp", with_values(form["fields"], {"code": code})
            )
            if answer.status != 302:
                raise RequestFailed(f"second factor of {email} answered {answer.status}")


async def _form_round_trip(
    recorder: Recorder,
    browser: Browser,
    kind: str,
    path: str,
    marker: str,
    values: Callable[[dict[str, Any]], dict[str, str]],
) -> None:
    """GET a form page (a "form page" request), then POST it changed (the write itself)."""
    page = await recorder.timed("writer form pages", lambda: browser.request("GET", path), 200)
    if page is None:
        return
    try:
        form = form_with(page.body, marker)
    except RequestFailed as error:
        recorder.errors[kind].append(str(error))
        return
    fields = with_values(form["fields"], values(form))
    await recorder.timed(kind, lambda: browser.request("POST", path, fields), 302)


async def drain(browser: Browser) -> None:
    """Wait until the server has worked through requests abandoned at a phase's end.

    The server still answers them (to closed connections); a few health checks sent now are
    queued behind them, so the next phase starts on an idle server.
    """
    with contextlib.suppress(OSError, TimeoutError, RequestFailed):
        await asyncio.wait_for(
            asyncio.gather(*(browser.request("GET", "/healthz") for _ in range(4))),
            DRAIN_SECONDS,
        )


async def run_phase(
    name: str,
    seconds: float,
    workers: list[Callable[[Recorder], Awaitable[None]]],
    workers_browser: Browser,
) -> dict[str, Any]:
    """Run the workers' loops for `seconds`; return the phase's summary and client CPU."""
    recorder = Recorder()
    deadline = time.monotonic() + seconds
    cpu = resource.getrusage(resource.RUSAGE_SELF)

    async def loop(work: Callable[[Recorder], Awaitable[None]]) -> None:
        while time.monotonic() < deadline:
            await work(recorder)

    started = time.monotonic()
    tasks = [asyncio.ensure_future(loop(work)) for work in workers]
    # Requests still unanswered at the end are abandoned (and counted as such): the phase
    # ends on time however slow the server is.
    _, pending = await asyncio.wait(tasks, timeout=seconds + CUT_OFF_SECONDS)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    elapsed = time.monotonic() - started
    await drain(workers_browser)
    after = resource.getrusage(resource.RUSAGE_SELF)
    used = (after.ru_utime - cpu.ru_utime) + (after.ru_stime - cpu.ru_stime)
    kinds = summarise(recorder.latencies, recorder.errors, elapsed)
    return {
        "seconds": round(elapsed, 1),
        "abandoned": len(pending),
        "client_cpu_s": round(used, 1),
        "kinds": {kind: row.as_dict() for kind, row in kinds.items()},
    }


Writer = Callable[["Recorder"], Awaitable[None]]


def _vendor_writers(
    scenario: Scenario,
    manifest: dict[str, Any],
    counter: Iterator[int],
    sign_ins: list[Awaitable[None]],
) -> list[Writer]:
    """One writer per demo vendor, editing its solution's summary."""
    writers: list[Writer] = []
    for vendor, solution_id in manifest["vendors"].items():
        browser = scenario.browser()
        sign_ins.append(scenario.sign_in(browser, vendor, None))

        async def edit(recorder: Recorder, b: Browser = browser, s: int = solution_id) -> None:
            summary = f"Summary revised by the vendor, edit {next(counter)}."
            await _form_round_trip(
                recorder,
                b,
                "vendor edits a solution",
                f"/manage/solutions/{s}/edit",
                "summary",
                lambda form: {"summary": summary},
            )

        writers.append(edit)
    return writers


def _scores(form: dict[str, Any]) -> dict[str, str]:
    """The score form filled: a pass, or the highest score, each with a justification."""
    values = {"save": ""}
    for name, options in form["selects"].items():
        if name.startswith("value-"):
            picked = (
                "pass"
                if "pass" in options
                else max((o for o in options if o.isdigit()), key=int, default="")
            )
            values[name] = picked
            values["justification-" + name[6:]] = "Checked against the evidence file."
    return values


def _evaluator_writers(
    scenario: Scenario, manifest: dict[str, Any], sign_ins: list[Awaitable[None]]
) -> list[Writer]:
    """One writer per demo evaluator, saving the scores of its assignment."""
    from registry.demo import demo_totp_secret

    domain = manifest["domain"]
    writers: list[Writer] = []
    for evaluator, assignment_id in manifest["evaluators"].items():
        browser = scenario.browser()
        sign_ins.append(
            scenario.sign_in(browser, evaluator, demo_totp_secret(f"{evaluator}@{domain}"))
        )

        async def score(recorder: Recorder, b: Browser = browser, a: int = assignment_id) -> None:
            await _form_round_trip(
                recorder,
                b,
                "evaluator saves scores",
                f"/evaluations/assignments/{a}/score",
                "csrf_token",
                _scores,
            )

        writers.append(score)
    return writers


def _buyer_writers(
    scenario: Scenario,
    manifest: dict[str, Any],
    counter: Iterator[int],
    sign_ins: list[Awaitable[None]],
) -> list[Writer]:
    """One writer per demo buyer, posting a need."""

    def need(form: dict[str, Any]) -> dict[str, str]:
        categories = [c for c in form["selects"].get("category", []) if c]
        return {
            "title": f"Cameras for the town centre, request {next(counter)}",
            "category": categories[0] if categories else "",
            "firm_quantity": "12",
            "optional_quantity": "4",
            "max_unit_price": "850",
            "need_by": (dt.date.today() + dt.timedelta(days=200)).isoformat(),
            "notes": "Posted during the load test.",
        }

    writers: list[Writer] = []
    for buyer in manifest["buyers"]:
        browser = scenario.browser()
        sign_ins.append(scenario.sign_in(browser, buyer, None))

        async def post_need(recorder: Recorder, b: Browser = browser) -> None:
            await _form_round_trip(
                recorder, b, "buyer posts a need", "/procurement/needs/new", "title", need
            )

        writers.append(post_need)
    return writers


def _reader(scenario: Scenario, kinds: list[str], weights: list[int]) -> Writer:
    """A client reading pages of the given kinds, picked at random by weight."""
    browser = scenario.browser()

    async def read(recorder: Recorder) -> None:
        kind = scenario.rng.choices(kinds, weights)[0]
        path = scenario.read_path(kind)
        await recorder.timed(kind, lambda: browser.request("GET", path))

    return read


def _paced(scenario: Scenario, kind: str, rate: float) -> Writer:
    """A client reading one kind of page at ``rate`` requests a second, from a random start."""
    browser = scenario.browser()
    interval = 1.0 / rate
    state = {"next": time.monotonic() + scenario.rng.random() * interval}

    async def read(recorder: Recorder) -> None:
        delay = state["next"] - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        state["next"] += interval
        path = scenario.read_path(kind)
        await recorder.timed(kind, lambda: browser.request("GET", path))

    return read


async def main_async(url: str, manifest: dict[str, Any], mix: float, each: float) -> dict[str, Any]:
    """Sign the writers in, then run the mix and the single-kind phases."""
    scenario = Scenario(url, manifest)
    sign_ins: list[Awaitable[None]] = []
    counter = iter(range(1, 10**9))
    writers = _vendor_writers(scenario, manifest, counter, sign_ins)
    writers += _evaluator_writers(scenario, manifest, sign_ins)
    writers += _buyer_writers(scenario, manifest, counter, sign_ins)
    await asyncio.gather(*sign_ins)

    kinds, weights = list(READ_WEIGHTS), list(READ_WEIGHTS.values())
    readers = [_reader(scenario, kinds, weights) for _ in range(CLIENTS - len(writers))]
    idle = scenario.browser()
    phases = {"mix": await run_phase("mix", mix, writers + readers, idle)}
    for phase, kind in (
        ("catalog", "catalog search with facets"),
        ("list", "plain 20-row list"),
        ("label", "label verification page"),
    ):
        phases[phase] = await run_phase(
            phase, each, [_reader(scenario, [kind], [1]) for _ in range(CLIENTS)], idle
        )
    pdf_clients = [
        _paced(scenario, "cached label PDF", PDF_RATE_PER_CLIENT) for _ in range(CLIENTS)
    ]
    phases["pdf"] = await run_phase("pdf", each, pdf_clients, idle)
    return phases


def main(argv: list[str] | None = None) -> int:
    """Run the clients against a server and write the phases' figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("manifest", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--mix", type=float, default=15.0, help="seconds of the mixed phase")
    parser.add_argument("--each", type=float, default=4.0, help="seconds of each other phase")
    args = parser.parse_args(argv)
    manifest = json.loads(args.manifest.read_text())
    phases = asyncio.run(main_async(args.url, manifest, args.mix, args.each))
    args.out.write_text(json.dumps(phases, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
