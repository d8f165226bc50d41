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
from knowledge.keywords import KeywordHit
from knowledge.records import ChunkRecord, DocumentRecord
from knowledge.schema import migrate

_CHUNK_COLUMNS = """c.id, c.document_id, c.idx, c.text, c.normalized, c.tokens, c.heading_path,
    c.start, c.end, d.title, d.source, d.place, d.level, d.year, d.duplicate_of"""


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
        try:
            migrate(self.db)
        except ValueError as exc:
            raise StoreError(
                "知识库文件来自不兼容的版本，请删除数据目录后重新运行 `kepubot ingest`。"
            ) from exc

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

    def documents(self) -> list[DocumentRecord]:
        """Every report, duplicates included, in file order."""
        rows = self.db.table("documents").rows_where(order_by="source, position")
        return [DocumentRecord.from_row(row) for row in rows]

    def document_text(self, document_id: str) -> str:
        """The whole text of one report, as its chunks' spans index it."""
        row = self.db.execute("SELECT text FROM documents WHERE id = ?", [document_id]).fetchone()
        if row is None:
            raise KeyError(document_id)
        return str(row[0])

    def signatures(self) -> dict[str, list[int]]:
        """Each document's MinHash signature, for finding duplicates."""
        rows = self.db.execute("SELECT id, signature FROM documents").fetchall()
        return {document_id: json.loads(signature) for document_id, signature in rows}

    def set_duplicates(self, duplicate_of: dict[str, str]) -> None:
        """Record duplicates and keep only canonical documents' chunks searchable."""
        self.db.execute("UPDATE documents SET duplicate_of = NULL")
        self.db.execute("UPDATE chunks SET searchable = 1 WHERE searchable != 1")
        for duplicate, canonical in duplicate_of.items():
            self.db.table("documents").update(duplicate, {"duplicate_of": canonical})
            self.db.execute("UPDATE chunks SET searchable = 0 WHERE document_id = ?", [duplicate])

    def chunks(self, include_duplicates: bool = True) -> Iterator[ChunkRecord]:
        """Chunks joined with their document, in reading order."""
        where = "" if include_duplicates else "WHERE c.searchable = 1"
        sql = f"""
            SELECT {_CHUNK_COLUMNS}
            FROM chunks c JOIN documents d ON d.id = c.document_id {where}
            ORDER BY d.source, d.position, c.idx"""
        for row in self.db.query(sql):
            yield ChunkRecord.from_row(row)

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

    def chunks_by_id(self, chunk_ids: list[str]) -> dict[str, ChunkRecord]:
        """Chunks with their document's title and metadata, by id."""
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        sql = f"""
            SELECT {_CHUNK_COLUMNS}
            FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id IN ({marks})"""
        return {row["id"]: ChunkRecord.from_row(row) for row in self.db.query(sql, chunk_ids)}

    def keyword_search(
        self,
        terms: list[str],
        limit: int = 10,
        document_ids: list[str] | None = None,
        first_pass_rows: int = keywords.FIRST_PASS_ROWS,
    ) -> list[KeywordHit]:
        """BM25 over the segmented normalised text; any term may match (OR)."""
        self._refresh_terms_if_stale()
        return keywords.keyword_search(self.db, terms, limit, document_ids, first_pass_rows)

    def _refresh_terms_if_stale(self) -> None:
        if self._terms_stale:
            keywords.refresh_terms(self.db)
            self._terms_stale = False
