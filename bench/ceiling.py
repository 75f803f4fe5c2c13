"""`python -m bench.ceiling`: each public read page as a share of what the framework allows.

In one run: a bare Flask app (one route returning a short string, bench.bare_app) under exactly
the gunicorn settings of scripts/serve.sh, then the portal on the load data (bench.load_data: the
demo accounts and the 10 000-solution bench catalog) on SQLite and on PostgreSQL, each served the
same way. The same client (wrk, from Debian's `wrk` package: 2 threads, 16 connections) measures
every page from outside for the same number of seconds; the gunicorn processes' CPU time is read
from /proc before and after, so each page also gets the server CPU it costs per request.

Prints a table per database and writes bench/results/ceiling.json: each page's req/s, p50 and
p99 latency, server CPU milliseconds per request, and its ratio to the bare app measured in the
same run, so that a noisy shared machine moves both sides alike.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench import load_data
from bench.load import Server, create_postgres_database, drop_postgres_database

RESULTS = load_data.REPO / "bench" / "results"
CONNECTIONS = 16
THREADS = 2
# Pages that must reach 30 % of the bare app; every other page must reach 15 %.
FAST_PAGES = ("label page", "label credential JSON", "cached label PDF", "/healthz")
FAST_TARGET = 0.30
PAGE_TARGET = 0.15
CPU_TARGET_MS = 50.0
# A first start imports everything and opens the search index: slower on a busy machine.
STARTUP_SECONDS = 180

# Printed by wrk's done() hook: one JSON line the runner reads back.
REPORT_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'CEILING {"requests": %d, "duration_us": %d, "socket_errors": %d, "non_2xx": %d,'
    .. ' "p50_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
"""

POST_LUA = """
local f = assert(io.open({body!r}, "rb"))
wrk.method = "POST"
wrk.body = f:read("*all")
f:close()
wrk.headers["Content-Type"] = {content_type!r}
wrk.headers["Cookie"] = {cookie!r}
"""


def _clock_ticks() -> int:
    return int(os.sysconf("SC_CLK_TCK"))


def _descendants(pid: int) -> list[int]:
    """pid and every process below it, read from /proc."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                todo += [int(child) for child in task.read_text().split()]
            except OSError:
                continue
    return found


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its descendants (gunicorn's master and workers)."""
    ticks = 0
    for process in _descendants(pid):
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # Fields after the command: state is [0], utime [11], stime [12].
        ticks += int(fields[11]) + int(fields[12])
    return ticks / _clock_ticks()


