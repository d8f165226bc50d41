"""The reports' figures as a table: chosen by topic, unit, year, place and level, and written
out as a spreadsheet for the year-end statistics (报表)."""

from __future__ import annotations

import io
import re

from bot.core.citation import citation_label
from bot.core.retrieval import Filters, Retriever, within
from knowledge.records import FactRecord

# Column title and the fact's value for it, in sheet order.
COLUMNS = (
    "报告", "章节", "地点", "层级", "年份", "数字（原文）", "数值", "上限", "限定", "单位",
    "统计对象", "活动", "原句", "出处", "文件",
)  # fmt: skip


def select_facts(
    retriever: Retriever, topic: str = "", unit: str | None = None, filters: Filters | None = None
) -> list[FactRecord]:
    """The figures whose sentence (with its headings) covers the topic as "found" demands of
    a passage; every figure when there is no topic."""
    normalizer = retriever.normalizer
    facts = retriever.store.facts(units=(normalizer.normalize(unit),) if unit else ())
    wanted = filters or Filters()
    facts = [f for f in facts if within(f, wanted)]
    if not topic.strip():
        return facts
    covers = retriever.found_scorer(retriever.parse(topic))
    return [
        f for f in facts
        if covers(normalizer.normalize(" ".join([*f.heading_path, f.sentence])))
        >= retriever.min_coverage
    ]  # fmt: skip


def fact_row(fact: FactRecord) -> list[str | float | int | None]:
    """One fact as the sheet's columns."""
    return [
        fact.title, " › ".join(fact.heading_path), "、".join(fact.place), fact.level,
        fact.year, fact.written, fact.value, fact.value_high, fact.qualifier, fact.unit,
        fact.counted, fact.event, fact.sentence,
        citation_label(fact.title, fact.heading_path, fact.place, fact.level, fact.year),
        fact.source,
    ]  # fmt: skip


def facts_workbook(facts: list[FactRecord], title: str = "数字") -> bytes:
    """An .xlsx of the facts, one row each under a header row, columns sized to read."""
    # Imported here: openpyxl (with lxml and Pillow) costs a serving process that never
    # exports about 15 MB (issue #18).
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    # Excel's rules for a sheet name: no []:*?/\ and at most 31 characters.
    sheet.title = re.sub(r"[\[\]:*?/\\]", " ", title)[:31].strip() or "数字"
    sheet.append(list(COLUMNS))
    for fact in facts:
        sheet.append(fact_row(fact))
    for n, name in enumerate(COLUMNS, start=1):
        width = 40 if name in ("原句", "出处") else 14
        sheet.column_dimensions[get_column_letter(n)].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
