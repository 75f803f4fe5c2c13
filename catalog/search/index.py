"""The catalog's search index (Whoosh): its schema, the documents, and the change log to it.

One writer (the indexer, see catalog.search.indexer), any number of readers
(catalog.search.readers, catalog.search.query).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select
from whoosh import index as whoosh_index
from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer
from whoosh.fields import BOOLEAN, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.writing import IndexWriter

from catalog.label_facts import LabelSummary
from catalog.markdown import render_markdown
from catalog.models import Solution
from catalog.search.models import SearchChange
from registry.database import db

MAX_QUERY_CHARS = 500  # longer input is truncated: 10 KB of text is a paste, not a query
MAX_QUERY_WORDS = 12
SNIPPET_CHARS = 1_000
TERM_CACHE_SIZE = 2_000
MAX_EXPANSIONS = 64  # terms a prefix or a fuzzy word may stand for
# Relevance tiers: all words in the name, then any word in the name, vendor, summary, text.
FIELD_WEIGHTS = {"name": 4.0, "vendor": 3.0, "summary": 2.0, "description": 1.0}

# Filterable fields, in the order the catalog page shows them.
FACET_FIELDS = (
    "category",
    "activities",
    "label_level",
    "norms",
    "vendor_size",
    "regions",
    "standards",
    "price_band",
    "privacy",
    "recertification",
    "certified",
)
# Filterable fields without facet counts: their values are too many to count on every query
# (any version string a label certifies). A filter on them looks its terms up when asked.
FILTER_FIELDS = ("version",)
SORTS = ("relevance", "newest_label", "name")

# Stems the words of the text fields, in documents and queries alike.
STEMMER = StemmingAnalyzer()
_plain = StandardAnalyzer(stoplist=None, minsize=2)

SCHEMA = Schema(
    id=ID(stored=True, unique=True),
    name=TEXT(analyzer=STEMMER, stored=True, field_boost=3.0),
    vendor=TEXT(analyzer=STEMMER, stored=True, field_boost=1.5),
    summary=TEXT(analyzer=STEMMER, stored=True, field_boost=1.5),
    description=TEXT(analyzer=STEMMER),
    # Unstemmed words of the text fields: "did you mean" suggests real words, not stems.
    spelling=TEXT(analyzer=_plain, spelling=True),
    category=KEYWORD(stored=True, commas=True),
    activities=KEYWORD(commas=True),
    label_level=KEYWORD(stored=True, commas=True),
    norms=KEYWORD(stored=True, commas=True),
    vendor_size=KEYWORD(stored=True, commas=True),
    regions=KEYWORD(commas=True),
    standards=KEYWORD(commas=True),
    price_band=KEYWORD(stored=True, commas=True),
    privacy=KEYWORD(stored=True, commas=True),
    # "due" when a valid label's norm version was superseded past its transition date or its
    # norm withdrawn, "current" for other certified solutions, nothing for the rest.
    recertification=KEYWORD(stored=True, commas=True),
    recertification_norms=STORED(),
    # A valid label is marked "vulnerability under remediation".
    under_remediation=STORED(),
    certified=KEYWORD(stored=True, commas=True),
    certified_flag=BOOLEAN(stored=True),
    # The version strings in the certified scope of the valid labels, each one term, exact.
    version=KEYWORD(stored=True, commas=True),
    vendor_id=STORED(),
    level_rank=STORED(),
    expiry=STORED(),
    snippet=STORED(),
    name_sort=ID(sortable=True),
    newest_label=NUMERIC(sortable=True, bits=64, signed=True),
    digest=STORED(),
)


def enqueue_solution_change(solution_id: int, reason: str) -> None:
    """Log that a solution's indexed facts changed; call it inside the changing transaction.

    The indexer picks the row up once the transaction commits; nothing is written if it rolls
    back. `reason` is a short code for people reading the log, e.g. "label.issued".
    """
    db.session.add(SearchChange(solution_id=solution_id, reason=reason[:60]))


# --- documents -----------------------------------------------------------------------------


def _keywords(values: Iterable[str | None]) -> list[str]:
    # A list is indexed term by term, untouched: "IEC 60529, IEC 62262" stays one value.
    return [value.strip() for value in values if value and value.strip()]


def _plain_description(markdown: str) -> str:
    html = str(render_markdown(markdown))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def solution_document(solution: Solution, facts: LabelSummary) -> dict[str, Any]:
    """The index document of a public solution (also what `search check` compares)."""
    import html

    description = html.unescape(_plain_description(solution.description_markdown))
    vendor = solution.vendor
    newest = int(facts.newest_label_at.timestamp()) if facts.newest_label_at else 0
    document: dict[str, Any] = {
        "id": str(solution.id),
        "name": solution.name,
        "vendor": vendor.name,
        "summary": solution.summary,
        "description": description,
        "spelling": " ".join((solution.name, vendor.name, solution.summary, description)),
        "category": _keywords(
            [solution.primary_category.code if solution.primary_category else None]
        ),
        "activities": _keywords(solution.activity_codes),
        "label_level": _keywords([facts.best_level if facts.certified else None]),
        "norms": _keywords(sorted(set(facts.norm_codes))),
        "vendor_size": _keywords([vendor.vendor_size.value if vendor.vendor_size else None]),
        "regions": _keywords(solution.region_codes),
        "standards": _keywords(solution.standard_codes),
        "price_band": _keywords([solution.price_band.value if solution.price_band else None]),
        "privacy": ["yes" if solution.privacy_sensitive else "no"],
        "recertification": _keywords(
            [("due" if facts.recertification_due_norms else "current") if facts.certified else None]
        ),
        "recertification_norms": sorted(set(facts.recertification_due_norms)),
        "under_remediation": facts.under_remediation,
        "certified": ["yes" if facts.certified else "no"],
        "certified_flag": facts.certified,
        "version": _keywords(facts.certified_versions),
        "vendor_id": solution.vendor_id,
        "level_rank": facts.level_rank,
        "expiry": facts.expiry.isoformat() if facts.expiry else None,
        "snippet": description[:SNIPPET_CHARS],
        "name_sort": solution.name.casefold(),
        "newest_label": newest,
    }
    document["digest"] = hashlib.sha256(
        json.dumps(document, sort_keys=True, default=str).encode()
    ).hexdigest()[:32]
    return document


def index_solution(writer: IndexWriter, document: dict[str, Any]) -> None:
    """Add or replace one solution's document (the writer belongs to the indexer)."""
    writer.update_document(**document)


