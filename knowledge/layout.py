"""Recognised text boxes of a page put back into paragraphs, in reading order.

A scanned page is tilted a little, may have two columns, and wraps every paragraph into
lines; the boxes an OCR engine returns know none of that. This module straightens the
boxes, orders them by column and line, and joins wrapped lines the way the PDF text layer
is joined (`knowledge.office.continues`).
"""

from __future__ import annotations

import itertools
import math
import statistics
from dataclasses import dataclass

from knowledge.office import continues

Point = tuple[float, float]


@dataclass(frozen=True)
class Box:
    """One recognised run of text and its four corners (clockwise from top left)."""

    text: str
    corners: tuple[Point, Point, Point, Point]


@dataclass(frozen=True)
class _Span:
    """A box or a line, upright: left, top, right, bottom after straightening the page."""

    text: str
    left: float
    top: float
    right: float
    bottom: float

    @property
    def height(self) -> float:
        return self.bottom - self.top


def arrange(boxes: list[Box]) -> list[str]:
    """Paragraphs of one page: columns left before right, lines top to bottom, wraps joined."""
    spans = _upright([box for box in boxes if box.text.strip()])
    if not spans:
        return []
    paragraphs: list[str] = []
    for column in _columns(spans):
        paragraphs += _paragraphs(_lines(column))
    return paragraphs


def skew(boxes: list[Box]) -> float:
    """The page's tilt in radians: the median slope of the long boxes' top edges."""
    slopes = []
    for box in boxes:
        (x0, y0), (x1, y1) = box.corners[0], box.corners[1]
        height = math.dist(box.corners[0], box.corners[3])
        if x1 - x0 > 3 * max(height, 1.0):  # short boxes' corners say little about the slope
            slopes.append(math.atan2(y1 - y0, x1 - x0))
    return statistics.median(slopes) if slopes else 0.0


def _upright(boxes: list[Box]) -> list[_Span]:
    angle = skew(boxes)
    cos, sin = math.cos(angle), math.sin(angle)
    spans = []
    for box in boxes:
        # Rotate by -angle, so the page's lines run level.
        xs = [x * cos + y * sin for x, y in box.corners]
        ys = [y * cos - x * sin for x, y in box.corners]
        spans.append(_Span(box.text.strip(), min(xs), min(ys), max(xs), max(ys)))
    return spans


def _columns(spans: list[_Span]) -> list[list[_Span]]:
    """Bands of the page top to bottom, each band's left column before its right.

    The gutter is the vertical strip near the middle that the fewest boxes cross; boxes
    crossing it (a title over both columns) cut the page into bands.
    """
    left = min(s.left for s in spans)
    right = max(s.right for s in spans)
    size = statistics.median(s.height for s in spans)
    gutter = _gutter(spans, left, right, size)
    if gutter is None:
        return [spans]
    bands: list[list[_Span]] = []
    current: list[_Span] = []
    for span in sorted(spans, key=lambda s: s.top):
        if span.left < gutter < span.right:  # spans both columns: a band of its own
            bands += [*_split_band(current, gutter), [span]]
            current = []
        else:
            current.append(span)
    return [band for band in bands + _split_band(current, gutter) if band]


def _split_band(spans: list[_Span], gutter: float) -> list[list[_Span]]:
    return [[s for s in spans if s.right <= gutter], [s for s in spans if s.left >= gutter]]


def _gutter(spans: list[_Span], left: float, right: float, size: float) -> float | None:
    width = right - left
    best: tuple[int, float] | None = None
    step = max(size / 4, 1.0)
    x = left + 0.3 * width
    while x <= left + 0.7 * width:
        crossing = sum(s.left < x < s.right for s in spans)
        if best is None or crossing < best[0]:
            best = (crossing, x)
        x += step
    if best is None:
        return None
    crossing, x = best
    # Two columns need text on both sides, a gap a character wide, and few crossings.
    on_left = [s for s in spans if s.right <= x]
    on_right = [s for s in spans if s.left >= x]
    gap = min((s.left for s in on_right), default=x) - max((s.right for s in on_left), default=x)
    if len(on_left) < 3 or len(on_right) < 3 or gap < size or crossing > max(2, len(spans) // 10):
        return None
    return x


def _lines(spans: list[_Span]) -> list[_Span]:
    """Boxes of one column merged into lines: a box joins a line it overlaps by half its height."""
    lines: list[list[_Span]] = []
    for span in sorted(spans, key=lambda s: (s.top + s.bottom) / 2):
        line = lines[-1] if lines else None
        if line is not None:
            top, bottom = min(s.top for s in line), max(s.bottom for s in line)
            overlap = min(bottom, span.bottom) - max(top, span.top)
            if overlap >= 0.5 * min(span.height, bottom - top):
                line.append(span)
                continue
        lines.append([span])
    return [_joined(sorted(line, key=lambda s: s.left)) for line in lines]


def _joined(line: list[_Span]) -> _Span:
    text = line[0].text
    for before, span in itertools.pairwise(line):
        # Latin words keep a space between them; Chinese text has none.
        spaced = text[-1].isascii() and span.text[0].isascii() and span.left - before.right > 2
        text += (" " if spaced else "") + span.text
    return _Span(
        text,
        line[0].left,
        min(s.top for s in line),
        line[-1].right,
        max(s.bottom for s in line),
    )


def _paragraphs(lines: list[_Span]) -> list[str]:
    """Wrapped lines joined: a line reaching the column's right edge without a sentence end
    goes on in the next, unless that one is indented or numbered (一、 （二）)."""
    if not lines:
        return []
    size = statistics.median(line.height for line in lines)
    margin = min(line.left for line in lines)
    edge = sorted(line.right for line in lines)[int(0.9 * (len(lines) - 1))]
    paragraphs = [lines[0].text]
    for before, line in itertools.pairwise(lines):
        full = before.right >= edge - 1.5 * size
        indented = line.left > margin + size
        if not indented and continues(before.text, line.text, full):
            paragraphs[-1] += line.text
        else:
            paragraphs.append(line.text)
    return paragraphs
