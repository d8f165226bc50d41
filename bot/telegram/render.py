"""Telegram HTML for answers and passages, split into messages no tag ever crosses.

Long text is first cut into plain-text blocks at paragraph or sentence boundaries; each
block is escaped and formatted on its own, and blocks are then packed into messages. So a
split can only fall between blocks, never inside a tag.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from bot.core import Answer, Citation, Quote
from bot.core.citation import year_text
from bot.core.wording import (
    FILE,
    MORE_PASSAGES,
    PLACE,
    SOURCES,
    WHERE,
    WRITTEN_NOTE,
    YEAR,
    localize,
)

# Telegram allows 4,096 characters after entity parsing; it counts UTF-16 code units, so an
# emoji counts twice. The margin leaves room for the joining newlines.
MESSAGE_LIMIT = 4096
PART_BUDGET = 3800
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;…])")


@dataclass(frozen=True)
class Block:
    html: str
    size: int  # visible length in UTF-16 code units


def visible_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def block(plain: str, tag: str | None = None, attributes: str = "") -> Block:
    """One escaped piece of text, optionally wrapped in one tag."""
    body = escape(plain, quote=False)
    if tag:
        body = f"<{tag}{attributes}>{body}</{tag}>"
    return Block(body, visible_length(plain))


def blocks(plain: str, tag: str | None = None, attributes: str = "") -> list[Block]:
    """Like `block`, but text over the budget becomes several blocks, each in its own tag."""
    return [block(piece, tag, attributes) for piece in split_plain(plain)]


def split_plain(text: str, budget: int = PART_BUDGET) -> list[str]:
    """Cut text into pieces within budget: at paragraphs, then sentences, then anywhere."""
    if visible_length(text) <= budget:
        return [text]
    pieces: list[str] = []
    for unit in _units(text, budget):
        if pieces and visible_length(pieces[-1] + unit) <= budget:
            pieces[-1] += unit
        else:
            pieces.append(unit)
    return [piece.strip("\n") for piece in pieces if piece.strip()]


def _units(text: str, budget: int) -> Iterable[str]:
    for paragraph in text.splitlines(keepends=True):
        if visible_length(paragraph) <= budget:
            yield paragraph
            continue
        for sentence in _SENTENCE_END.split(paragraph):
            cut = max(1, budget // 2)
            while visible_length(sentence) > budget:  # no boundary at all: cut hard
                yield sentence[:cut]
                sentence = sentence[cut:]
            yield sentence


def pack(blocks: Iterable[Block], budget: int = PART_BUDGET) -> list[str]:
    """Join blocks with newlines into as few messages as fit the budget."""
    parts: list[list[Block]] = []
    for item in blocks:
        if parts and sum(b.size + 1 for b in parts[-1]) + item.size <= budget:
            parts[-1].append(item)
        else:
            parts.append([item])
    return ["\n".join(b.html for b in part) for part in parts]


def render_answer(answer: Answer) -> list[str]:
    """The answer with [n] markers, then the numbered sources."""
    parts = blocks(answer.lead, "b")
    written = answer.shown_written
    if written is not None:  # the writer's checked sentences in place of the quotes
        parts += [b for paragraph in written.paragraphs() for b in blocks(paragraph)]
        parts += blocks(localize(WRITTEN_NOTE, answer.script), "i")
    for kind, item in answer.lines() if written is None else ():
        if isinstance(item, Quote):
            parts += _quote_blocks(item)
        elif kind == "report":
            parts += blocks(f"【{item}】", "b")
        else:
            parts += blocks(item, "i")
    parts += [b for text in answer.suggestions for b in blocks(text)]
    if answer.citations:
        parts.append(block(localize(SOURCES, answer.script), "b"))
        for citation in answer.citations:
            parts += blocks(citation.source_line(answer.script), "i")
    return pack(parts)


def _quote_blocks(quote: Quote) -> list[Block]:
    """• quote[n], the asked figure in bold; a quote too long for one message is split
    like any text, unformatted."""
    plain = f"• {quote.text}[{quote.n}]"
    if not quote.figure or quote.figure not in quote.text or visible_length(plain) > PART_BUDGET:
        return blocks(plain)
    before, _, after = plain.partition(quote.figure)
    html = f"{escape(before, quote=False)}<b>{escape(quote.figure, quote=False)}</b>"
    return [Block(html + escape(after, quote=False), visible_length(plain))]


def render_passage(citation: Citation, script: str) -> list[str]:
    """One cited passage in full, in expandable quotes, with where it comes from."""
    header = blocks(f"[{citation.n}] {citation.title}", "b")
    details = [
        (WHERE, " › ".join(citation.heading_path) or "—"),
        (PLACE, localize("、".join(citation.place), script) or "—"),
        (YEAR, year_text(citation.year) or "—"),
        (FILE, citation.source),
    ]
    header += [b for label, value in details for b in blocks(localize(label, script) + value)]
    # The quote shares the first message with a short header; a huge header stands alone.
    header_size = sum(b.size + 1 for b in header)
    budget = PART_BUDGET - header_size if header_size <= PART_BUDGET // 2 else PART_BUDGET
    quotes = [
        block(piece, "blockquote", " expandable") for piece in split_plain(citation.text, budget)
    ]
    return pack(header + quotes)


def render_more(citations: list[Citation], script: str, excerpt_chars: int = 120) -> list[str]:
    """Further results: label and the start of each passage."""
    parts = [block(localize(MORE_PASSAGES, script), "b")]
    for citation in citations:
        excerpt = " ".join(citation.text.split())
        if len(excerpt) > excerpt_chars:
            excerpt = excerpt[:excerpt_chars] + "…"
        parts += blocks(f"[{citation.n}] {citation.label}", "i")
        parts.append(block(excerpt))
    return pack(parts)


def render_lines(title: str, lines: Iterable[str]) -> list[str]:
    """A bold title and plain lines: the shape of /docs, /stats and reload reports."""
    parts = blocks(title, "b")
    parts += [b for line in lines for b in blocks(line)]
    return pack(parts)
