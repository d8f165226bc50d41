"""Split a cleaned collection file into its reports (…篇1 … 篇2 …)."""

from __future__ import annotations

import re

from knowledge.chunk import heading_style
from knowledge.models import Paragraph, Report

_NUMERALS = "一二三四五六七八九十"
_NUMBER = rf"\d{{1,3}}|[{_NUMERALS}]{{1,3}}"
# "縣科協科普工作總結篇3", "【篇三】", "第2篇", "工作总结 第二篇"
_MARKER = re.compile(
    rf"^[【\[]?(?P<title>[^。！？，]{{0,40}}?)[\s:：_—-]*"
    rf"(?:篇\s*(?P<after>{_NUMBER})|第\s*(?P<before>{_NUMBER})\s*篇)[】\]]?$"
)
_TITLE_LIKE_MAX = 40


def split_reports(paragraphs: list[Paragraph], file_title: str) -> list[Report]:
    """One Report per 篇N marker, or the whole file as one Report when there are no markers.

    Markers only count when they number reports 1, 2, 3… in order, so a body line that
    happens to end in 篇 does not split a report.
    """
    markers = _marker_positions(paragraphs)
    if not markers:
        title = _single_title(paragraphs, file_title)
        return (
            [Report(title=title, number=None, paragraphs=tuple(paragraphs))] if paragraphs else []
        )
    collection = _collection_title(paragraphs, markers, file_title)
    preamble = [p for p in paragraphs[: markers[0][0]] if not _is_title_like(p.text)]
    reports = []
    for i, (start, number) in enumerate(markers):
        end = markers[i + 1][0] if i + 1 < len(markers) else len(paragraphs)
        body = list(paragraphs[start + 1 : end])
        if i == 0:
            body = preamble + body
        if body:
            reports.append(Report(f"{collection} 篇{number}", number, tuple(body)))
    return reports


def parse_number(text: str) -> int:
    """Arabic or Chinese numerals up to 999 (一, 十二, 二十三)."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return _NUMERALS.index(text) + 1
    tens, _, units = text.partition("十")
    return (_NUMERALS.index(tens) + 1 if tens else 1) * 10 + (
        _NUMERALS.index(units) + 1 if units else 0
    )


def _marker_positions(paragraphs: list[Paragraph]) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    for index, paragraph in enumerate(paragraphs):
        match = _MARKER.match(paragraph.text)
        if not match:
            continue
        number = parse_number(match.group("after") or match.group("before"))
        if number == len(found) + 1:
            found.append((index, number))
    return found if len(found) >= 2 else []


def _collection_title(
    paragraphs: list[Paragraph], markers: list[tuple[int, int]], file_title: str
) -> str:
    for index, _ in markers:
        match = _MARKER.match(paragraphs[index].text)
        if match and match.group("title").strip():
            return match.group("title").strip()
    return re.sub(r"\d+篇$", "", file_title) or file_title


def _single_title(paragraphs: list[Paragraph], file_title: str) -> str:
    first = paragraphs[0] if paragraphs else None
    if first is not None and (
        first.level == 1
        or (first.level is None and heading_style(first) is None and _is_title_like(first.text))
    ):
        return first.text
    return file_title


def _is_title_like(text: str) -> bool:
    return len(text) <= _TITLE_LIKE_MAX and not re.search(r"[。！？；]", text)
