"""Catalog search: index build, change-to-searchable time, query latency; SQLite FTS5 beside it.

`python -m bench search` runs 10 000 solutions; `SEARCH_BENCH_SIZES=10000,100000` for more.
Latency is measured server-side (catalog.search.query, no HTTP), over 200+ varied queries.
"""

from __future__ import annotations

import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select, update

from app import create_app
from bench.catalog_data import STANDARDS, GeneratedCatalog, generate
from catalog.label_facts import register_label_provider
from catalog.models import Solution
from catalog.regions import REGIONS
from catalog.search import index, indexer
from catalog.search.query import query
from registry.database import db
from registry.models import SecurityActivity, TechnologyCategory

QUERIES = 200
FACETS_TO_FILTER = ("category", "activities", "regions", "standards", "vendor_size", "price_band")


def _app(folder: Path) -> Flask:
    return create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
            "SECRET_KEY": "bench",
            "OUTBOX_DIR": str(folder / "outbox"),
            "KEYS_DIR": str(folder / "keys"),
            "SEARCH_INDEX_DIR": str(folder / "index"),
        }
    )


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered) * 1000, p95 * 1000


def _workload(rng: random.Random, catalog: GeneratedCatalog) -> list[dict[str, Any]]:
    categories = list(db.session.scalars(select(TechnologyCategory.code)))
    activities = list(db.session.scalars(select(SecurityActivity.code)))
    choices = {
        "category": categories,
        "activities": activities,
        "regions": list(REGIONS),
        "standards": STANDARDS,
        "vendor_size": ["startup", "sme", "large"],
        "price_band": ["under_10k", "10k_to_50k", "50k_to_250k", "over_250k"],
    }
    workload = []
    for _ in range(QUERIES):
        words = rng.sample(catalog.vocabulary, rng.choice([1, 1, 2]))
        fields = rng.sample(FACETS_TO_FILTER, 2)
        workload.append(
            {"text": " ".join(words), "filters": {f: [rng.choice(choices[f])] for f in fields}}
        )
    return workload


def _time(run: Callable[[dict[str, Any]], Any], workload: list[dict[str, Any]]) -> list[float]:
    run(workload[0])  # warm the caches as a long-running worker would have them
    samples = []
    for item in workload:
        started = time.perf_counter()
        run(item)
        samples.append(time.perf_counter() - started)
    return samples


# --- SQLite FTS5 reference -----------------------------------------------------------------


def _build_fts(database: str, catalog: GeneratedCatalog) -> tuple[sqlite3.Connection, float]:
    connection = sqlite3.connect(database)
    started = time.perf_counter()
    connection.executescript(
        """
        DROP TABLE IF EXISTS fts; DROP TABLE IF EXISTS facet;
        CREATE VIRTUAL TABLE fts USING fts5(name, vendor, summary, description,
                                            tokenize='porter unicode61');
        CREATE TABLE facet (doc INTEGER, field TEXT, value TEXT);
        """
    )
    connection.execute(
        """INSERT INTO fts(rowid, name, vendor, summary, description)
           SELECT s.id, s.name, o.name, s.summary, s.description_markdown
           FROM solution s JOIN organisation o ON o.id = s.vendor_id
           WHERE s.status = 'published'"""
    )
    connection.executescript(
        """
        INSERT INTO facet SELECT s.id, 'category', c.code FROM solution s
            JOIN technology_category c ON c.id = s.primary_category_id;
        INSERT INTO facet SELECT sa.solution_id, 'activities', a.code FROM solution_activity sa
            JOIN security_activity a ON a.id = sa.activity_id;
        INSERT INTO facet SELECT solution_id, 'regions', region_code FROM solution_region;
        INSERT INTO facet SELECT solution_id, 'standards', code FROM solution_standard;
        INSERT INTO facet SELECT s.id, 'vendor_size', o.vendor_size FROM solution s
            JOIN organisation o ON o.id = s.vendor_id;
        INSERT INTO facet SELECT id, 'price_band', price_band FROM solution;
        INSERT INTO facet SELECT id, 'privacy', CASE privacy_sensitive WHEN 1 THEN 'yes'
            ELSE 'no' END FROM solution;
        """
    )
    rows: list[tuple[int, str, str | None]] = []
    for solution_id in catalog.solution_ids:
        facts = catalog.facts.get(solution_id)
        rows.append((solution_id, "certified", "yes" if facts else "no"))
        if facts:
            rows.append((solution_id, "label_level", facts.best_level))
            rows.extend((solution_id, "norms", code) for code in facts.norm_codes)
    connection.executemany("INSERT INTO facet VALUES (?, ?, ?)", rows)
    connection.executescript(
        "CREATE INDEX ix_facet_doc ON facet (doc, field, value);"
        "CREATE INDEX ix_facet_value ON facet (field, value, doc);"
    )
    connection.commit()
    return connection, time.perf_counter() - started


def _fts_match(text: str) -> str:
    return " ".join(
        f'"{word}"*' if i == len(text.split()) - 1 else f'"{word}"'
        for i, word in enumerate(text.split())
    )


def _fts_filters(filters: dict[str, list[str]]) -> tuple[str, list[str]]:
    clauses, parameters = [], []
    for name, values in filters.items():
        marks = ", ".join("?" for _ in values)
        clauses.append(
            f" AND rowid IN (SELECT doc FROM facet WHERE field = ? AND value IN ({marks}))"  # noqa: S608
        )
        parameters.extend([name, *values])
    return "".join(clauses), parameters


