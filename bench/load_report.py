"""The arithmetic of `make load`: percentiles, per-kind summaries, the table and the targets.

Pure functions only (no server, no network), so they are tested on their own.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# Targets on the reference machine (2 cores), 32 concurrent clients.
CLIENTS = 32
LABEL_PAGE_MIN_RPS = 500.0
PDF_P99_MAX_MS = 20.0
CATALOG_MIN_SHARE = 0.25  # catalog page with facets against the plain 20-row list


def percentile(samples: Iterable[float], fraction: float) -> float:
    """The nearest-rank percentile (`fraction` in 0..1) of the samples; 0.0 when empty."""
    ordered = sorted(samples)
    if not ordered:
        return 0.0
    if not 0.0 <= fraction <= 1.0:
        raise ValueError("fraction must be between 0 and 1")
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass
class KindSummary:
    """What one kind of request did during a phase."""

    requests: int
    errors: int
    rps: float
    p50_ms: float
    p99_ms: float
    error_examples: list[str]

    def as_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "requests": self.requests,
            "errors": self.errors,
            "rps": round(self.rps, 1),
            "p50_ms": round(self.p50_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "error_examples": self.error_examples,
        }


def summarise(
    latencies: Mapping[str, list[float]],
    errors: Mapping[str, list[str]],
    seconds: float,
) -> dict[str, KindSummary]:
    """Per kind: requests (errors included), errors, throughput, p50 and p99 of the successes.

    `latencies` are in seconds; `errors` holds a short description of each failed request.
    """
    summary = {}
    for kind in sorted(set(latencies) | set(errors)):
        ok = latencies.get(kind, [])
        failed = errors.get(kind, [])
        count = len(ok) + len(failed)
        summary[kind] = KindSummary(
            requests=count,
            errors=len(failed),
            rps=count / seconds if seconds > 0 else 0.0,
            p50_ms=percentile(ok, 0.50) * 1000,
            p99_ms=percentile(ok, 0.99) * 1000,
            error_examples=sorted(set(failed))[:5],
        )
    return summary


def table(phases: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> str:
    """A Markdown table of every phase and kind: requests, errors, req/s, p50, p99."""
    lines = [
        "| phase | kind | requests | errors | req/s | p50 ms | p99 ms |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for phase, kinds in phases.items():
        for kind, row in kinds.items():
            lines.append(
                f"| {phase} | {kind} | {row['requests']:,} | {row['errors']} | "
                f"{row['rps']:,.1f} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} |"
            )
    return "\n".join(lines)


@dataclass
class Verdict:
    """One target on one database: met or not, and the figure behind it."""

    database: str
    target: str
    passed: bool
    detail: str

    def line(self) -> str:
        """One line of the report."""
        mark = "PASS" if self.passed else "FAIL"
        return f"{mark}  [{self.database}] {self.target}: {self.detail}"


def check_targets(database: str, run: Mapping[str, Any]) -> list[Verdict]:
    """The targets of the load test against one database's results.

    `run` has "phases" ({phase: {kind: summary dict}}) and "locked" (how many times the server
    log says "database is locked").
    """
    phases: Mapping[str, Mapping[str, Mapping[str, Any]]] = run["phases"]
    verdicts = []
    errors = sum(row["errors"] for kinds in phases.values() for row in kinds.values())
    requests = sum(row["requests"] for kinds in phases.values() for row in kinds.values())
    verdicts.append(
        Verdict(
            database,
            f"zero errors at {CLIENTS} clients",
            errors == 0 and requests > 0,
            f"{errors} errors in {requests:,} requests",
        )
    )
    locked = int(run.get("locked", 0))
    verdicts.append(
        Verdict(database, "no 'database is locked'", locked == 0, f"{locked} in the server log")
    )

    def rps(phase: str, kind: str) -> float:
        return float(phases.get(phase, {}).get(kind, {}).get("rps", 0.0))

    catalog, plain = rps("catalog", "catalog search with facets"), rps("list", "plain 20-row list")
    share = catalog / plain if plain else 0.0
    verdicts.append(
        Verdict(
            database,
            f"catalog with facets ≥ {CATALOG_MIN_SHARE:.0%} of the plain list",
            plain > 0 and share >= CATALOG_MIN_SHARE,
            f"{catalog:,.0f} / {plain:,.0f} req/s = {share:.0%}",
        )
    )
    label = rps("label", "label verification page")
    verdicts.append(
        Verdict(
            database,
            f"label verification page ≥ {LABEL_PAGE_MIN_RPS:.0f} req/s",
            label >= LABEL_PAGE_MIN_RPS,
            f"{label:,.0f} req/s",
        )
    )
    pdf = phases.get("pdf", {}).get("cached label PDF", {})
    p99 = float(pdf.get("p99_ms", 0.0))
    verdicts.append(
        Verdict(
            database,
            f"cached label PDF p99 ≤ {PDF_P99_MAX_MS:.0f} ms",
            bool(pdf.get("requests")) and p99 <= PDF_P99_MAX_MS,
            f"p99 {p99:.1f} ms over {int(pdf.get('requests', 0)):,} requests",
        )
    )
    return verdicts
