"""OFD (GB/T 33190, the national fixed-layout format) read from its XML parts.

An OFD is a zip: OFD.xml names each document's Document.xml, which lists its pages; each
page's Content.xml places TextObjects on the page. Text comes back in reading order, wrapped
lines joined as for PDF, and lines whose pieces stand in aligned columns as a table.
Page templates (running headers and footers) and annotations are not read.
"""

from __future__ import annotations

import posixpath
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from knowledge.models import Paragraph
from knowledge.office import join_wrapped, refuse_zip_bomb
from knowledge.sheet import MAX_COLUMNS
from knowledge.table import table_paragraphs
from knowledge.unreadable import MAX_PDF_PAGES, MAX_UNZIPPED_BYTES, ZIP_BOMB, UnreadableFile

OFD_NO_TEXT = "OFD 里没有文字（可能是扫描件），请提供可复制文字的 PDF 或 .docx。"
# Pieces of one line further apart than this many characters sit in different table cells.
_CELL_GAP = 2.0
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


@dataclass(frozen=True)
class _Piece:
    """A run of text on a page: where it starts, where it ends, how large its characters are."""

    x: float
    y: float
    end: float
    size: float
    text: str


def read_ofd(path: Path, notes: list[str]) -> list[Paragraph]:
    refuse_zip_bomb(path)
    with zipfile.ZipFile(path) as archive:
        names = {name.lower(): name for name in archive.namelist()}

        def parse(part: str) -> etree._Element:
            return etree.fromstring(archive.read(names[part.lower()]), _PARSER)

        pages = _page_parts(parse("OFD.xml"), parse)
        if len(pages) > MAX_PDF_PAGES:
            raise UnreadableFile(f"OFD 超过 {MAX_PDF_PAGES} 页，请拆分后再导入。")
        lines: list[list[_Piece]] = []
        missing = 0
        parsed = 0  # a page listed many times is parsed as often: its bytes count each time
        # A page listed twice is one page (a real OFD never repeats one): each is read once.
        for part in dict.fromkeys(pages):
            if part.lower() not in names:
                missing += 1
                continue
            parsed += archive.getinfo(names[part.lower()]).file_size
            if parsed > MAX_UNZIPPED_BYTES:
                raise UnreadableFile(ZIP_BOMB)
            lines.extend(_lines(_pieces(parse(part))))
    if missing:
        notes.append(f"有 {missing} 页的内容缺失，已跳过，其余内容已导入。")
    if not any(char.isalpha() for line in lines for piece in line for char in piece.text):
        raise UnreadableFile(OFD_NO_TEXT)
    return _paragraphs(lines)


def _page_parts(root: etree._Element, parse: Callable[[str], etree._Element]) -> list[str]:
    """Zip names of every page's Content.xml, document by document, in page order."""
    parts: list[str] = []
    for doc_root in root.iterfind("{*}DocBody/{*}DocRoot"):
        location = _resolve("", doc_root.text or "")
        document = parse(location)
        base = posixpath.dirname(location)
        parts.extend(
            _resolve(base, page.get("BaseLoc", ""))
            for page in document.iterfind("{*}Pages/{*}Page")
        )
    return parts


def _resolve(base: str, location: str) -> str:
    location = location.strip()
    if location.startswith("/"):
        return posixpath.normpath(location.lstrip("/"))
    return posixpath.normpath(posixpath.join(base, location))


