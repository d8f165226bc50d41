import contextlib
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from knowledge.chunk import _SENTENCE
from knowledge.clean import clean_line
from knowledge.ingest import sync_folder
from knowledge.normalize import Normalizer, query_terms
from knowledge.store import Store
from tests.files import write_big5, write_docx, write_gbk, write_html, write_pdf
from tests.paths import BUNDLED

BOILERPLATE = [
    "58汇报网", "可可簡歷網", "工作汇报", "首頁", "職場 >", "小编", "小編", "本站", "供大家参考",
    "感謝您的參閱", "相关文章", "相关推荐", "热门推荐", "加载更多", "客服", "微信号", "fanwen",
    "扫码", "`", "??", "'", "的.问题",
]  # fmt: skip


def test_bundled_corpus_is_twelve_reports_with_one_cross_script_duplicate(bundled_store) -> None:
    store, summary = bundled_store
    assert (summary.documents, summary.duplicates, summary.failed) == (12, 1, [])
    titles = {d.id: d.title for d in store.documents()}
    pairs = {(d.title, titles[d.duplicate_of]) for d in store.documents() if d.duplicate_of}
    assert pairs == {("縣科協科普工作總結 篇5", "2024科普工作总结 篇3")}


def test_no_chunk_carries_site_boilerplate(bundled_store) -> None:
    store, _ = bundled_store
    for chunk in store.chunks():
        for junk in BOILERPLATE:
            assert junk not in chunk.text, (junk, chunk.id)


@pytest.mark.parametrize(
    ("file_name", "tail_marker"),
    [
        ("2024科普工作总结5篇.txt", "会计实习心得体会最新模板相关文章:"),
        ("縣科協科普工作總結7篇.txt", None),
    ],
)
def test_every_body_line_of_the_file_survives_into_a_report(
    bundled_store, file_name: str, tail_marker: str | None
) -> None:
    store, _ = bundled_store
    lines = [line.strip() for line in (BUNDLED / file_name).read_text().splitlines()]
    lines = [line for line in lines if line]
    body = lines[next(i for i, line in enumerate(lines) if line.endswith("篇1")) :]
    if tail_marker:
        body = body[: body.index(tail_marker)]
    texts = "\n".join(store.document_text(d.id) for d in store.documents() if d.source == file_name)
    markers = [line for line in body if re.fullmatch(r".*篇\d", line)]
    missing = [line for line in body if line not in markers and clean_line(line) not in texts]
    assert missing == []
    assert len(markers) == {"2024科普工作总结5篇.txt": 5, "縣科協科普工作總結7篇.txt": 7}[file_name]


def test_chunks_concatenate_to_their_report_text(bundled_store) -> None:
    store, _ = bundled_store
    for document in store.documents():
        text = store.document_text(document.id)
        chunks = [c for c in store.chunks() if c.document_id == document.id]
        joined = "".join(c.text for c in chunks)
        assert re.sub(r"\s", "", joined) == re.sub(r"\s", "", text)
        assert all(c.text == text[c.start : c.end] for c in chunks)


def test_chunks_have_paths_fit_the_budget_and_start_at_sentences(bundled_store) -> None:
    store, _ = bundled_store
    for chunk in store.chunks():
        text = store.document_text(chunk.document_id)
        assert chunk.heading_path, chunk.id
        assert len(chunk.text) <= 500
        start = chunk.start
        if start > 0 and text[start - 1] not in "。！？；\n":
            sentence = next(
                m for m in _SENTENCE.finditer(text) if m.start() <= start < max(m.end(), 1)
            )
            assert len(sentence.group()) > 500, chunk.id


def test_keyword_search_finds_traditional_passages_in_simplified(
    bundled_store, normalizer: Normalizer
) -> None:
    store, _ = bundled_store

    def texts(question: str) -> list[str]:
        hits = store.keyword_search(query_terms(normalizer.normalize(question)), limit=20)
        return [c.text for c in store.chunks_by_id([h.chunk_id for h in hits]).values()]

    assert any("社群" in text for text in texts("社区工作站"))
    assert any("國小" in text for text in texts("实验小学"))


