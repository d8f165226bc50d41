"""The knowledge base in one SQLite file: files, documents, chunks and an FTS5 index."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

SCHEMA_VERSION = 1


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


@dataclass(frozen=True)
class SearchHit:
    chunk_id: str
    document_id: str
    title: str
    heading_path: tuple[str, ...]
    text: str
    normalized: str
    score: float  # BM25, larger is better


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

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All-or-nothing: a crash inside leaves the previous knowledge base as it was."""
        with self.db.atomic():
            yield

    def _ensure_schema(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, SCHEMA_VERSION):
            raise StoreError(
                "知识库文件来自不兼容的版本，请删除数据目录后重新运行 `kepubot ingest`。"
            )
        if "chunks" in self.db.table_names():
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
            # Document frequencies of indexed words, for weighting a question's words.
            self.db.execute(
                "CREATE VIRTUAL TABLE chunks_fts_vocab USING fts5vocab(chunks_fts, 'row')"
            )
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
        ids = [r["id"] for r in self.db.table("documents").rows_where("source = ?", [source])]
        for document_id in ids:
            self.db.table("chunks").delete_where("document_id = ?", [document_id])
        self.db.table("documents").delete_where("source = ?", [source])

    def insert_document(self, document: dict[str, Any], chunks: list[dict[str, Any]]) -> None:
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
        if not terms:
            return {}
        marks = ",".join("?" * len(terms))
        sql = f"SELECT term, doc FROM chunks_fts_vocab WHERE term IN ({marks})"
        found = dict(self.db.execute(sql, terms).fetchall())
        return {term: int(found.get(term, 0)) for term in terms}

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
        self, terms: list[str], limit: int = 10, document_ids: list[str] | None = None
    ) -> list[SearchHit]:
        """BM25 over the segmented normalised text; any term may match (OR)."""
        if not terms or document_ids == []:
            return []
        query = " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)
        columns = """c.id, c.document_id, d.title, c.heading_path, c.text, c.normalized"""
        if document_ids is None:
            # Rank inside the FTS table first and join only the best: joining every match
            # before sorting costs most of the time on a large collection. Over-fetch so that
            # dropping duplicate reports still leaves `limit` hits.
            sql = f"""
                SELECT {columns}, f.score FROM (
                    SELECT rowid, -bm25(chunks_fts) AS score FROM chunks_fts
                    WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts) LIMIT ?
                ) f JOIN chunks c ON c.rowid = f.rowid JOIN documents d ON d.id = c.document_id
                WHERE c.searchable = 1 ORDER BY f.score DESC LIMIT ?"""
            arguments: list[Any] = [query, limit * 4, limit]
        else:
            marks = ",".join("?" * len(document_ids))
            sql = f"""
                SELECT {columns}, -bm25(chunks_fts) AS score
                FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid
                JOIN documents d ON d.id = c.document_id
                WHERE chunks_fts MATCH ? AND c.searchable = 1 AND c.document_id IN ({marks})
                ORDER BY bm25(chunks_fts) LIMIT ?"""
            arguments = [query, *document_ids, limit]
        return [
            SearchHit(r[0], r[1], r[2], tuple(json.loads(r[3])), r[4], r[5], float(r[6]))
            for r in self.db.execute(sql, arguments).fetchall()
        ]
