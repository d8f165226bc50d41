"""Keyword search: the two-pass BM25 equals FTS5's bm25(), and word counts stay in step."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from knowledge import bm25
from knowledge.ingest import sync_folder
from knowledge.normalize import Normalizer, query_terms
from knowledge.schema import MIGRATIONS
from knowledge.store import Store
from tests.paths import BUNDLED, DEV_QUESTIONS

EVERYTHING = 10**12  # a first-pass budget that admits every word: plain FTS5 ranking


def vocabulary(store: Store) -> dict[str, int]:
    return dict(store.db.execute("SELECT term, doc FROM chunks_fts_vocab").fetchall())


def counted(store: Store) -> dict[str, int]:
    return dict(store.db.execute("SELECT term, chunks FROM terms").fetchall())


def fts_scores(store: Store, terms: list[str]) -> dict[str, float]:
    """-bm25() of the full OR query for every matching chunk, straight from FTS5."""
    query = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
    sql = """SELECT c.id, -bm25(chunks_fts) FROM chunks_fts
             JOIN chunks c ON c.rowid = chunks_fts.rowid WHERE chunks_fts MATCH ?"""
    return dict(store.db.execute(sql, [query]).fetchall())


@pytest.fixture()
def mixed(tmp_path: Path, normalizer: Normalizer) -> Store:
    """Reports with words FTS5 splits or folds (2.5, COVID) and words in every chunk."""
    folder = tmp_path / "kb"
    folder.mkdir()
    bodies = [
        "开展科普活动，发放资料2.5万份，讲解COVID-19防护知识。",
        "开展科普活动，举办科普讲座十二场，受众2.5万人次。",
        "开展科普活动，建成科普画廊三处，covid-19 防护展板十块。",
        "开展科普活动，组织青少年参观科技馆。",
    ]
    for number, body in enumerate(bodies):
        (folder / f"{number}.txt").write_text(
            f"第{number}号总结\n一、主要做法\n{body}\n二、下一步打算\n继续开展科普活动。\n",
            encoding="utf-8",
        )
    store = Store(tmp_path / "kb.db")
    sync_folder(folder, store, normalizer)
    return store


def test_rescored_hits_carry_exactly_fts5_full_query_scores(
    bundled_store, normalizer: Normalizer
) -> None:
    store, _ = bundled_store
    questions = [json.loads(line)["q"] for line in DEV_QUESTIONS.read_text("utf-8").splitlines()]
    rescored = 0
    for question in questions:
        terms = query_terms(normalizer.normalize(question))
        full = fts_scores(store, terms)
        # A zero budget sends only the rarest word to FTS5 and re-scores with all of them.
        hits = store.keyword_search(terms, limit=1000, first_pass_rows=0)
        for hit in hits:
            assert hit.score == pytest.approx(full[hit.chunk_id], rel=1e-9, abs=1e-12)
        rescored += len(terms) > 1 and bool(hits)
    assert rescored >= 15


def test_words_fts5_splits_are_scored_as_phrases(mixed: Store) -> None:
    terms = ["2.5", "COVID", "开展", "科普", "讲座", "从未出现"]
    full = fts_scores(mixed, terms)
    assert len(full) >= 4
    hits = mixed.keyword_search(terms, limit=100, first_pass_rows=0)
    assert hits
    for hit in hits:
        assert hit.score == pytest.approx(full[hit.chunk_id], rel=1e-9, abs=1e-12)
    frequencies = mixed.document_frequencies(terms)
    assert frequencies["2.5"] == 2 and frequencies["COVID"] == 2 and frequencies["从未出现"] == 0


def test_search_within_reports_returns_what_fts5_returns_for_them(
    bundled_store, normalizer: Normalizer, monkeypatch
) -> None:
    from knowledge import keywords

    store, _ = bundled_store
    reports = [d.id for d in store.documents() if d.duplicate_of is None][:4]
    questions = [json.loads(line)["q"] for line in DEV_QUESTIONS.read_text("utf-8").splitlines()]
    compared = 0
    monkeypatch.setattr(store, "_keyword_index", lambda: None)  # FTS5 rows, re-scored
    for question in questions:
        terms = query_terms(normalizer.normalize(question))
        direct = store.keyword_search(terms, 8, reports)
        with monkeypatch.context() as patched:
            patched.setattr(keywords, "DIRECT_ROWS", -1)  # through FTS5's MATCH instead
            matched = store.keyword_search(terms, 8, reports, first_pass_rows=EVERYTHING)
        assert [h.chunk_id for h in direct] == [h.chunk_id for h in matched]
        for one, other in zip(direct, matched, strict=True):
            assert one.score == pytest.approx(other.score, rel=1e-9, abs=1e-12)
        compared += bool(direct)
    assert compared >= 15


def test_keyword_index_scores_a_search_within_reports_as_fts5_does(
    bundled_store, normalizer: Normalizer, monkeypatch
) -> None:
    store, _ = bundled_store
    assert store._keyword_index() is not None
    reports = [d.id for d in store.documents() if d.duplicate_of is None]
    questions = [json.loads(line)["q"] for line in DEV_QUESTIONS.read_text("utf-8").splitlines()]
    compared = 0
    for question in questions:
        terms = query_terms(normalizer.normalize(question))
        for some in (reports[:4], reports[3:9], reports):
            indexed = store.keyword_search(terms, 8, some)
            with monkeypatch.context() as patched:
                patched.setattr(store, "_keyword_index", lambda: None)  # FTS5 rows re-scored
                direct = store.keyword_search(terms, 8, some)
            assert [h.chunk_id for h in indexed] == [h.chunk_id for h in direct]
            for one, other in zip(indexed, direct, strict=True):
                assert one.score == pytest.approx(other.score, rel=1e-9, abs=1e-12)
            compared += bool(indexed)
    assert compared >= 30


def test_small_budget_keeps_the_best_passage_first(bundled_store, normalizer) -> None:
    store, _ = bundled_store
    for question in ("乡镇是怎么开展科普日活动的？", "有没有组织企业参观高交会的例子？"):
        terms = query_terms(normalizer.normalize(question))
        full = store.keyword_search(terms, limit=5, first_pass_rows=EVERYTHING)
        pruned = store.keyword_search(terms, limit=5, first_pass_rows=0)
        assert pruned[0].chunk_id == full[0].chunk_id
        assert pruned[0].score == pytest.approx(full[0].score)


def test_word_counts_follow_every_change(tmp_path: Path, normalizer: Normalizer) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "甲.txt").write_text("甲总结\n一、做法\n组织科普讲座十二场。\n", encoding="utf-8")
    store = Store(tmp_path / "kb.db")
    sync_folder(folder, store, normalizer)
    assert counted(store) == vocabulary(store) and "讲座" in counted(store)
    (folder / "乙.txt").write_text("乙总结\n一、做法\n科普大篷车进校园。\n", encoding="utf-8")
    (folder / "甲.txt").write_text("甲总结\n一、做法\n建成科普画廊三处。\n", encoding="utf-8")
    sync_folder(folder, store, normalizer)
    assert counted(store) == vocabulary(store)
    assert "讲座" not in counted(store) and store.document_frequencies(["大篷车"]) == {"大篷车": 1}
    (folder / "乙.txt").unlink()
    sync_folder(folder, store, normalizer)
    assert counted(store) == vocabulary(store) and "大篷车" not in counted(store)


def test_a_version_1_store_gains_its_word_counts_on_open(mixed: Store) -> None:
    path = mixed.path
    # What a store of schema version 1 looked like: no word counts, no migrations table.
    mixed.db.execute("DROP TABLE terms")
    mixed.db.execute("DROP TABLE _sqlite_migrations")
    mixed.db.execute("PRAGMA user_version=1")
    mixed.close()
    reopened = Store(path)
    applied = [m.name for m in MIGRATIONS.applied(reopened.db)]
    assert applied[:2] == ["m001_tables", "m002_terms"] and not MIGRATIONS.pending(reopened.db)
    assert counted(reopened) == vocabulary(reopened) and counted(reopened)


def test_first_pass_takes_the_rarest_words_within_the_budget() -> None:
    frequencies = {"科普": 900, "画廊": 3, "开展": 5000, "三处": 40}
    terms = list(frequencies)
    assert bm25.first_pass(terms, frequencies, 50) == ["画廊", "三处"]
    assert bm25.first_pass(terms, frequencies, 0) == ["画廊"]
    assert bm25.first_pass(terms, frequencies, 10**9) == ["画廊", "三处", "科普", "开展"]


@pytest.mark.parametrize("value", [0, 1, 127, 128, 16_383, 16_384, 2**31, 2**56 - 1, 2**63])
def test_varints_read_back_as_sqlite_wrote_them(value: int) -> None:
    encoded = _sqlite_varint(value)
    assert bm25.read_varint(encoded + b"\x05") == (value, len(encoded))


def test_averages_record_matches_the_chunks(mixed: Store) -> None:
    rows = mixed.db.execute("SELECT count(*) FROM chunks").fetchone()[0]
    sizes = [
        bm25.read_varint(size)[0]
        for (size,) in mixed.db.execute("SELECT sz FROM chunks_fts_docsize")
    ]
    tokens = [
        len(bm25.fts_tokens(text)) for (text,) in mixed.db.execute("SELECT tokens FROM chunks")
    ]
    assert sorted(sizes) == sorted(tokens)
    block = mixed.db.execute("SELECT block FROM chunks_fts_data WHERE id = 1").fetchone()[0]
    count, offset = bm25.read_varint(block)
    assert (count, bm25.read_varint(block, offset)[0]) == (rows, sum(tokens))


def _sqlite_varint(value: int) -> bytes:
    if value > 0x00FFFFFFFFFFFFFF:
        out = [value & 0xFF]
        value >>= 8
        for _ in range(8):
            out.append((value & 0x7F) | 0x80)
            value >>= 7
        return bytes(reversed(out))
    groups = [value & 0x7F]
    value >>= 7
    while value:
        groups.append((value & 0x7F) | 0x80)
        value >>= 7
    return bytes(reversed(groups))


@pytest.mark.parametrize("impact_rows", [0, 10**9], ids=["impacts kept", "computed"])
def test_keyword_index_scores_every_matching_chunk_as_fts5_does(
    bundled_store, normalizer: Normalizer, monkeypatch, impact_rows: int
) -> None:
    from knowledge import postings

    # Above IMPACT_ROWS the index keeps each posting's impact: the same scores either way.
    monkeypatch.setattr(postings, "IMPACT_ROWS", impact_rows)
    store, _ = bundled_store
    assert store._keyword_index() is not None  # the sync built it
    searchable = {c.id for c in store.chunks(include_duplicates=False)}
    questions = [json.loads(line)["q"] for line in DEV_QUESTIONS.read_text("utf-8").splitlines()]
    for question in questions:
        terms = query_terms(normalizer.normalize(question))
        full = {c: s for c, s in fts_scores(store, terms).items() if c in searchable}
        hits = store.keyword_search(terms, limit=1000)
        assert {h.chunk_id for h in hits} == set(full)
        for hit in hits:
            assert hit.score == pytest.approx(full[hit.chunk_id], rel=1e-9, abs=1e-12)
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_keyword_index_counts_each_words_chunks_as_fts5_does(bundled_store) -> None:
    store, _ = bundled_store
    index = store._keyword_index()
    assert index is not None and vocabulary(store)
    for word, chunks in vocabulary(store).items():
        assert index.chunks_holding(word) == chunks, word
    assert index.chunks_holding("从未出现的词") == 0


def test_a_missing_or_stale_keyword_index_is_not_used_and_the_next_sync_rebuilds_it(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    from knowledge import postings

    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "甲.txt").write_text("一、科普日\n街道开展科普日活动，发放资料两千份。", "utf-8")
    store = Store(tmp_path / "kb.db")
    sync_folder(folder, store, normalizer)
    path = postings.index_path(store.path)
    shutil.rmtree(path)  # as if the process died between the commit and the index
    reopened = Store(tmp_path / "kb.db")
    assert reopened._keyword_index() is None
    assert reopened.keyword_search(["科普日"], 5)  # FTS5 answers meanwhile
    sync_folder(folder, reopened, normalizer)  # nothing changed, yet the index is mended
    assert path.exists() and Store(tmp_path / "kb.db")._keyword_index() is not None
    (path / "rows.npy").write_bytes(b"damaged")
    assert Store(tmp_path / "kb.db")._keyword_index() is None
    sync_folder(folder, reopened, normalizer)
    assert Store(tmp_path / "kb.db")._keyword_index() is not None
    # A write another process made: the store's chunks version is no longer the index's.
    reopened.db.execute("UPDATE meta SET value = 'other' WHERE key = 'chunks_version'")
    assert Store(tmp_path / "kb.db")._keyword_index() is None


def _postings_by_chunk(index) -> dict[str, tuple]:
    """Each chunk's words and counts, length and flag: what the index says, row order aside."""
    from collections import defaultdict

    words = sorted(index.vocabulary, key=index.vocabulary.__getitem__)
    held: dict[str, set] = defaultdict(set)
    for column, word in enumerate(words):
        start, end = index.starts[column], index.starts[column + 1]
        for row, times in zip(index.rows[start:end], index.counts[start:end], strict=True):
            held[index.chunk_ids[row].decode()].add((word, int(times)))
    return {
        chunk.decode(): (frozenset(held[chunk.decode()]), int(length), bool(flag))
        for chunk, length, flag in zip(
            index.chunk_ids, index.lengths, index.searchable, strict=True
        )
    }