def test_duplicate_report_is_never_a_search_hit(bundled_store, normalizer: Normalizer) -> None:
    store, _ = bundled_store
    duplicate = next(d.id for d in store.documents() if d.duplicate_of)
    hits = store.keyword_search(query_terms(normalizer.normalize("科普设施 三处")), limit=50)
    chunks = store.chunks_by_id([h.chunk_id for h in hits]).values()
    assert hits and all(chunk.document_id != duplicate for chunk in chunks)


def test_the_first_close_copy_in_preference_order_is_canonical_and_a_copy_never_is() -> None:
    from knowledge.dedupe import find_duplicates

    base = list(range(1000, 1064))
    near = [*base[:58], 1, 2, 3, 4, 5, 6]  # 58 of 64 shared: a copy
    nearer = [*base[:60], 7, 8, 9, 10]  # a copy of both
    other = list(range(5000, 5064))
    loose = other[:40] + list(range(24))  # shares bands with `other`, too few values
    signatures = [("甲", base), ("乙", near), ("丙", other), ("丁", nearer), ("戊", loose)]
    assert find_duplicates(signatures) == {"乙": "甲", "丁": "甲"}
    # Preferred first: the copy listed first is canonical, and a copy of a copy points to
    # the canonical one, never to another copy.
    assert find_duplicates(signatures[::-1]) == {"乙": "丁", "甲": "丁"}
    # A copy of a copy that is not close to the canonical one is a report of its own.
    drifted = list(range(9000, 9008)) + near[8:]
    assert find_duplicates([("甲", base), ("乙", near), ("己", drifted)]) == {"乙": "甲"}


