"""Extractive answers: the reports' own sentences, each with a numbered citation.

Everything here is plain data; the CLI and Telegram only render it, so both show the
same answer. Quotes are verbatim substrings of the cited chunk's original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import opencc

from bot.search import Filters, Hit, Retriever, SearchResult
from knowledge.chunk import heading_style, heading_title
from knowledge.models import Paragraph
from knowledge.normalize import detect_script, query_terms

_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]*[”’」』）)]*")
_EXAMPLE_QUESTION = re.compile(
    r"^(?:请问)?(?:有没有|有无|有哪些|是否有|找找|举几个|举个|给我看看)?(?P<topic>.+?)"
    r"(?:的)?(?:例子|案例|经验|做法|实例)(?:吗|呢)?[？?。！!]*$"
)
_MIN_SENTENCE = 8
_MIN_LIST_ITEM = 4
_NUMERALS = "零一二三四五六七八九十"
_to_traditional = opencc.OpenCC("s2tw")


@dataclass(frozen=True)
class Citation:
    n: int
    chunk_id: str
    title: str
    heading_path: tuple[str, ...]
    place: tuple[str, ...]
    level: str | None
    year: int | None
    source: str
    text: str  # the whole cited chunk


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
    max_quotes: int = 4
    max_chars: int = 1200
    examples: int = 5
    script: str = "auto"  # "auto", "simplified" or "traditional"


class Answerer:
    """question → Answer, over a Retriever."""

    def __init__(self, retriever: Retriever, options: AnswerOptions = AnswerOptions()) -> None:
        self.retriever = retriever
        self.options = options

    def answer(self, question: str, filters: Filters | None = None) -> Answer:
        """An extractive answer, or examples when the question asks for them."""
        topic = example_topic(question)
        if topic:
            return self.examples(topic, filters, question=question)
        result = self.retriever.search(question, top_k=5, filters=filters)
        script = self._script(question)
        if not result.found:
            return self._not_found(question, result, script)
        quotes, citations = self._select(question, result.hits)
        reports = len({c.title for c in citations})
        lead = f"在{_chinese_number(reports)}份报告中找到相关内容："
        return Answer(
            question, True, "answer", localize(lead, script), quotes, citations,
            hits=result.hits, script=script,
        )  # fmt: skip

    def examples(
        self, topic: str, filters: Filters | None = None, question: str | None = None
    ) -> Answer:
        """Distinct past cases: the best passage of each report, one report each."""
        script = self._script(question or topic)
        result = self.retriever.search(topic, top_k=40, filters=filters)
        if not result.found:
            return self._not_found(question or topic, result, script)
        best: dict[str, Hit] = {}
        for hit in result.hits:
            best.setdefault(hit.document_id, hit)
        cases = list(best.values())[: self.options.examples]
        quotes: list[Quote] = []
        citations: list[Citation] = []
        for n, hit in enumerate(cases, start=1):
            sentences = [s for _, _, s in self._ranked_sentences(topic, [hit])[:2]]
            sentences = sentences or _sentences(hit.text)[:1]
            for sentence in sorted(sentences, key=hit.text.index):
                quotes.append(Quote(sentence, n))
            citations.append(_citation(n, hit))
        lead = f"找到{_chinese_number(len(cases))}个不同报告中的做法："
        return Answer(
            question or topic, True, "examples", localize(lead, script), quotes, citations,
            hits=result.hits, script=script,
        )  # fmt: skip

    def _select(self, question: str, hits: list[Hit]) -> tuple[list[Quote], list[Citation]]:
        chosen: list[tuple[Hit, str]] = []
        length = 0
        for _, hit, sentence in self._ranked_sentences(question, hits):
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
        citations = [_citation(n, by_id[chunk_id]) for chunk_id, n in numbers.items()]
        return quotes, citations

    def _ranked_sentences(self, question: str, hits: list[Hit]) -> list[tuple[float, Hit, str]]:
        """Sentences of the hits, best first.

        A sentence scores by the question words it covers itself and, with less weight, by
        those its headings cover, so the items of a list under "二、存在的问题" rank for a
        question about problems. Better-ranked hits get a small bonus.
        """
        normalizer = self.retriever.normalizer
        weights = self.retriever.term_weights(query_terms(normalizer.normalize(question)))
        total = sum(weights.values()) or 1.0

        def coverage(text: str) -> float:
            return sum(w for t, w in weights.items() if t in text) / total

        ranked = []
        for rank, hit in enumerate(hits):
            path = normalizer.normalize(" ".join(hit.heading_path))
            for sentence, heading in _sentences_with_headings(hit.text):
                own = coverage(normalizer.normalize(sentence))
                context = coverage(
                    f"{path} {normalizer.normalize(heading)} {normalizer.normalize(sentence)}"
                )
                if context == 0 or (len(sentence) < _MIN_SENTENCE and own == context):
                    continue
                ranked.append((0.6 * own + 0.4 * context + 0.15 / (rank + 1), hit, sentence))
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

    def _not_found(self, question: str, result: SearchResult, script: str) -> Answer:
        titles = list(dict.fromkeys(h.title for h in result.hits))[:3]
        if not titles:
            titles = [
                d["title"] for d in self.retriever.store.documents() if not d["duplicate_of"]
            ][:3]
        lead = "报告中没有找到与这个问题相关的内容。"
        suggestion = "知识库目前收录的报告包括：" + "、".join(f"《{t}》" for t in titles) + "。"
        return Answer(
            question, False, "not_found", localize(lead, script), [], [],
            suggestions=[localize(suggestion, script)], hits=[], script=script,
        )  # fmt: skip

    def _script(self, question: str) -> str:
        if self.options.script in ("simplified", "traditional"):
            return self.options.script
        return detect_script(question)


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


def _sentences_with_headings(text: str) -> list[tuple[str, str]]:
    """Every quotable sentence with the nearest heading line above it inside the chunk."""
    out = []
    heading = ""
    for line in text.split("\n"):
        if heading_style(Paragraph(line.strip())) is not None:
            heading = heading_title(line.strip())
        for match in _SENTENCE.finditer(line):
            sentence = match.group().strip()
            if len(sentence) >= _MIN_LIST_ITEM:
                out.append((sentence, heading))
    return out


def _citation(n: int, hit: Hit) -> Citation:
    return Citation(n, hit.chunk_id, hit.title, hit.heading_path, hit.place, hit.level,
                    hit.year, hit.source, hit.text)  # fmt: skip


def _similar(a: str, b: str) -> bool:
    grams_a = {a[i : i + 3] for i in range(len(a) - 2)}
    grams_b = {b[i : i + 3] for i in range(len(b) - 2)}
    return len(grams_a & grams_b) / max(1, min(len(grams_a), len(grams_b))) > 0.6


def _chinese_number(n: int) -> str:
    # The bot's own words carry no digits, so every digit in an answer comes from a source.
    if n == 2:
        return "两"
    if n <= 10:
        return _NUMERALS[n]
    tens, units = divmod(n, 10)
    return (_NUMERALS[tens] if tens > 1 else "") + "十" + (_NUMERALS[units] if units else "")


def localize(text: str, script: str) -> str:
    """The bot's own words in the script of the question (quotes are never converted)."""
    return _to_traditional.convert(text) if script == "traditional" else text
