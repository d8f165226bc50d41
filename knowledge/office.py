"""Word (.docx) and PDF readers, bounded against zip bombs and huge page counts."""

from __future__ import annotations

import itertools
import logging
import re
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph as DocxParagraph
from pypdf import PageObject, PdfReader

from knowledge.models import Paragraph
from knowledge.table import table_paragraphs
from knowledge.unreadable import (
    CORRUPT,
    MAX_PDF_PAGES,
    MAX_UNZIPPED_BYTES,
    MAX_ZIP_RATIO,
    PDF_ENCRYPTED,
    PDF_NO_TEXT,
    SCAN_NO_TEXT,
    ZIP_BOMB,
    UnreadableFile,
    split_lines,
)

log = logging.getLogger(__name__)

_HEADING_STYLE = re.compile(r"(?:heading|标题)\s*([1-9])", re.IGNORECASE)
_BODY_BLOCKS = "./w:p | ./w:tbl | ./w:sdt/w:sdtContent/w:p | ./w:sdt/w:sdtContent/w:tbl"


def read_docx(path: Path) -> list[Paragraph]:
    refuse_zip_bomb(path)
    document = docx.Document(str(path))
    body = document.element.body
    paragraphs: list[Paragraph] = []
    # xpath rather than iter_inner_content(): that skips content controls (w:sdt),
    # which some templates wrap the whole body in.
    for element in body.xpath(_BODY_BLOCKS):
        if element.tag.endswith("}tbl"):
            paragraphs.extend(_table_rows(Table(element, document._body)))
            continue
        paragraph = DocxParagraph(element, document._body)
        paragraphs.extend(split_lines(paragraph.text, _docx_level(paragraph)))
    return paragraphs


def refuse_zip_bomb(path: Path) -> None:
    if not zipfile.is_zipfile(path):  # a renamed .doc is the readers' to route, not ours
        raise UnreadableFile(CORRUPT)
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
    if sum(member.file_size for member in members) > MAX_UNZIPPED_BYTES or any(
        # Tiny repetitive XML parts compress well and are harmless; big ones are not.
        member.file_size > 1_000_000
        and member.file_size > MAX_ZIP_RATIO * max(member.compress_size, 1)
        for member in members
    ):
        raise UnreadableFile(ZIP_BOMB)


def _docx_level(paragraph: DocxParagraph) -> int | None:
    name = (paragraph.style.name if paragraph.style is not None else None) or ""
    if name.lower() == "title":
        return 1
    match = _HEADING_STYLE.fullmatch(name.strip())
    return int(match[1]) if match else None


def _table_rows(table: Table) -> list[Paragraph]:
    grid = []
    for row in table.rows:
        cells, previous = [], None
        for cell in row.cells:
            # python-docx repeats a merged cell once per grid column it spans.
            cells.append(cell.text if cell._tc is not previous else "")
            previous = cell._tc
        grid.append(cells)
    return table_paragraphs(grid)


# --- pdf --------------------------------------------------------------------------------------

_PAGE_NUMBER = re.compile(r"[-–—\s]*\d{1,4}[-–—\s]*|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?")
_SENTENCE_END = tuple("。！？；：!?;:")
_CLOSING = "”’」』）)\"'"
_NUMBERED = re.compile(
    r"[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d+[、.．](?!\d)|[（(]\d+[）)]|[①-⑳]"
    r"|第[一二三四五六七八九十百\d]+[章节部分条]"
)


def read_pdf(
    path: Path, scan: Callable[[Path, list[int]], dict[int, list[Paragraph]]] | None = None
) -> list[Paragraph]:
    """The text layer's paragraphs; pages without one are recognised by `scan(path, page
    indexes)` (None: OCR is off), which returns each page's paragraphs by index."""
    reader = PdfReader(path)
    if reader.is_encrypted:
        try:
            opened = bool(reader.decrypt(""))
        except Exception:  # AES needs the optional cryptography package
            log.debug("cannot decrypt %s", path, exc_info=True)
            opened = False
        if not opened:
            raise UnreadableFile(PDF_ENCRYPTED)
    if len(reader.pages) > MAX_PDF_PAGES:
        raise UnreadableFile(f"PDF 超过 {MAX_PDF_PAGES} 页，请拆分后再导入。")
    pages = [_page_lines(_page_text(page, path)) for page in reader.pages]
    # A page without a text layer is a scan: recognised, when `scan` may, in its place.
    blank = [index for index, lines in enumerate(pages) if not _has_letters(lines)]
    scanned = scan(path, blank) if scan is not None and blank else {}
    paragraphs: list[Paragraph] = []
    run: list[str] = []  # text-layer lines of consecutive pages, joined across page breaks
    for index, lines in enumerate(pages):
        if index in scanned:
            paragraphs += [Paragraph(text) for text in join_wrapped(run)] + scanned[index]
            run = []
        else:
            run += lines
    paragraphs += [Paragraph(text) for text in join_wrapped(run)]
    if not _has_letters([paragraph.text for paragraph in paragraphs]):
        raise UnreadableFile(PDF_NO_TEXT if scan is None else SCAN_NO_TEXT)
    return paragraphs


def _page_lines(text: str) -> list[str]:
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not _PAGE_NUMBER.fullmatch(line)]


def _has_letters(lines: list[str]) -> bool:
    return any(char.isalpha() for line in lines for char in line)


def _page_text(page: PageObject, path: Path) -> str:
    try:
        return page.extract_text() or ""
    except Exception:  # one page with a broken font should not lose the whole report
        log.debug("cannot extract a page of %s", path, exc_info=True)
        return ""


def join_wrapped(lines: list[str]) -> list[str]:
    """Undo the text layer's line wrapping: a full line without a sentence end continues."""
    if not lines:
        return []
    widths = sorted(_width(line) for line in lines)
    full_width = widths[min(len(widths) - 1, int(len(widths) * 0.95))]
    joined = lines[:1]
    for before, line in itertools.pairwise(lines):
        if continues(before, line, _width(before) >= 0.8 * full_width):
            space = " " if joined[-1][-1].isascii() and line[0].isascii() else ""
            joined[-1] += space + line
        else:
            joined.append(line)
    return joined


def continues(line: str, next_line: str, full: bool) -> bool:
    """Whether `next_line` goes on with `line`'s paragraph: `line` fills its line without a
    sentence end, and `next_line` opens no numbered item (一、 （二） 3.)."""
    ends = line.rstrip(_CLOSING).endswith(_SENTENCE_END)
    return full and not ends and not _NUMBERED.match(next_line)


def _width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line)
