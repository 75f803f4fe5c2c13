"""The per-process reader cache of the search index: one searcher per index folder, refreshed
when the index changed, and what is precomputed from it.

Readers never open the writer. Facet counts are computed over per-value bitsets (Python ints)
cached per searcher: counting is then one AND and one popcount per facet value, whatever the
number of hits.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher

from catalog.search.index import FACET_FIELDS, TERM_CACHE_SIZE

_BIT_POSITIONS = [tuple(j for j in range(8) if byte >> j & 1) for byte in range(256)]


def bits_of(docnums: Iterable[int], size: int) -> int:
    """The bitset (a Python int) of these document numbers."""
    buffer = bytearray((size >> 3) + 1)
    for docnum in docnums:
        buffer[docnum >> 3] |= 1 << (docnum & 7)
    return int.from_bytes(buffer, "little")


def docnums(bits: int) -> list[int]:
    """The document numbers of a bitset, in order."""
    found: list[int] = []
    data = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
    for offset, byte in enumerate(data):
        if byte:
            base = offset << 3
            found.extend(base + j for j in _BIT_POSITIONS[byte])
    return found


class Snapshot:
    """One searcher and what we precompute from it: live docs, facet bitsets, sort orders."""

    def __init__(self, searcher: Searcher, folder_id: tuple[int, int]) -> None:
        self.searcher = searcher
        self.folder_id = folder_id
        reader = searcher.reader()
        self.size = reader.doc_count_all()
        if reader.has_deletions():
            self.live = bits_of(reader.all_doc_ids(), self.size)
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
                    bits = bits_of(ids, self.size) & self.live
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
                bits = bits_of(ids, self.size) & self.live
            if len(self.terms) >= TERM_CACHE_SIZE:
                self.terms.pop(next(iter(self.terms)))
            self.terms[key] = bits
        return bits


_lock = threading.Lock()
_snapshots: dict[str, Snapshot] = {}


def _folder_id(path: str) -> tuple[int, int] | None:
    try:
        info = Path(path).stat()
    except FileNotFoundError:
        return None
    return (info.st_ino, info.st_dev)


@contextmanager
def current_snapshot(path: str) -> Iterator[Snapshot | None]:
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
            snapshot = Snapshot(whoosh_index.open_dir(path).searcher(), folder)
        elif not snapshot.searcher.up_to_date():
            # Not searcher.refresh(): it reuses the readers of unchanged segments, and those
            # miss deletions made since (an edited solution would then be found twice).
            snapshot.searcher.close()
            snapshot = Snapshot(whoosh_index.open_dir(path).searcher(), folder)
        _snapshots[path] = snapshot
        yield snapshot


def forget_readers() -> None:
    """Close this process's cached searchers (tests, and after deleting an index folder)."""
    with _lock:
        for snapshot in _snapshots.values():
            snapshot.searcher.close()
        _snapshots.clear()
