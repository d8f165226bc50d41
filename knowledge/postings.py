"""A keyword index beside the store: each word's chunks and counts, scored with numpy.

FTS5's bm25() costs about a microsecond per matching row and word, so a question of common
words (乡镇怎样开展科普日活动) scored every match of every word in tens of milliseconds at
100k chunks. This index holds the same postings as plain arrays, and scores every matching
chunk of every word in a few array operations, with FTS5's own formula and statistics: the
scores equal bm25()'s (a test checks to 1e-9) and no candidate is ever pruned.

SQLite stays the store of record. The index is rebuilt from it after every write, written
beside it under the version of the chunks it was built from (`meta.chunks_version`); a
missing, damaged or stale index is never used (search falls back to FTS5) and the next sync
rebuilds it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import count
from pathlib import Path
from typing import Any

import numpy as np
import sqlite_utils

from knowledge import bm25

log = logging.getLogger(__name__)
FORMAT = 1
_BATCH = 20_000
# Rows from which each posting's impact is worked out once and kept (8 bytes a posting,
# about 1.1 KB a chunk): it halves scoring at 1M chunks, where hybrid p95 was over its
# 40 ms, while at 100k scoring is a few milliseconds and that memory would take serving
# past 4 KB a chunk.
IMPACT_ROWS = 300_000
_TOKEN = re.compile(r"[^\W_]+")  # unicode61's tokens, as bm25.fts_tokens cuts them


@dataclass(frozen=True)
class Postings:
    """Rows are the chunks in rowid order, duplicates included (FTS5 counts them too)."""

    version: str
    chunk_ids: np.ndarray  # bytes (ids are ASCII), per row
    document_rows: np.ndarray  # int32 index into `documents`, per row
    documents: np.ndarray  # str: document ids
    searchable: np.ndarray  # bool, per row
    lengths: np.ndarray  # int32 token count per row (FTS5's column size)
    starts: np.ndarray  # int64, a word's postings are rows[starts[w]:starts[w + 1]]
    rows: np.ndarray  # int32
    counts: np.ndarray  # uint16 occurrences of the word in the row
    vocabulary: dict[str, int]
    total_rows: int  # FTS5's averages record: rows and tokens, as bm25() reads them
    total_tokens: int

    @cached_property
    def norms(self) -> np.ndarray:
        """BM25's length normalisation of each row, K1 · (1 − B + B · length / average)."""
        average = self.total_tokens / max(1, self.total_rows)
        return np.asarray(bm25.K1 * (1 - bm25.B + bm25.B * self.lengths / average))

    def chunks_holding(self, word: str) -> int:
        """How many rows hold the word (FTS5's document count for it)."""
        column = self.vocabulary.get(word)
        return 0 if column is None else int(self.starts[column + 1] - self.starts[column])

    @cached_property
    def impacts(self) -> np.ndarray:
        """Each posting's BM25 part before its word's weight, f · (K1 + 1) / (f + norm), in
        float64: FTS5's bm25() multiplies its IDF by this very quotient, so a question then
        costs a multiply-add per posting instead of a gather of norms and a division.
        Worked out once per index (about 4 s and 8 bytes a posting at 1M chunks)."""
        norm = self.norms
        impacts = np.empty(len(self.rows), dtype=np.float64)
        step = 1 << 22
        for start in range(0, len(self.rows), step):
            frequency = self.counts[start : start + step].astype(np.float64)
            term = np.multiply(frequency, bm25.K1 + 1)
            frequency += norm[self.rows[start : start + step]]
            np.divide(term, frequency, out=impacts[start : start + step])
        return impacts

    @property
    def keeps_impacts(self) -> bool:
        return len(self.lengths) >= IMPACT_ROWS

    def _terms(self, postings: slice | np.ndarray, weight: float, rows: np.ndarray) -> np.ndarray:
        """weight · f · (K1 + 1) / (f + norm) of the given postings (a word's range, or some
        of its positions in `top_of`), whose rows are `rows`: from the kept impacts, else
        operation for operation in two buffers, since fresh arrays cost as much as the
        arithmetic for a word of tens of thousands of rows."""
        if self.keeps_impacts:
            return np.multiply(self.impacts[postings], weight)
        frequency = self.counts[postings].astype(np.float64)
        term = np.multiply(frequency, bm25.K1 + 1)
        term *= weight
        frequency += self.norms[rows]
        term /= frequency
        return term

    def scores(self, words: Sequence[str], weights: Sequence[float]) -> np.ndarray:
        """BM25 of every row for single-token words with their weights (IDF × scale)."""
        scores = np.zeros(len(self.lengths), dtype=np.float64)
        for word, weight in zip(words, weights, strict=True):
            column = self.vocabulary.get(word)
            if column is None:
                continue
            start, end = self.starts[column], self.starts[column + 1]
            rows = self.rows[start:end]
            # Added to the row's score so far in the term's own buffer.
            term = self._terms(slice(start, end), weight, rows)
            term += scores[rows]
            scores[rows] = term
        return scores

    def top(
        self,
        scores: np.ndarray,
        limit: int,
        document_ids: Sequence[str] | None = None,
        words: Sequence[str] = (),
    ) -> list[tuple[str, float]]:
        """The best searchable rows that matched (score above zero), best first; ties in
        rowid order. `words`, those `scores` scored, let most rows be passed over: the
        limit-th best score among their rarest words' rows is a floor that the best rows
        reach, so only rows at or above it are ranked."""
        if limit <= 0:
            return []
        floor = self._floor(scores, limit, words) if document_ids is None else 0.0
        if floor > 0:
            candidates = np.flatnonzero(scores >= floor)
            candidates = candidates[self.searchable[candidates]]
        else:
            keep = (scores > 0) & self.searchable
            if document_ids is not None:
                wanted = np.flatnonzero(np.isin(self.documents, list(document_ids)))
                keep &= np.isin(self.document_rows, wanted)
            candidates = np.flatnonzero(keep)
        if len(candidates) > limit:
            # The rows above the limit-th best score, then those tied with it by rowid
            # (candidates are ascending).
            values = scores[candidates]
            cut = np.partition(values, len(values) - limit)[len(values) - limit]
            above = np.flatnonzero(values > cut)
            tied = np.flatnonzero(values == cut)[: limit - len(above)]
            candidates = candidates[np.concatenate([above, tied])]
        ranked = candidates[np.lexsort((candidates, -scores[candidates]))]
        chunk_ids = self.chunk_ids[ranked].tolist()
        return [(c.decode(), s) for c, s in zip(chunk_ids, scores[ranked].tolist(), strict=True)]

    def _floor(self, scores: np.ndarray, limit: int, words: Sequence[str]) -> float:
        """The limit-th best score among some searchable rows that the words hold (the
        rarest words' first, `_SEEDS` times `limit` at most), or 0 when too few: every score
        is one of a row, so the best rows reach it."""
        columns = sorted(
            (int(self.starts[c + 1] - self.starts[c]), int(self.starts[c]))
            for c in {self.vocabulary.get(w) for w in words} if c is not None
        )  # fmt: skip
        parts, budget = [], _SEEDS * limit
        for size, start in columns:
            parts.append(self.rows[start : start + min(size, budget)])
            budget -= len(parts[-1])
            if budget <= 0:
                break
        if not parts:
            return 0.0
        # A row counted twice could raise the floor above the limit-th best row: unique.
        seeds = np.unique(np.concatenate(parts)) if len(parts) > 1 else parts[0]
        seeds = seeds[self.searchable[seeds]]
        if len(seeds) < limit:
            return 0.0
        values = scores[seeds]
        return float(np.partition(values, len(values) - limit)[len(values) - limit])

    def rows_of(self, document_ids: Sequence[str]) -> np.ndarray:
        """The searchable rows of the given reports, ascending (rowid order)."""
        numbers, order, bounds = self._searchable_by_document
        wanted = [numbers[d] for d in dict.fromkeys(document_ids) if d in numbers]
        parts = [order[bounds[n] : bounds[n + 1]] for n in wanted]
        return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)

    def top_of(
        self, rows: np.ndarray, words: Sequence[str], weights: Sequence[float], limit: int
    ) -> list[tuple[str, float]]:
        """`top` of `scores` within the given rows (ascending), scoring only those rows: a
        search within a few reports then costs their rows, not every row of its words.
        Each score is computed as `scores` computes it, operation for operation."""
        scores = np.zeros(len(rows), dtype=np.float64)
        for word, weight in zip(words, weights, strict=True):
            column = self.vocabulary.get(word)
            if column is None or not len(rows):
                continue
            start, end = self.starts[column], self.starts[column + 1]
            posted = self.rows[start:end]  # ascending
            at = np.minimum(np.searchsorted(posted, rows), len(posted) - 1)
            held = np.flatnonzero(posted[at] == rows)
            term = self._terms(start + at[held], weight, rows[held])
            term += scores[held]
            scores[held] = term
        matched = np.flatnonzero(scores > 0)
        # Sorted in full (a few thousand rows at most): ties at the cut keep rowid order.
        ranked = matched[np.lexsort((rows[matched], -scores[matched]))][:limit]
        chunk_ids = self.chunk_ids[rows[ranked]].tolist()
        return [(c.decode(), s) for c, s in zip(chunk_ids, scores[ranked].tolist(), strict=True)]

    @cached_property
    def _searchable_by_document(self) -> tuple[dict[str, int], np.ndarray, np.ndarray]:
        """Each report's number, the searchable rows grouped by report (ascending within
        one), and where each report's group starts."""
        order = np.flatnonzero(self.searchable)
        order = order[np.argsort(self.document_rows[order], kind="stable")]
        bounds = np.searchsorted(self.document_rows[order], np.arange(len(self.documents) + 1))
        numbers = {str(d): n for n, d in enumerate(self.documents.tolist())}
        return numbers, order, bounds


