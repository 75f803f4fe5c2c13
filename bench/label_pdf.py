"""Label PDFs: render time (cold, warm, two processes) and serving a cached file.

Targets (issue 4): a render <= 400 ms; a cached label PDF served with p99 <= 20 ms.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from multiprocessing import get_context
from pathlib import Path

from flask import Flask, send_file
from flask_migrate import upgrade

from app import create_app
from evaluations.labels.documents.facts import CriterionSummary, LabelFacts
from evaluations.labels.documents.signing import (
    STATUS_PURPOSES,
    build_status_list_credential,
    credential_bytes,
    issue_label_credential,
)
from evaluations.labels.documents.verification import verify_label_file
from evaluations.labels.keys import KeyStore, public_keys_document
from evaluations.labels.pdf import cached_label_pdf, render_label_pdf
from registry.database import db

BASE = "https://registry.example"


def _facts(number: int) -> LabelFacts:
    label = f"STR-2026-{number:05d}"
    return LabelFacts(
        number=label,
        status="valid",
        level="Advanced",
        score_percent=84.5,
        solution_id=number,
        solution_name=f"Sentinel Video Analytics {number}",
        vendor_id=3,
        vendor_name="Acme Security",
        norm_code="VA-INTEROP",
        norm_title="Video analysis interoperability",
        norm_version="2",
        issued_on=date(2026, 1, 15),
        expires_on=date(2028, 1, 15),
        verification_url=f"{BASE}/labels/{label}",
        status_list_index=number,
        # A typical norm: about twenty criteria in four sections.
        criteria=tuple(
            CriterionSummary(
                f"C-{i:02d}", f"Criterion {i}: requirement text", "Pass", f"Section {i // 5}"
            )
            for i in range(20)
        ),
    )


def _label(keys_dir: Path, number: int) -> tuple[LabelFacts, bytes]:
    facts = _facts(number)
    signing_key = KeyStore(keys_dir).current_signing_key()
    return facts, credential_bytes(issue_label_credential(facts, signing_key, BASE))


def _render_many(keys_dir: str, first: int, count: int) -> float:
    """Render `count` labels in this (worker) process after one warm-up; return seconds."""
    facts, credential = _label(Path(keys_dir), first)
    render_label_pdf(facts, credential)
    labels = [_label(Path(keys_dir), first + i) for i in range(1, count + 1)]
    started = time.perf_counter()
    for facts, credential in labels:
        render_label_pdf(facts, credential)
    return time.perf_counter() - started


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _serving_app(folder: Path, facts: LabelFacts, credential: bytes) -> Flask:
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
            "SECRET_KEY": "bench",
            "OUTBOX_DIR": str(folder / "outbox"),
            "KEYS_DIR": str(folder / "keys"),
            "PDF_CACHE_DIR": str(folder / "pdf-cache"),
        }
    )

    def label_pdf(number: str):  # type: ignore[no-untyped-def]
        # What the label route will do: hash the facts, find the cached file, send it.
        path = cached_label_pdf(facts, credential)
        return send_file(path, mimetype="application/pdf", download_name=f"{number}.pdf")

    app.add_url_rule("/bench/labels/<number>.pdf", "bench_label_pdf", label_pdf)
    return app


def run(requests: int = 1000, renders: int = 20) -> None:
    """Print render and serving figures for label PDFs."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        keys_dir = folder / "keys"
        facts, credential = _label(keys_dir, 1)

        started = time.perf_counter()
        pdf = render_label_pdf(facts, credential)
        cold = time.perf_counter() - started

        warm_samples = []
        for _ in range(renders):
            started = time.perf_counter()
            render_label_pdf(facts, credential)
            warm_samples.append(time.perf_counter() - started)

        with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
            # Warm both workers (imports, fonts) before timing the parallel run.
            list(pool.map(_render_many, [str(keys_dir)] * 2, [1000, 2000], [1, 1]))
            started = time.perf_counter()
            list(pool.map(_render_many, [str(keys_dir)] * 2, [3000, 4000], [renders] * 2))
            parallel_seconds = time.perf_counter() - started
        parallel_rate = 2 * renders / parallel_seconds

        keys_document = public_keys_document(BASE, keys_dir)
        signing_key = KeyStore(keys_dir).current_signing_key()
        # A verdict of VALID needs both current status lists, as a verifier would hold them.
        status_lists = [
            build_status_list_credential(purpose, [], signing_key, BASE)
            for purpose in STATUS_PURPOSES
        ]
        verify_samples = []
        for _ in range(50):
            started = time.perf_counter()
            verdict = verify_label_file(pdf, keys_document, status_lists)
            verify_samples.append(time.perf_counter() - started)
            assert verdict.ok, verdict.message

        app = _serving_app(folder, facts, credential)
        with app.app_context():
            upgrade()
            client = app.test_client()
            url = f"/bench/labels/{facts.number}.pdf"
            with client.get(url) as first:  # renders into the cache
                assert first.status_code == 200 and first.data == pdf
            serve_samples = []
            for _ in range(requests):
                started = time.perf_counter()
                with client.get(url) as response:
                    body = response.data
                serve_samples.append(time.perf_counter() - started)
                assert response.status_code == 200 and len(body) == len(pdf)
            cached = cached_label_pdf(facts, credential)
            read_samples = []
            for _ in range(requests):
                started = time.perf_counter()
                cached_label_pdf(facts, credential).read_bytes()
                read_samples.append(time.perf_counter() - started)
            assert cached.is_file()
            db.engine.dispose()

    ms = 1000
    print(f"label PDF size: {len(pdf) / 1024:.0f} KiB ({len(facts.criteria)} criteria)")
    print(f"label PDF render, cold (first in the process): {cold * ms:.0f} ms")
    print(
        f"label PDF render, warm: median {statistics.median(warm_samples) * ms:.0f} ms, "
        f"max {max(warm_samples) * ms:.0f} ms ({renders} renders)"
    )
    print(f"label PDF renders/s with 2 processes: {parallel_rate:.1f}")
    print(
        f"label PDF verify (extract + signature): {statistics.median(verify_samples) * ms:.1f} ms"
    )
    print(
        "cached label PDF via Flask test client: "
        f"p50 {_percentile(serve_samples, 0.5) * ms:.2f} ms, "
        f"p99 {_percentile(serve_samples, 0.99) * ms:.2f} ms ({requests} requests)"
    )
    print(
        f"cached label PDF lookup + file read: p50 {_percentile(read_samples, 0.5) * ms:.3f} ms, "
        f"p99 {_percentile(read_samples, 0.99) * ms:.3f} ms"
    )
