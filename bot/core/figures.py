"""Figures in report sentences: the kind a question asks for (date, count with its unit,
money, people), found in a sentence (sums: `counting`)."""

from __future__ import annotations

import re
from functools import lru_cache

import opencc

from bot.core.question import Question
from knowledge.normalize import in_script

HAS_FIGURE = re.compile(r"\d")
# Quotes keep the report's script, so figures are found in either: 100萬元 as 100万元.
_NUMBER = r"(?:\d+(?:[.,]\d+)*|[一二三四五六七八九十百千万萬两兩]+)"
_FIGURES = {
    # A day (9月15日, 6月12~15日), or a month as reports date what they did (今年5月开通,
    # 5月下旬, 2023年5月); "3个月" is a span, not a date.
    "date": re.compile(
        r"(?:\d{4}年)?\d{1,2}月\d{1,2}(?:[日号](?:[-—~～至到]\d{1,2}[日号]?)?|[-—~～至到]\d{1,2}[日号])"
        r"|(?:\d{4}|[今去当同本次]|20xx)年\d{1,2}月(?:[上中下]旬|初|底|份)?"
        r"|(?<![\d个])\d{1,2}月(?:[上中下]旬|初|底|份)"
    ),
    "money": re.compile(rf"{_NUMBER}(?:多|余|餘)?(?:万|萬|亿|億)?元"),
    "people": re.compile(rf"{_NUMBER}(?:多|余|餘)?(?:人次|人|名)"),
}


def _pattern(parsed: Question) -> re.Pattern[str] | None:
    if parsed.figure in _FIGURES:
        return _FIGURES[parsed.figure]
    if parsed.figure == "count":
        unit = _either_script(parsed.unit) if parsed.unit else r"[\u4e00-\u9fff]"
        return re.compile(rf"{_NUMBER}(?:多|余|餘)?{unit}")
    return None


@lru_cache(maxsize=64)
def _either_script(unit: str) -> str:
    """A Simplified unit as a pattern that also matches its Traditional form (场 → 場)."""
    traditional = opencc.OpenCC("s2t").convert(unit)
    parts = [a if a == b else f"[{a}{b}]" for a, b in zip(unit, traditional, strict=False)]
    return "".join(parts) if len(traditional) == len(unit) else re.escape(unit)


# Measure words that count anything (十二个乡镇, 三次, 五项): a figure in one is in most
# passages, and says nothing of what was counted.
GENERIC_COUNTERS = frozenset("个次项件种批条位名")


def counts_in_own_unit(parsed: Question) -> bool:
    """Whether the question asks a count in a unit that says what is counted (多少套住房,
    几场讲座): a passage giving a number in that unit likely gives the answer. Dates, sums
    and numbers of people are in nearly every passage, and say as little."""
    return parsed.figure == "count" and bool(parsed.unit) and parsed.unit not in GENERIC_COUNTERS


def figures(sentence: str, parsed: Question) -> list[str]:
    pattern = _pattern(parsed)
    if pattern is None:
        return []
    found = list(pattern.finditer(sentence))
    if parsed.measure:
        # A number in no asked unit is the amount the question asks only where its clause
        # names that amount before it (网站访问量全年达12万人次, not 三个网站，访问量…).
        simplified = in_script(sentence, "simplified")
        found = [m for m in found if parsed.measure in _clause_before(simplified, m.start())]
    return [m.group() for m in found]


def _clause_before(sentence: str, at: int) -> str:
    """The part of `at`'s clause before it."""
    return re.split(r"[，,；;。：:]", sentence[:at])[-1]


def in_asked_unit(sentence: str, parsed: Question) -> bool:
    """Whether a figure of the asked kind is in the very unit asked (600余人次 for 多少人次,
    not 1081名): the kind alone also takes the other units of people."""
    if not parsed.unit:
        return figure_in(sentence, parsed)
    unit = re.compile(_either_script(parsed.unit) + "$")
    return any(unit.search(found) for found in figures(sentence, parsed))


def figure_in(sentence: str, parsed: Question) -> bool:
    return bool(figures(sentence, parsed))


def first_figure(sentence: str, parsed: Question) -> str:
    found = figures(sentence, parsed)
    return found[0] if found else ""
