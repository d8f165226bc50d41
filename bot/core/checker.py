"""The checker: which sentences of a written answer may be shown.

A sentence is kept only when it carries at least one [n] marker, every marker names a
passage of the answer, every number, date, place or organisation name (`claims`) and
quoted phrase in it appears in one of the passages it cites or their labels (report,
section, place, level, year), compared in Simplified characters, and it shares at least a
third of its wording (pairs of characters) with those passages. What it cannot check is the
sentence's meaning beyond those: a sentence may still join two true figures wrongly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.citation import Citation
from bot.core.claims import (
    Claims,
    claims_of,
    comparable,
    dates_in,
    number_value,
    number_values,
    same_date,
)
from bot.core.written import (
    BAD_MARKER,
    DATE,
    NAME,
    NO_MARKER,
    NUMBER,
    QUOTE,
    UNSUPPORTED,
    Dropped,
    Sentence,
)
from knowledge.normalize import in_script

MARKER = re.compile(r"\[(\d+)\]")
# Markers as models write them: [1], [1,2], [1、3], [1-3], ［1］, 【1】, [^1].
_LOOSE_MARKER = re.compile(r"[\[［【]\s*\^?(\d+(?:\s*[-–—,，、]\s*\d+)*)\s*[\]］】]")
_THINKING = re.compile(r"<think>.*?(?:</think>|$)", re.S)
# List heads: "1. ", "2、", "(3)", "④", "- "; not the 3. of 3.5万.
_LIST_HEAD = re.compile(
    r"^\s*(?:#+\s*|[-*•·]\s+|\d+(?:[.)](?!\d)|、)\s*|[（(]\d+[)）]\s*|[①-⑳]\s*)"
)
_EMPHASIS = re.compile(r"\*\*|__|`")
_SENTENCE_END = re.compile(r"[。！？!?]+[”’」』\"）)]*(?:\s*\[\d+\])*")
_WORDING = re.compile(r"[\u3400-\u9fff]{2,}")
_CONTENT = re.compile(r"[^\W_]")
# A sentence must share this share of its character pairs with the passages it cites.
MIN_SUPPORT = 1 / 3


def tidy(raw: str) -> str:
    """The model's text as judged and shown: its thinking (<think>…</think>) removed, list
    heads and Markdown emphasis dropped, markers written one way ([1][2])."""
    text = _EMPHASIS.sub("", _THINKING.sub("", raw))
    text = _LOOSE_MARKER.sub(lambda m: "".join(f"[{n}]" for n in _numbers(m.group(1))), text)
    return "\n".join(_LIST_HEAD.sub("", line) for line in text.splitlines())


def _numbers(group: str) -> list[int]:
    numbers: list[int] = []
    for part in re.split(r"\s*[,，、]\s*", group):
        bounds = re.split(r"\s*[-–—]\s*", part)
        if len(bounds) == 2 and all(b.isdigit() for b in bounds):
            low, high = int(bounds[0]), int(bounds[1])
            numbers += list(range(low, high + 1)) if 0 < high - low < 20 else [low, high]
        else:
            numbers += [int(n) for n in re.findall(r"\d+", part)]
    return numbers


def split_sentences(text: str, final: bool) -> list[tuple[int, str]]:
    """(paragraph, sentence) of tidied text; unless `final`, only those complete already
    (followed by more than their markers: a marker may still be on its way)."""
    lines = text.split("\n")
    sentences: list[tuple[int, str]] = []
    paragraph = 0
    for index, line in enumerate(lines):
        last_line = index == len(lines) - 1
        if not line.strip():
            continue
        start = 0
        for match in _SENTENCE_END.finditer(line):
            rest = line[match.end() :]
            if not final and last_line and re.fullmatch(r"[\s\[\]\d]*", rest):
                break
            sentences.append((paragraph, line[start : match.end()].strip()))
            start = match.end()
        else:
            tail = line[start:].strip()
            if tail and (final or not last_line):
                sentences.append((paragraph, tail))
        paragraph += 1
    # A line of markers or punctuation alone says nothing.
    return [(p, s) for p, s in sentences if _CONTENT.search(MARKER.sub("", s))]


@dataclass(frozen=True)
class _Passage:
    text: str  # comparable form of label and passage
    numbers: frozenset[float]
    dates: frozenset[tuple[str, str, str]]


class Checker:
    """Judges sentences against the numbered passages of one answer."""

    def __init__(self, citations: Iterable[Citation], script: str) -> None:
        self.script = script
        self._passages: dict[int, _Passage] = {}
        for citation in citations:
            text = comparable(f"{citation.label}\n{citation.text}")
            self._passages[citation.n] = _Passage(
                text, frozenset(number_values(text)), frozenset(dates_in(text))
            )

    def judge(self, paragraph: int, sentence: str) -> Sentence | Dropped:
        """The sentence kept as shown (in the reader's script), or dropped with the reason."""
        markers = tuple(dict.fromkeys(int(n) for n in MARKER.findall(sentence)))
        shown = in_script(sentence, self.script)
        if not markers:
            return Dropped(shown, NO_MARKER)
        unknown = [n for n in markers if n not in self._passages]
        if unknown:
            return Dropped(shown, BAD_MARKER, "".join(f"[{n}]" for n in unknown))
        cited = [self._passages[n] for n in markers]
        body = comparable(MARKER.sub("", sentence))
        failure = _unheld(claims_of(body), cited) or _unsupported(body, cited)
        if failure is not None:
            return Dropped(shown, *failure)
        return Sentence(shown, markers, paragraph)


def _unsupported(body: str, cited: list[_Passage]) -> tuple[str, str] | None:
    pairs = [w[i : i + 2] for w in _WORDING.findall(body) for i in range(len(w) - 1)]
    if not pairs:
        return None
    held = sum(any(pair in p.text for p in cited) for pair in pairs)
    if held / len(pairs) < MIN_SUPPORT:
        return UNSUPPORTED, f"{held}/{len(pairs)}"
    return None


def _unheld(claims: Claims, cited: list[_Passage]) -> tuple[str, str] | None:
    """The first claim no cited passage holds, as (reason, claim); None when all are held."""
    for number in claims.numbers:
        if not any(number_value(number) in p.numbers for p in cited):
            return NUMBER, number
    for date in claims.dates:
        if not any(same_date(date, written) for p in cited for written in p.dates):
            year, month, day = date
            return DATE, f"{year + '年' if year else ''}{month}月{day + '日' if day else ''}"
    for name in claims.names:
        if not any(name in p.text for p in cited):
            return NAME, name
    for quote in claims.quotes:
        if not any(quote in p.text for p in cited):
            return QUOTE, quote
    return None
