"""Extractive answers: the reports' own sentences, each with a numbered citation.

Everything here is plain data; the CLI and Telegram only render it, so both show the
same answer. Quotes are verbatim substrings of the cited chunk's original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.core import wording
from bot.core.citation import Citation
from bot.core.coverage import coverage
from bot.core.levels import LEVEL_ONLY_WORDS, speaks_of
from bot.core.question import script_of
from bot.core.retrieval import Filters, Hit, Retriever, SearchResult
from knowledge.chunk import heading_style, heading_title
from knowledge.models import Paragraph
from knowledge.normalize import query_terms

_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]*[”’」』）)]*")
_EXAMPLE_QUESTION = re.compile(
    r"^(?:请问)?(?:有没有|有无|有哪些|是否有|找找|举几个|举个|给我看看)?(?P<topic>.+?)"
    r"(?:的)?(?:例子|案例|经验|做法|实例)(?:吗|呢)?[？?。！!]*$"
)
_MIN_SENTENCE = 8
_MIN_LIST_ITEM = 4
# What naming a unit of the asked level is worth against covering the question: about as
# much as the topic words of a heading, so an on-topic sentence of the right level wins.
_LEVEL_BONUS = 0.3


@dataclass(frozen=True)
class Quote:
    text: str  # verbatim from the cited chunk
    n: int


@dataclass(frozen=True)
class Answer:
    question: str
    found: bool
    kind: str  # "answer", "examples" or "not_found"
    lead: str
    quotes: list[Quote]
    citations: list[Citation]
    suggestions: list[str] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    script: str = "simplified"

    @property
    def text(self) -> str:
        """Lead and quotes as one string with [n] markers (what --json calls `answer`)."""
        lines = [self.lead] + [f"{q.text}[{q.n}]" for q in self.quotes]
        lines += self.suggestions
        return "\n".join(lines)


@dataclass(frozen=True)
class AnswerOptions:
    script: str  # "auto", "simplified" or "traditional" (default in Settings)
    max_quotes: int = 4
    max_chars: int = 1200
    examples: int = 5


class Answerer:
    """question → Answer, over a Retriever."""

    def __init__(self, retriever: Retriever, options: AnswerOptions) -> None:
        self.retriever = retriever
        self.options = options

    def answer(self, question: str, filters: Filters | None = None) -> Answer:
        """An extractive answer, or examples when the question asks for them."""
        topic = example_topic(question)
        if topic:
            return self.examples(topic, filters, question=question)
        result = self.retriever.search(question, top_k=5, filters=filters)
        script = self._script(question)
        refusal = self._refusal(question, result, script)
        if refusal is not None:
            return refusal
        quotes, citations = self._select(question, result.hits, result.filters.level)
        reports = len({c.title for c in citations})
        lead = wording.found_lead(reports, script)
        return Answer(
            question, True, "answer", lead, quotes, citations,
            hits=result.hits, script=script,
        )  # fmt: skip

    def examples(
        self,
        topic: str,
        filters: Filters | None = None,
        question: str | None = None,
        limit: int | None = None,
    ) -> Answer:
        """Distinct past cases: the best passage of each report, one report each."""
        script = self._script(question or topic)
        result = self.retriever.search(topic, top_k=40, filters=filters)
        refusal = self._refusal(question or topic, result, script)
        if refusal is not None:
            return refusal
        specific = self._specific_word(topic)
        if specific is None:
            return self._not_found(question or topic, script)
        best: dict[str, Hit] = {}
        for hit in result.hits:
            # A case must name what the examples are examples of (the topic's most specific
            # word) and cover the topic as well as "found" demands of the best passage: the
            # slots are never filled with whatever ranks next.
            if specific in hit.normalized and hit.coverage >= self.retriever.min_coverage:
                best.setdefault(hit.document_id, hit)
        if not best:
            return self._not_found(question or topic, script)
        cases = list(best.values())[: limit or self.options.examples]
        quotes: list[Quote] = []
        citations: list[Citation] = []
        for n, hit in enumerate(cases, start=1):
            sentences = [s for _, _, s in self._ranked_sentences(topic, [hit])[:2]]
            sentences = sentences or _sentences(hit.text)[:1]
            for sentence in sorted(sentences, key=hit.text.index):
                quotes.append(Quote(sentence, n))
            citations.append(Citation.of(n, hit))
        lead = wording.examples_lead(len(cases), topic, script)
        return Answer(
            question or topic, True, "examples", lead, quotes, citations,
            hits=result.hits, script=script,
        )  # fmt: skip

    def _specific_word(self, topic: str) -> str | None:
        """The topic's most specific word (fewest passages hold it), or None when no passage
        holds it at all: then no report can be an example of it, however well the topic's
        common words match ("邀请院士" where no report names an academician).
        """
        words = query_terms(self.retriever.normalizer.normalize(topic))
        counts = self.retriever.store.document_frequencies(words)
        named = [w for w in words if len(w) > 1] or words
        if not named:
            return ""
        specific = min(named, key=lambda word: (counts[word], -len(word)))
        return specific if counts[specific] else None

    def _select(
        self, question: str, hits: list[Hit], level: str | None = None
    ) -> tuple[list[Quote], list[Citation]]:
        chosen: list[tuple[Hit, str]] = []
        length = 0
        for _, hit, sentence in self._ranked_sentences(question, hits, level):
            if (
                len(chosen) == self.options.max_quotes
                or length + len(sentence) > self.options.max_chars
            ):
                break
            if any(_similar(sentence, other) for _, other in chosen):
                continue
            chosen.append((hit, sentence))
            length += len(sentence)
        numbers: dict[str, int] = {}
        for hit, _ in chosen:
            numbers.setdefault(hit.chunk_id, len(numbers) + 1)
        by_id = {hit.chunk_id: hit for hit, _ in chosen}
        ordered = sorted(chosen, key=lambda c: (numbers[c[0].chunk_id], c[0].text.index(c[1])))
        quotes = [Quote(sentence, numbers[hit.chunk_id]) for hit, sentence in ordered]
        citations = [Citation.of(n, by_id[chunk_id]) for chunk_id, n in numbers.items()]
        return quotes, citations

    def _ranked_sentences(
        self, question: str, hits: list[Hit], level: str | None = None
    ) -> list[tuple[float, Hit, str]]:
        """Sentences of the hits, best first.

        A sentence scores by the question words it covers itself and, with less weight, by
        those its headings cover, so the items of a list under "二、存在的问题" rank for a
        question about problems. Better-ranked hits get a small bonus. When the question
        names a level, sentences about a unit of that level (蒿坪镇科协… for 乡镇) rank above
        the same topic at another level; the level word itself is not a topic word.
        """
        normalizer = self.retriever.normalizer
        words = query_terms(normalizer.normalize(question))
        topic = [w for w in words if w not in LEVEL_ONLY_WORDS] or words
        weights = self.retriever.term_weights(topic)
        ranked = []
        for rank, hit in enumerate(hits):
            path = normalizer.normalize(" ".join(hit.heading_path))
            for sentence, heading in _sentences_with_headings(hit.text, hit.title):
                normalized = normalizer.normalize(sentence)
                own = coverage(weights, normalized)
                context = coverage(weights, f"{path} {normalizer.normalize(heading)} {normalized}")
                if context == 0 or (len(sentence) < _MIN_SENTENCE and own == context):
                    continue
                score = 0.6 * own + 0.4 * context + 0.15 / (rank + 1)
                if level is not None and speaks_of(normalized, level):
                    score += _LEVEL_BONUS
                ranked.append((score, hit, sentence))
        ranked.sort(key=lambda item: -item[0])
        # Prefer a spread of reports: each further sentence from a report counts a bit less.
        seen_reports: dict[str, int] = {}
        spread = []
        for score, hit, sentence in ranked:
            count = seen_reports.get(hit.document_id, 0)
            seen_reports[hit.document_id] = count + 1
            spread.append((score * (0.85**count), hit, sentence))
        spread.sort(key=lambda item: -item[0])
        return spread

    def _refusal(self, question: str, result: SearchResult, script: str) -> Answer | None:
        """Not found, when nothing answers the question or it names a place no report is
        from (answering from other places' reports would read as if they were about it)."""
        place = result.filters.place
        if place is not None and not self.retriever.covers_place(place):
            return self._not_found(question, script, absent_place=place)
        if not result.found:
            return self._not_found(question, script)
        return None

    def _not_found(self, question: str, script: str, absent_place: str | None = None) -> Answer:
        # What the whole knowledge base holds, never a few near-miss titles that read as if
        # they were all of it.
        reports, places, years = self.retriever.holdings()
        if absent_place is not None:
            lead = wording.localize(wording.absent_place_lead(absent_place), script)
        else:
            lead = wording.not_found_lead(question, script)
        suggestion = wording.holdings(reports, places, years)
        return Answer(
            question, False, "not_found", lead, [], [],
            suggestions=[wording.localize(suggestion, script)], hits=[], script=script,
        )  # fmt: skip

    def _script(self, question: str) -> str:
        return script_of(question, self.options.script)


def example_topic(question: str) -> str | None:
    """The topic of a request for past examples ("有没有组织企业参观高交会的例子？"), else None."""
    match = _EXAMPLE_QUESTION.match(question.strip())
    if not match:
        return None
    topic = re.sub(r"^(?:关于|一些|几个|什么)", "", match.group("topic")).strip("的 ")
    return topic or None


def _sentences(text: str) -> list[str]:
    """Sentences long enough to quote, verbatim and in order."""
    found = (m.group().strip() for m in _SENTENCE.finditer(text))
    return [s for s in found if len(s) >= _MIN_SENTENCE]


def _sentences_with_headings(text: str, title: str = "") -> list[tuple[str, str]]:
    """Every quotable sentence with the nearest heading line above it inside the chunk.

    The report's title is a label, never an answer. (Headings are still quoted: without
    answers composed under their headings, a heading is often the only line naming what a
    list below it is about.)
    """
    out = []
    heading = ""
    for line in text.split("\n"):
        line = line.strip()
        if line == title.strip():
            continue
        if heading_style(Paragraph(line)) is not None:
            heading = heading_title(line)
        for match in _SENTENCE.finditer(line):
            sentence = match.group().strip()
            if len(sentence) >= _MIN_LIST_ITEM:
                out.append((sentence, heading))
    return out


def _similar(a: str, b: str) -> bool:
    grams_a = {a[i : i + 3] for i in range(len(a) - 2)}
    grams_b = {b[i : i + 3] for i in range(len(b) - 2)}
    return len(grams_a & grams_b) / max(1, min(len(grams_a), len(grams_b))) > 0.6
