"""Heading-aware chunking along 公文 numbering (一、 （一） 1、 （1） ①) and format headings."""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass

from knowledge.models import Chunk, Paragraph

# Style name → pattern of a paragraph that opens a section in that numbering style.
_HEADING_STYLES = (
    ("chapter", re.compile(r"^第[一二三四五六七八九十百\d]+[章节部分篇]")),
    ("chinese", re.compile(r"^[一二三四五六七八九十百]{1,3}(?:、|[．.](?!\d))")),
    ("paren_chinese", re.compile(r"^[（(][一二三四五六七八九十]{1,3}[）)]")),
    ("arabic", re.compile(r"^\d{1,2}(?:[、．]|\.(?!\d))")),
    ("paren_arabic", re.compile(r"^[（(]\d{1,2}[）)]")),
    ("circled", re.compile(r"^[①-⑳]")),
)
_SENTENCE = re.compile(r"[^。！？；!?;]*(?:[。！？；!?;]+[”’」』）)\"']*|$)")
_CLAUSE = re.compile(r"[^，、：,:]*(?:[，、：,:]+|$)")
_TITLE_END = re.compile(r"[。：:；;！？]")
_TITLE_MAX = 40
_BARE_HEADING_MAX = 16
_PUNCTUATION = re.compile(r"[。，、；：！？,.;:!?（）()“”\"]")
# A sentence that opens by pointing back (但…, 此外…, 将此反应…, 该剧…) reads only with the
# sentence before it.
_POINTS_BACK = re.compile(
    r"(?:但|然而|不过|因此|因而|所以|于是|此外|另外|同时|并且|而且|[将把对从与由在]?(?:此|该|这|上述))"
)
BARE = "bare"
_TOP_STYLES = ("chapter", "chinese", BARE)
PREAMBLE = "前言"


@dataclass(frozen=True)
class _Atom:
    """A span that must not be broken: a sentence, or a heading glued to its first sentence."""

    start: int
    end: int
    path: tuple[str, ...]
    opens_section: bool
    top_section: bool = False  # opens a 一、二、三 section, a chapter or an unnumbered part


def is_bare_heading(line: str, next_line: str | None) -> bool:
    """An unnumbered heading in plain text: a short line with no punctuation that a numbered
    list follows ("下半年工作重点" over "1、…")."""
    text = line.strip()
    return (
        0 < len(text) <= _BARE_HEADING_MAX
        and not _PUNCTUATION.search(text)
        and next_line is not None
        and heading_style(Paragraph(next_line.strip())) is not None
    )


def heading_style(paragraph: Paragraph) -> str | None:
    """The numbering style that makes this paragraph a heading, or None for body text."""
    if paragraph.row:  # a table row whose first cell happens to read "一、…"
        return None
    if paragraph.level is not None:
        return f"level{paragraph.level}"
    for name, pattern in _HEADING_STYLES:
        if pattern.match(paragraph.text):
            # A numbered sentence running past a heading's length ("④继续做好…已连续刊登…")
            # is an item of body text, not the title of what follows.
            end = _TITLE_END.search(paragraph.text)
            if (end.start() if end else len(paragraph.text)) > _TITLE_MAX:
                return None
            return name
    return None


def heading_title(text: str) -> str:
    """The heading part of a paragraph that may run on into body text."""
    match = _TITLE_END.search(text)
    title = text[: match.start()] if match else text
    return title if len(title) <= _TITLE_MAX else title[: _TITLE_MAX - 1] + "…"


def chunk_paragraphs(paragraphs: list[Paragraph], min_chars: int, max_chars: int) -> list[Chunk]:
    """Chunks over the text "\\n".join(paragraphs), each within max_chars when sentences allow."""
    atoms = _atoms(paragraphs, max_chars)
    text = "\n".join(p.text for p in paragraphs)
    groups: list[list[_Atom]] = []
    for atom in atoms:
        current = groups[-1] if groups else None
        if current is None:
            groups.append([atom])
            continue
        size = current[-1].end - current[0].start
        # A top-level section (一、二、三) starts a chunk of its own however short the one
        # before it, so a short file's sections are cited by their headings, not as "前言";
        # only a preamble shorter than the minimum (the title alone) runs on into it.
        top_level = _is_top_section(atom, current[-1])
        if atom.opens_section and (size >= min_chars or top_level):
            groups.append([atom])
        elif atom.end - current[0].start > max_chars:
            last = current[-1]
            if (
                _POINTS_BACK.match(text, atom.start)
                and not atom.opens_section
                and len(current) > 1
                and not last.opens_section
                and last.start - current[0].start >= min_chars
                and atom.end - last.start <= max_chars
                and "\n" not in text[last.start : atom.start]
            ):
                # The sentence it points back to moves with it rather than being cut off.
                groups.append([current.pop(), atom])
            else:
                groups.append([atom])
        else:
            current.append(atom)
    # A short tail joins the chunk before it when the budget allows (not a section of its
    # own after another section: that keeps its heading).
    tail_is_section = len(groups) > 1 and _is_top_section(groups[-1][0], groups[-2][-1])
    if (
        len(groups) > 1
        and not tail_is_section
        and groups[-1][-1].end - groups[-1][0].start < min_chars
        and groups[-1][-1].end - groups[-2][0].start <= max_chars
    ):
        groups[-2].extend(groups.pop())
    has_headings = any(atom.path for atom in atoms)
    starts = list(itertools.accumulate((len(p.text) + 1 for p in paragraphs), initial=0))
    return [
        Chunk(
            index=i,
            text=text[group[0].start : group[-1].end],
            start=group[0].start,
            end=group[-1].end,
            heading_path=_group_path(group, has_headings),
            # A chunk spanning scanned pages is cited by the page it starts on.
            scan_page=paragraphs[bisect.bisect_right(starts, group[0].start) - 1].scan_page,
        )
        for i, group in enumerate(groups)
    ]