def tree_rss_mb(pid: int) -> float:
    """Resident memory of the largest gunicorn worker (not the master), in MB."""
    sizes = []
    for process in _descendants(pid)[1:]:
        try:
            status = Path(f"/proc/{process}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        if match:
            sizes.append(int(match.group(1)) / 1024)
    return round(max(sizes, default=0.0), 1)


class Page:
    """One page to measure: a name, a path, and for /verify a POST body prepared once."""

    def __init__(self, name: str, path: str, post: tuple[Path, str, str] | None = None) -> None:
        self.name = name
        self.path = path
        self.post = post

    def script(self, folder: Path) -> Path:
        """The wrk Lua script: the report hook, and for a POST the body and headers."""
        text = REPORT_LUA
        if self.post is not None:
            body, content_type, cookie = self.post
            text = POST_LUA.format(body=str(body), content_type=content_type, cookie=cookie) + text
        path = folder / f"wrk-{uuid.uuid4().hex}.lua"
        path.write_text(text)
        return path


def _get(port: int, path: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def _get_json(port: int, path: str) -> Any:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", path)
    loaded = json.loads(connection.getresponse().read())
    connection.close()
    return loaded


def _verify_post(port: int, pdf: bytes, folder: Path) -> tuple[Path, str, str]:
    """A multipart POST of a label PDF to /verify, with the form's CSRF token and cookie."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", "/verify")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = "; ".join(
        value.split(";", 1)[0] for key, value in response.getheaders() if key == "Set-Cookie"
    )
    connection.close()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    boundary = f"ceiling{uuid.uuid4().hex}"
    parts = []
    if token:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f"{token.group(1)}\r\n".encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="label.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + pdf
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    body = folder / "verify-body.bin"
    body.write_bytes(b"".join(parts))
    return body, f"multipart/form-data; boundary={boundary}", cookie


def portal_pages(port: int, manifest: dict[str, Any], folder: Path) -> list[Page]:
    """Every public read page the ceiling covers, with ids from the load data's manifest."""
    word = manifest["words"][0]
    label = manifest["labels"][0]
    pdf_label = manifest["pdf_labels"][0]
    solution = manifest["solution_ids"][-1]
    html_pages = max(1, int(_get_json(port, "/api/v1/solutions?per_page=20")["pages"]))
    api_pages = max(1, int(_get_json(port, "/api/v1/solutions?per_page=50")["pages"]))
    pdf = b""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", f"/labels/{pdf_label}.pdf")
    pdf = connection.getresponse().read()
    connection.close()
    return [
        Page("home", "/"),
        Page("catalog page, text and facets", "/catalog?" + urlencode({"q": word})),
        Page("catalog search API", "/api/v1/catalog/search?" + urlencode({"q": word})),
        Page("solution page", f"/solutions/{solution}"),
        Page("solution list, first page", "/solutions?page=1"),
        Page("solution list, middle page", f"/solutions?page={(html_pages + 1) // 2}"),
        Page("solution list, last page", f"/solutions?page={html_pages}"),
        Page("list API, first page", "/api/v1/solutions?page=1&per_page=50"),
        Page("list API, middle page", f"/api/v1/solutions?page={(api_pages + 1) // 2}&per_page=50"),
        Page("list API, last page", f"/api/v1/solutions?page={api_pages}&per_page=50"),
        Page("vendor list", "/vendors"),
        Page("label page", f"/labels/{label}"),
        Page("label credential JSON", f"/labels/{label}.json"),
        Page("cached label PDF", f"/labels/{pdf_label}.pdf"),
        Page("/verify with a PDF", "/verify", _verify_post(port, pdf, folder)),
        Page("/catalog.csv", "/catalog.csv"),
        Page("/catalog.json", "/catalog.json"),
        Page("Atom feed", "/labels/feed.atom"),
        Page("OCDS bulk package", "/procurement/ocds.json"),
        Page("/healthz", "/healthz"),
    ]


def drain(url: str) -> None:
    """Wait until the workers have answered every request queued by the last page.

    wrk stops counting at its deadline, but the requests it left in the listen queue are still
    served; a few sequential health checks return only once those are done.
    """
    port = int(url.rsplit(":", 1)[1])
    for _ in range(4):
        _get(port, "/healthz")


def cpu_per_request(url: str, page: Page, server_pid: int, count: int = 20) -> float:
    """Server CPU milliseconds of one request: requests one after another, nothing else in
    flight, dividing the gunicorn processes' CPU time they took."""
    port = int(url.rsplit(":", 1)[1])
    body, headers = b"", {}
    if page.post is not None:
        body_file, content_type, cookie = page.post
        body, headers = body_file.read_bytes(), {"Content-Type": content_type, "Cookie": cookie}
    before, started, done = tree_cpu_seconds(server_pid), time.monotonic(), 0
    # Up to `count` requests, fewer for a slow page: at least 2, and no more once 10 s passed.
    while done < count and (done < 2 or time.monotonic() - started < 10):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        connection.request("POST" if page.post else "GET", page.path, body=body, headers=headers)
        connection.getresponse().read()
        connection.close()
        done += 1
    return round((tree_cpu_seconds(server_pid) - before) * 1000 / done, 2)


def measure(url: str, page: Page, seconds: float, folder: Path, server_pid: int) -> dict[str, Any]:
    """wrk on one page after a short warm-up; req/s, latency and server CPU per request."""
    script = page.script(folder)
    drain(url)
    base = [
        "wrk",
        f"--threads={THREADS}",
        f"--connections={CONNECTIONS}",
        "--timeout=30s",
        f"--script={script}",
    ]
    subprocess.run([*base, "--duration=1s", url + page.path], capture_output=True, timeout=120)
    drain(url)
    cpu_ms = cpu_per_request(url, page, server_pid)
    run = subprocess.run(
        [*base, f"--duration={max(1, round(seconds))}s", url + page.path],
        capture_output=True,
        text=True,
        timeout=seconds + 120,
    )
    drain(url)
    line = next((ln for ln in run.stdout.splitlines() if ln.startswith("CEILING ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no report for {page.path}:\n{run.stdout}\n{run.stderr}")
    report = json.loads(line.removeprefix("CEILING "))
    return {
        "page": page.name,
        "path": page.path,
        "method": "POST" if page.post else "GET",
        "requests": report["requests"],
        "rps": round(report["requests"] / (report["duration_us"] / 1e6), 1),
        "p50_ms": round(report["p50_us"] / 1000, 2),
        "p99_ms": round(report["p99_us"] / 1000, 2),
        "server_cpu_ms": cpu_ms,
        "errors": report["socket_errors"],
        "non_2xx": report["non_2xx"],
    }


def bare_app(seconds: float, folder: Path, log: Any = print) -> dict[str, Any]:
    """The bare Flask app under the portal's gunicorn settings: the ceiling."""
    env = {**os.environ, "PYTHONPATH": str(load_data.REPO)}
    server = Server(folder, env, app="bench.bare_app:app", indexer=False)
    try:
        server.wait_until_healthy(STARTUP_SECONDS)
        result = measure(server.url, Page("bare Flask app", "/"), seconds, folder, server.pid)
    finally:
        server.stop()
    log(f"bare app: {result['rps']} req/s, p99 {result['p99_ms']} ms")
    return result


def portal(
    backend: str, source: Path, seconds: float, bare_rps: float, log: Any = print
) -> dict[str, Any]:
    """The portal on one database: every page measured, with its ratio to the bare app."""
    manifest = load_data.manifest(source)
    with tempfile.TemporaryDirectory(prefix=f"safetech-ceiling-{backend}-") as tmp:
        folder = Path(tmp)
        load_data.instance_from(source, folder)
        database = None
        try:
            if backend == "sqlite":
                url = f"sqlite:///{folder / 'safetech.db'}"
            else:
                database, url = create_postgres_database()
                env = load_data.instance_environment(folder, url)
                load_data.flask_cli(["db", "upgrade"], env)
                load_data.python_step(["copy", str(folder / "safetech.db"), url], env)
            env = load_data.instance_environment(folder, url)
            server = Server(folder, env)
            rows = []
            try:
                server.wait_until_healthy(STARTUP_SECONDS)
                pages = portal_pages(server.port, manifest, folder)
                for page in pages:
                    row = measure(server.url, page, seconds, folder, server.pid)
                    row["ratio"] = round(row["rps"] / bare_rps, 3) if bare_rps else 0.0
                    rows.append(row)
                    log(
                        f"{backend}: {page.name}: {row['rps']} req/s "
                        f"({row['ratio']:.0%} of bare), {row['server_cpu_ms']} ms CPU/request"
                    )
                memory = tree_rss_mb(server.pid)
            finally:
                server.stop()
        finally:
            if database is not None:
                drop_postgres_database(database)
    return {"database": backend, "pages": rows, "worker_rss_mb": memory}


def verdicts(result: dict[str, Any]) -> list[str]:
    """Each target of the ceiling as PASS or FAIL lines."""
    lines = []
    by_database = {
        run["database"]: {row["page"]: row for row in run["pages"]} for run in result["runs"]
    }
    for database, rows in by_database.items():
        for name, row in rows.items():
            target = FAST_TARGET if name in FAST_PAGES else PAGE_TARGET
            ok = row["ratio"] >= target and row["errors"] == 0 and row["non_2xx"] == 0
            lines.append(
                f"{'PASS' if ok else 'FAIL'} {database}: {name} {row['ratio']:.0%} of bare "
                f"(target {target:.0%}); errors {row['errors']}, non-2xx {row['non_2xx']}"
            )
            cpu_ok = row["server_cpu_ms"] <= CPU_TARGET_MS
            lines.append(
                f"{'PASS' if cpu_ok else 'FAIL'} {database}: {name} "
                f"{row['server_cpu_ms']} ms server CPU/request (target ≤ {CPU_TARGET_MS:.0f})"
            )
    if "sqlite" in by_database and "postgresql" in by_database:
        for name, row in by_database["postgresql"].items():
            lite = by_database["sqlite"].get(name)
            if lite and lite["rps"]:
                share = row["rps"] / lite["rps"]
                lines.append(
                    f"{'PASS' if share >= 0.8 else 'FAIL'} postgresql/sqlite: {name} {share:.0%} "
                    "(target ≥ 80 %)"
                )
    return lines


def table(run: dict[str, Any]) -> str:
    """A Markdown table of one database's pages."""
    out = [
        "| page | req/s | ratio to bare | p50 ms | p99 ms | server CPU ms/request |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in run["pages"]:
        out.append(
            f"| {row['page']} | {row['rps']} | {row['ratio']:.0%} | {row['p50_ms']} | "
            f"{row['p99_ms']} | {row['server_cpu_ms']} |"
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Measure the bare app, then the portal on each database; print and save the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql"
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds of wrk per page")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("bench ceiling needs wrk: apt-get install wrk (Debian package)", file=sys.stderr)
        return 2
    started = time.monotonic()
    load = os.getloadavg()[0]
    print(
        f"# ceiling: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load average {load:.1f} at start, "
        f"wrk {THREADS} threads {CONNECTIONS} connections, {args.seconds:.0f} s a page"
    )
    source = load_data.template()
    manifest = load_data.manifest(source)
    with tempfile.TemporaryDirectory(prefix="safetech-ceiling-bare-") as tmp:
        bare = bare_app(args.seconds, Path(tmp))
    result: dict[str, Any] = {
        "command": "python -m bench.ceiling " + " ".join(argv or sys.argv[1:]),
        "solutions": manifest["solutions"],
        "bare": bare,
        "runs": [],
        "load_average_before": round(load, 2),
    }
    for backend in [name.strip() for name in args.databases.split(",") if name.strip()]:
        if backend not in ("sqlite", "postgresql"):
            parser.error(f"unknown database {backend!r}")
        run = portal(backend, source, args.seconds, bare["rps"])
        result["runs"].append(run)
        print(f"\n## {backend}, {manifest['solutions']} solutions (bare app {bare['rps']} req/s)\n")
        print(table(run))
        print(f"\nlargest worker's resident memory: {run['worker_rss_mb']} MB")
    result["load_average_after"] = round(os.getloadavg()[0], 2)
    result["verdicts"] = verdicts(result)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "ceiling.json").write_text(json.dumps(result, indent=1))
    print("\n## targets\n")
    print("\n".join(result["verdicts"]))
    print(f"\nceiling: finished in {time.monotonic() - started:.0f} s")
    return 0


def run() -> None:
    """`python -m bench ceiling`: both databases, 5 seconds a page."""
    main([])


if __name__ == "__main__":
    sys.exit(main())