def test_the_store_tells_which_chunks_each_write_since_a_version_inserted(
    tmp_path: Path, normalizer: Normalizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import knowledge.store

    folder = tmp_path / "kb"
    folder.mkdir()
    for name in "甲乙丙":
        (folder / f"{name}.txt").write_text(f"{name}街道总结\n一、做法\n开展科普讲座。\n", "utf-8")
    store = Store(tmp_path / "kb.db")
    sync_folder(folder, store, normalizer)
    first = store.get_meta("chunks_version")
    assert first and store.chunks_written_since(first) == set()

    (folder / "乙.txt").write_text("乙街道总结\n一、做法\n开展防震演练。\n", "utf-8")
    sync_folder(folder, store, normalizer)
    second = store.get_meta("chunks_version")
    (folder / "丙.txt").unlink()  # a removal inserts nothing: the reader sees the id gone
    (folder / "丁.txt").write_text("丁街道总结\n一、做法\n开展读书活动。\n", "utf-8")
    sync_folder(folder, store, normalizer)
    sources = {c.id: c.source for c in store.chunks()}
    assert store.chunks_written_since(first) == {c for c, s in sources.items() if s != "甲.txt"}
    assert store.chunks_written_since(second) == {c for c, s in sources.items() if s == "丁.txt"}
    assert store.chunks_written_since("a version never logged") is None
    # The log keeps only the latest writes, and no list for a write of many chunks.
    monkeypatch.setattr(knowledge.store, "WRITE_LOG_KEPT", 1)
    (folder / "甲.txt").write_text("甲街道总结\n一、做法\n开展科技培训。\n", "utf-8")
    sync_folder(folder, store, normalizer)
    assert store.chunks_written_since(second) is None
    third = store.get_meta("chunks_version")
    monkeypatch.setattr(knowledge.store, "WRITE_LOG_CHUNKS", 0)
    (folder / "丁.txt").write_text("丁街道总结\n一、做法\n开展科技培训。\n", "utf-8")
    sync_folder(folder, store, normalizer)
    assert store.chunks_written_since(third) is None


def report(title: str, body: str) -> str:
    return f"{title}\n一、主要做法\n{body}\n二、下一步打算\n继续加强科普宣传，扩大覆盖面。\n"


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    root.mkdir()
    (root / "甲.txt").write_text(report("甲街道总结", "组织科普讲座十二场。"), encoding="utf-8")
    (root / "乙.md").write_text(
        "# 乙镇总结\n\n## 一、做法\n\n建成科普画廊三处。\n", encoding="utf-8"
    )
    return root


def test_second_ingest_with_nothing_changed_does_nothing(
    folder: Path, tmp_path, normalizer
) -> None:
    store = Store(tmp_path / "kb.db")
    first = sync_folder(folder, store, normalizer)
    assert sorted(first.added) == ["乙.md", "甲.txt"]
    second = sync_folder(folder, store, normalizer)
    assert (second.added, second.changed, second.removed, second.unchanged) == ([], [], [], 2)


def test_a_store_read_by_another_reading_version_reads_its_files_again_once(
    folder: Path, tmp_path, normalizer
) -> None:
    store = Store(tmp_path / "kb.db")
    sync_folder(folder, store, normalizer)
    chunks = [(c.heading_path, c.text) for c in store.chunks()]
    with store.transaction():  # as a store written before the reading's last change
        store.set_meta("reading_version", "1")
    again = sync_folder(folder, store, normalizer)
    assert (sorted(again.changed), again.unchanged) == (["乙.md", "甲.txt"], 0)
    assert [(c.heading_path, c.text) for c in store.chunks()] == chunks
    third = sync_folder(folder, store, normalizer)
    assert (third.changed, third.unchanged) == ([], 2)


def test_edit_delete_and_new_subfolder_file_are_each_synced(folder, tmp_path, normalizer) -> None:
    store = Store(tmp_path / "kb.db")
    sync_folder(folder, store, normalizer)
    before = {c.id: c.text for c in store.chunks() if c.source == "乙.md"}
    (folder / "甲.txt").write_text(report("甲街道总结", "组织科普讲座二十场。"), encoding="utf-8")
    edited = sync_folder(folder, store, normalizer)
    assert (edited.added, edited.changed, edited.removed) == ([], ["甲.txt"], [])
    assert any("二十场" in c.text for c in store.chunks())
    assert not any("十二场" in c.text for c in store.chunks())
    assert {c.id: c.text for c in store.chunks() if c.source == "乙.md"} == before

    (folder / "乙.md").unlink()
    (folder / "2023" / "街道").mkdir(parents=True)
    (folder / "2023" / "街道" / "丙.txt").write_text(report("丙", "发放资料五百份。"), "utf-8")
    later = sync_folder(folder, store, normalizer)
    assert (later.added, later.removed) == (["2023/街道/丙.txt"], ["乙.md"])
    assert {c.source for c in store.chunks()} == {"甲.txt", "2023/街道/丙.txt"}


def test_every_supported_format_ingests_and_bad_files_fail_alone(
    folder: Path, tmp_path: Path, normalizer: Normalizer
) -> None:
    write_gbk(folder / "gbk.txt", report("社区总结", "举办科普讲座五场。"))
    write_big5(
        folder / "big5.txt", "社區總結\n一、主要做法\n舉辦科普講座六場。\n二、打算\n繼續宣傳。\n"
    )
    write_docx(folder / "report.docx")
    write_html(folder / "page.html")
    write_pdf(folder / "report.pdf")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (folder / "table.xyz").write_text("?", encoding="utf-8")
    summary = sync_folder(folder, Store(tmp_path / "kb.db"), normalizer)
    assert sorted(f.path for f in summary.failed) == ["broken.pdf", "table.xyz"]
    assert all(f.reason for f in summary.failed)
    assert sorted(summary.added) == sorted(
        ["甲.txt", "乙.md", "gbk.txt", "big5.txt", "report.docx", "page.html", "report.pdf"]
    )
    store = Store(tmp_path / "kb.db")
    texts = "\n".join(c.text for c in store.chunks())
    for expected in ["举办科普讲座五场", "舉辦科普講座六場", "科普日活动", "楼栋", "科普大篷车"]:
        assert expected in texts
    assert "首页" not in texts and "版权所有" not in texts


def test_failure_midway_leaves_the_previous_knowledge_base_serving(
    folder: Path, tmp_path: Path, normalizer: Normalizer
) -> None:
    store = Store(tmp_path / "kb.db")
    sync_folder(folder, store, normalizer)
    before = list(store.chunks())
    (folder / "甲.txt").write_text(report("甲", "全新内容：科普大篷车进校园。"), encoding="utf-8")
    (folder / "丁.txt").write_text(report("丁", "新增报告。"), encoding="utf-8")

    def crash(_: str) -> None:
        raise KeyboardInterrupt("power cut")

    with pytest.raises(KeyboardInterrupt):
        sync_folder(folder, store, normalizer, after_write=crash)
    assert list(store.chunks()) == before
    assert store.keyword_search(["讲座"]) and not store.keyword_search(["大篷车"])
    recovered = sync_folder(folder, store, normalizer)
    assert sorted(recovered.added + recovered.changed) == ["丁.txt", "甲.txt"]
    assert store.keyword_search(["大篷车"])


def _wait_for_wal(wal: Path, past: int, process: subprocess.Popen) -> bool:
    """Poll until the store's write-ahead log holds more than `past` bytes (a write is on)."""
    while process.poll() is None:
        with contextlib.suppress(FileNotFoundError):
            if wal.stat().st_size > past:
                return True
        time.sleep(0.002)
    return False


@pytest.mark.slow
def test_kill_9_during_the_store_write_keeps_old_or_new_state_and_next_ingest_completes(
    tmp_path: Path,
) -> None:
    kb, data = tmp_path / "kb", tmp_path / "var"
    shutil.copytree(BUNDLED, kb)
    command = [sys.executable, "-m", "bot", "--knowledge-dir", str(kb), "--data-dir", str(data)]
    subprocess.run([*command, "ingest"], check=True, capture_output=True)
    old_count = Store(data / "kepubot.db").counts()["documents"]
    for i in range(30):
        (kb / f"copy{i}.txt").write_text(
            (BUNDLED / "2024科普工作总结5篇.txt").read_text()
            + f"\n补记{i}：本年度共举办讲座{i}场。",
            encoding="utf-8",
        )
    wal = data / "kepubot.db-wal"
    # Kill as the write transaction starts, and twice more as its log grows: a kill at a
    # moment when nothing is being written would prove nothing.
    for past in (0, 256_000, 1_000_000):
        process = subprocess.Popen(
            [*command, "ingest"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        writing = _wait_for_wal(wal, past, process)
        process.send_signal(signal.SIGKILL)
        assert process.wait() == -signal.SIGKILL and writing, f"no write past {past} bytes"
        store = Store(data / "kepubot.db")
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert store.counts()["documents"] == old_count  # the transaction never committed
        store.close()
    result = subprocess.run([*command, "ingest", "--json"], check=True, capture_output=True)
    assert '"failed": []' in result.stdout.decode()
    assert Store(data / "kepubot.db").counts()["documents"] == old_count + 30 * 5


def test_progress_counts_only_the_files_that_need_reading(folder, tmp_path, normalizer) -> None:
    store = Store(tmp_path / "kb.db")
    calls: list[tuple[int, int, str]] = []
    sync_folder(folder, store, normalizer, progress=lambda *call: calls.append(call))
    assert calls == [(1, 2, "乙.md"), (2, 2, "甲.txt")]
    (folder / "丙.txt").write_text(report("丙", "发放资料五百份。"), encoding="utf-8")
    calls.clear()
    sync_folder(folder, store, normalizer, progress=lambda *call: calls.append(call))
    assert calls == [(1, 1, "丙.txt")]


def test_files_read_by_worker_processes_store_what_one_process_stores(tmp_path, normalizer) -> None:
    folder = tmp_path / "reports"
    shutil.copytree(BUNDLED, folder)
    (folder / "坏.pdf").write_bytes(b"not a pdf")
    stores = {workers: Store(tmp_path / f"kb{workers}.db") for workers in (1, 2)}
    summaries = {w: sync_folder(folder, s, normalizer, workers=w) for w, s in stores.items()}
    one, two = (summaries[w].to_dict() | {"seconds": 0} for w in (1, 2))
    assert one == two and one["failed"] and one["documents"] == 12

    def contents(store: Store) -> list[tuple]:
        return [
            store.db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in ("documents", "chunks", "facts")
        ]

    assert contents(stores[1]) == contents(stores[2])
