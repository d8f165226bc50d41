"""Keyword search over the chunks' FTS5 index, and the word counts that weigh a question.

A search matches and ranks the question's rarest words inside FTS5, then re-scores the best
candidates with all of its words (`knowledge.bm25`). Counting how many chunks hold a word
reads a small `terms` table kept in step with the index at every write, because asking
FTS5 itself walks the word's whole posting list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlite_utils

from knowledge import bm25
from knowledge.postings import Postings

# Rows the first pass may score; FTS5 spends about a microsecond per row and word. When all
# of a question's words match fewer rows together, FTS5 ranks on all of them and nothing is
# re-scored, which is always the case on collections of a few thousand chunks.
FIRST_PASS_ROWS = 20_000
# Candidates handed to re-scoring per hit asked for. On the synthetic 100k-chunk benchmark,
# where every question word sits in thousands of chunks, 6 keeps ~99 % of the exact top 5.
CANDIDATES_PER_HIT = 6
# A search within some reports (the passages of the reports whose titles match, a reply to
# an answer) scores their passages directly when they hold at most this many: matching the
# question's common words through the whole index to keep a few of their rows took most of
# a search's time at 100k chunks.
DIRECT_ROWS = 2_000


@dataclass(frozen=True)
class KeywordHit:
    chunk_id: str
    score: float  # BM25, larger is better


def create_terms(db: sqlite_utils.Database) -> None:
    db.execute(
        "CREATE TABLE IF NOT EXISTS terms (term TEXT PRIMARY KEY, chunks INTEGER NOT NULL) "
        "WITHOUT ROWID"
    )


def refresh_terms(db: sqlite_utils.Database) -> None:
    """Recount every indexed word's chunks from the FTS5 vocabulary (half a second at 100k)."""
    db.execute("DELETE FROM terms")
    db.execute("INSERT INTO terms SELECT term, doc FROM chunks_fts_vocab")


def document_frequencies(
    db: sqlite_utils.Database, terms: list[str], index: Postings | None = None
) -> dict[str, int]:
    """How many chunks (duplicates included) contain each term, as FTS5 would count them;
    from the keyword index's postings when there is one (no query), else the terms table."""
    tokens = {term: bm25.fts_tokens(term) for term in terms}
    single = sorted({t[0] for t in tokens.values() if len(t) == 1})
    counts: dict[str, int] = {}
    if single and index is not None:
        counts = {word: index.chunks_holding(word) for word in single}
    elif single:
        marks = ",".join("?" * len(single))
        sql = f"SELECT term, chunks FROM terms WHERE term IN ({marks})"
        counts = dict(db.execute(sql, single).fetchall())
    frequencies = {}
    for term, parts in tokens.items():
        if len(parts) == 1:
            frequencies[term] = int(counts.get(parts[0], 0))
        elif parts:  # a word FTS5 splits (2.5万) is matched as a phrase: count its rows
            sql = "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?"
            frequencies[term] = int(db.execute(sql, [_phrase(term)]).fetchone()[0])
        else:
            frequencies[term] = 0
    return frequencies


def keyword_search(
    db: sqlite_utils.Database,
    terms: list[str],
    limit: int = 10,
    document_ids: list[str] | None = None,
    first_pass_rows: int = FIRST_PASS_ROWS,
    scales: dict[str, float] | None = None,
    index: Postings | None = None,
) -> list[KeywordHit]:
    """BM25 over the segmented normalised text; any term may match (OR).

    With the keyword index (`knowledge.postings`) every matching chunk is scored exactly;
    without it, or for a word FTS5 splits (2.5万, matched as a phrase), FTS5 ranks first.

    `scales` multiplies some terms' IDF (a question word's synonyms count for less than the
    word); the candidates are then re-scored, since FTS5's bm25() weighs every term alike."""
    scales = scales or {}
    if not terms or document_ids == []:
        return []
    frequencies = document_frequencies(db, terms)
    # Words no chunk holds add nothing to any score; leaving them out keeps the first pass
    # from spending its one guaranteed word on them.
    terms = [t for t in terms if frequencies[t]]
    if not terms:
        return []
    tokens = [bm25.fts_tokens(term) for term in terms]
    if index is not None and all(len(parts) == 1 for parts in tokens):
        words = [parts[0] for parts in tokens]
        weights = [bm25.idf(index.total_rows, frequencies[t]) * scales.get(t, 1.0) for t in terms]
        if document_ids is not None:  # only the reports' own rows are scored
            within = index.rows_of(document_ids)
            return [KeywordHit(c, s) for c, s in index.top_of(within, words, weights, limit)]
        scored = index.scores(words, weights)
        return [KeywordHit(c, s) for c, s in index.top(scored, limit, words=words)]
    if document_ids is not None:
        rowids = _searchable_rows(db, document_ids)
        if len(rowids) <= DIRECT_ROWS:
            return _scored_directly(db, rowids, terms, frequencies, scales, limit)
    first = bm25.first_pass(terms, frequencies, first_pass_rows)
    rescore = len(first) < len(terms) or any(scales.get(t, 1.0) != 1.0 for t in terms)
    # Over-fetch so that dropping duplicate reports, or re-scoring, still leaves good hits.
    fetch = limit * CANDIDATES_PER_HIT
    columns = "c.id, c.rowid"
    query = " OR ".join(_phrase(term) for term in first)
    if document_ids is None:
        # Rank inside the FTS table first and join only the best: joining every match
        # before sorting costs most of the time on a large collection.
        sql = f"""
            SELECT {columns}, f.score FROM (
                SELECT rowid, -bm25(chunks_fts) AS score FROM chunks_fts
                WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts) LIMIT ?
            ) f JOIN chunks c ON c.rowid = f.rowid
            WHERE c.searchable = 1 ORDER BY f.score DESC LIMIT ?"""
        arguments: list[Any] = [query, fetch, fetch if rescore else limit]
    else:
        marks = ",".join("?" * len(document_ids))
        sql = f"""
            SELECT {columns}, -bm25(chunks_fts) AS score
            FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid
            WHERE chunks_fts MATCH ? AND c.searchable = 1 AND c.document_id IN ({marks})
            ORDER BY bm25(chunks_fts) LIMIT ?"""
        arguments = [query, *document_ids, fetch if rescore else limit]
    rows = db.execute(sql, arguments).fetchall()
    scores = {r[1]: float(r[2]) for r in rows}
    if rescore:
        scores = _full_scores(db, list(scores), terms, frequencies, scales)
    hits = [KeywordHit(r[0], scores[r[1]]) for r in rows]
    hits.sort(key=lambda h: -h.score)  # stable: FTS5's order breaks ties
    return hits[:limit]