# Rows per hit asked for whose scores set `top`'s floor: a few hundred cost nothing, and
# the rarer words' rows raise the floor near the best score.
_SEEDS = 20


def index_path(database: Path, table: str = "chunks") -> Path:
    """The folder of the keyword index (of chunks, or of report titles) beside the database."""
    return database.with_name(database.stem + (".keywords" if table == "chunks" else ".titles"))


# What each index is built from: (rowid, id, report id, searchable, FTS5 words) in rowid
# order. Report titles are indexed the same way, each report its own row.
_SOURCES = {
    "chunks": "SELECT rowid, id, document_id, searchable, tokens FROM chunks",
    "documents": "SELECT rowid, id, id, duplicate_of IS NULL, tokens FROM documents",
}


def build(
    db: sqlite_utils.Database, version: str, totals: tuple[int, int], table: str = "chunks"
) -> Postings:
    """Count every row's tokens (its `tokens` column, as FTS5 indexes it)."""
    numbering: defaultdict[str, int] = defaultdict(count().__next__)
    documents: defaultdict[str, int] = defaultdict(count().__next__)
    chunk_ids: list[str] = []
    document_rows, searchable = [], []
    blocks = []
    last = -1
    while True:
        batch = db.execute(
            f"{_SOURCES[table]} WHERE rowid > ? ORDER BY rowid LIMIT ?", [last, _BATCH]
        ).fetchall()
        if not batch:
            break
        last = batch[-1][0]
        blocks.append(_rows_of(batch, numbering, documents, len(chunk_ids)))
        for _, chunk_id, document_id, flag, _tokens in batch:
            chunk_ids.append(chunk_id)
            document_rows.append(documents[document_id])
            searchable.append(bool(flag))
    return _assembled(
        version, totals, blocks, numbering, documents,
        np.array([c.encode() for c in chunk_ids], dtype=bytes),
        np.array(document_rows, dtype=np.int32), np.array(searchable, dtype=bool),
    )  # fmt: skip


