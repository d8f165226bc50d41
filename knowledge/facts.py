"""The figures a report sentence states: value, unit, what is counted and for which event.

工作总结 state their figures in a regular way (共开展科普报告、讲座6场次，听众达4000多人次；
发放资料1500多份), so a figure is found by its numeral and measure word, and what it counts is
the noun phrase right after it (200余名科技人员) or, failing that, right before it (培训班13期).
Every span is of the sentence as written, so a fact can always be quoted verbatim; matching
runs on a character-for-character Simplified form, so Traditional reports read alike.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace

from knowledge.counted import FIGURE_TAG, counted_span, is_noun
from knowledge.events import CLAUSE_MARKS as CLAUSE_MARKS  # the answers' clauses, too
from knowledge.events import EVENT, Place, figure_events, simplified
from knowledge.normalize import tagged_words
from knowledge.numerals import DIGITS, chinese_number

# Raised with every change to what is extracted: a store whose facts were extracted by
# another version extracts them again at its next sync (`ingest.sync_folder`).
VERSION = 18

# Measure words, longest first so 人次 wins over 人 and 场次 over 场.
UNITS = (
    "人次", "场次", "万元", "课时", "小时", "人", "名", "位", "场", "期", "次", "份",
    "册", "本", "张", "幅", "块", "个", "家", "所", "项", "支", "户", "篇", "条", "处", "台",
    "套", "件", "种", "批", "元", "天", "座", "间", "辆", "棵", "株", "亩", "米", "平方米",
    "公里", "千米", "吨", "斤", "公斤", "期次", "头", "只", "学时", "方面", "亿元",
    "个百分点", "百分点", "门", "组", "户次", "篇次", "节",
)  # fmt: skip
# The units as a pattern, longest first (questions and counting read figures with it too).
UNIT_PATTERN = "|".join(sorted({re.escape(u) for u in UNITS}, key=len, reverse=True))
# 1,200 and 1.5; never a clause number such as 3.1.2 (no figure), read as two figures.
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CHINESE = r"[零〇一二两三四五六七八九十百千]+"
_NUMBER = rf"(?:{_DIGITS}|{_CHINESE})"
_FIGURE = re.compile(
    rf"(?P<before>近|约|逾|超过|超|共计|计|达)?"
    # Not inside an anonymised figure (20xx0多份) or a decimal.
    rf"(?<![\d.xXｘＸ])(?P<number>{_NUMBER})(?P<myriad>万|亿)?"
    rf"(?:(?:-|—|－|~|～|至|到)(?P<high>{_NUMBER})(?P<myriad_high>万|亿)?)?"
    rf"(?P<more>多|余)?(?P<unit>{UNIT_PATTERN}|%|％)?(?P<after>左右|以上|多|余)?"
)
# Words before a figure that qualify it (the others only link it: 达, 共计).
# What a qualifier says of its figure, for adding figures up: at least (4000多, 逾百) or
# about (近1000, 约300, 200左右). Simplified; a stored qualifier is as written.
AT_LEAST = ("多", "余", "以上", "逾", "超过", "超")
ABOUT = ("近", "约", "左右")
# Those written before a figure (the others written there only link it: 达, 共计).
_QUALIFIERS = frozenset(["近", "约", "逾", "超过", "超"])
# Measure words that also make ordinary phrases with 一 (一个更新的台阶, 一种责任, 一批):
# "one" of them is a figure only in the units that count events.
_VAGUE_ONE = frozenset("个种批项位条件张本处所家支块间")
# Before 一个 and the like, words that make it "every" or "a" (这是一个…).
_ARTICLE = ("每", "这样", "那样", "这么", "那么", "如此", "是", "成为", "作为")
_DATE = re.compile(
    r"(?:\d{4}年)?(?:\d{1,2}|[一二三四五六七八九十]{1,3})月(?:份)?"
    r"(?:\d{1,2}[日号](?:[-—至到](?:\d{1,2}月)?\d{1,2}[日号]?)?|上旬|中旬|下旬|初|底|中)?"
    r"|[\u4e00-\u9fff]{2,6}?期间"
)


@dataclass(frozen=True)
class Figure:
    """One figure of a sentence; `written` and `counted` are spans of the sentence as written."""

    written: str
    value: float
    value_high: float | None
    qualifier: str  # 多, 余, 近, 约, 以上, 左右 … as written; empty when exact
    unit: str  # Simplified, so that 場次 and 场次 are one unit
    counted: str
    event: str
    start: int  # of `written` in the sentence
    end: int


def extract_figures(sentence: str, heading: str = "") -> list[Figure]:
    """Every figure the sentence states, in order; the event falls back on the heading's."""
    simple = simplified(sentence)
    words = _words(simple) if any(map(_counts, _FIGURE.finditer(simple))) else []
    figures, places = [], []
    previous = (0, 0)
    for match in _FIGURE.finditer(simple):
        start = match.start("number")
        number, unit = match["number"], match["unit"] or ""
        if not _counts(match):
            continue
        if simple[max(0, start - 1) : start] == "第":
            continue  # an ordinal (第一次), not a count
        vague = number in ("一", "两") and unit in _VAGUE_ONE and not match["before"]
        if vague and not _noun_follows(words, match.end()):
            continue  # 一个更新的台阶: a phrase, not a count; 两个村 is one
        if vague and number == "一" and simple[:start].endswith(_ARTICLE):
            continue  # 每一个干事, 这样一个大家庭: every one, or "a", not a count
        # 1-2万元 is 1万 to 2万: a myriad written once, on the upper end, holds for both.
        myriad = match["myriad"] or (match["myriad_high"] if match["high"] else None)
        value = _number(number, myriad, unit)
        if value is None:
            continue
        high = None
        if match["high"]:
            high = _number(match["high"], match["myriad_high"] or myriad, unit)
        if unit == "元" and myriad:
            unit = myriad + "元"  # 万元 and 亿元 are units of their own
        qualifier = "".join(
            sentence[match.start(group) : match.end(group)]
            for group in ("before", "more", "after")
            if match[group] and (group != "before" or match[group] in _QUALIFIERS)
        )
        end = match.end()
        unit = "%" if unit == "％" else unit
        span = counted_span(simple, words, start, end, unit, previous)
        previous = span
        places.append(Place(start, end, span))
        figures.append(
            Figure(
                written=sentence[start:end],
                value=value,
                value_high=high,
                qualifier=qualifier,
                unit=unit,
                counted=sentence[span[0] : span[1]],
                event="",
                start=start,
                end=end,
            )
        )
    events = figure_events(sentence, simple, places, heading)
    return [replace(figure, event=event) for figure, event in zip(figures, events, strict=True)]


