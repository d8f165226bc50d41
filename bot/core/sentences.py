"""Sentences of a cited passage as the reader gets them: quotable sentences with the
heading each sits under (headings are labels, never quotes), and how alike two are."""

from __future__ import annotations

import re

from knowledge.chunk import BARE, heading_style, heading_title, is_bare_heading
from knowledge.models import Paragraph
from knowledge.normalize import tagged_words
from knowledge.table import is_row_text

_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]*[”’」』）)]*")
_MIN_LIST_ITEM = 4
# A short sentence ending in a colon only announces what follows (工作总结如下：).
_LEAD_IN = re.compile(r"^[^，,。]{0,12}[：:]$")
# A repeated stretch of the question is worth at most what naming the asked level is.
_PHRASE_BONUS_MAX = 0.3
_NUMBERING = re.compile(
    r"^(?:第?[一二三四五六七八九十百\d]{1,3}[、．.章节]|[（(][一二三四五六七八九十\d]{1,3}[）)]|[①-⑳])"
)
_LABEL_MAX = 30
# An item of an enumeration written inside a paragraph: 四是…, 其二…, 第三，…, 3、…
_ITEM = re.compile(r"^(?:[一二三四五六七八九十]是|[其第][一二三四五六七八九十][，,、])")


def quotable_sentences(text: str, title: str = "") -> list[tuple[str, str]]:
    """Every quotable sentence with the nearest heading line above it inside the chunk.

    The report's title and the headings are labels, never answers: a heading is shown
    above the sentences under it, and its words count for them. A short sentence that only
    announces what follows (工作总结如下：) says nothing of its own and is left out. A run
    of numbered lines of one style with nothing between them is a list, and its items are
    quoted.
    """
    lines = [line.strip() for line in text.split("\n") if line.strip() != title.strip()]
    styles = [heading_style(Paragraph(line)) if line else None for line in lines]
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else None
        if styles[i] is None and is_bare_heading(line, following):
            styles[i] = BARE
    out = []
    heading = ""
    for i, line in enumerate(lines):
        style = styles[i]
        if style is not None:
            label = heading_title(line)
            rest = "" if label.endswith("…") else line[len(label) :].lstrip("。．.：:；; ")
            in_list = (i > 0 and styles[i - 1] == style) or (
                i + 1 < len(lines) and styles[i + 1] == style and not rest
            )
            if _is_label(label) and not in_list:
                heading = label
                if not rest:
                    continue
                line = rest  # a heading glued to its first sentence: label, then body
            # else a list item or a numbered sentence with content: quoted as it is
        if is_row_text(line):  # a table row: each figure is quoted with its header
            out.append((line, heading))
            continue
        for match in _SENTENCE.finditer(line):
            sentence = match.group().strip()
            if len(sentence) >= _MIN_LIST_ITEM and not _LEAD_IN.match(sentence):
                out.append((sentence, heading))
    return out


def phrase_bonus(question: str, sentence: str) -> float:
    """A sentence that repeats a longer stretch of the question as written ("开展科普月")
    is likelier about it than one sharing the same words apart: worth up to a level's."""
    longest = _longest_common_run(question, sentence)
    return min(_PHRASE_BONUS_MAX, 0.05 * max(0, longest - 3))


def _longest_common_run(a: str, b: str) -> int:
    best = 0
    previous = [0] * (len(b) + 1)
    for ch in a:
        current = [0] * (len(b) + 1)
        for j, other in enumerate(b, start=1):
            if ch == other and "\u4e00" <= ch <= "\u9fff":
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


def without_numbering(line: str) -> str:
    """A heading without its 公文 number: "一、领导重视" → "领导重视"."""
    return _NUMBERING.sub("", line, count=1)


_YEAR = re.compile(r"(?:19|20)(?:\d\d|[xX×]{2})年")


def _is_label(line: str) -> bool:
    """A numbered line that only names a section: short, with no figure after its number."""
    # A year names the period a section is about (四、20xx年工作思路), not a figure.
    unnumbered = _YEAR.sub("", without_numbering(line))
    return len(line) <= _LABEL_MAX and not re.search(r"\d", unnumbered)


def similar(a: str, b: str) -> bool:
    grams_a = {a[i : i + 3] for i in range(len(a) - 2)}
    grams_b = {b[i : i + 3] for i in range(len(b) - 2)}
    return len(grams_a & grams_b) / max(1, min(len(grams_a), len(grams_b))) > 0.6


# Part-of-speech tags that may stand before a sentence's verb without being its subject
# (积极 建设…, 并 于…): adverbs and conjunctions.
_BEFORE_VERB = ("d", "c")


# Openings that count within what the sentence before said (其中农村党员近1000人次).
_PART_OF_BEFORE = re.compile(r"^(?:其中|其余|其他|另有|包括)")


def carries_on(normalized_sentence: str) -> bool:
    """Whether a sentence only makes sense after the one before it: it opens with its verb
    (下发了…) or counts within what that one said (其中…)."""
    return bool(_PART_OF_BEFORE.match(normalized_sentence)) or opens_with_verb(normalized_sentence)


def opens_with_verb(normalized_sentence: str) -> bool:
    """Whether a sentence starts with its verb, its subject left to the sentence before it
    (下发了《关于开展科普月活动的意见》: who did, and why, is said just before)."""
    for word, tag in tagged_words(normalized_sentence[:12]):
        if not word.strip() or tag.startswith(_BEFORE_VERB):
            continue
        return tag.startswith("v")
    return False


def opens_item(sentence: str) -> bool:
    """Whether a sentence starts another item of an enumeration (四是…, （三）…, 3、…):
    a new practice, not more of the one before it."""
    return bool(_NUMBERING.match(sentence) or _ITEM.match(sentence))


def same_paragraph(text: str, a: str, b: str) -> bool:
    """Whether two sentences of a passage stand in one paragraph (line) of it."""
    return any(a in line and b in line for line in text.split("\n"))