def _is_top_section(atom: _Atom, before: _Atom) -> bool:
    """Whether `atom` opens a top-level 一、二、三 section right after another section's text
    (a run of 1、2、3 items stays together as before)."""
    return atom.top_section and len(atom.path) == 1 and bool(before.path)


def _atoms(paragraphs: list[Paragraph], max_chars: int) -> list[_Atom]:
    atoms: list[_Atom] = []
    stack: list[tuple[str, str]] = []
    offset = 0
    glue_to_next: _Atom | None = None
    for n, paragraph in enumerate(paragraphs):
        style = heading_style(paragraph)
        following = paragraphs[n + 1].text if n + 1 < len(paragraphs) else None
        if style is None and n > 0 and not paragraph.row:
            style = BARE if is_bare_heading(paragraph.text, following) else None
        if style is not None:
            _push_heading(stack, style, heading_title(paragraph.text))
        path = tuple(title for _, title in stack)
        if paragraph.row and len(paragraph.text) <= max_chars:
            # A table row is one unit: its "；" between cells are not sentence ends.
            spans = [(offset, offset + len(paragraph.text))]
        else:
            spans = _sentence_spans(paragraph.text, offset, max_chars)
        for i, (start, end) in enumerate(spans):
            top = style in _TOP_STYLES and i == 0
            atom = _Atom(start, end, path, style is not None and i == 0, top)
            if glue_to_next is not None:
                heading_only = style is not None and len(spans) == 1
                # A bare heading joins what follows: its body, or a run of its own subheadings
                # (a list of 1、2、3、 items), but never a sibling or a new chapter.
                nested = path[: len(glue_to_next.path)] == glue_to_next.path
                if end - glue_to_next.start <= max_chars and (not heading_only or nested):
                    merged = glue_to_next.path if heading_only else path
                    atom = _Atom(glue_to_next.start, end, merged, True, glue_to_next.top_section)
                else:
                    atoms.append(glue_to_next)
                glue_to_next = None
            atoms.append(atom)
        # A heading line on its own is glued to the first sentence that follows it.
        if style is not None and len(spans) == 1 and atoms:
            glue_to_next = atoms.pop()
        offset += len(paragraph.text) + 1
    if glue_to_next is not None:
        atoms.append(glue_to_next)
    return atoms


def _push_heading(stack: list[tuple[str, str]], style: str, title: str) -> None:
    if style == BARE:  # no numbering to place it by: it starts a part of the report
        stack.clear()
    styles = [s for s, _ in stack]
    if style in styles:
        del stack[styles.index(style) :]
    elif style.startswith("level"):
        level = int(style[5:])
        while stack and stack[-1][0].startswith("level") and int(stack[-1][0][5:]) >= level:
            stack.pop()
    stack.append((style, title))


def _sentence_spans(text: str, offset: int, max_chars: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for match in _SENTENCE.finditer(text):
        if match.end() > match.start():
            spans.extend(_bounded(text, match.start(), match.end(), max_chars, offset))
    return spans


def _bounded(text: str, start: int, end: int, max_chars: int, offset: int) -> list[tuple[int, int]]:
    # Only a sentence longer than the budget is cut, first at clauses, then anywhere.
    if end - start <= max_chars:
        return [(offset + start, offset + end)]
    pieces: list[tuple[int, int]] = []
    piece_start = start
    for match in _CLAUSE.finditer(text, start, end):
        clause_end = match.end()
        if clause_end - piece_start > max_chars and match.start() > piece_start:
            pieces.append((piece_start, match.start()))
            piece_start = match.start()
        while clause_end - piece_start > max_chars:
            pieces.append((piece_start, piece_start + max_chars))
            piece_start += max_chars
    if piece_start < end:
        pieces.append((piece_start, end))
    return [(offset + s, offset + e) for s, e in pieces if e > s]


def _group_path(group: list[_Atom], has_headings: bool) -> tuple[str, ...]:
    # Sections merged under one parent share its path; otherwise the chunk is named by where
    # it starts.
    # A title line before the first section is a label, not a 前言 of its own.
    paths = [atom.path for atom in group if atom.path] or [atom.path for atom in group]
    common = _common_prefix(paths) or paths[0]
    return common or ((PREAMBLE,) if has_headings else ())


def _common_prefix(paths: list[tuple[str, ...]]) -> tuple[str, ...]:
    common: list[str] = []
    for parts in zip(*paths, strict=False):
        if any(part != parts[0] for part in parts):
            break
        common.append(parts[0])
    return tuple(common)