def event_of(text: str) -> str:
    """The event a text names first, as its core word (科普日 of 全国科普日, 活动周 of
    科技活动周), so that two ways of naming one event compare equal; empty when none."""
    match = EVENT.search(simplified(text))
    return match["core"] if match else ""


def extract_dates(sentence: str) -> list[str]:
    """Dates and periods as written (9月15日, 5月下旬, 科普日期间)."""
    simple = simplified(sentence)
    return [sentence[m.start() : m.end()] for m in _DATE.finditer(simple)]


def _number(written: str, myriad: str | None, unit: str) -> float | None:
    if written[0].isdigit():
        try:
            value = float(written.replace(",", ""))
        except ValueError:  # not a number after all: no figure, never a failed sync
            return None
    else:
        parsed = chinese_number(written)
        if parsed is None:
            return None
        value = float(parsed)
    if myriad and unit != "元":
        value *= 10_000 if myriad == "万" else 100_000_000
    return value


def _words(simple: str) -> list[tuple[int, int, str, str]]:
    """(start, end, word, tag) of the jieba words of the Simplified form, cut at each figure's
    ends: jieba would join a measure word to the noun after it (169所灾后 → 所灾)."""
    figures = [m.span() for m in _FIGURE.finditer(simple) if _counts(m)]
    cuts = sorted({0, len(simple)} | {i for span in figures for i in span})
    spans = []
    for begin, end in itertools.pairwise(cuts):
        # A figure's words are a numeral (m) whatever jieba makes of 场 or 名: no phrase
        # walks into the figure before or after it (讲座3场、科普展览4场).
        inside = (begin, end) in figures
        position = begin
        for word, tag in tagged_words(simple[begin:end]):
            spans.append((position, position + len(word), word, FIGURE_TAG if inside else tag))
            position += len(word)
    return spans


def _counts(match: re.Match[str]) -> bool:
    """Whether a match is a figure: a number with its measure word, or a bare number only
    in myriads (1.48万中小学生, 筹集资金48.8亿); a year or a clause number is none."""
    return bool(match["unit"] or match["myriad"])


def _noun_follows(words: list[tuple[int, int, str, str]], end: int) -> bool:
    after = [w for w in words if w[0] >= end][:1]
    return bool(after) and is_noun(after[0][2], after[0][3])


_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]*")


def fact_rows(chunk_id: str, document_id: str, text: str, heading: str) -> list[dict[str, object]]:
    """The store's rows for the figures and dates of a passage, each with the span of its
    sentence in the passage (what a facts answer quotes)."""
    rows: list[dict[str, object]] = []
    for match in _SENTENCE.finditer(text):
        sentence = match.group()
        if not any(ch.isdigit() or ch in DIGITS or ch in "十百千月" for ch in sentence):
            continue  # most sentences hold no figure: skip the tagging
        where = {"chunk_id": chunk_id, "document_id": document_id,
                 "sentence_start": match.start(), "sentence_end": match.end()}  # fmt: skip
        for figure in extract_figures(sentence, heading):
            rows.append(
                where | {"kind": "figure", "written": figure.written, "figure_start": figure.start,
                         "value": figure.value,
                         "value_high": figure.value_high, "qualifier": figure.qualifier,
                         "unit": figure.unit, "counted": figure.counted, "event": figure.event}
            )  # fmt: skip
        for date in extract_dates(sentence):
            rows.append(where | {"kind": "date", "written": date})
    return rows
