"""The knowledge base in one SQLite file: files, documents, chunks and an FTS5 index."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from knowledge import keywords
from knowledge.keywords import SearchHit

SCHEMA_VERSION = 2  # 2: word counts in `terms`


class StoreError(Exception):
    """The store file is missing, damaged or from another version; the message says what to do."""


def set_aside(path: Path) -> Path:
    """Move a damaged store (and its WAL files) out of the way, keeping it for inspection."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        source = path.with_name(path.name + suffix)
        if source.exists():
            source.replace(target.with_name(target.name + suffix))
    return target


class Store:
    """Tables: files (one row per source file), documents (reports), chunks (+ chunks_fts)."""

    def __init__(self, path: Path, create: bool = True) -> None:
        if not create and not path.exists():
            raise StoreError(f"知识库尚未建立（{path}），请先运行 `kepubot ingest`。")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite_utils.Database(path)
            self.db.execute("PRAGMA journal_mode=WAL")
            self._ensure_schema()
            # A torn or overwritten file can open fine and fail later; find out now.
            check = self.db.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            check = str(exc)
        if check != "ok":
            with contextlib.suppress(Exception):
                self.db.close()
            raise StoreError(
                f"知识库文件已损坏（{path}：{check}），"
                "请运行 `kepubot ingest` 重建（报告目录不受影响）。"
            )
        self.path = path
        self._terms_stale = False  # set by writes; recounted before the next read or commit

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All-or-nothing: a crash inside leaves the previous knowledge base as it was."""
        with self.db.atomic():
            yield
            self._refresh_terms_if_stale()

    def _ensure_schema(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, 1, SCHEMA_VERSION):
            raise StoreError(
                "知识库文件来自不兼容的版本，请删除数据目录后重新运行 `kepubot ingest`。"
            )
        if "chunks" in self.db.table_names():
            if version == 1:  # the word counts came in version 2; count them from the index
                with self.db.atomic():
                    keywords.create_terms(self.db)
                    keywords.refresh_terms(self.db)
                    self.db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            return
        with self.db.atomic():
            self.db.table("files").create(
                {"path": str, "sha256": str, "size": int, "mtime": float, "status": str,
                 "error": str, "documents": int, "updated_at": str},
                pk="path",
            )  # fmt: skip
            self.db.table("documents").create(
                {"id": str, "source": str, "position": int, "title": str, "number": int,
                 "script": str, "place": str, "level": str, "year": int, "duplicate_of": str,
                 "text": str, "signature": str, "chunk_count": int},
                pk="id",
            )  # fmt: skip
            self.db.table("chunks").create(
                {"id": str, "document_id": str, "idx": int, "text": str, "normalized": str,
                 "tokens": str, "heading_path": str, "start": int, "end": int,
                 "text_hash": str, "searchable": int},
                pk="id",
            )  # fmt: skip
            self.db.table("documents").create_index(["source"])
            self.db.table("chunks").create_index(["document_id"])
            self.db.table("meta").create({"key": str, "value": str}, pk="key")
            self.db.table("chunks").enable_fts(["tokens"], create_triggers=True)
            # FTS5's vocabulary, from which `terms` is recounted after every write.
            self.db.execute(
                "CREATE VIRTUAL TABLE chunks_fts_vocab USING fts5vocab(chunks_fts, 'row')"
            )
            keywords.create_terms(self.db)
            self.db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    # Files -------------------------------------------------------------------------------
    def files(self) -> dict[str, dict[str, Any]]:
        return {row["path"]: row for row in self.db.table("files").rows}

    def upsert_file(self, row: dict[str, Any]) -> None:
        self.db.table("files").upsert(row, pk="path")

    def remove_file(self, path: str) -> None:
        self.remove_documents(path)
        self.db.table("files").delete_where("path = ?", [path])

    # Documents and chunks ------------------------------------------------------------------
    def remove_documents(self, source: str) -> None:
        self._terms_stale = True
        ids = [r["id"] for r in self.db.table("documents").rows_where("source = ?", [source])]
        for document_id in ids:
            self.db.table("chunks").delete_where("document_id = ?", [document_id])
        self.db.table("documents").delete_where("source = ?", [source])

    def insert_document(self, document: dict[str, Any], chunks: list[dict[str, Any]]) -> None:
        self._terms_stale = True
        self.db.table("documents").insert(document, pk="id", replace=True)
        self.db.table("chunks").insert_all(chunks, pk="id", replace=True)

    def documents(self) -> list[dict[str, Any]]:
        return list(self.db.table("documents").rows_where(order_by="source, position"))

    def set_duplicates(self, duplicate_of: dict[str, str]) -> None:
        """Record duplicates and keep only canonical documents' chunks searchable."""
        self.db.execute("UPDATE documents SET duplicate_of = NULL")
        self.db.execute("UPDATE chunks SET searchable = 1 WHERE searchable != 1")
        for duplicate, canonical in duplicate_of.items():
            self.db.table("documents").update(duplicate, {"duplicate_of": canonical})
            self.db.execute("UPDATE chunks SET searchable = 0 WHERE document_id = ?", [duplicate])

    def chunks(self, include_duplicates: bool = True) -> Iterator[dict[str, Any]]:
        """Chunks joined with their document, in reading order."""
        where = "" if include_duplicates else "WHERE c.searchable = 1"
        sql = f"""
            SELECT c.*, d.title, d.source, d.place, d.level, d.year, d.duplicate_of
            FROM chunks c JOIN documents d ON d.id = c.document_id {where}
            ORDER BY d.source, d.position, c.idx"""
        for row in self.db.query(sql):
            yield row | {"heading_path": tuple(json.loads(row["heading_path"]))}

    def counts(self) -> dict[str, int]:
        one = self.db.execute
        return {
            "files": one("SELECT count(*) FROM files WHERE status = 'ok'").fetchone()[0],
            "documents": one("SELECT count(*) FROM documents").fetchone()[0],
            "duplicates": one(
                "SELECT count(*) FROM documents WHERE duplicate_of IS NOT NULL"
            ).fetchone()[0],
            "chunks": one("SELECT count(*) FROM chunks WHERE searchable = 1").fetchone()[0],
        }

    def set_meta(self, key: str, value: str) -> None:
        self.db.table("meta").upsert({"key": key, "value": value}, pk="key")

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    # Search --------------------------------------------------------------------------------
    def document_frequencies(self, terms: list[str]) -> dict[str, int]:
        """How many chunks (duplicates included) contain each term."""
        self._refresh_terms_if_stale()
        return keywords.document_frequencies(self.db, terms)

    def chunk_rows(self, chunk_ids: list[str]) -> dict[str, dict[str, Any]]:
        """Chunks with their document's title and metadata, by id."""
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        sql = f"""
            SELECT c.id, c.document_id, c.text, c.normalized, c.heading_path, c.start, c.end,
                   d.title, d.source, d.place, d.level, d.year
            FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id IN ({marks})"""
        rows = {}
        for row in self.db.query(sql, chunk_ids):
            rows[row["id"]] = row | {"heading_path": tuple(json.loads(row["heading_path"]))}
        return rows

    def keyword_search(
        self,
        terms: list[str],
        limit: int = 10,
        document_ids: list[str] | None = None,
        first_pass_rows: int = keywords.FIRST_PASS_ROWS,
    ) -> list[SearchHit]:
        """BM25 over the segmented normalised text; any term may match (OR)."""
        self._refresh_terms_if_stale()
        return keywords.keyword_search(self.db, terms, limit, document_ids, first_pass_rows)

    def _refresh_terms_if_stale(self) -> None:
        if self._terms_stale:
            keywords.refresh_terms(self.db)
            self._terms_stale = False
