"""Tables as rows that keep their header: "项目：科普讲座；场次：6；人次：4000".

One definition for every format that has tables (xlsx, csv, docx, html, ofd): a reader turns
its table into a grid of cell texts aligned by column and hands it here.
"""

from __future__ import annotations

import re

from knowledge.models import Paragraph

# A header is found among the first rows only: below them a row of labels is data.
_HEADER_SEARCH_ROWS = 5
_HEADER_CELL_MAX = 20
_NUMBER = re.compile(r"[-+]?[\d,]*\.?\d+%?")
_SENTENCE_PUNCTUATION = re.compile(r"[。！？；!?;]")
_SPACES = re.compile(r"\s+")
_MAX_SPAN = 100
_ROW_CELL = re.compile(rf"[^；：。！？!?\n]{{1,{_HEADER_CELL_MAX}}}：[^；]+")


def table_paragraphs(
    grid: list[list[str]], title: str | None = None, level: int | None = None
) -> list[Paragraph]:
    """A table's title, then one paragraph per row, each row read with its header.

    `grid` holds cell texts aligned by column: "" for an empty cell and for the columns a
    merged cell spans after its first. `title` (a sheet's name, a caption) becomes a heading
    of `level`; a title row of the table's own (one cell over a wider table) follows it one
    level deeper. A one-column table is a layout box, not a table: its cells stay paragraphs.
    """
    rows = [[_SPACES.sub(" ", cell).strip() for cell in row] for row in grid]
    rows = [row for row in rows if any(row)]
    paragraphs = [Paragraph(title, level)] if title else []
    if all(len(_filled(row)) == 1 for row in rows):
        return paragraphs + [Paragraph(_filled(row)[0]) for row in rows]
    if len(_filled(rows[0])) == 1:
        inner_level = None if level is None else level + (1 if title else 0)
        paragraphs.append(Paragraph(_filled(rows[0])[0], inner_level))
        rows = rows[1:]
    start = _header_index(rows)
    header = rows[start] if start is not None else None
    # Above the header: notes such as "填报单位：… | 填报日期：…", read without it.
    for row in rows[: start or 0]:
        paragraphs.append(Paragraph(row_text(row, None), row=True))
    for row in rows[0 if start is None else start + 1 :]:
        if row != header:  # a header repeated on every printed page
            paragraphs.append(Paragraph(row_text(row, header), row=True))
    return paragraphs


def row_text(cells: list[str], header: list[str] | None) -> str:
    """One row as a sentence: each filled cell after its column's header, or, with no header,
    the cells between bars ("科普讲座 | 6")."""
    if header is None:
        return " | ".join(cell for cell in cells if cell)
    parts = []
    for column, cell in enumerate(cells):
        name = header[column] if column < len(header) else ""
        if cell:
            parts.append(f"{name}：{cell}" if name and name != cell else cell)
    return "；".join(parts)


def is_row_text(line: str) -> bool:
    """Whether a line reads as a row with its header, as `row_text` writes it: two or more
    "名称：值" parts joined by "；" (where the row mark of a Paragraph is no longer at hand)."""
    parts = line.split("；")
    return len(parts) >= 2 and all(_ROW_CELL.fullmatch(part) for part in parts)


def _header_index(rows: list[list[str]]) -> int | None:
    """The first row of labels among the first rows, when rows follow it."""
    for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        if index + 1 < len(rows) and _looks_like_header(row):
            return index
    return None


def _looks_like_header(row: list[str]) -> bool:
    # Labels: at least two, all different, short, no numbers and no sentences.
    filled = _filled(row)
    return (
        len(filled) >= 2
        and len(set(filled)) == len(filled)
        and all(
            len(cell) <= _HEADER_CELL_MAX
            and not _NUMBER.fullmatch(cell)
            and not _SENTENCE_PUNCTUATION.search(cell)
            and "：" not in cell
            for cell in filled
        )
    )


def _filled(row: list[str]) -> list[str]:
    return [cell for cell in row if cell]


def spanned_grid(rows: list[list[tuple[str, int, int]]]) -> list[list[str]]:
    """Align cells given as (text, columns spanned, rows spanned), as HTML writes them, by
    column: a cell spanning columns fills the first, one spanning rows repeats below."""
    grid: list[list[str]] = []
    below: dict[int, tuple[str, int]] = {}  # column → (text, rows still to fill)
    for cells in rows:
        row: list[str] = []
        pending = list(reversed(cells))
        while pending or any(column >= len(row) for column in below):
            column = len(row)
            if column in below:
                text, left = below.pop(column)
                if left > 1:
                    below[column] = (text, left - 1)
                row.append(text)
            elif pending:
                text, across, down = pending.pop()
                across = min(max(across, 1), _MAX_SPAN)  # colspan="100000" must not hang
                for offset in range(across):
                    row.append(text if offset == 0 else "")
                    if down > 1:
                        below[column + offset] = (text if offset == 0 else "", down - 1)
            else:  # a spanned column right of this row's last cell
                row.append("")
        grid.append(row)
    return grid
