"""Queries on the search index: text matching, facet counts, ranking and paging, highlights."""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from whoosh.searching import Searcher

from catalog.search.index import (
    FACET_FIELDS,
    FIELD_WEIGHTS,
    FILTER_FIELDS,
    MAX_EXPANSIONS,
    MAX_QUERY_CHARS,
    MAX_QUERY_WORDS,
    SORTS,
    STEMMER,
)
from catalog.search.readers import Snapshot, current_snapshot, docnums


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

    @property
    def pages(self) -> int:
        """How many pages the hits fill (at least one)."""
        return max(1, -(-self.total // self.per_page))


def clean_filters(filters: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    """Keep known filter fields and non-empty values; unknown ones are ignored, not errors."""
    cleaned: dict[str, set[str]] = {}
    for name, values in filters.items():
        if name in FACET_FIELDS or name in FILTER_FIELDS:
            kept = {str(value).strip()[:100] for value in values if str(value).strip()}
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


def _expansions(snapshot: Snapshot, field_name: str, word: str, fuzzy: bool) -> list[str]:
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


def _word_bits(
    snapshot: Snapshot, field_name: str, word: str, stems: list[str], typing: bool, fuzzy: bool
) -> int:
    """The documents holding one word in one field: its stems (or their fuzzy neighbours), and
    when it is the word being typed, the terms it starts."""
    bits = 0
    for stem in stems:
        if fuzzy and len(stem) > 3:
            for term in _expansions(snapshot, field_name, stem, fuzzy=True):
                bits |= snapshot.term_bits(field_name, term)
        else:
            bits |= snapshot.term_bits(field_name, stem)
    # The word being typed: "cam" finds "camera".
    if typing and len(word) >= 3 and not fuzzy:
        for term in _expansions(snapshot, field_name, word, fuzzy=False):
            bits |= snapshot.term_bits(field_name, term)
    return bits


def _combine(snapshot: Snapshot, per_word: list[dict[str, int]]) -> _TextMatch:
    """Per field, the documents with every word and with some word; overall, those where every
    word is found in some field."""
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


def _match_words(snapshot: Snapshot, words: list[str], fuzzy: bool) -> _TextMatch | None:
    """Bitsets of the documents matching the words: stems, the last word as a prefix, fuzzy.

    None when no word counts (no words, or only stop words).
    """
    per_word: list[dict[str, int]] = []
    for position, word in enumerate(words):
        stems = [token.text for token in STEMMER(word)]
        if not stems:  # a stop word ("and", "or", "not"): it neither helps nor hurts
            continue
        typing = position == len(words) - 1
        per_word.append(
            {name: _word_bits(snapshot, name, word, stems, typing, fuzzy) for name in FIELD_WEIGHTS}
        )
    if not per_word:
        return None
    return _combine(snapshot, per_word)


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
    stems = {token.text for word in words for token in STEMMER(word)}
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
    description = fields.get("_snippet") or ""
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
    snapshot: Snapshot, final: int, text: _TextMatch | None, sort: str, start: int, count: int
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
        _rank = snapshot.newest_rank if sort == "newest_label" else snapshot.name_rank
        key = _rank.__getitem__
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
        chosen = heapq.nsmallest(skip + count - len(page), docnums(bits), key=key)[skip:]
        skip = 0
        page.extend((docnum, score) for docnum in chosen)
        if len(page) >= count or not remaining:
            break
    return page[:count]


def _empty_result(page: int, per_page: int) -> SearchResult:
    return SearchResult([], 0, {name: {} for name in FACET_FIELDS}, None, [], page, per_page)


@dataclass
class _TextSearch:
    """What the free text found: the words finally used, their matches, and how they were found."""

    words: list[str]
    matches: _TextMatch | None
    suggestion: str | None = None
    fuzzy: bool = False

    def matched(self, snapshot: Snapshot) -> int:
        """The documents the text allows (every live one when no word counts)."""
        return snapshot.live if self.matches is None else self.matches.matched


def _search_text(snapshot: Snapshot, words: list[str]) -> _TextSearch:
    """Match the words exactly; when nothing matches, fuzzily, then the spelling suggestion."""
    matches = _match_words(snapshot, words, fuzzy=False)
    if matches is None or matches.matched:
        return _TextSearch(words, matches)
    suggestion = _suggest(snapshot.searcher, words)
    matches = _match_words(snapshot, words, fuzzy=True)
    if (matches is None or not matches.matched) and suggestion:
        # Fuzzy words keep their first letter (cheap); the corrector does not.
        words = _words(suggestion)
        matches = _match_words(snapshot, words, fuzzy=False)
    fuzzy = matches is not None and bool(matches.matched)
    return _TextSearch(words, matches, suggestion, fuzzy)


def _allowed_bits(snapshot: Snapshot, chosen: dict[str, set[str]]) -> dict[str, int]:
    """Per filtered field, the documents holding one of its chosen values (OR within a field)."""
    allowed: dict[str, int] = {}
    for name, chosen_values in chosen.items():
        values = snapshot.facets.get(name)
        bits = 0
        for value in chosen_values:
            # A filter-only field (no facet counts) looks its term up in the index.
            bits |= values.get(value, 0) if values is not None else snapshot.term_bits(name, value)
        allowed[name] = bits
    return allowed


def _facet_counts(
    snapshot: Snapshot, matched: int, allowed: dict[str, int], chosen: dict[str, set[str]]
) -> dict[str, dict[str, int]]:
    """Hits per value of every facet, each under every filter except its own field's."""
    facets: dict[str, dict[str, int]] = {}
    for name in FACET_FIELDS:
        base = matched
        for other, bits in allowed.items():
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
    return facets


def _page_hits(
    snapshot: Snapshot, final: int, text: _TextSearch, sort: str, page: int, per_page: int
) -> list[Hit]:
    """The hits of one page, with their stored fields and highlighted _snippet."""
    ranked = _rank(snapshot, final, text.matches, sort, (page - 1) * per_page, per_page)
    hits = []
    for docnum, score in ranked:
        fields = _flatten(snapshot.searcher.stored_fields(docnum))
        hits.append(Hit(int(fields["id"]), score, fields, _snippet(fields, text.words)))
    return hits


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
    with current_snapshot(path) as snapshot:
        if snapshot is None:
            return _empty_result(page, per_page)
        found = _search_text(snapshot, _words(text or ""))
        matched = found.matched(snapshot)
        allowed = _allowed_bits(snapshot, chosen)
        final = matched
        for bits in allowed.values():
            final &= bits
        facets = _facet_counts(snapshot, matched, allowed, chosen) if with_facets else {}
        hits = _page_hits(snapshot, final, found, sort, page, per_page)
    return SearchResult(
        ids=[hit.id for hit in hits],
        total=final.bit_count(),
        facets=facets,
        suggestion=found.suggestion,
        hits=hits,
        page=page,
        per_page=per_page,
        fuzzy=found.fuzzy,
    )
