"""Small report files of every supported format, built inside the tests."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import docx
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from bot.core.answer import Answer, AnswerOptions
from bot.core.assistant import Assistant
from bot.core.knowledge_base import retriever_over
from bot.settings import Settings
from knowledge.ingest import ChunkBudget, sync_folder
from knowledge.normalize import Normalizer
from knowledge.store import Store


def ingested(
    tmp_path: Path,
    normalizer: Normalizer,
    reports: dict[str, str],
    budget: ChunkBudget = ChunkBudget(),
) -> Store:
    """A store synced from `reports` (file stem → text), written as .txt into a new folder."""
    folder = tmp_path / "kb"
    folder.mkdir()
    for name, text in reports.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    store = Store(tmp_path / "kb.db")
    sync_folder(folder, store, normalizer, budget)
    return store


def answered(
    tmp_path: Path, normalizer: Normalizer, reports: dict[str, str], question: str, others: int = 6
) -> Answer:
    """The answer to `question` over `reports` and `others` unrelated street reports: words
    in more than half the passages are not searched, so a tiny collection needs company."""
    padded = dict(reports)
    for n in range(others):
        padded[f"其他{n}"] = f"第{n}街道科协工作总结\n一、读书\n街道科协开展读书活动。\n"
    return assistant_over(ingested(tmp_path, normalizer, padded), normalizer).answer(question)


def assistant_over(store: Store, normalizer: Normalizer) -> Assistant:
    """The answering front door over `store`, keyword search only, default settings."""
    return Assistant(retriever_over(store, normalizer, None, Settings()), AnswerOptions("auto"))


def write_gbk(path: Path, text: str) -> None:
    path.write_bytes(text.encode("gbk"))


def write_big5(path: Path, text: str) -> None:
    path.write_bytes(text.encode("big5"))


def write_docx(path: Path) -> None:
    """A report with Heading styles and a table between paragraphs."""
    document = docx.Document()
    document.add_heading("镇科协科普日工作总结", level=1)
    document.add_heading("一、活动开展情况", level=2)
    document.add_paragraph("九月，镇科协组织开展全国科普日活动，发放资料两千份。")
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, [("项目", "数量"), ("科普讲座", "8场")], strict=True):
        for cell, value in zip(row.cells, cells, strict=True):
            cell.text = value
    document.add_heading("二、下一步打算", level=2)
    document.add_paragraph("继续开展科普进村入户活动。")
    document.save(str(path))


def write_html(path: Path) -> None:
    """A template-site page: navigation, breadcrumb, ads and footer around one article."""
    path.write_text(
        """<!doctype html><html><head><meta charset="utf-8"><title>社区总结_范文网</title>
<style>.x{color:red}</style><script>var ad = "广告";</script></head><body>
<div class="header">范文网</div><nav><a href="/">首页</a> &gt; <a>工作总结</a></nav>
<div class="breadcrumb">当前位置：首页 &gt; 工作总结</div>
<article><h1>社区科普工作总结</h1><h2>一、科普进楼栋</h2>
<p>社区组织志愿者开展科普知识进楼栋活动，覆盖居民三百户。</p></article>
<div class="related">相关文章：社区工作总结5篇</div>
<footer>版权所有 © 范文网</footer></body></html>""",
        encoding="utf-8",
    )


def write_pdf(path: Path) -> None:
    """A PDF with a real Chinese text layer (reportlab's built-in CID font, not embedded)."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(path))
    pdf.setFont("STSong-Light", 12)
    for i, line in enumerate(
        ["学校科协工作总结", "一、科普大篷车进校园", "全年组织科普大篷车巡展八次。"]
    ):
        pdf.drawString(72, 720 - 20 * i, line)
    pdf.save()


def fill(folder: Path) -> Path:
    """Take every free byte of the filesystem that holds `folder`."""
    filler = folder / "filler"
    # Unbuffered: the write that finds no room fails at once, not later at close.
    with filler.open("wb", buffering=0) as handle, contextlib.suppress(OSError):
        while True:
            handle.write(b"\0" * (1 << 16))
            os.fsync(handle.fileno())
    return filler