def patch(
    old: Postings,
    db: sqlite_utils.Database,
    removed: set[str],
    inserted: set[str],
    version: str,
    totals: tuple[int, int],
) -> Postings:
    """The index after a write that removed and inserted the given chunks (a chunk
    replaced is both): the other rows keep their postings, only the inserted chunks are
    read and counted, and every row's searchable flag is read again (duplicates change).

    Each chunk gets the same postings as `build` gives it (report and word numbers differ:
    those of removed rows stay). The inserted rows come last, so each word's new postings go
    after its kept ones, merged in one pass rather than sorted again (sorting every posting
    was most of a one-file sync at 100k chunks)."""
    gone = np.array([c.encode() for c in removed | inserted], dtype=old.chunk_ids.dtype)
    kept = ~np.isin(old.chunk_ids, gone)
    position = (np.cumsum(kept) - 1).astype(np.int32)  # a kept row's new place
    alive = kept[old.rows]
    dead = np.flatnonzero(~alive)
    dead_words = np.searchsorted(old.starts, dead, side="right") - 1
    numbering: defaultdict[str, int] = defaultdict(count(len(old.vocabulary)).__next__)
    numbering.update(old.vocabulary)
    documents: defaultdict[str, int] = defaultdict(count(len(old.documents)).__next__)
    documents.update({str(d): n for n, d in enumerate(old.documents)})
    wanted = sorted(inserted)
    batch = [
        row
        for start in range(0, len(wanted), 500)
        for row in db.execute(
            "SELECT rowid, id, document_id, searchable, tokens FROM chunks WHERE id IN "
            f"({','.join('?' * len(wanted[start : start + 500]))})",
            wanted[start : start + 500],
        ).fetchall()
    ]
    batch.sort()  # rowid order, as a full build lays them
    added_words, added_rows, added_counts, added_lengths = _rows_of(
        batch, numbering, documents, int(kept.sum())
    )
    words = len(numbering)
    kept_per_word = np.zeros(words, dtype=np.int64)
    kept_per_word[: len(old.starts) - 1] = np.diff(old.starts)
    kept_per_word -= np.bincount(dead_words, minlength=words)
    kept_ends = np.cumsum(kept_per_word)
    at = kept_ends[added_words]  # after the word's kept postings, before the next word's
    starts = np.zeros(words + 1, dtype=np.int64)
    np.cumsum(kept_per_word + np.bincount(added_words, minlength=words), out=starts[1:])
    chunk_ids = np.concatenate(
        [old.chunk_ids[kept], np.array([r[1].encode() for r in batch], dtype=old.chunk_ids.dtype)]
    ) if batch else np.asarray(old.chunk_ids[kept])  # fmt: skip
    return Postings(
        version=version,
        chunk_ids=chunk_ids,
        document_rows=np.concatenate(
            [old.document_rows[kept], np.array([documents[r[2]] for r in batch], dtype=np.int32)]
        ),
        documents=np.array(list(documents), dtype=str),
        searchable=_searchable(db, chunk_ids),
        lengths=np.concatenate([old.lengths[kept], added_lengths]),
        starts=starts,
        rows=np.insert(position[old.rows[alive]], at, added_rows),
        counts=np.insert(old.counts[alive], at, added_counts),
        vocabulary=dict(numbering),
        total_rows=totals[0],
        total_tokens=totals[1],
    )


