"""Hybrid retrieval: BM25 keyword hits and vector hits, fused, with a 'nothing found' rule."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.core.coverage import coverage, idf, without_overlaps
from bot.core.levels import LEVEL_ONLY_WORDS
from bot.core.question import Question, parse_question
from embeddings.encoder import Encoder
from embeddings.index import VectorIndex
from knowledge.metadata import LEVELS, PROVINCES
from knowledge.normalize import Normalizer, query_terms
from knowledge.records import ChunkRecord, DocumentRecord
from knowledge.store import Store

MODES = ("keyword", "vector", "hybrid")
__all__ = ["LEVELS", "MODES", "Filters", "Hit", "Retriever", "SearchResult", "Weights"]


@dataclass(frozen=True)
class Filters:
    """Year, place and level a search is limited to (flags) or leans towards (the question)."""

    year: int | None = None
    place: str | None = None
    level: str | None = None

    def __bool__(self) -> bool:
        return any(v is not None for v in (self.year, self.place, self.level))


@dataclass(frozen=True)
class Weights:
    """How the hybrid score mixes its parts; each part is first scaled to [0, 1].

    The three weights have their defaults in `Settings`, the one place they are chosen.
    """

    keyword: float
    vector: float
    # Share of the question's words (IDF-weighted) that a candidate contains as text; it
    # settles BM25 near-ties that the vector would otherwise break the wrong way (README).
    coverage: float
    metadata_boost: float = 0.15
    candidates: int = 50


@dataclass(frozen=True)
class Hit:
    chunk_id: str
    document_id: str
    index: int  # the chunk's place in its report, for quoting in reading order
    title: str
    heading_path: tuple[str, ...]
    text: str
    normalized: str
    source: str
    place: tuple[str, ...]
    level: str | None  # the report's
    year: int | None
    score: float
    keyword_score: float
    vector_score: float
    coverage: float
    passage_level: str | None = None  # what the passage is about (a city's township section)


@dataclass(frozen=True)
class SearchResult:
    query: str
    found: bool
    hits: list[Hit]
    filters: Filters = field(default_factory=Filters)
    coverage: float = 0.0  # of the question's topic words by the best hit: the found rule
    parsed: Question | None = None


class Retriever:
    """Answers `search(question)` from a store and, when usable, a vector index."""

    def __init__(
        self,
        store: Store,
        normalizer: Normalizer,
        encoder: Encoder | None,
        index: VectorIndex | None,
        weights: Weights,
        min_coverage: float,
    ) -> None:
        self.store = store
        self.normalizer = normalizer
        self.encoder = encoder if index is not None else None
        self.index = index
        self.weights = weights
        self.min_coverage = min_coverage
        self._documents = {d.id: d for d in store.documents()}
        places = {p for d in self._documents.values() for p in d.place}
        # A question says 成都 or 原平 where the report says 成都市 or 原平市.
        places |= {p[:-1] for p in places if len(p) >= 3 and p[-1] in "省市县区"}
        self._covered_places = frozenset(places)
        self._places = sorted(places | set(PROVINCES), key=len, reverse=True)
        self._chunk_count = max(1, store.counts()["chunks"])
        self._passage_levels = store.passage_levels()

    def search(
        self,
        question: str,
        top_k: int = 5,
        filters: Filters | None = None,
        mode: str = "hybrid",
        parsed: Question | None = None,
    ) -> SearchResult:
        """Top hits for a question, and whether the knowledge base answers it at all.

        `parsed` is the question as `parse` reads it, when the caller has it already."""
        normalized = parsed.normalized if parsed else self.normalizer.normalize(question)
        parsed = parsed or self.parse(question, normalized)
        asked = Filters(parsed.year, parsed.place, parsed.level)
        # A level word (乡镇, 街道) says where to look, not what to find: it becomes a boost
        # on the report's level instead of a search word that favours passages repeating it.
        words = query_terms(normalized)
        terms = [t for t in words if t not in LEVEL_ONLY_WORDS] or words
        # One look-up of document frequencies serves both the match and the coverage.
        frequencies = self.store.document_frequencies(terms)
        hard = filters or Filters()
        allowed = self._allowed_documents(hard) if hard else None
        pool = self.weights.candidates
        keyword: dict[str, float] = {}
        if mode in ("keyword", "hybrid"):
            for hit in self.store.keyword_search(
                self._selective(terms, frequencies), pool, allowed
            ):
                keyword[hit.chunk_id] = hit.score
        vector: dict[str, float] = {}
        if mode in ("vector", "hybrid") and self.encoder is not None and self.index is not None:
            query_vector = self.encoder.encode([normalized])[0]
            for chunk_id, score in self.index.search(query_vector, pool * (4 if hard else 1)):
                vector[chunk_id] = score
        rows = self.store.chunks_by_id(list(keyword.keys() | vector.keys()))
        if allowed is not None:
            permitted = set(allowed)
            rows = {
                k: v for k, v in rows.items()
                if v.document_id in permitted
                and (hard.level is None or _matches(v, Filters(level=hard.level)))
            }  # fmt: skip
        shares = self._idf({t: frequencies[t] for t in without_overlaps(terms)})
        covered = {chunk_id: coverage(shares, row.normalized) for chunk_id, row in rows.items()}
        hits = self._fuse(rows, keyword, vector, covered, asked, mode)
        hits = _drop_near_duplicates(hits, top_k)
        best = self.topic_coverage(parsed, hits[0].normalized) if hits else 0.0
        found = bool(hits) and best >= self.min_coverage
        return SearchResult(question, found, hits, _merge(asked, hard), best, parsed)

    def parse(self, question: str, normalized: str | None = None) -> Question:
        """The question's intent, figure, topic words, level, place and year."""
        if normalized is None:
            normalized = self.normalizer.normalize(question)
        return parse_question(question, normalized, self._places)

    def topic_coverage(self, parsed: Question, normalized_text: str) -> float:
        """Share of the question's topic words (IDF-weighted) a text holds: the found rule."""
        return self.topic_scorer(parsed)(normalized_text)

    def topic_scorer(self, parsed: Question) -> Callable[[str], float]:
        """normalised text → share of the question's topic words it holds, IDF-weighted.

        Level, place, year and words that only say what kind of answer is wanted (一共, 几份)
        are left out, so a question is not refused for naming its level or asking a count.
        Options the question lists count once, as their weightiest member, held by any.
        """
        words = without_overlaps(list(parsed.topic))
        if not words:
            empty = 1.0 if parsed.intent == "reports" else 0.0
            return lambda text: empty
        weights = self.term_weights(words)
        groups: list[tuple[list[str], float]] = []
        for group in parsed.alternatives:
            members = [w for w in group if w in weights]
            if len(members) > 1:
                groups.append((members, max(weights.pop(w) for w in members)))
        total = sum(weights.values()) + sum(weight for _, weight in groups)

        def score(text: str) -> float:
            held = sum(weight for word, weight in weights.items() if word in text)
            held += sum(weight for members, weight in groups if any(w in text for w in members))
            return held / total if total > 0 else 0.0

        return score

    def covers_place(self, place: str) -> bool:
        """Whether any report is from `place` (成都 covers 成都市 and back), or at least names
        it: without a gazetteer a province's cities are not known to be in it (成都's report
        is tagged 成都市, not 四川), so a place some passage names is never called absent."""
        if any(place in p or p in place for p in self._covered_places):
            return True
        return self.store.document_frequencies([place])[place] > 0

    def covers_year(self, year: int) -> bool:
        """Whether any report is of `year`, or at least some passage names it."""
        if any(d.year == year for d in self._documents.values()):
            return True
        return self.store.document_frequencies([str(year)])[str(year)] > 0

    def documents(self) -> list[DocumentRecord]:
        """Every report, in the store's order."""
        return list(self._documents.values())

    def first_passage(self, document_id: str) -> Hit | None:
        """A report's first passage as a hit (for answers that list the reports)."""
        row = self.store.first_chunk(document_id)
        return None if row is None else _as_hit(row)

    def holdings(self) -> tuple[int, list[str], list[int]]:
        """How many searchable reports there are, their places and their years."""
        reports = [d for d in self._documents.values() if d.duplicate_of is None]
        places = sorted({p for d in reports for p in d.place})
        years = sorted({d.year for d in reports if d.year})
        return len(reports), places, years

    def _selective(self, terms: list[str], frequencies: dict[str, int]) -> list[str]:
        """Words that tell passages apart; BM25 gives words in over half the chunks ~0 anyway.

        Leaving them out of the MATCH spares scoring most of a large collection.
        """
        limit = self._chunk_count / 2
        kept = [t for t in terms if frequencies[t] <= limit]
        return kept or sorted(terms, key=lambda t: frequencies[t])[:1]

    def term_weights(self, terms: list[str]) -> dict[str, float]:
        """IDF of each word over the searchable chunks (unseen words weigh most)."""
        return self._idf(self.store.document_frequencies(terms))

    def _idf(self, frequencies: dict[str, int]) -> dict[str, float]:
        return idf(frequencies, self._chunk_count)

    def _fuse(
        self,
        rows: dict[str, ChunkRecord],
        keyword: dict[str, float],
        vector: dict[str, float],
        covered: dict[str, float],
        asked: Filters,
        mode: str,
    ) -> list[Hit]:
        top_keyword = max(keyword.values(), default=0.0) or 1.0
        low_vector = min(vector.values(), default=0.0)
        span_vector = (max(vector.values(), default=0.0) - low_vector) or 1.0
        weights = self.weights
        hits = []
        for chunk_id, row in rows.items():
            k = keyword.get(chunk_id, 0.0) / top_keyword
            v = (vector[chunk_id] - low_vector) / span_vector if chunk_id in vector else 0.0
            c = covered[chunk_id]
            score = {"keyword": k, "vector": v}.get(
                mode, weights.keyword * k + weights.vector * v + weights.coverage * c
            )
            score *= 1.0 + weights.metadata_boost * _matches(row, asked)
            hits.append(
                _as_hit(row, round(score, 6), keyword.get(chunk_id, 0.0),
                        vector.get(chunk_id, 0.0), c)
            )  # fmt: skip
        hits.sort(key=lambda h: (-h.score, h.chunk_id))
        return hits

    def _allowed_documents(self, filters: Filters) -> list[str]:
        """Reports a hard filter lets through; for a level, also those with a passage of it."""
        wanted = _count(filters)
        allowed = []
        for doc_id, d in self._documents.items():
            if d.duplicate_of is not None:
                continue
            matched = _matches(d, filters)
            if d.level != filters.level and filters.level in self._passage_levels.get(doc_id, ()):
                matched += 1  # a city report with a township passage, for --level 乡镇
            if matched == wanted:
                allowed.append(doc_id)
        return allowed


