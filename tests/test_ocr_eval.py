"""A report scanned to PDF answers the dev questions its text version answers (issue #16)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from bot.core.evaluate import first_rank, read_questions
from bot.core.knowledge_base import retriever_over
from bot.core.retrieval import Retriever
from bot.settings import Settings
from embeddings.sync import sync_vectors
from knowledge.clean import clean_line, clean_paragraphs
from knowledge.ingest import sync_folder
from knowledge.normalize import Normalizer
from knowledge.readers import read_paragraphs
from knowledge.split import split_reports
from knowledge.store import Store
from tests.paths import BUNDLED, DEV_QUESTIONS
from tests.scans import draw_pages, needs_font

COLLECTION = "2024科普工作总结5篇.txt"
SCANNED = "2024科普工作总结篇4"  # the report of dev questions d18 and d19
NEXT = "2024科普工作总结篇5"


def ranks(retriever: Retriever, normalizer: Normalizer, questions: list[dict]) -> dict[str, int]:
    """Each question's rank of the first passage holding a key, as `kepubot eval` counts."""
    found = {}
    for question in questions:
        keys = [normalizer.normalize(clean_line(key)) for key in question["keys"]]
        result = retriever.search(question["q"], top_k=10)
        found[question["id"]] = first_rank((hit.normalized for hit in result.hits), keys) or 99
    return found


@pytest.mark.slow
@needs_font
def test_a_scanned_report_answers_the_dev_questions_of_its_text_version(
    tmp_path: Path, normalizer: Normalizer, retriever: Retriever
) -> None:
    folder = tmp_path / "corpus"
    shutil.copytree(BUNDLED, folder)
    # The report leaves the collection's text and comes back as a scan of its own.
    lines = (folder / COLLECTION).read_text(encoding="utf-8").splitlines()
    start, end = lines.index(SCANNED), lines.index(NEXT)
    (folder / COLLECTION).write_text("\n".join(lines[:start] + lines[end:]), encoding="utf-8")
    paragraphs = clean_paragraphs(read_paragraphs(BUNDLED / COLLECTION))
    (report,) = [r for r in split_reports(paragraphs, COLLECTION) if r.title.endswith("篇4")]
    pages = draw_pages([SCANNED] + [p.text for p in report.paragraphs])
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", resolution=150, save_all=True, append_images=pages[1:])
    (folder / f"{SCANNED}（扫描件）.pdf").write_bytes(buffer.getvalue())

    store = Store(tmp_path / "var" / "kepubot.db")
    summary = sync_folder(folder, store, normalizer)
    assert summary.failed == [] and len(pages) >= 3
    sync_vectors(store, normalizer, tmp_path / "var")
    scanned = retriever_over(store, normalizer, tmp_path / "var", Settings())

    questions = [q for q in read_questions(DEV_QUESTIONS) if q["keys"]]
    in_report = [q for q in questions if any(key in report.text for key in q["keys"])]
    assert [q["id"] for q in in_report] == ["d18", "d19"]
    as_text = ranks(retriever, normalizer, in_report)
    as_scan = ranks(scanned, normalizer, in_report)
    assert all(rank <= 5 for rank in as_text.values())
    assert all(rank <= 5 for rank in as_scan.values()), (as_text, as_scan)
    for question in in_report:
        hits = scanned.search(question["q"], top_k=5).hits
        assert any(h.source.endswith("（扫描件）.pdf") and h.scan_page for h in hits)