def test_a_small_change_patches_the_keyword_index_to_what_a_rebuild_gives(
    tmp_path: Path, normalizer: Normalizer, monkeypatch
) -> None:
    from knowledge import keywords, postings

    folder = tmp_path / "kb"
    shutil.copytree(BUNDLED, folder)
    for n in range(8):
        (folder / f"{n}号.txt").write_text(
            f"第{n}号镇科协总结\n一、主要做法\n第{n}号镇开展科普讲座{n + 2}场，服务群众。\n",
            "utf-8",
        )
    store = Store(tmp_path / "kb.db")
    sync_folder(folder, store, normalizer)
    (folder / "1号.txt").write_text("一号镇总结\n一、做法\n一号镇开展防震减灾演练。\n", "utf-8")
    (folder / "2号.txt").unlink()
    (folder / "新.txt").write_text("新街道总结\n一、做法\n街道开展科普讲座，居民参加。\n", "utf-8")
    rebuilt: list[str] = []
    build = postings.build

    def counted(*arguments):  # type: ignore[no-untyped-def]
        if arguments[3:] != ("documents",):  # report titles are always rebuilt whole
            rebuilt.append("chunks")
        return build(*arguments)

    monkeypatch.setattr(postings, "build", counted)
    sync_folder(folder, store, normalizer)
    assert rebuilt == []  # patched, not rebuilt
    patched = store._keyword_index()
    assert patched is not None
    fresh = build(store.db, "check", keywords.totals(store.db))
    assert _postings_by_chunk(patched) == _postings_by_chunk(fresh)
    terms = ["科普", "讲座", "防震", "街道", "居民"]
    full = fts_scores(store, terms)
    for hit in store.keyword_search(terms, 1000):
        assert hit.score == pytest.approx(full[hit.chunk_id], rel=1e-9, abs=1e-12)


