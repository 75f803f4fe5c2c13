"""The arithmetic and parsing of `make load` (bench/load_report.py, bench/load_client.py).

No server here: the timed run itself is `make load`.
"""

from __future__ import annotations

from typing import Any

import pytest

from bench.load_client import form_with, parse_response, with_values
from bench.load_report import check_targets, percentile, summarise, table


def test_percentile_is_nearest_rank() -> None:
    samples = [float(n) for n in range(100, 0, -1)]  # 1..100, unsorted
    assert percentile(samples, 0.50) == 50.0
    assert percentile(samples, 0.99) == 99.0
    assert percentile(samples, 1.0) == 100.0
    assert percentile(samples, 0.0) == 1.0
    assert percentile([7.0], 0.99) == 7.0
    assert percentile([], 0.5) == 0.0
    with pytest.raises(ValueError, match="between 0 and 1"):
        percentile(samples, 99)


def test_summary_counts_errors_as_requests_but_not_in_latency() -> None:
    latencies = {"label page": [0.001] * 98 + [0.050, 0.100]}
    errors = {"label page": ["HTTP 500", "HTTP 500"], "pdf": ["TimeoutError: "]}
    summary = summarise(latencies, errors, seconds=2.0)
    page = summary["label page"]
    assert (page.requests, page.errors) == (102, 2)
    assert page.rps == pytest.approx(51.0)
    assert page.p50_ms == pytest.approx(1.0)
    assert page.p99_ms == pytest.approx(50.0)
    assert page.error_examples == ["HTTP 500"]
    assert summary["pdf"].requests == 1 and summary["pdf"].p99_ms == 0.0


def _row(rps: float, errors: int = 0, p99: float = 5.0) -> dict[str, Any]:
    return {"requests": 1000, "errors": errors, "rps": rps, "p50_ms": 1.0, "p99_ms": p99}


def _run(**changes: Any) -> dict[str, Any]:
    phases = {
        "mix": {"solution page": _row(100)},
        "catalog": {"catalog search with facets": _row(60)},
        "list": {"plain 20-row list": _row(200)},
        "label": {"label verification page": _row(650)},
        "pdf": {"cached label PDF": _row(250, p99=12.0)},
    }
    for phase, row in changes.items():
        kind = next(iter(phases[phase]))
        phases[phase][kind] = row
    return {"phases": phases, "locked": 0}


def test_targets_all_pass() -> None:
    verdicts = check_targets("sqlite", _run())
    assert [v.passed for v in verdicts] == [True] * 5
    assert "60 / 200 req/s = 30%" in verdicts[2].detail


@pytest.mark.parametrize(
    ("changes", "failed"),
    [
        ({"mix": _row(100, errors=1)}, "zero errors at 32 clients"),
        ({"catalog": _row(49)}, "catalog with facets ≥ 25% of the plain list"),
        ({"label": _row(499)}, "label verification page ≥ 500 req/s"),
        ({"pdf": _row(250, p99=20.5)}, "cached label PDF p99 ≤ 20 ms"),
    ],
)
def test_each_target_can_fail(changes: dict[str, Any], failed: str) -> None:
    verdicts = check_targets("postgresql", _run(**changes))
    assert [v.target for v in verdicts if not v.passed] == [failed]
    assert f"FAIL  [postgresql] {failed}" in next(v.line() for v in verdicts if not v.passed)


def test_a_locked_database_fails_and_missing_phases_are_not_a_pass() -> None:
    run = _run()
    run["locked"] = 3
    assert [v.target for v in check_targets("sqlite", run) if not v.passed] == [
        "no 'database is locked'"
    ]
    empty = check_targets("sqlite", {"phases": {}, "locked": 0})
    assert [v.passed for v in empty] == [False, True, False, False, False]


def test_table_lists_every_phase_and_kind() -> None:
    text = table({"label": {"label verification page": _row(650.25, p99=7.345)}})
    lines = text.splitlines()
    assert lines[0].startswith("| phase | kind | requests | errors | req/s | p50 ms | p99 ms |")
    assert lines[2] == "| label | label verification page | 1,000 | 0 | 650.2 | 1.0 | 7.3 |"


def test_responses_and_forms_are_read_as_a_browser_would() -> None:
    raw = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
        b"Set-Cookie: safetech_session=abc; HttpOnly; Path=/\r\n\r\n"
        b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    )
    answer = parse_response(raw)
    assert (answer.status, answer.body) == (200, b"hello world")
    assert answer.header("set-cookie").startswith("safetech_session=abc")

    page = b"""<form action="/search"><input name="q" value="x"></form>
    <form method="post"><input type="hidden" name="csrf_token" value="t0k">
      <input name="name" value="Argus"><input type="checkbox" name="privacy" value="y">
      <input type="checkbox" name="flags" value="a" checked>
      <select name="category"><option value="">Choose</option>
        <option value="video" selected>Video</option></select>
      <select name="unit"><option value="camera">Camera</option></select>
      <textarea name="summary">
Old summary</textarea><button type="submit" name="save" value="">Save</button></form>"""
    form = form_with(page, "summary")
    assert form["fields"] == [
        ("csrf_token", "t0k"),
        ("name", "Argus"),
        ("flags", "a"),
        ("category", "video"),
        ("unit", "camera"),
        ("summary", "Old summary"),
    ]
    assert form["selects"]["category"] == ["", "video"]
    changed = with_values(form["fields"], {"summary": "New", "save": ""})
    assert ("summary", "New") in changed and ("summary", "Old summary") not in changed