def _as_hit(
    row: ChunkRecord,
    score: float = 0.0,
    keyword: float = 0.0,
    vector: float = 0.0,
    covered: float = 0.0,
) -> Hit:
    return Hit(
        chunk_id=row.id, document_id=row.document_id, index=row.index, title=row.title,
        heading_path=row.heading_path, text=row.text, normalized=row.normalized,
        source=row.source, place=row.place, level=row.level, year=row.year, score=score,
        keyword_score=round(keyword, 4), vector_score=round(vector, 4),
        coverage=round(covered, 4), passage_level=row.passage_level,
    )  # fmt: skip


def _matches(row: ChunkRecord | DocumentRecord, filters: Filters) -> int:
    matched = 0
    if filters.year is not None and row.year == filters.year:
        matched += 1
    if filters.place is not None and any(filters.place in p for p in row.place):
        matched += 1
    # A passage counts by what it is about, a report by its own level.
    level = row.passage_level if isinstance(row, ChunkRecord) else row.level
    if filters.level is not None and level == filters.level:
        matched += 1
    return matched


def _count(filters: Filters) -> int:
    return sum(v is not None for v in (filters.year, filters.place, filters.level))


def _merge(asked: Filters, explicit: Filters) -> Filters:
    return Filters(
        explicit.year if explicit.year is not None else asked.year,
        explicit.place if explicit.place is not None else asked.place,
        explicit.level if explicit.level is not None else asked.level,
    )


def _drop_near_duplicates(hits: list[Hit], limit: int, threshold: float = 0.9) -> list[Hit]:
    """The first `limit` hits, skipping any that repeat a better hit's text almost verbatim."""
    kept: list[Hit] = []
    shingles: list[set[str]] = []
    for hit in hits:
        if len(kept) == limit:
            break
        text = re.sub(r"\W", "", hit.normalized)
        own = {text[i : i + 4] for i in range(max(1, len(text) - 3))}
        if any(len(own & other) / max(1, len(own | other)) >= threshold for other in shingles):
            continue
        kept.append(hit)
        shingles.append(own)
    return kept
