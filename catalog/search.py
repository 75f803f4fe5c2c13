"""The catalog's search index (Whoosh): documents, queries, facet counts, highlights.

One writer (the indexer, see catalog.indexer), any number of readers. Readers keep one
searcher per process and index folder and refresh it when the index changed; they never open
the writer. Facet counts are computed over per-value bitsets (Python ints) cached per searcher:
counting is then one AND and one popcount per facet value, whatever the number of hits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import json
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from whoosh import index as whoosh_index
from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer
from whoosh.fields import BOOLEAN, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher
from whoosh.writing import IndexWriter

from catalog.label_facts import LabelSummary
from catalog.markdown import render_markdown
from catalog.models import Solution

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
TEXT_FIELDS = ("name", "vendor", "summary", "description")
SORTS = ("relevance", "newest_label", "name")

_stem = StemmingAnalyzer()
_plain = StandardAnalyzer(stoplist=None, minsize=2)

SCHEMA = Schema(
    id=ID(stored=True, unique=True),
    name=TEXT(analyzer=_stem, stored=True, field_boost=3.0),
    vendor=TEXT(analyzer=_stem, stored=True, field_boost=1.5),
    summary=TEXT(analyzer=_stem, stored=True, field_boost=1.5),
    description=TEXT(analyzer=_stem),
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
    certified=KEYWORD(stored=True, commas=True),
    certified_flag=BOOLEAN(stored=True),
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
    from catalog.search_models import SearchChange
    from registry.database import db

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
        "certified": ["yes" if facts.certified else "no"],
        "certified_flag": facts.certified,
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


# --- the per-process reader cache ----------------------------------------------------------

_BIT_POSITIONS = [tuple(j for j in range(8) if byte >> j & 1) for byte in range(256)]


def _bits(docnums: Iterable[int], size: int) -> int:
    buffer = bytearray((size >> 3) + 1)
    for docnum in docnums:
        buffer[docnum >> 3] |= 1 << (docnum & 7)
    return int.from_bytes(buffer, "little")


def _docnums(bits: int) -> list[int]:
    found: list[int] = []
    data = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
    for offset, byte in enumerate(data):
        if byte:
            base = offset << 3
            found.extend(base + j for j in _BIT_POSITIONS[byte])
    return found


class _Snapshot:
    """One searcher and what we precompute from it: live docs, facet bitsets, sort orders."""

    def __init__(self, searcher: Searcher, folder_id: tuple[int, int]) -> None:
        self.searcher = searcher
        self.folder_id = folder_id
        reader = searcher.reader()
        self.size = reader.doc_count_all()
        if reader.has_deletions():
            self.live = _bits(reader.all_doc_ids(), self.size)
        else:
            self.live = (1 << self.size) - 1
        self.reader = reader
        self.terms: dict[tuple[str, str], int] = {}  # (field, term) → bitset, bounded
        self.facets: dict[str, dict[str, int]] = {}
        for name in FACET_FIELDS:
            values: dict[str, int] = {}
            if name in reader.indexed_field_names():
                for term in reader.lexicon(name):
                    value = term.decode("utf-8") if isinstance(term, bytes) else str(term)
                    ids = reader.postings(name, term).all_ids()
                    bits = _bits(ids, self.size) & self.live
                    if bits:
                        values[value] = bits
            self.facets[name] = values
        names = reader.column_reader("name_sort") if self.size else []
        newest = reader.column_reader("newest_label") if self.size else []
        self.name_rank = [0] * self.size
        for rank, docnum in enumerate(sorted(range(self.size), key=lambda d: names[d])):
            self.name_rank[docnum] = rank
        self.newest_rank = [0] * self.size
        by_newest = sorted(range(self.size), key=lambda d: (-newest[d], self.name_rank[d]))
        for rank, docnum in enumerate(by_newest):
            self.newest_rank[docnum] = rank

    def term_bits(self, field_name: str, term: str) -> int:
        """The live documents holding `term` in `field_name` (cached: queries repeat words)."""
        key = (field_name, term)
        bits = self.terms.get(key)
        if bits is None:
            try:
                ids = self.reader.postings(field_name, term).all_ids()
            except TermNotFound:
                bits = 0
            else:
                bits = _bits(ids, self.size) & self.live
            if len(self.terms) >= TERM_CACHE_SIZE:
                self.terms.pop(next(iter(self.terms)))
            self.terms[key] = bits
        return bits


_lock = threading.Lock()
_snapshots: dict[str, _Snapshot] = {}


def _folder_id(path: str) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return (info.st_ino, info.st_dev)


@contextmanager
def _snapshot(path: str) -> Iterator[_Snapshot | None]:
    """The current snapshot of the index at `path` (None when it was never built)."""
    with _lock:
        folder = _folder_id(path)
        snapshot = _snapshots.get(path)
        if folder is None or not whoosh_index.exists_in(path):
            yield None
            return
        if snapshot is None or snapshot.folder_id != folder:
            # First use, or `search rebuild` swapped in a new folder.
            if snapshot is not None:
                snapshot.searcher.close()
            snapshot = _Snapshot(whoosh_index.open_dir(path).searcher(), folder)
        elif not snapshot.searcher.up_to_date():
            # Not searcher.refresh(): it reuses the readers of unchanged segments, and those
            # miss deletions made since (an edited solution would then be found twice).
            snapshot.searcher.close()
            snapshot = _Snapshot(whoosh_index.open_dir(path).searcher(), folder)
        _snapshots[path] = snapshot
        yield snapshot


def forget_readers() -> None:
    """Close this process's cached searchers (tests, and after deleting an index folder)."""
    with _lock:
        for snapshot in _snapshots.values():
            snapshot.searcher.close()
        _snapshots.clear()