def _searchable(db: sqlite_utils.Database, chunk_ids: np.ndarray) -> np.ndarray:
    """Each chunk's searchable flag as the store has it now, in the order of `chunk_ids`
    (all of which the store holds): only the few duplicates' chunks are read."""
    hidden = db.execute("SELECT id FROM chunks WHERE searchable = 0").fetchall()
    unsearchable = np.array([row[0].encode() for row in hidden], dtype=chunk_ids.dtype)
    return ~np.isin(chunk_ids, unsearchable)


def _rows_of(
    batch: list[tuple[Any, ...]],
    numbering: defaultdict[str, int],
    documents: defaultdict[str, int],
    first_row: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(word, row, count) of a batch of chunk rows, by word then row, and their lengths."""
    ids: list[int] = []
    offsets = [0]
    for _, _chunk_id, document_id, _flag, tokens in batch:
        documents[document_id]  # numbered in row order
        ids.extend(map(numbering.__getitem__, _TOKEN.findall((tokens or "").lower())))
        offsets.append(len(ids))
    words, rows, counts = _counted(np.array(ids, dtype=np.int64), offsets, first_row)
    return words, rows, counts, np.diff(np.array(offsets, dtype=np.int64)).astype(np.int32)


def _assembled(
    version: str,
    totals: tuple[int, int],
    blocks: list[Any],
    numbering: dict[str, int],
    documents: dict[str, int],
    chunk_ids: np.ndarray,
    document_rows: np.ndarray,
    searchable: np.ndarray,
    lengths: np.ndarray | None = None,
) -> Postings:
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros(0, np.uint16))
    parts = [block[:3] for block in blocks] or [empty]
    words_of, rows, counts = (np.concatenate(part) for part in zip(*parts, strict=True))
    order = np.argsort(words_of, kind="stable")  # by word; rows stay ascending within one
    starts = np.zeros(len(numbering) + 1, dtype=np.int64)
    np.cumsum(np.bincount(words_of, minlength=len(numbering)), out=starts[1:])
    if lengths is None:
        lengths = np.concatenate([b[3] for b in blocks]) if blocks else np.zeros(0, np.int32)
    return Postings(
        version=version,
        chunk_ids=chunk_ids,
        document_rows=document_rows,
        documents=np.array(list(documents), dtype=str),
        searchable=searchable,
        lengths=lengths,
        starts=starts,
        rows=rows[order],
        counts=counts[order],
        vocabulary=dict(numbering),
        total_rows=totals[0],
        total_tokens=totals[1],
    )


def _counted(
    ids: np.ndarray, offsets: list[int], first_row: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(word, row, count) of one batch of rows, by word then row."""
    rows = np.repeat(np.arange(len(offsets) - 1, dtype=np.int64), np.diff(offsets))
    width = max(1, len(offsets) - 1)
    keys, counts = np.unique(ids * width + rows, return_counts=True)
    counts = np.minimum(counts, np.iinfo(np.uint16).max).astype(np.uint16)
    return keys // width, (keys % width + first_row).astype(np.int32), counts


_ARRAYS = ("chunk_ids", "document_rows", "documents", "searchable", "lengths", "starts",
           "rows", "counts")  # fmt: skip
_MANIFEST = "manifest.json"
_WORDS = "words.txt"


def save(postings: Postings, path: Path) -> None:
    """Write a fresh folder of arrays beside the old one, then swap it in (the manifest is
    written last, so a torn folder is never read)."""
    staging = path.with_name(path.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name in _ARRAYS:
        np.save(staging / f"{name}.npy", getattr(postings, name))
    words = sorted(postings.vocabulary, key=postings.vocabulary.__getitem__)
    (staging / _WORDS).write_text("\n".join(words), encoding="utf-8")
    manifest = {"format": FORMAT, "version": postings.version, "rows": postings.total_rows,
                "tokens": postings.total_tokens}  # fmt: skip
    (staging / _MANIFEST).write_text(json.dumps(manifest))
    for file in staging.iterdir():
        with open(file, "rb") as handle:
            os.fsync(handle.fileno())
    old = path.with_name(path.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if path.exists():
        path.rename(old)
    staging.rename(path)
    # A searching process keeps its mapping of the old files; the folder can go.
    shutil.rmtree(old, ignore_errors=True)


def saved_version(path: Path) -> str | None:
    """The chunks version the saved index was built from (None: no usable index)."""
    try:
        manifest = json.loads((path / _MANIFEST).read_text())
        return str(manifest["version"]) if manifest["format"] == FORMAT else None
    except Exception:  # missing or damaged: rebuilt by the next sync
        return None


def load(path: Path, version: str | None) -> Postings | None:
    """The saved index if it was built from chunks of `version`, else None. The arrays are
    mapped, not read: a search touches only its words' pages, and every process and
    thread shares them."""
    if version is None or saved_version(path) != version:
        return None
    try:
        manifest = json.loads((path / _MANIFEST).read_text())
        # Plain arrays over the mapping: a memmap's Python-level indexing costs a
        # microsecond or so per word looked up.
        arrays = {n: np.asarray(np.load(path / f"{n}.npy", mmap_mode="r")) for n in _ARRAYS}
        words = (path / _WORDS).read_text(encoding="utf-8")
        return Postings(
            version=version,
            vocabulary={w: i for i, w in enumerate(words.split("\n"))} if words else {},
            total_rows=int(manifest["rows"]),
            total_tokens=int(manifest["tokens"]),
            **arrays,
        )
    except Exception as exc:  # a damaged file costs speed, never an answer
        log.warning("keyword index %s unreadable (%s); searching with FTS5", path, exc)
        return None
