"""Hostile report files get a bounded amount of work and a clear reason; the rest still ingests."""

import io
import time
from pathlib import Path

import pytest
from pypdf import PdfWriter

from knowledge.ingest import sync_folder
from knowledge.normalize import Normalizer
from knowledge.readers import UnreadableFile, read_paragraphs
from knowledge.store import Store
from knowledge.unreadable import CORRUPT, MAX_PDF_PAGES
from tests.files import write_pdf


def blank_pdf(path: Path, pages: int) -> None:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    with path.open("wb") as handle:
        writer.write(handle)


def timed(path: Path) -> tuple[str, float]:
    started = time.perf_counter()
    try:
        read_paragraphs(path)
        outcome = "read"
    except UnreadableFile as exc:
        outcome = str(exc)
    return outcome, time.perf_counter() - started


def test_pdf_with_thousands_of_empty_pages_is_refused_quickly(tmp_path: Path) -> None:
    blank_pdf(tmp_path / "huge.pdf", MAX_PDF_PAGES + 500)
    outcome, seconds = timed(tmp_path / "huge.pdf")
    assert "页" in outcome and seconds < 10


def test_pdf_of_empty_pages_under_the_limit_says_it_has_no_text(tmp_path: Path) -> None:
    blank_pdf(tmp_path / "blank.pdf", 1500)
    outcome, seconds = timed(tmp_path / "blank.pdf")
    # Without a text layer its pages are scans: the first MAX_SCAN_PAGES are looked at.
    assert "没有识别出文字" in outcome and seconds < 30


@pytest.mark.parametrize(
    "mangle",
    [
        lambda raw: raw.replace(b"xref", b"xreF"),
        lambda raw: raw[: raw.rfind(b"xref")],
        lambda raw: raw.replace(b"startxref", b"startxref\n999999999"),
        lambda raw: raw[: len(raw) // 2],
    ],
    ids=["renamed xref", "no xref", "xref offset past the end", "cut in half"],
)
def test_malformed_pdf_structure_reads_or_fails_with_a_reason(tmp_path: Path, mangle) -> None:
    good = tmp_path / "good.pdf"
    write_pdf(good)
    assert "全年组织科普大篷车巡展八次" in "\n".join(p.text for p in read_paragraphs(good))
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(mangle(good.read_bytes()))
    started = time.perf_counter()
    try:
        text = "\n".join(p.text for p in read_paragraphs(bad))
    except UnreadableFile as exc:
        # A damaged PDF is told apart from an empty or scanned one, never a raw exception.
        assert str(exc) == CORRUPT
    else:
        # pypdf repairs the cross-reference table: then the text must be the real text.
        assert "全年组织科普大篷车巡展八次" in text
    assert time.perf_counter() - started < 10


def test_same_report_twice_and_same_name_in_two_folders(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    kb = tmp_path / "kb"
    (kb / "2023").mkdir(parents=True)
    (kb / "2024").mkdir()
    report = "一、读书活动\n街道开展科普读书活动，全年参加居民八百人次，发放图书两千册。\n"
    other = "一、科普讲座\n社区邀请专家举办科普讲座十二场，听众一千余人次。\n"
    (kb / "2023" / "总结.txt").write_text(report, encoding="utf-8")
    (kb / "2024" / "总结.txt").write_text(other, encoding="utf-8")
    (kb / "副本.txt").write_text(report, encoding="utf-8")
    store = Store(tmp_path / "kb.db")
    summary = sync_folder(kb, store, normalizer)
    assert sorted(summary.added) == ["2023/总结.txt", "2024/总结.txt", "副本.txt"]
    assert (summary.documents, summary.duplicates) == (3, 1)
    hits = store.keyword_search(["读书", "八百"], limit=10)
    texts = [c.text for c in store.chunks_by_id([h.chunk_id for h in hits]).values()]
    assert len([text for text in texts if "八百人次" in text]) == 1


def test_a_file_that_is_not_what_its_name_says_fails_alone(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "好.txt").write_text("一、做法\n组织科普讲座十场，听众五百人。\n", encoding="utf-8")
    buffer = io.BytesIO()
    PdfWriter().write(buffer)
    (kb / "伪装.docx").write_bytes(buffer.getvalue())
    (kb / "图片.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    summary = sync_folder(kb, Store(tmp_path / "kb.db"), normalizer)
    assert summary.added == ["好.txt"]
    assert sorted(f.path for f in summary.failed) == ["伪装.docx", "图片.html"]