def _fts_query(
    connection: sqlite3.Connection, item: dict[str, Any], filters: bool, facets: bool
) -> None:
    where, parameters = _fts_filters(item["filters"]) if filters else ("", [])
    where = where.replace("rowid IN", "id IN")
    # The matches are materialised once, then filtered: letting SQLite push the facet
    # filters into the FTS5 scan makes it re-run the MATCH per row (seconds per query).
    matches = "WITH m AS MATERIALIZED (SELECT rowid AS id, rank AS r FROM fts WHERE fts MATCH ?) "
    arguments = [_fts_match(item["text"]), *parameters]
    connection.execute(
        f"{matches}SELECT id FROM m WHERE 1{where} ORDER BY r LIMIT 20",  # noqa: S608
        arguments,
    ).fetchall()
    connection.execute(
        f"{matches}SELECT count(*) FROM m WHERE 1{where}",  # noqa: S608
        arguments,
    ).fetchone()
    if facets:
        # Conjunctive counts (all filters applied) in one GROUP BY: the simple reference.
        connection.execute(
            f"{matches}SELECT field, value, count(*) FROM facet JOIN m ON facet.doc = m.id "  # noqa: S608
            f"WHERE 1{where} GROUP BY field, value",
            arguments,
        ).fetchall()


# --- the run ---------------------------------------------------------------------------------


def _change_latency(app: Flask, catalog: GeneratedCatalog, rng: random.Random) -> list[float]:
    """Edit a solution (with its change-log row), then wait until a query finds the new name."""
    worker = indexer.Indexer(app.config["SEARCH_INDEX_DIR"])
    samples = []
    for attempt in range(5):
        solution_id = rng.choice(catalog.solution_ids)
        marker = f"zqxmarker{attempt}"
        started = time.perf_counter()
        db.session.execute(
            update(Solution).where(Solution.id == solution_id).values(name=f"Renamed {marker}")
        )
        index.enqueue_solution_change(solution_id, "bench.rename")
        db.session.commit()
        while True:
            worker.apply_pending()
            if query(marker, {}, with_facets=True).ids == [solution_id]:
                break
        samples.append(time.perf_counter() - started)
    return samples


def run_size(count: int) -> dict[str, Any]:
    """Generate `count` solutions, build both indexes and time the three query kinds."""
    figures: dict[str, Any] = {"solutions": count}
    with tempfile.TemporaryDirectory() as tmp:
        app = _app(Path(tmp))
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            catalog = generate(count)
            figures["generate_s"] = time.perf_counter() - started
            register_label_provider(app, catalog)
            started = time.perf_counter()
            indexer.rebuild()
            figures["whoosh_build_s"] = time.perf_counter() - started
            started = time.perf_counter()
            query("camera", {})  # first query in a fresh worker builds the facet cache
            figures["whoosh_first_query_s"] = time.perf_counter() - started
            rng = random.Random(7)
            workload = _workload(rng, catalog)
            modes: dict[str, Callable[[dict[str, Any]], Any]] = {
                "text only": lambda q: query(q["text"], {}, with_facets=False),
                "text + 2 filters": lambda q: query(q["text"], q["filters"], with_facets=False),
                "text + all facet counts": lambda q: query(q["text"], q["filters"]),
            }
            for name, function in modes.items():
                figures[f"whoosh {name}"] = _percentiles(_time(function, workload))
            db.session.remove()  # release SQLite's write lock before the FTS5 tables
            fts, fts_build = _build_fts(str(Path(tmp) / "bench.db"), catalog)
            figures["fts5_build_s"] = fts_build
            fts_modes = {
                "text only": (False, False),
                "text + 2 filters": (True, False),
                "text + all facet counts": (True, True),
            }
            for name, (filters, facets) in fts_modes.items():
                samples = _time(partial(_fts_query, fts, filters=filters, facets=facets), workload)
                figures[f"fts5 {name}"] = _percentiles(samples)
            fts.close()
            figures["change_s"] = _change_latency(app, catalog, rng)
            db.session.remove()
            db.engine.dispose()
    return figures


def run(sizes: list[int] | None = None) -> None:
    """Print build time, change latency and query latency at each catalog size."""
    if sizes is None:
        sizes = [int(s) for s in os.environ.get("SEARCH_BENCH_SIZES", "10000").split(",")]
    for count in sizes:
        figures = run_size(count)
        print(f"## catalog search, {count:,} solutions ({QUERIES} queries per kind)")
        print(f"generate data: {figures['generate_s']:.1f} s")
        print(
            f"full index build: Whoosh {figures['whoosh_build_s']:.1f} s, "
            f"FTS5 {figures['fts5_build_s']:.1f} s"
        )
        print(
            f"first query of a fresh worker (facet cache): {figures['whoosh_first_query_s']:.2f} s"
        )
        changes = figures["change_s"]
        print(
            f"change searchable after: median {statistics.median(changes):.2f} s, "
            f"max {max(changes):.2f} s (target ≤ 2 s)"
        )
        for kind in ("text only", "text + 2 filters", "text + all facet counts"):
            w_median, w_p95 = figures[f"whoosh {kind}"]
            f_median, f_p95 = figures[f"fts5 {kind}"]
            print(
                f"{kind}: Whoosh median {w_median:.1f} ms, p95 {w_p95:.1f} ms | "
                f"FTS5 median {f_median:.1f} ms, p95 {f_p95:.1f} ms | "
                f"p95 ratio Whoosh/FTS5 {w_p95 / f_p95:.1f}"
            )