# --- queries -------------------------------------------------------------------------------


@dataclass
class Hit:
    """One search result with the stored facts a result list shows."""

    id: int
    score: float
    fields: dict[str, Any]
    highlight: list[tuple[str, bool]]  # (text, is_match) segments; the template escapes them


@dataclass
class SearchResult:
    """A page of hits, the total, the facet counts and a spelling suggestion."""

    ids: list[int]
    total: int
    facets: dict[str, dict[str, int]]
    suggestion: str | None
    hits: list[Hit]
    page: int
    per_page: int
    fuzzy: bool = False
    highlights: dict[int, list[tuple[str, bool]]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        """How many pages the hits fill (at least one)."""
        return max(1, -(-self.total // self.per_page))


def clean_filters(filters: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    """Keep known facet fields and non-empty values; unknown ones are ignored, not errors."""
    cleaned: dict[str, set[str]] = {}
    for name, values in filters.items():
        if name in FACET_FIELDS:
            kept = {str(value)[:100] for value in values if str(value).strip()}
            if kept:
                cleaned[name] = kept
    return cleaned


def _words(text: str) -> list[str]:
    words = re.findall(r"\w+", text[:MAX_QUERY_CHARS].casefold())
    return words[:MAX_QUERY_WORDS]


@dataclass
class _TextMatch:
    """Which live documents match each word, per text field."""

    by_field: dict[str, int]  # documents where *every* word is found in that field
    any_by_field: dict[str, int]  # documents where *some* word is found in that field
    matched: int  # documents where every word is found in some field


def _expansions(snapshot: _Snapshot, field_name: str, word: str, fuzzy: bool) -> list[str]:
    reader = snapshot.reader
    if fuzzy:
        distance = 1 if len(word) <= 6 else 2
        found = reader.terms_within(field_name, word, distance, prefix=1)
    else:
        found = (
            term.decode("utf-8") if isinstance(term, bytes) else term
            for term in reader.expand_prefix(field_name, word)
        )
    return [term for _, term in zip(range(MAX_EXPANSIONS), found, strict=False)]


def _match_words(snapshot: _Snapshot, words: list[str], fuzzy: bool) -> _TextMatch | None:
    """Bitsets of the documents matching the words: stems, the last word as a prefix, fuzzy."""
    per_word: list[dict[str, int]] = []
    for position, word in enumerate(words):
        stems = [token.text for token in _stem(word)]
        if not stems:  # a stop word ("and", "or", "not"): it neither helps nor hurts
            continue
        fields: dict[str, int] = {}
        for name in FIELD_WEIGHTS:
            bits = 0
            for stem in stems:
                if fuzzy and len(stem) > 3:
                    for term in _expansions(snapshot, name, stem, fuzzy=True):
                        bits |= snapshot.term_bits(name, term)
                else:
                    bits |= snapshot.term_bits(name, stem)
            # The word being typed: "cam" finds "camera".
            if position == len(words) - 1 and len(word) >= 3 and not fuzzy:
                for term in _expansions(snapshot, name, word, fuzzy=False):
                    bits |= snapshot.term_bits(name, term)
            fields[name] = bits
        per_word.append(fields)
    if not per_word:
        return None
    by_field, any_by_field = {}, {}
    for name in FIELD_WEIGHTS:
        every, some = snapshot.live, 0
        for fields in per_word:
            every &= fields[name]
            some |= fields[name]
        by_field[name], any_by_field[name] = every, some
    matched = snapshot.live
    for fields in per_word:
        union = 0
        for bits in fields.values():
            union |= bits
        matched &= union
    return _TextMatch(by_field, any_by_field, matched)


def _suggest(searcher: Searcher, words: list[str]) -> str | None:
    corrector = searcher.corrector("spelling")
    changed = False
    corrected = []
    for word in words:
        suggestions = corrector.suggest(word, limit=1, maxdist=2) if len(word) > 2 else []
        if suggestions and suggestions[0] != word:
            corrected.append(suggestions[0])
            changed = True
        else:
            corrected.append(word)
    return " ".join(corrected) if changed else None


def _highlight(text: str, words: list[str]) -> list[tuple[str, bool]]:
    """Split `text` into (segment, matched) pairs: words starting with a query stem match."""
    if not text:
        return []
    stems = {token.text for word in words for token in _stem(word)}
    if words and len(words[-1]) >= 3:
        stems.add(words[-1])
    if not stems:
        return [(text, False)]
    pattern = re.compile(
        r"\b(?:" + "|".join(re.escape(stem) for stem in sorted(stems)) + r")\w*", re.IGNORECASE
    )
    segments: list[tuple[str, bool]] = []
    last = 0
    for found in pattern.finditer(text):
        if found.start() > last:
            segments.append((text[last : found.start()], False))
        segments.append((found.group(), True))
        last = found.end()
    if last < len(text):
        segments.append((text[last:], False))
    return segments


def _snippet(fields: dict[str, Any], words: list[str]) -> list[tuple[str, bool]]:
    summary = _highlight(fields.get("summary", ""), words)
    if not words or any(matched for _, matched in summary):
        return summary
    description = fields.get("snippet") or ""
    highlighted = _highlight(description, words)
    first = next((i for i, (_, matched) in enumerate(highlighted) if matched), None)
    if first is None:
        return summary
    # About 200 characters around the first match, cut at spaces.
    before = highlighted[first - 1][0][-80:] if first else ""
    window = [("… " + before.split(" ", 1)[-1], False)] if before else []
    length = 0
    for text, matched in highlighted[first:]:
        if length > 200:
            window.append(("…", False))
            break
        window.append((text[:200] if not matched else text, matched))
        length += len(text)
    return window


SINGLE_VALUED = (
    "category",
    "label_level",
    "vendor_size",
    "price_band",
    "privacy",
    "recertification",
    "certified",
)


def _flatten(fields: dict[str, Any]) -> dict[str, Any]:
    """Single-valued facets are indexed as one-item lists; hits show them as plain strings."""
    for name in SINGLE_VALUED:
        value = fields.get(name)
        if isinstance(value, list):
            fields[name] = value[0] if value else ""
    return fields


def _rank(
    snapshot: _Snapshot, final: int, text: _TextMatch | None, sort: str, start: int, count: int
) -> list[tuple[int, float]]:
    """One page of documents: by relevance tier (then name), by name, or newest label first."""
    if not final or start >= final.bit_count():
        return []
    if sort == "relevance" and text is not None:
        tiers = [(5.0, text.by_field["name"])]
        tiers += [(weight, text.any_by_field[name]) for name, weight in FIELD_WEIGHTS.items()]
        tiers.append((0.5, final))
        key = snapshot.name_rank.__getitem__
    else:
        tiers = [(0.0, final)]
        rank = snapshot.newest_rank if sort == "newest_label" else snapshot.name_rank
        key = rank.__getitem__
    page: list[tuple[int, float]] = []
    remaining = final
    skip = start
    for score, tier in tiers:
        bits = remaining & tier
        remaining &= ~tier
        size = bits.bit_count()
        if size <= skip:  # a whole tier before this page: count it, decode nothing
            skip -= size
            continue
        chosen = heapq.nsmallest(skip + count - len(page), _docnums(bits), key=key)[skip:]
        skip = 0
        page.extend((docnum, score) for docnum in chosen)
        if len(page) >= count or not remaining:
            break
    return page[:count]


def _empty_result(page: int, per_page: int) -> SearchResult:
    return SearchResult([], 0, {name: {} for name in FACET_FIELDS}, None, [], page, per_page)


def query(
    text: str = "",
    filters: Mapping[str, Iterable[str]] | None = None,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 25,
    with_facets: bool = True,
    index_dir: str | None = None,
) -> SearchResult:
    """Search published solutions: free text, facet filters (OR within a field, AND across).

    The count of each facet value applies every filter except the one on its own field, so a
    checkbox group shows how many hits each other choice would give.
    """
    path = index_dir or current_app.config["SEARCH_INDEX_DIR"]
    chosen = clean_filters(filters or {})
    sort = sort if sort in SORTS else "relevance"
    page, per_page = max(1, page), max(1, per_page)
    words = _words(text or "")
    with _snapshot(path) as snapshot:
        if snapshot is None:
            return _empty_result(page, per_page)
        suggestion = None
        fuzzy = False
        matches = _match_words(snapshot, words, fuzzy=False)
        if matches is not None and not matches.matched:
            suggestion = _suggest(snapshot.searcher, words)
            matches = _match_words(snapshot, words, fuzzy=True)
            if (matches is None or not matches.matched) and suggestion:
                # Fuzzy words keep their first letter (cheap); the corrector does not.
                words = _words(suggestion)
                matches = _match_words(snapshot, words, fuzzy=False)
            fuzzy = matches is not None and bool(matches.matched)
        matched = snapshot.live if matches is None else matches.matched

        def allowed(name: str) -> int:
            values = snapshot.facets.get(name, {})
            bits = 0
            for value in chosen[name]:
                bits |= values.get(value, 0)
            return bits

        allowed_bits = {name: allowed(name) for name in chosen}
        final = matched
        for bits in allowed_bits.values():
            final &= bits
        facets: dict[str, dict[str, int]] = {}
        if with_facets:
            for name in FACET_FIELDS:
                base = matched
                for other, bits in allowed_bits.items():
                    if other != name:
                        base &= bits
                counts = {}
                for value, bits in snapshot.facets[name].items():
                    count = (base & bits).bit_count()
                    if count:
                        counts[value] = count
                for value in chosen.get(name, ()):  # a ticked box keeps showing, even at 0
                    counts.setdefault(value, 0)
                facets[name] = counts
        total = final.bit_count()
        start = (page - 1) * per_page
        ranked = _rank(snapshot, final, matches, sort, start, per_page)
        hits = []
        for docnum, score in ranked:
            fields = _flatten(snapshot.searcher.stored_fields(docnum))
            hits.append(Hit(int(fields["id"]), score, fields, _snippet(fields, words)))
    return SearchResult(
        ids=[hit.id for hit in hits],
        total=total,
        facets=facets,
        suggestion=suggestion,
        hits=hits,
        page=page,
        per_page=per_page,
        fuzzy=fuzzy,
        highlights={hit.id: hit.highlight for hit in hits},
    )


def indexed_documents(index_dir: str | None = None) -> dict[int, str]:
    """Every solution id in the index with its document digest (for `search check`)."""
    path = index_dir or current_app.config["SEARCH_INDEX_DIR"]
    if not whoosh_index.exists_in(path):
        return {}
    with whoosh_index.open_dir(path).searcher() as searcher:
        return {int(fields["id"]): fields["digest"] for fields in searcher.all_stored_fields()}


def enqueue_vendor_change(vendor_id: int, reason: str) -> None:
    """Log a change for every solution of a vendor (renamed, resized, suspended)."""
    from sqlalchemy import select

    from registry.database import db

    for solution_id in db.session.scalars(
        select(Solution.id).where(Solution.vendor_id == vendor_id)
    ):
        enqueue_solution_change(solution_id, reason)


def _on_vendor_status(organisation: Any, **_: Any) -> None:
    # Only an active vendor's solutions are listed (catalog.indexer): suspension removes them,
    # reactivation brings them back.
    enqueue_vendor_change(organisation.id, "organisation.status")


def listen_to_vendor_status(app: Flask) -> None:
    """Log a change for a vendor's solutions when the registry suspends or reactivates it."""
    from registry import events

    events.subscribe(app, "organisation.suspended", _on_vendor_status)
    events.subscribe(app, "organisation.reactivated", _on_vendor_status)
