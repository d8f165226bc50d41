"""Hybrid retrieval: BM25 keyword hits and vector hits, fused, with a 'nothing found' rule."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import lru_cache

from bot.core.coverage import coverage, held, idf, without_overlaps
from bot.core.figures import counts_in_own_unit, figure_in
from bot.core.levels import LEVEL_ONLY_WORDS
from bot.core.question import Question, frames, offered_grades, parse_question
from embeddings.encoder import Encoder
from embeddings.index import VectorIndex
from knowledge.metadata import LEVELS, PROVINCES
from knowledge.normalize import (
    Normalizer,
    add_known_words,
    dictionary_size,
    prepare_posseg,
    query_terms,
    segment,
    specificity,
    tagged_words,
)
from knowledge.records import ChunkRecord, DocumentRecord, FactRecord
from knowledge.store import Store
from knowledge.thesaurus import Thesaurus

MODES = ("keyword", "vector", "hybrid")
# Reports whose title matches that may add their passages to the candidates.
_TITLE_REPORTS = 5
# A synonym stands in for a word the reports write only when it is written in at least this
# many times as many passages: then it, not the word asked, is how the reports say it.
USUAL_WORD_RATIO = 3
# A question's own everyday verb that no report writes, between its 怎么 and the things it
# acts on (怎么搭起社区教育体系, 怎么带干事), says how the reader talks, not what the reports
# must hold: a passage that lacks it misses it at this share of its weight in the found
# rule. After the things it is what is asked (志愿者溜号咋办, 骗补贴怎么查), and weighs in full.
EVERYDAY_SHARE = 0.25
# jieba's tags of such words: verbs, pronouns, place and time words, adverbs, numerals and
# measure words, prepositions, conjunctions (and particles, u*).
_EVERYDAY_TAGS = frozenset({"v", "r", "s", "t", "d", "m", "mq", "q", "p", "f", "c", "zg"})
# Tags of words that name a thing (nouns n*, and these).
_THING_TAGS = frozenset({"vn", "x", "j", "l", "eng"})
__all__ = ["LEVELS", "MODES", "Filters", "Hit", "Retriever", "SearchResult", "Weights"]


@dataclass(frozen=True)
class Filters:
    """Year, place and level a search is limited to (flags) or leans towards (the question);
    `reports`, when given, are the only reports searched (a reply to an answer)."""

    year: int | None = None
    place: str | None = None
    level: str | None = None
    reports: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.reports) or any(v is not None for v in (self.year, self.place, self.level))

    def levels_of(self, parsed: Question) -> tuple[str, ...]:
        """The levels a list or count covers: those the question joins as one (乡镇和街道
        这两级), else the one searched at, else none."""
        return parsed.levels or ((self.level,) if self.level else ())


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
    # BM25 of the question over a report's title words, added to each of its chunks' BM25
    # before scaling: the title says what every passage of the report is about.
    title: float = 0.0
    # Multiplies each synonym's own weight (its cosine, or 0.9 for the domain file) wherever
    # a synonym stands in for a question word: BM25, coverage, found, sentence choice.
    synonym: float = 0.0
    # Share of a report's title words (IDF-weighted) that the question writes, added to each
    # of its passages' hybrid score: a question naming a title in full (黄蝉) is about that
    # report rather than one whose title only contains it (软枝黄蝉), a near-tie in BM25 that
    # the vector otherwise breaks at random. More than 0.2 costs DRCD, whose questions often
    # name another article's title (docs/retrieval.md).
    title_named: float = 0.2
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
    scan_page: int | None = None  # the scanned page its text was recognised on (OCR)


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
        thesaurus: Thesaurus | None = None,
    ) -> None:
        self.store = store
        self.thesaurus = thesaurus if weights.synonym > 0 else None
        self.normalizer = normalizer
        self.encoder = encoder if index is not None else None
        self.index = index
        self.weights = weights
        self.min_coverage = min_coverage
        self._documents = {d.id: d for d in store.documents()}
        titles = self._segmented_titles()
        # A name in a title (锦地罗, 黄华麒) is one word to the question's segmenter too.
        if add_known_words([w for words in titles.values() for w in words]):
            titles = self._segmented_titles()  # as questions will be cut from now on
        places = {p for d in self._documents.values() for p in d.place}
        # A question says 成都 or 原平 where the report says 成都市 or 原平市.
        places |= {p[:-1] for p in places if len(p) >= 3 and p[-1] in "省市县区"}
        self._covered_places = frozenset(places)
        self._places = sorted(places | set(PROVINCES), key=len, reverse=True)
        self._chunk_count = max(1, store.counts()["chunks"])
        self._passage_levels = store.passage_levels()
        self._title_words: dict[str, tuple[tuple[str, ...], tuple[float, ...], float]] = {}
        self._remember_title_words(titles)
        self._vector_thread: ThreadPoolExecutor | None = None  # started at the first search
        # jieba's part-of-speech table (about 0.3 s) is loaded here rather than by the first
        # question that tags (its level words, its answer's sentences and names).
        prepare_posseg()

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
        hard = filters or Filters()
        pool = self.weights.candidates
        nearest = (
            self._start_vector_search(normalized, pool * (4 if hard else 1))
            if mode in ("vector", "hybrid")
            else None
        )
        parsed = parsed or self.parse(question, normalized)
        asked = Filters(parsed.year, parsed.place, parsed.level)
        # A level word (乡镇, 街道) says where to look, not what to find: it becomes a boost
        # on the report's level instead of a search word that favours passages repeating it.
        words = query_terms(normalized)
        # 县 of 县和街道 too; not 省级 of 省级科普示范村, a grade of what is asked about.
        where = LEVEL_ONLY_WORDS.union(parsed.where).difference(parsed.grades)
        terms = [t for t in words if t not in where and not frames(t)] or words
        # Ranking takes the synonyms of words no passage writes. A written word's usual-word
        # synonym (老师 → 教师) counts where "found" and sentences are decided, but ranking
        # by it too cost more than it gained (DRCD dev R@5 0.9935 → 0.9923).
        written = self.store.document_frequencies(terms)
        synonyms = {w: s for w, s in parsed.synonyms if not written.get(w, 0)}
        scales: dict[str, float] = {}
        for term in terms:
            for other, weight in synonyms.get(term, ()):
                form = search_form(other)
                if form not in terms:
                    scales[form] = max(scales.get(form, 0.0), weight)
        # The question words' counts (above) and their synonyms' serve the match and the
        # coverage alike.
        frequencies = written | self.store.document_frequencies(list(scales))
        allowed = self._allowed_documents(hard) if hard else None
        keyword: dict[str, float] = {}
        titles: dict[str, float] = {}
        if mode in ("keyword", "hybrid"):
            selective = self._selective(terms, frequencies) + self._selective(
                list(scales), frequencies, keep_one=False
            )
            for hit in self.store.keyword_search(selective, pool, allowed, scales=scales):
                keyword[hit.chunk_id] = hit.score
            if self.weights.title > 0:
                # Every word, common ones too, picks the passages of the matching reports.
                keyword, titles = self._with_titles(
                    selective, terms + list(scales), keyword, pool, allowed, scales
                )
        # The keyword candidates are read while the vector search may still be running;
        # fusion does not depend on the rows' order.
        rows = self.store.chunks_by_id(list(keyword))
        vector = dict(nearest.result()) if nearest is not None else {}
        rows |= self.store.chunks_by_id([c for c in vector if c not in rows])
        if allowed is not None:
            permitted = set(allowed)
            rows = {
                k: v for k, v in rows.items()
                if v.document_id in permitted
                and (hard.level is None or _matches(v, Filters(level=hard.level)))
            }  # fmt: skip
        shares = self._idf({t: frequencies[t] for t in without_overlaps(terms)})
        covered = {
            chunk_id: coverage(shares, row.normalized, synonyms) for chunk_id, row in rows.items()
        }
        named = (
            self._titles_named(normalized, {row.document_id for row in rows.values()})
            if mode == "hybrid" and self.weights.title_named > 0
            else {}
        )
        fused = self._fuse(rows, keyword, vector, covered, asked, mode, titles, named)
        hits = _drop_near_duplicates(fused, top_k)
        # The report's title counts with the passage: it may be all that names the subject.
        # A list of reports asks for every report on the topic: any of the first few
        # passages found answers it, however near-tied scores order them. (One that asks a
        # figure is answered from the table of figures, which decides for itself.)
        reports = parsed.intent == "list" and parsed.figure is None
        judged = hits[: _LIST_JUDGED if reports else 1]
        scorer = self.found_scorer(parsed)
        best = max((scorer(self._with_title(hit)) for hit in judged), default=0.0)
        found = bool(hits) and best >= self.min_coverage
        return SearchResult(question, found, hits, _merge(asked, hard), best, parsed)

    def _start_vector_search(
        self, normalized: str, k: int
    ) -> Future[list[tuple[str, float]]] | None:
        """The question's nearest chunks, searched on the retriever's own thread while the
        caller goes on: FAISS releases the GIL for the search itself (about 5 ms of 100k
        vectors on one core), so on a free second core it overlaps parsing the question and
        scoring its words. The thread touches the vector index only, never the store's
        SQLite connection; `result()` raises what the search raised. None without vectors."""
        if self.encoder is None or self.index is None:
            return None
        query_vector = self.encoder.encode([normalized])[0]  # jieba stays on this thread
        if self._vector_thread is None:
            self._vector_thread = ThreadPoolExecutor(1, thread_name_prefix="kepubot-vectors")
        return self._vector_thread.submit(self.index.search, query_vector, k)

    def _with_title(self, hit: Hit) -> str:
        return f"{self.normalizer.normalize(hit.title)} {hit.normalized}"

    def parse(self, question: str, normalized: str | None = None) -> Question:
        """The question's intent, figure, topic words, level, place and year."""
        if normalized is None:
            normalized = self.normalizer.normalize(question)
        parsed = parse_question(question, normalized, self._places)
        written = self._written_grades(parsed)
        if written:
            parsed = parse_question(question, normalized, self._places, written)
        return self.with_synonyms(self._active(parsed))

    def _active(self, parsed: Question) -> Question:
        """The question with a passive word no passage writes read as its verb (受表彰 as
        表彰, 被评为 as 评为): reports say what was done (共表彰先进集体50个), and the longer
        word, in no report, would outweigh the verb in every search and refuse the question."""
        words = list(parsed.topic)
        passive = {
            w: w[1:] for w in words
            if w[:1] in _PASSIVE_MARKS and w[1:] in words and len(w) > 2
        }  # fmt: skip
        frequencies = self.store.document_frequencies(sorted({*passive, *passive.values()}))
        active = {
            w: verb for w, verb in passive.items()
            if not frequencies[w] and frequencies[verb] and not self.store.passages_containing(w)
        }  # fmt: skip
        if not active:
            return parsed
        alternatives = tuple(
            tuple(dict.fromkeys(active.get(m, m) for m in group)) for group in parsed.alternatives
        )
        topic = tuple(w for w in words if w not in active)
        return replace(parsed, topic=topic, alternatives=alternatives)

    def _written_grades(self, parsed: Question) -> list[str]:
        """Level words of the question that the reports write before one of its topic words
        (省级科普示范村 for 科普示范村有几个？省级、市级分别几个？): grades of that thing."""
        asked = [g for g in offered_grades(parsed.normalized) if g not in parsed.grades]
        # Generic words (科普, 工作) follow a grade somewhere in any corpus: only the
        # longer words name a thing that has grades.
        things = [w for w in parsed.topic if len(w) > 2]
        if not asked or not things:
            return []
        phrases = {g: [search_form(g + w) for w in things] for g in asked}
        counts = self.store.document_frequencies(sorted({p for ps in phrases.values() for p in ps}))
        return [g for g in asked if any(counts[p] for p in phrases[g])]

    def with_synonyms(self, parsed: Question) -> Question:
        """The question with the synonyms of its topic words that the reports hold."""
        if self.thesaurus is None:
            return parsed
        # Only topic words: a frame word's synonyms (一共 → 总计) find nothing worth having.
        return replace(parsed, synonyms=self._synonyms(list(parsed.topic), parsed.normalized))

    def _synonyms(
        self, words: list[str], normalized: str
    ) -> tuple[tuple[str, tuple[tuple[str, float], ...]], ...]:
        """Each word's synonyms that some passage holds, weighted by `Weights.synonym`; a
        domain-file phrase's synonyms stand in for each of the words it is cut into."""
        assert self.thesaurus is not None
        phrases = [p for p in self.thesaurus.phrases_in(normalized) if p not in words]
        written = self.store.document_frequencies(words + phrases)
        asked = list(dict.fromkeys(words + phrases))
        candidates = {w: self.thesaurus.candidates(w) for w in asked}
        frequencies = self.store.document_frequencies(
            sorted({search_form(e.word) for found in candidates.values() for e in found})
        )
        scale = self.weights.synonym
        found: dict[str, dict[str, float]] = {}
        for word in asked:
            # A word the reports never write takes any synonym they do. A word they write
            # is matched as written, and takes only a synonym that is the reports' usual
            # word for it (老师 in 1 passage, 教师 in 10): any other would pull in passages
            # on something else (救灾 → 自救).
            least = 1 if written[word] == 0 else USUAL_WORD_RATIO * written[word]

            def known(synonym: str, least: int = least) -> bool:
                return frequencies.get(search_form(synonym), 0) >= least

            expansions = self.thesaurus.expand(word, known)
            owners = [word] if word in words else [w for w in words if w in word]
            for owner in owners:
                for e in expansions:
                    weight = round(e.weight * scale, 3)
                    mine = found.setdefault(owner, {})
                    mine[e.word] = max(mine.get(e.word, 0.0), weight)
        return tuple((w, tuple(found[w].items())) for w in words if found.get(w))

    def names_nearly(self, word: str, normalized_text: str) -> bool:
        """Whether the text writes a near synonym of `word` (体质测量 for 体质检测), by the
        thesaurus's word vectors; False without them."""
        if self.thesaurus is None:
            return False
        return self.thesaurus.near(word, list(dict.fromkeys(segment(normalized_text))))

    def topic_coverage(self, parsed: Question, normalized_text: str) -> float:
        """Share of the question's topic words (weighted as `found_scorer` weighs them) that
        a text holds: the found rule."""
        return self.found_scorer(parsed)(normalized_text)

    def found_scorer(self, parsed: Question) -> Callable[[str], float]:
        """The found rule's share: each topic word weighs by the corpus's IDF times its
        weight in general Chinese (`specificity`), so a common word that the reports happen
        not to use (没, 搞, 地方) cannot refuse a question alone, nor let one through."""
        topic = self.topic_scorer(parsed, general=True)
        if not counts_in_own_unit(parsed):
            return topic
        # The count asked (多少套 → 6293套) is what the question asks about, as much as
        # any one of its words: a paraphrase that shares few words with the passage holding
        # the answer is still found by the answer itself.
        share = 1 / (len(without_overlaps(list(parsed.topic))) + 1)
        return lambda text: (1 - share) * topic(text) + share * figure_in(text, parsed)

    def key_word(self, parsed: Question) -> str | None:
        """The topic word the found rule weighs most (corpus IDF times its weight in general
        Chinese: 经费 over 落实, 科普日 over 每年) that some passage writes, or None."""
        words = without_overlaps(list(parsed.topic))
        written = self.store.document_frequencies(words)
        held = [w for w in words if written[w] or self.store.passages_containing(w)]
        if not held:
            return None
        weights = self.term_weights(held)
        return max(held, key=lambda w: weights[w] * specificity(w))

    def topic_scorer(self, parsed: Question, general: bool = False) -> Callable[[str], float]:
        """normalised text → share of the question's topic words it holds, IDF-weighted.

        Level, place, year and words that only say what kind of answer is wanted (一共, 几份)
        are left out, so a question is not refused for naming its level or asking a count.
        Options the question lists count once, as their weightiest member, held by any.
        """
        words = without_overlaps(list(parsed.topic))
        if not words:
            empty = 1.0 if parsed.intent == "reports" else 0.0
            return lambda text: empty
        frequencies = self.store.document_frequencies(words)
        weights = self._idf(frequencies)
        # The reader's everyday words that no report writes (搭, 好找, 碰到), in a question
        # that names at least two things the reports do write: a passage lacking them
        # misses them at a share of their weight (see EVERYDAY_SHARE).
        light: set[str] = set()
        if general:
            weights = {w: weight * specificity(w) for w, weight in weights.items()}
            named = [w for w in words if frequencies[w] and names_thing(w)]
            if len(named) >= 2:
                light = _doing_words(parsed.normalized, words, named, frequencies)
        synonyms = dict(parsed.synonyms)
        groups: list[tuple[list[str], float]] = []
        for group in parsed.alternatives:
            present = [w for w in group if w in weights]
            if not present:
                continue
            # An option jieba cut into two question words (文明社区 → 文明 社区) is still an
            # option, and its parts are no words of their own.
            parts = [w for w in weights if w not in group and any(w in m for m in group)]
            groups.append((list(group), max(weights.pop(w) for w in [*present, *parts])))
        total = sum(weights.values()) + sum(weight for _, weight in groups)
        light = {w for w in light if w in weights}

        def score(text: str) -> float:
            holds = {word: held(word, text, synonyms) for word in weights}
            got = sum(weight * holds[word] for word, weight in weights.items())
            got += sum(
                weight * max(held(w, text, synonyms) for w in members) for members, weight in groups
            )
            missed = sum(weights[w] * (1 - EVERYDAY_SHARE) * (1 - holds[w]) for w in light)
            return got / (total - missed) if total - missed > 0 else 0.0

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

    def passage(self, chunk_id: str) -> Hit | None:
        """One passage by its id, as a hit (a figure's, for citing it)."""
        row = self.store.chunks_by_id([chunk_id]).get(chunk_id)
        return None if row is None else _as_hit(row)

    def passages(self, document_id: str) -> Iterator[Hit]:
        """A report's passages in reading order, as hits."""
        index = 0
        while (row := self.store.chunk_at(document_id, index)) is not None:
            yield _as_hit(row)
            index += 1

    def continued_from(self, hit: Hit) -> Hit | None:
        """The passage just before `hit` in its report when `hit` opens in the middle of a
        paragraph (chunking cut the paragraph there), else None."""
        before = self._cut_before(hit.chunk_id)
        return _as_hit(before) if before is not None else None

    def paragraph_opening(self, chunk_id: str) -> str:
        """The part of the chunk's first paragraph that the passage before it holds, when
        chunking cut that paragraph (四是发挥"农函大"优势…。 | 争取培训长期1000人), else ''."""
        before = self._cut_before(chunk_id)
        return before.text.rsplit("\n", 1)[-1] if before is not None else ""

    def _cut_before(self, chunk_id: str) -> ChunkRecord | None:
        row = self.store.chunks_by_id([chunk_id]).get(chunk_id)
        if row is None or row.index == 0:
            return None
        before = self.store.chunk_at(row.document_id, row.index - 1)
        # A paragraph's end is a line break between the two; a cut inside it leaves none.
        return before if before is not None and before.end == row.start else None

    def holdings(self) -> tuple[int, list[str], list[int]]:
        """How many searchable reports there are, their places and their years."""
        reports = [d for d in self._documents.values() if d.duplicate_of is None]
        places = sorted({p for d in reports for p in d.place})
        years = sorted({d.year for d in reports if d.year})
        return len(reports), places, years

    def _with_titles(
        self,
        terms: list[str],
        passage_terms: list[str],
        keyword: dict[str, float],
        pool: int,
        allowed: list[str] | None,
        scales: dict[str, float],
    ) -> tuple[dict[str, float], dict[str, float]]:
        """Chunk BM25 scores widened to the best passages of the reports whose titles match,
        which may name the question's subject where their passages do not, and the title
        scores themselves (report id → BM25 over its title words)."""
        titles = self.store.title_search(terms, _TITLE_REPORTS)
        if allowed is not None:
            permitted = set(allowed)
            titles = {d: score for d, score in titles.items() if d in permitted}
        if not titles:
            return keyword, titles
        widened = dict(keyword)
        for hit in self.store.keyword_search(passage_terms, pool, list(titles), scales=scales):
            widened.setdefault(hit.chunk_id, hit.score)
        return widened, titles

    def _selective(
        self, terms: list[str], frequencies: dict[str, int], keep_one: bool = True
    ) -> list[str]:
        """Words that tell passages apart; BM25 gives words in over half the chunks ~0 anyway.

        Leaving them out of the MATCH spares scoring most of a large collection.
        """
        limit = self._chunk_count / 2
        kept = [t for t in terms if frequencies[t] <= limit]
        if kept or not keep_one:
            return kept
        return sorted(terms, key=lambda t: frequencies[t])[:1]

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
        titles: dict[str, float],
        named: dict[str, float],
    ) -> Iterator[Hit]:
        """The candidates as hits, best first (ties by chunk id). A hit is built only when
        the caller reaches it: a search keeps the first few of about a hundred."""
        weights = self.weights
        keyword = {
            chunk_id: score + weights.title * titles.get(rows[chunk_id].document_id, 0.0)
            for chunk_id, score in keyword.items() if chunk_id in rows
        }  # fmt: skip
        top_keyword = max(keyword.values(), default=0.0) or 1.0
        low_vector = min(vector.values(), default=0.0)
        span_vector = (max(vector.values(), default=0.0) - low_vector) or 1.0
        ranked = []
        for chunk_id, row in rows.items():
            k = keyword.get(chunk_id, 0.0) / top_keyword
            v = (vector[chunk_id] - low_vector) / span_vector if chunk_id in vector else 0.0
            c = covered[chunk_id]
            score = {"keyword": k, "vector": v}.get(
                mode,
                weights.keyword * k
                + weights.vector * v
                + weights.coverage * c
                + weights.title_named * named.get(row.document_id, 0.0),
            )
            score *= 1.0 + weights.metadata_boost * _matches(row, asked)
            ranked.append((-round(score, 6), chunk_id))
        ranked.sort()
        for negative, chunk_id in ranked:
            yield _as_hit(
                rows[chunk_id], -negative, keyword.get(chunk_id, 0.0), vector.get(chunk_id, 0.0),
                covered[chunk_id],
            )  # fmt: skip

    def _titles_named(self, normalized: str, documents: set[str]) -> dict[str, float]:
        """Report id → share of its title's words (IDF-weighted) that the question writes."""
        shares = {}
        for doc_id in documents:
            own, weights, total = self._title_words[doc_id]
            if total > 0:
                held = (weight for w, weight in zip(own, weights, strict=True) if w in normalized)
                shares[doc_id] = sum(held) / total
        return shares

    def _segmented_titles(self) -> dict[str, list[str]]:
        return {
            doc_id: segment(self.normalizer.normalize(d.title))
            for doc_id, d in self._documents.items()
        }

    def _remember_title_words(self, titles: dict[str, list[str]]) -> None:
        """Each report's distinct title words with their IDF and its total, once for the
        retriever's life, as its counts are: a question meets about 80 reports, and
        weighing their words at every question cost a few milliseconds at 100k chunks."""
        words = {doc_id: tuple(dict.fromkeys(title)) for doc_id, title in titles.items()}
        weights = self.term_weights(sorted({w for own in words.values() for w in own}))
        for doc_id, own in words.items():
            self._title_words[doc_id] = (
                own,
                tuple(weights[w] for w in own),
                sum(weights[w] for w in own),
            )

    def _allowed_documents(self, filters: Filters) -> list[str]:
        """Reports a hard filter lets through; for a level, also those with a passage of it."""
        wanted = _count(filters)
        allowed = []
        for doc_id, d in self._documents.items():
            if d.duplicate_of is not None or (filters.reports and doc_id not in filters.reports):
                continue
            matched = _matches(d, filters)
            if d.level != filters.level and filters.level in self._passage_levels.get(doc_id, ()):
                matched += 1  # a city report with a township passage, for --level 乡镇
            if matched == wanted:
                allowed.append(doc_id)
        return allowed