def _searchable_rows(db: sqlite_utils.Database, document_ids: list[str]) -> dict[int, str]:
    """rowid → chunk id of the given reports' searchable chunks (at most DIRECT_ROWS + 1)."""
    marks = ",".join("?" * len(document_ids))
    sql = f"""SELECT rowid, id FROM chunks WHERE searchable = 1 AND document_id IN ({marks})
        ORDER BY rowid LIMIT ?"""
    return dict(db.execute(sql, [*document_ids, DIRECT_ROWS + 1]).fetchall())


def _scored_directly(
    db: sqlite_utils.Database,
    rowids: dict[int, str],
    terms: list[str],
    frequencies: dict[str, int],
    scales: dict[str, float],
    limit: int,
) -> list[KeywordHit]:
    """bm25() of the full question over every given row that holds a word of it: what FTS5
    returns for MATCH limited to these rows, without walking the common words' posting
    lists through the whole index."""
    scores = _full_scores(db, list(rowids), terms, frequencies, scales)
    # Every word's weight is positive, so a row scores above zero exactly when it matches.
    ranked = sorted((rowid for rowid in scores if scores[rowid] > 0), key=lambda r: -scores[r])
    return [KeywordHit(rowids[rowid], scores[rowid]) for rowid in ranked[:limit]]


def title_search(
    db: sqlite_utils.Database, terms: list[str], limit: int, index: Postings | None = None
) -> dict[str, float]:
    """Searchable reports whose title words (title, file name, place, level, year) match
    any term, by BM25 over those words alone: document id → score, larger is better.

    With the title index every report is scored in numpy: a year or a level is a title word
    of thousands of reports, which FTS5 scored one by one."""
    if not terms:
        return {}
    tokens = [bm25.fts_tokens(term) for term in terms]
    if index is not None and all(len(parts) == 1 for parts in tokens):
        words = [parts[0] for parts in tokens]  # a word twice counts twice, as in FTS5
        weights = [bm25.idf(index.total_rows, index.chunks_holding(w)) for w in words]
        return dict(index.top(index.scores(words, weights), limit, words=words))
    sql = """
        SELECT d.id, -bm25(documents_fts) AS score
        FROM documents_fts JOIN documents d ON d.rowid = documents_fts.rowid
        WHERE documents_fts MATCH ? AND d.duplicate_of IS NULL
        ORDER BY bm25(documents_fts) LIMIT ?"""
    query = " OR ".join(_phrase(term) for term in terms)
    return {row[0]: float(row[1]) for row in db.execute(sql, [query, limit]).fetchall()}


def _full_scores(
    db: sqlite_utils.Database,
    rowids: list[int],
    terms: list[str],
    frequencies: dict[str, int],
    scales: dict[str, float],
) -> dict[int, float]:
    """bm25() of the full question for the given rows, from FTS5's own statistics."""
    if not rowids:
        return {}
    rows, total_tokens = totals(db)
    average = total_tokens / max(1, rows)
    phrases = [bm25.fts_tokens(term) for term in terms]
    weights = [bm25.idf(rows, frequencies[term]) * scales.get(term, 1.0) for term in terms]
    marks = ",".join("?" * len(rowids))
    lengths = {
        rowid: bm25.read_varint(size)[0]
        for rowid, size in db.execute(
            f"SELECT id, sz FROM chunks_fts_docsize WHERE id IN ({marks})", rowids
        )
    }
    texts = db.execute(f"SELECT rowid, tokens FROM chunks WHERE rowid IN ({marks})", rowids)
    return {
        rowid: bm25.score(bm25.frequencies(text, phrases), lengths[rowid], weights, average)
        for rowid, text in texts
    }


def totals(db: sqlite_utils.Database, table: str = "chunks") -> tuple[int, int]:
    """(rows, tokens) from FTS5's averages record, the figures bm25() itself reads."""
    row = db.execute(f"SELECT block FROM {table}_fts_data WHERE id = 1").fetchone()
    if row is None or not row[0]:
        return 0, 0
    rows, offset = bm25.read_varint(row[0])
    tokens, _ = bm25.read_varint(row[0], offset)
    return rows, tokens


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'