def _pieces(page: etree._Element) -> list[_Piece]:
    pieces = []
    for text_object in page.iter("{*}TextObject"):
        boundary = _numbers(text_object.get("Boundary"))
        left, top = boundary[:2] if len(boundary) >= 2 else (0.0, 0.0)
        # CTM "a b c d e f" maps the object's own coordinates onto its boundary box.
        matrix = _numbers(text_object.get("CTM"))
        a, b, c, d, e, f = matrix if len(matrix) == 6 else (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        font_size = float(text_object.get("Size") or 0) or 1.0
        x, y = 0.0, 0.0
        for code in text_object.iterfind("{*}TextCode"):
            text = code.text or ""
            # A TextCode without X or Y goes on from where the one before it ended.
            x, y = float(code.get("X", x)), float(code.get("Y", y))
            advance = _advance(code.get("DeltaX"), text, font_size)
            page_x, page_y = left + a * x + c * y + e, top + b * x + d * y + f
            if text.strip():
                pieces.append(
                    _Piece(
                        page_x,
                        page_y,
                        page_x + advance * (abs(a) or 1.0),
                        font_size * (abs(d) or 1.0),
                        text.strip(),
                    )
                )
            x += advance
    return pieces


def _numbers(text: str | None) -> list[float]:
    try:
        return [float(token) for token in (text or "").split()]
    except ValueError:
        return []


def _advance(delta_x: str | None, text: str, size: float) -> float:
    """How far the text reaches: the glyph offsets in DeltaX ("g 3 4.2" is 4.2 three times),
    plus the last glyph."""
    deltas: list[float] = []
    tokens = (delta_x or "").split()
    while tokens and len(deltas) < len(text):
        token = tokens.pop(0)
        if token == "g" and len(tokens) >= 2:
            count, value = tokens.pop(0), tokens.pop(0)
            deltas.extend([float(value)] * min(int(float(count)), len(text)))
        else:
            deltas.append(float(token))
    deltas = deltas[: max(len(text) - 1, 0)]
    missing = text[len(deltas) :]
    return sum(deltas) + sum(
        size if unicodedata.east_asian_width(char) in "WF" else size / 2 for char in missing
    )


def _lines(pieces: list[_Piece]) -> list[list[_Piece]]:
    """Pieces grouped into lines top to bottom (baselines within half a character), each line
    left to right."""
    lines: list[list[_Piece]] = []
    for piece in sorted(pieces, key=lambda piece: (piece.y, piece.x)):
        if lines and piece.y - lines[-1][0].y <= 0.5 * min(piece.size, lines[-1][0].size):
            lines[-1].append(piece)
        else:
            lines.append([piece])
    return [sorted(line, key=lambda piece: piece.x) for line in lines]


def _cells(line: list[_Piece]) -> list[_Piece]:
    """A line's pieces merged where they touch; what stays apart is a cell of a table."""
    cells = [line[0]]
    for piece in line[1:]:
        last = cells[-1]
        if piece.x - last.end > _CELL_GAP * piece.size:
            cells.append(piece)
            continue
        space = " " if last.text[-1].isascii() and piece.text[0].isascii() else ""
        cells[-1] = _Piece(last.x, last.y, piece.end, last.size, last.text + space + piece.text)
    return cells


def _paragraphs(lines: list[list[_Piece]]) -> list[Paragraph]:
    """Runs of two or more lines of several cells are tables; the rest is wrapped text."""
    paragraphs: list[Paragraph] = []
    text: list[str] = []
    table: list[list[_Piece]] = []

    def flush_text() -> None:
        if text:
            paragraphs.extend(Paragraph(joined) for joined in join_wrapped(text))
        text.clear()

    def flush_table() -> None:
        if len(table) >= 2:
            flush_text()
            paragraphs.extend(table_paragraphs(_grid(table)))
        else:
            text.extend(" ".join(cell.text for cell in row) for row in table)
        table.clear()

    for line in lines:
        cells = _cells(line)
        if 2 <= len(cells) <= MAX_COLUMNS:  # wider is no table a person made: read as text
            table.append(cells)
            continue
        flush_table()
        text.append(" ".join(cell.text for cell in cells))
    flush_table()
    flush_text()
    return paragraphs


def _grid(rows: list[list[_Piece]]) -> list[list[str]]:
    """Cells placed under the nearest column start of the row with the most cells."""
    columns = [cell.x for cell in max(rows, key=len)]
    grid = []
    for row in rows:
        cells = [""] * len(columns)
        for cell in row:
            column = min(range(len(columns)), key=lambda n: abs(columns[n] - cell.x))
            cells[column] = f"{cells[column]} {cell.text}".strip()
        grid.append(cells)
    return grid
