"""Main text of an HTML page: no scripts, styles, navigation, breadcrumbs or footers."""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag

from knowledge.encoding import BOMS, decode_text
from knowledge.models import Paragraph
from knowledge.table import spanned_grid, table_paragraphs
from knowledge.unreadable import split_lines

log = logging.getLogger(__name__)

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", re.IGNORECASE)
# fmt: off
_JUNK_TAGS = {"script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe"}
_JUNK_TOKENS = {"nav", "navbar", "menu", "breadcrumb", "breadcrumbs", "footer", "sidebar",
                "header", "comment", "comments", "share", "recommend", "related", "ad", "ads"}
_BLOCK_TAGS = {"address", "article", "aside", "blockquote", "caption", "dd", "details", "div",
               "dl", "dt", "figcaption", "figure", "footer", "header", "hr", "li", "main", "ol",
               "p", "pre", "section", "summary", "table", "ul"}
# fmt: on
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_FLAT_BREAK = re.compile(r"<(?:br|p|div|li|h[1-6]|tr|section|article)\b[^>]*>", re.IGNORECASE)


def read_html(path: Path) -> list[Paragraph]:
    markup = _decode_html(path.read_bytes())
    try:
        # None or empty from the class filter: retry trusting the tag names alone.
        return (
            _html_paragraphs(markup, by_class=True)
            or _html_paragraphs(markup, by_class=False)
            or []
        )
    except RecursionError:
        log.debug("%s nests too deeply for the tree walk; reading it flat", path)
        flat = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", "", markup)
        flat = re.sub(r"<[^>]*>", "", _FLAT_BREAK.sub("\n", flat))
        return split_lines(re.sub(r"[ \t\f\v]+", " ", html.unescape(flat)))


def _decode_html(data: bytes) -> str:
    declared = _META_CHARSET.search(data[:4096])
    if declared and not any(data.startswith(bom) for bom, _ in BOMS):
        name = declared[1].decode("ascii").lower()
        # Pages labelled gb2312 routinely contain GBK-only characters.
        name = "gb18030" if name in ("gb2312", "gbk", "x-gbk") else name
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data)


def _html_paragraphs(markup: str, by_class: bool) -> list[Paragraph] | None:
    soup = BeautifulSoup(markup, "lxml")
    root: Tag = soup.body or soup
    for name in ("article", "main"):
        # The longest, since teaser lists in sidebars are <article>s too.
        if found := soup.find_all(name, limit=20):
            root = max(found, key=lambda element: len(element.get_text()))
            break
    # Inside an article the header holds the article's own title, not site chrome.
    spared = {"header"} if root.name in ("article", "main") else set()
    for element in root.find_all(True):
        if element.name in _JUNK_TAGS - spared:  # decomposed elements have name ""
            element.decompose()
    if by_class:
        size = len(root.get_text())
        for element in root.find_all(True):
            if element.name and _class_tokens(element) & (_JUNK_TOKENS - spared):
                element.decompose()
        if len(root.get_text()) * 10 < size:
            return None  # a junk-looking class on a wrapper of the whole page
    return _walk_blocks(root)


def _class_tokens(element: Tag) -> set[str]:
    names = " ".join([*element.get_attribute_list("class"), str(element.get("id", ""))])
    return set(re.split(r"[-_\s]+", names.lower()))


def _walk_blocks(root: Tag) -> list[Paragraph]:
    # An explicit stack instead of recursion: pages can nest tens of thousands of tags deep.
    paragraphs: list[Paragraph] = []
    pending: list[str] = []
    heading: int | None = None

    def flush() -> None:
        text = re.sub(r"\s+", " ", "".join(pending)).strip()
        if text:
            paragraphs.append(Paragraph(text, heading))
        pending.clear()

    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if type(node) is NavigableString:  # subclasses are comments, doctypes, CDATA
            pending.append(str(node))
        if not isinstance(node, Tag):
            continue
        if leaving or node.name in ("br", "table"):
            flush()
            heading = None if leaving and node.name in _HEADINGS else heading
        if node.name == "table":
            paragraphs.extend(_table_paragraphs(node))
        elif not leaving and node.name in _BLOCK_TAGS | _HEADINGS.keys():
            flush()
            heading = _HEADINGS.get(node.name, heading)
            stack.append((node, True))
        if not leaving and node.name not in ("br", "table"):
            stack.extend((child, False) for child in reversed(node.contents))
    flush()
    return paragraphs


def _table_paragraphs(table: Tag) -> list[Paragraph]:
    rows = [row for row in table.find_all("tr") if row.find_parent("table") is table]
    cells = [
        [
            (cell.get_text(), _span(cell, "colspan"), _span(cell, "rowspan"))
            for cell in row.find_all(["td", "th"], recursive=False)
        ]
        for row in rows
    ]
    caption = table.find("caption", recursive=False)
    title = collapse_spaces(caption.get_text()) if caption is not None else None
    return table_paragraphs(spanned_grid(cells), title or None)


def _span(cell: Tag, attribute: str) -> int:
    value = str(cell.get(attribute) or "1").strip()
    # isascii: "²".isdigit() holds but int("²") raises; [:4]: int("9" * 5000) raises too.
    return int(value[:4]) if value.isascii() and value.isdigit() else 1


def collapse_spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