def search_form(word: str) -> str:
    """A synonym as the keyword index holds it: the word, or the words jieba cuts it into
    (科普大篷车 → 科普 大篷车), matched as a phrase, when it is no single indexed word."""
    return _search_form(word, dictionary_size())


@lru_cache(maxsize=1 << 16)
def _search_form(word: str, _dictionary: tuple[int, int]) -> str:
    # Remembered per state of jieba's dictionary: a question's synonyms come back often.
    parts = segment(word)
    return word if parts == [word] else " ".join(parts)


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
        coverage=round(covered, 4), passage_level=row.passage_level, scan_page=row.scan_page,
    )  # fmt: skip


def _matches(row: ChunkRecord | DocumentRecord | FactRecord, filters: Filters) -> int:
    matched = 0
    if filters.year is not None and row.year == filters.year:
        matched += 1
    if filters.place is not None and any(filters.place in p for p in row.place):
        matched += 1
    # A passage (and a figure in it) counts by what it is about, a report by its own level.
    level = row.level if isinstance(row, DocumentRecord) else row.passage_level
    if filters.level is not None and level == filters.level:
        matched += 1
    return matched


# How many of a list question's first passages the found rule reads.
_LIST_JUDGED = 5


def within(row: ChunkRecord | FactRecord, filters: Filters) -> bool:
    """Whether a passage, or a figure in one, meets every year, place and level given."""
    return _matches(row, filters) == _count(filters)


