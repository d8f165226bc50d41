"""Spreadsheets (.xlsx, .csv) as rows that keep their header, bounded in rows and columns."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import openpyxl
from lxml import etree
from openpyxl.utils.cell import range_boundaries

from knowledge.encoding import decode_text
from knowledge.models import Paragraph
from knowledge.office import refuse_zip_bomb
from knowledge.table import table_paragraphs

# Far above a work report's statistics; a sheet past them is a data dump, read in part.
MAX_ROWS = 10_000
MAX_COLUMNS = 100
_DEFAULT_SHEET_NAME = re.compile(r"(?:sheet|工作表)\s*\d*", re.IGNORECASE)
_MERGE_CELL = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}mergeCell"


def read_xlsx(path: Path, notes: list[str], shown: Path | None = None) -> list[Paragraph]:
    """Every visible sheet: its name as a heading, then its rows with their header.

    `shown` is the file as its owner named it, when `path` is a converted copy.

    Hidden sheets are skipped, with a note: in filled-in templates they hold dropdown lists,
    lookup tables and intermediate sums, which would come back as search hits of their own.
    Formulas give the value Excel last saved, not the formula.
    """
    refuse_zip_bomb(path)
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    paragraphs: list[Paragraph] = []
    rows_left = MAX_ROWS
    try:
        hidden = [sheet.title for sheet in workbook.worksheets if sheet.sheet_state != "visible"]
        if hidden:
            names = "、".join(f"“{name}”" for name in hidden)
            notes.append(f"跳过了隐藏的工作表{names}；如需导入，请取消隐藏后重新保存。")
        for sheet in workbook.worksheets:
            if sheet.sheet_state != "visible":
                continue
            if rows_left == 0:
                if _truncated() not in notes:
                    notes.append(_truncated())
                break
            grid = _sheet_grid(sheet, rows_left, notes)
            rows_left -= len(grid)
            title = sheet.title
            # "Sheet1" says nothing, nor a sheet named after its file (LibreOffice names an
            # imported web page's sheet so): the file's own name does.
            if _DEFAULT_SHEET_NAME.fullmatch(title) or title == path.stem:
                title = file_title(shown or path)
            paragraphs.extend(table_paragraphs(grid, title, level=1))
    finally:
        workbook.close()
    return paragraphs


def read_csv(path: Path, notes: list[str]) -> list[Paragraph]:
    """A csv in any of the encodings text files may have, its delimiter guessed."""
    text = decode_text(path.read_bytes(), notes)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:20_000], delimiters=",\t;|"
        )
    except csv.Error:  # one column, or too few rows to tell
        dialect = csv.excel
    grid = _bounded(csv.reader(io.StringIO(text), dialect), MAX_ROWS, notes)
    return table_paragraphs([row[:MAX_COLUMNS] for row in grid], file_title(path), level=1)


def cell_text(value: Any, number_format: str = "General") -> str:
    """A cell's value as a person writes it: 6 not 6.0, 35% not 0.35, 2024年9月15日."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float | int):
        if "%" in number_format:
            return f"{value * 100:.15g}%"
        return f"{value:.15g}" if isinstance(value, float) else str(value)
    if isinstance(value, datetime.datetime):
        day = f"{value.year}年{value.month}月{value.day}日"
        return day if value.time() == datetime.time() else f"{day} {value:%H:%M}"
    if isinstance(value, datetime.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, datetime.time):
        return f"{value:%H:%M}"
    return str(value)


def file_title(path: Path) -> str | None:
    """The file's name as a heading, unless the name is not valid text (undecodable bytes)."""
    try:
        path.stem.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return path.stem or None


def _sheet_grid(sheet: Any, max_rows: int, notes: list[str]) -> list[list[str]]:
    # The declared dimension may claim a million rows or columns: ignore it, and bound both.
    sheet.reset_dimensions()
    rows = sheet.iter_rows(max_col=MAX_COLUMNS)
    cells = (
        [cell_text(cell.value, cell.number_format or "General") for cell in row] for row in rows
    )
    grid = _bounded(cells, max_rows, notes)
    filled = 0  # merged ranges fill at most as many cells as the sheet may hold
    for min_column, min_row, _, max_row in _merged_ranges(sheet):
        filled += max(0, min(max_row, len(grid)) - min_row)
        if filled > MAX_ROWS * MAX_COLUMNS:
            break
        # Read-only sheets give a merged cell's value in its first cell only; a range over
        # several rows (a category beside its items) belongs to each of them.
        if min_row <= len(grid) and min_column <= len(grid[min_row - 1]):
            value = grid[min_row - 1][min_column - 1]
            for row in grid[min_row : min(max_row, len(grid))]:
                if min_column <= len(row):
                    row[min_column - 1] = value
    return grid


def _merged_ranges(sheet: Any) -> list[tuple[int, int, int, int]]:
    """(min column, min row, max column, max row) of each merged range, from the sheet's XML:
    read-only mode does not load them."""
    ranges = []
    with sheet._get_source() as source:
        for _, element in etree.iterparse(
            source, tag=_MERGE_CELL, resolve_entities=False, no_network=True
        ):
            bounds = range_boundaries(element.get("ref", ""))
            if None not in bounds:  # whole rows or columns: not a merge of cells
                ranges.append(bounds)
            element.clear()
    return ranges


def _bounded(rows: Iterable[list[str]], max_rows: int, notes: list[str]) -> list[list[str]]:
    grid: list[list[str]] = []
    for row in rows:
        if len(grid) == max_rows:
            notes.append(_truncated())
            break
        grid.append(row)
    return grid


def _truncated() -> str:
    return f"表格超过 {MAX_ROWS} 行，只导入了前 {MAX_ROWS} 行。"