def remove_solution(writer: IndexWriter, solution_id: int) -> None:
    """Remove one solution from the index (no-op when absent)."""
    writer.delete_by_term("id", str(solution_id))


def create_index(path: str | Path) -> whoosh_index.Index:
    """An empty index in `path` (created if needed)."""
    Path(path).mkdir(parents=True, exist_ok=True)
    return whoosh_index.create_in(str(path), SCHEMA)


def open_or_create_index(path: str | Path) -> whoosh_index.Index:
    """The index in `path`, created empty the first time (indexer side only)."""
    if whoosh_index.exists_in(str(path)):
        return whoosh_index.open_dir(str(path))
    return create_index(path)


def has_current_schema(ix: whoosh_index.Index) -> bool:
    """Whether an index on disk has this release's fields (an upgrade may have added some)."""
    return set(ix.schema.names()) == set(SCHEMA.names())


def indexed_documents(index_dir: str | None = None) -> dict[int, str]:
    """Every solution id in the index with its document digest (for `search check`)."""
    path = index_dir or current_app.config["SEARCH_INDEX_DIR"]
    if not whoosh_index.exists_in(path):
        return {}
    with whoosh_index.open_dir(path).searcher() as searcher:
        return {int(fields["id"]): fields["digest"] for fields in searcher.all_stored_fields()}


def enqueue_vendor_change(vendor_id: int, reason: str) -> None:
    """Log a change for every solution of a vendor (renamed, resized, suspended)."""
    for solution_id in db.session.scalars(
        select(Solution.id).where(Solution.vendor_id == vendor_id)
    ):
        enqueue_solution_change(solution_id, reason)


def _on_vendor_status(organisation: Any, **_: Any) -> None:
    # Only an active vendor's solutions are listed (catalog.search.indexer): suspension removes
    # them, reactivation brings them back.
    enqueue_vendor_change(organisation.id, "organisation.status")


def listen_to_vendor_status(app: Flask) -> None:
    """Log a change for a vendor's solutions when the registry suspends or reactivates it."""
    from registry import events

    events.subscribe(app, "organisation.suspended", _on_vendor_status)
    events.subscribe(app, "organisation.reactivated", _on_vendor_status)
