"""Schema migrations: stores made by earlier versions open without losing a row."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge.ingest import sync_folder
from knowledge.normalize import Normalizer
from knowledge.schema import MIGRATIONS
from knowledge.store import Store, StoreError
from tests.paths import DATA

TABLES = ("files", "documents", "chunks", "terms")


def rows(path: Path) -> dict[str, list[tuple]]:
    """Every row of the store's own tables, read with plain sqlite3."""
    import sqlite3

    connection = sqlite3.connect(path)
    try:
        return {
            table: sorted(connection.execute(f"SELECT * FROM {table}").fetchall())
            for table in TABLES
        }
    finally:
        connection.close()


def store_facts(path: Path) -> list[tuple]:
    import sqlite3

    connection = sqlite3.connect(path)
    try:
        query = "SELECT written, value, qualifier, unit, counted FROM facts WHERE kind = 'figure'"
        return connection.execute(query).fetchall()
    finally:
        connection.close()


def test_a_schema_2_store_made_before_migrations_upgrades_without_losing_a_row(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    # tests/data/schema2.db was written by the store of schema version 2 (user_version 2,
    # no migrations table) from tests/data/schema2_corpus.
    path = tmp_path / "kepubot.db"
    shutil.copy(DATA / "schema2.db", path)
    before = rows(path)
    assert before["chunks"] and before["terms"]
    store = Store(path)
    applied = MIGRATIONS.applied(store.db)
    assert [m.name for m in applied] == [
        "m001_tables", "m002_terms", "m003_passage_level", "m004_title_words", "m005_facts",
        "m006_scan_page",
        "m007_figure_start", "m008_chunk_writes",
    ]  # fmt: skip
    # The first two were recorded as already there, in one step: neither was run again.
    assert applied[0].applied_at == applied[1].applied_at
    assert MIGRATIONS.pending(store.db) == []
    store.close()
    after = rows(path)
    # m003 adds each passage's level, m006 its scanned page, and m004 each report's title
    # words, read from the stored rows; no other value changes.
    assert {t: v for t, v in after.items() if t not in ("chunks", "documents")} == {
        t: v for t, v in before.items() if t not in ("chunks", "documents")
    }
    assert sorted(r[:-1] for r in after["documents"]) == before["documents"]
    title_words = sorted(r[-1] for r in after["documents"])
    assert (
        title_words[1] == "白石 镇 科协 2022 年 科普 工作 总结 乡镇 2022 年"
    )  # title, level, year
    assert store_title_hit(path, "白石") == ["ed24b31915f5"]
    # m006 adds each passage's scanned page: none, for text files.
    assert sorted(r[:-2] for r in after["chunks"]) == before["chunks"]
    assert sorted(r[-2] for r in after["chunks"]) == ["乡镇", "街道"]
    assert [r[-1] for r in after["chunks"]] == [None, None]
    # m005 reads each stored passage's figures into the facts table.
    figures = store_facts(path)
    assert ("300人次", 300.0, "約", "人次", "") in figures
    store = Store(path)  # a second open applies nothing and changes nothing
    assert store.counts() == {"files": 2, "documents": 2, "duplicates": 0, "chunks": 2}
    assert {d.place for d in store.documents()} and all(
        isinstance(c.heading_path, tuple) for c in store.chunks()
    )
    hits = store.keyword_search(["读书"], 5)
    assert [h.chunk_id for h in hits] == [c.id for c in store.chunks() if "讀書" in c.text]
    # Read by an older reading, the upgraded store reads its files again once, into what a
    # new store would hold; then it syncs like any other: nothing in the folder changed.
    corpus = tmp_path / "corpus"
    shutil.copytree(DATA / "schema2_corpus", corpus)
    summary = sync_folder(corpus, store, normalizer)
    assert len(summary.changed) == 2 and not summary.failed
    fresh = Store(tmp_path / "fresh.db")
    assert sync_folder(corpus, fresh, normalizer).chunks == summary.chunks
    fresh.close()
    again = sync_folder(corpus, store, normalizer)
    assert (again.changed, again.unchanged) == ([], 2)
    store.close()


def test_a_new_store_applies_every_migration(tmp_path: Path) -> None:
    store = Store(tmp_path / "kepubot.db")
    names = [m.name for m in MIGRATIONS.applied(store.db)]
    assert names == [
        "m001_tables", "m002_terms", "m003_passage_level", "m004_title_words", "m005_facts",
        "m006_scan_page",
        "m007_figure_start", "m008_chunk_writes",
    ]  # fmt: skip
    assert set(TABLES) <= set(store.db.table_names())
    store.close()


def test_a_store_from_a_newer_version_is_refused_with_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "kepubot.db"
    store = Store(path)
    store.db.table(MIGRATIONS.migrations_table).insert(
        {"migration_set": MIGRATIONS.name, "name": "m999_future", "applied_at": "2030"}
    )
    store.close()
    with pytest.raises(StoreError, match="不兼容的版本"):
        Store(path)


def store_title_hit(path: Path, word: str) -> list[str]:
    store = Store(path)
    try:
        return list(store.title_search([word]))
    finally:
        store.close()
