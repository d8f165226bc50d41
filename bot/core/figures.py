"""Figures in report sentences: the kind a question asks for (date, count with its unit,
money, people), found, and added up for a total."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.core.question import Question

HAS_FIGURE = re.compile(r"\d")
_NUMBER = r"(?:\d+(?:[.,]\d+)*|[一二三四五六七八九十百千万两]+)"
_FIGURES = {
    "date": re.compile(
        r"(?:\d{4}年)?\d{1,2}月\d{1,2}[日号](?:[-—至到]\d{1,2}[日号]?)?|\d{4}年\d{1,2}月"
    ),
    "money": re.compile(rf"{_NUMBER}(?:多|余)?(?:万|亿)?元"),
    "people": re.compile(rf"{_NUMBER}(?:多|余)?(?:人次|人|名)"),
}


def _pattern(parsed: Question) -> re.Pattern[str] | None:
    if parsed.figure in _FIGURES:
        return _FIGURES[parsed.figure]
    if parsed.figure == "count":
        unit = re.escape(parsed.unit) if parsed.unit else r"[\u4e00-\u9fff]"
        return re.compile(rf"{_NUMBER}(?:多|余)?{unit}")
    return None


def figures(sentence: str, parsed: Question) -> list[str]:
    pattern = _pattern(parsed)
    return [m.group() for m in pattern.finditer(sentence)] if pattern else []


def figure_in(sentence: str, parsed: Question) -> bool:
    return bool(figures(sentence, parsed))


def first_figure(sentence: str, parsed: Question) -> str:
    found = figures(sentence, parsed)
    return found[0] if found else ""


def total(values: Iterable[str]) -> str | None:
    """The sum of figures like 12场 and 30场, or None when one is not a plain number."""
    total = 0.0
    for figure in values:
        digits = re.match(r"\d+(?:\.\d+)?", figure.replace(",", ""))
        if digits is None:
            return None
        total += float(digits.group())
    return f"{total:g}"