def test_title_index_ranks_reports_as_fts5_does(bundled_store, normalizer: Normalizer) -> None:
    from knowledge import keywords

    store, _ = bundled_store
    assert store._title_index() is not None
    questions = [json.loads(line)["q"] for line in DEV_QUESTIONS.read_text("utf-8").splitlines()]
    questions += ["2024年乡镇科普工作总结", "成都市科协", "街道"]
    compared = 0
    for question in questions:
        terms = query_terms(normalizer.normalize(question))
        fast = store.title_search(terms, 5)
        exact = keywords.title_search(store.db, terms, 5)  # FTS5's bm25()
        assert list(fast) == list(exact)
        for document_id, score in fast.items():
            assert score == pytest.approx(exact[document_id], rel=1e-9, abs=1e-12)
        compared += bool(exact)
    assert compared >= 5


@pytest.mark.parametrize("limit", [1, 5, 20])
def test_the_best_few_are_the_best_of_every_match_though_most_rows_are_passed_over(
    bundled_store, normalizer: Normalizer, limit: int
) -> None:
    # `top` ranks only rows at or above a floor read from the rarest words' rows: the
    # scores it returns are still the best `limit` of all, as FTS5 ranks them.
    store, _ = bundled_store
    searchable = {c.id for c in store.chunks(include_duplicates=False)}
    questions = [json.loads(line)["q"] for line in DEV_QUESTIONS.read_text("utf-8").splitlines()]
    for question in questions:
        terms = query_terms(normalizer.normalize(question))
        full = sorted(
            (s for c, s in fts_scores(store, terms).items() if c in searchable), reverse=True
        )
        hits = store.keyword_search(terms, limit=limit)
        assert [h.score for h in hits] == pytest.approx(full[:limit], rel=1e-9, abs=1e-12)