def _count(filters: Filters) -> int:
    return sum(v is not None for v in (filters.year, filters.place, filters.level))


def _merge(asked: Filters, explicit: Filters) -> Filters:
    return Filters(
        explicit.year if explicit.year is not None else asked.year,
        explicit.place if explicit.place is not None else asked.place,
        explicit.level if explicit.level is not None else asked.level,
        explicit.reports,
    )


def _drop_near_duplicates(hits: Iterable[Hit], limit: int, threshold: float = 0.9) -> list[Hit]:
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


_MANNER = re.compile(r"怎么|怎样|如何|咋")


def _doing_words(
    normalized: str, words: list[str], things: list[str], frequencies: dict[str, int]
) -> set[str]:
    """The everyday words a question puts after its 怎么 and before a thing the reports
    write (搭 of 怎么搭起社区教育体系)."""
    manner = _MANNER.search(normalized)
    if manner is None:
        return set()
    places = {w: normalized.find(w, manner.end()) for w in [*words, *things]}
    return {
        w for w in words
        if places[w] >= 0 and everyday(w, frequencies)
        and any(places[t] > places[w] for t in things)
    }  # fmt: skip


def _tags(word: str) -> list[str]:
    return [tag for _, tag in tagged_words(word)]


def everyday(word: str, frequencies: dict[str, int]) -> bool:
    """Whether a question word is the reader's everyday wording: no report writes it and
    jieba tags each of its parts a verb, pronoun, adverb or other function class; a noun
    or a term of the domain names something the reports would have to hold."""
    if frequencies.get(word, 0):
        return False
    tags = _tags(word)
    return bool(tags) and all(t in _EVERYDAY_TAGS or t.startswith("u") for t in tags)


def names_thing(word: str) -> bool:
    """Whether a word names a thing by jieba's tags: nouns, domain words (untagged, x),
    abbreviations, set phrases and verbal nouns (培训 of 科技培训)."""
    tags = _tags(word)
    return bool(tags) and all(t.startswith("n") or t in _THING_TAGS for t in tags)


# Marks of the passive (受表彰, 被评为) that jieba keeps on the verb they mark.
_PASSIVE_MARKS = frozenset("受被")
