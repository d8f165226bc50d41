"""Next questions an answer suggests, built from its reports and headings: one report's
practice in full ("第二个报告具体怎么做的？"), a figure its passages hold that the question
did not ask ("有多少人参加？"), or a section it quoted ("「…」写了什么？").

Each is worded so that the conversation reads it as a follow-up of the answer (see
`conversation.leans_on`: a report by its place, a figure with no topic of its own, a
section asked of the answer's reports), and pressed, it is asked within those reports.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.core.citation import Citation
from bot.core.figures import GENERIC_COUNTERS
from bot.core.question import Question
from bot.core.sentences import without_numbering

MAX_FOLLOW_UPS = 3
_ORDINALS = "一二三"
_REPORT_DETAIL = "第{n}个报告具体怎么做的？"
_SECTION = "「{heading}」写了什么？"
_HEADING_CHARS = (4, 20)  # a heading shorter says nothing, a longer one is a sentence
_NUMBER = r"(?:\d+|[一二三四五六七八九十百千两兩]+)(?:多|余|餘)?"
# A figure kind the passages hold → the question that asks it of the same event.
_FIGURE_QUESTIONS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("people", re.compile(rf"{_NUMBER}(?:人次|人|名)"), "有多少人参加？"),
    ("money", re.compile(rf"{_NUMBER}(?:万|萬)?元"), "经费有多少？"),
    ("date", re.compile(r"\d{1,2}月\d{1,2}[日号號]"), "是哪天举办的？"),
)
# Counts in a unit that says what was counted (场 of talks, 期 of courses).
_COUNT_QUESTIONS = {"场": "办了多少场？", "場": "办了多少场？", "期": "办了多少期？"}
_COUNT = re.compile(rf"{_NUMBER}(场|場|期)(?!间|間)")


def suggest(
    parsed: Question | None,
    kind: str,
    quoted_headings: Sequence[str],
    citations: Sequence[Citation],
) -> list[str]:
    """Up to `MAX_FOLLOW_UPS` next questions in Simplified wording (the caller converts),
    taking in turn one of each sort: a report's practice, a figure, a section."""
    if parsed is None or not citations or kind in ("not_found", "reports"):
        return []
    reports = list(dict.fromkeys(c.document_id for c in citations))
    details = (
        [_REPORT_DETAIL.format(n=_ORDINALS[i]) for i in range(min(len(reports), 2))]
        if len(reports) > 1
        else []
    )
    # Among many reports' lines a figure question would not say whose figure it asks.
    figures = [] if kind in ("list", "total") else _figure_questions(parsed, citations)
    sections = [] if kind in ("list", "total") else _section_questions(quoted_headings, parsed)
    chosen: list[str] = []
    for round_ in range(MAX_FOLLOW_UPS):
        for options in (details, figures, sections):
            if round_ < len(options) and options[round_] not in chosen:
                chosen.append(options[round_])
    return chosen[:MAX_FOLLOW_UPS]


def _figure_questions(parsed: Question, citations: Sequence[Citation]) -> list[str]:
    text = "\n".join(c.text for c in citations)
    questions = [
        question
        for figure, pattern, question in _FIGURE_QUESTIONS
        if figure != parsed.figure and pattern.search(text)
    ]
    counts = [m.group(1) for m in _COUNT.finditer(text)]
    asked_count = parsed.figure == "count" and parsed.unit not in GENERIC_COUNTERS
    if counts and not asked_count:
        unit = max(set(counts), key=counts.count)
        questions.insert(1, _COUNT_QUESTIONS[unit])
    return questions


def _section_questions(headings: Sequence[str], parsed: Question) -> list[str]:
    questions = []
    for heading in dict.fromkeys(headings):
        words = without_numbering(heading).strip(" ：:。；;，,")
        low, high = _HEADING_CHARS
        # A section the question already names would be answered again.
        if low <= len(words) <= high and words not in parsed.text:
            questions.append(_SECTION.format(heading=words))
    return questions
