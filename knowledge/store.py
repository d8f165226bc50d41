"""The knowledge base in one SQLite file: files, documents, chunks and an FTS5 index."""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import shutil
import sqlite3
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from knowledge import bm25, keywords, postings
from knowledge.keywords import KeywordHit
from knowledge.postings import Postings
from knowledge.records import CHUNK_COLUMNS, ChunkRecord, DocumentRecord, FactRecord
from knowledge.schema import fill_facts, migrate


class StoreError(Exception):
    """The store cannot be used; the message is one sentence saying what to do."""


class StoreDamaged(StoreError):
    """The file itself is damaged or from another version: set it aside and rebuild."""


class StoreUnavailable(StoreError):
    """Nothing is wrong with the file, but it cannot be used now (disk full, locked, no access).

    Never a reason to move the store aside: the knowledge base it holds is still good.
    """


class DiskFull(StoreUnavailable):
    """The data directory's disk has no room left."""


DISK_FULL = "数据目录所在的磁盘已满（{path}），请清理空间后重试；现有知识库未受影响。"
LOCKED = "知识库正被另一个 kepubot 进程更新，请等它完成后再试。"
NO_ACCESS = "无法写入数据目录（{path}），请检查权限；现有知识库未受影响。"
IO_ERROR = "读写知识库时出错（{error}），请检查数据目录所在的磁盘；现有知识库未受影响。"
DAMAGED = "知识库文件已损坏（{path}：{error}），请运行 `kepubot ingest` 重建（报告目录不受影响）。"
_MIN_FREE_BYTES = 1 << 20
# A write touching at most this share of the chunks patches the keyword index; more, and it
# is rebuilt (patching costs the unchanged rows' postings too).
PATCH_SHARE = 0.2
# The write log keeps the chunk ids of this many latest writes, and of writes inserting at
# most WRITE_LOG_CHUNKS chunks: a reader further behind, or behind a larger write, reads all.
WRITE_LOG_KEPT = 64
WRITE_LOG_CHUNKS = 20_000
_REMEMBERED_COUNTS = 100_000
log = logging.getLogger(__name__)


def _primary_code(error: BaseException) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_damage(error: BaseException) -> bool:
    """SQLite says the file is corrupt or not a database (SQLITE_CORRUPT, SQLITE_NOTADB)."""
    return _primary_code(error) in (11, 26)


def classify(error: BaseException, path: Path) -> StoreError:
    """Tell a damaged store from one that merely cannot be written now."""
    primary = _primary_code(error)
    if is_damage(error):
        return StoreDamaged(DAMAGED.format(path=path, error=error))
    if primary == 13 or getattr(error, "errno", None) == errno.ENOSPC or _disk_full(path):
        return DiskFull(DISK_FULL.format(path=path.parent))
    if primary in (5, 6):  # SQLITE_BUSY, SQLITE_LOCKED
        return StoreUnavailable(LOCKED)
    if primary in (3, 8, 14) or isinstance(error, PermissionError):  # PERM, READONLY, CANTOPEN
        return StoreUnavailable(NO_ACCESS.format(path=path.parent))
    if primary is None and not isinstance(error, OSError):
        return StoreDamaged(DAMAGED.format(path=path, error=error))
    return StoreUnavailable(IO_ERROR.format(error=error))


def _disk_full(path: Path) -> bool:
    # A full disk shows up as SQLITE_FULL, or as a bare "disk I/O error" when the WAL's
    # shared memory cannot grow: the free space tells them apart from a failing disk.
    folder = next((p for p in (path.parent, *path.parents) if p.exists()), None)
    if folder is None:
        return False
    try:
        return shutil.disk_usage(folder).free < _MIN_FREE_BYTES
    except OSError:
        return False


def set_aside(path: Path) -> Path:
    """Move a damaged store (and its WAL files) out of the way, keeping it for inspection."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        source = path.with_name(path.name + suffix)
        if source.exists():
            source.replace(target.with_name(target.name + suffix))
    return target


def _ensure_schema(db: sqlite_utils.Database) -> None:
    try:
        migrate(db)
    except ValueError as exc:
        raise StoreDamaged(
            "知识库文件来自不兼容的版本，请删除数据目录后重新运行 `kepubot ingest`。"
        ) from exc


def _read_only(path: Path) -> sqlite_utils.Database:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True)
    return sqlite_utils.Database(connection)


def _close_quietly(db: sqlite_utils.Database | None) -> None:
    if db is not None:
        with contextlib.suppress(Exception):
            db.close()


class Store:
    """Tables: files (one row per source file), documents (reports), chunks (+ chunks_fts)."""

    def __init__(self, path: Path, create: bool = True) -> None:
        if not create and not path.exists():
            raise StoreError(f"知识库尚未建立（{path}），请先运行 `kepubot ingest`。")
        db: sqlite_utils.Database | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite_utils.Database(path)
            db.execute("PRAGMA journal_mode=WAL")
            _ensure_schema(db)
            # A torn or overwritten file can open fine and fail later; find out now.
            check = db.execute("PRAGMA quick_check").fetchone()[0]
        except (sqlite3.DatabaseError, OSError) as exc:
            _close_quietly(db)
            problem = classify(exc, path)
            if create or not isinstance(problem, DiskFull):
                raise problem from exc
            # On a full disk SQLite cannot even make the WAL's shared memory; the knowledge
            # base itself is fine, so it is served read-only until there is room again.
            log.warning("disk full: opening %s read-only", path)
            db = _read_only(path)
            check = "ok"
        if check != "ok":
            _close_quietly(db)
            raise StoreDamaged(DAMAGED.format(path=path, error=check))
        self.db = db
        self.path = path
        self._terms_stale = False  # set by writes; recounted before the next read or commit
        self._chunks_changed = False  # set by writes; a new chunks version at commit
        self._postings: Postings | bool | None = False  # False: not looked for yet
        self._titles: Postings | bool | None = False  # the same, of report titles
        self._counted_for: Postings | None = None  # the index `_phrase_counts` are of
        self._phrase_counts: dict[str, int] = {}
        # Chunks the open transaction removed and inserted: the keyword index is patched
        # with them at the commit rather than rebuilt.
        self._removed_chunks: set[str] = set()
        self._inserted_chunks: set[str] = set()

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All-or-nothing: a crash inside leaves the previous knowledge base as it was."""
        before: str | None = None
        self._removed_chunks, self._inserted_chunks = set(), set()
        try:
            with self.db.atomic():
                # Read inside the write, so that the log's link to the version before is
                # the one this write changes.
                before = self.get_meta("chunks_version")
                yield
                self._refresh_terms_if_stale()
                if self._chunks_changed:
                    self._log_write(before)
            if self._chunks_changed:
                self._chunks_changed = False
                self.refresh_keyword_index(before)
        finally:
            self._removed_chunks, self._inserted_chunks = set(), set()

    def _log_write(self, before: str | None) -> None:
        """A new chunks version, and which chunks the write inserted (a chunk rewritten in
        place keeps its id, so removals alone are told by the ids that are gone)."""
        version = uuid.uuid4().hex
        self.set_meta("chunks_version", version)
        inserted = sorted(self._inserted_chunks)
        listed = json.dumps(inserted) if len(inserted) <= WRITE_LOG_CHUNKS else None
        log_table = self.db.table("chunk_writes")
        log_table.insert({"version": version, "previous": before, "inserted": listed})
        self.db.execute(
            "DELETE FROM chunk_writes WHERE seq <= (SELECT max(seq) FROM chunk_writes) - ?",
            [WRITE_LOG_KEPT],
        )

    def chunks_written_since(self, version: str) -> set[str] | None:
        """The ids of the chunks inserted or rewritten by the writes after chunks version
        `version` up to now; None when the log does not reach back to it."""
        rows = self.db.execute("SELECT version, previous, inserted FROM chunk_writes").fetchall()
        steps = {row[0]: (row[1], row[2]) for row in rows}
        written: set[str] = set()
        current = self.get_meta("chunks_version")
        for _ in range(len(steps) + 1):
            if current == version:
                return written
            step = steps.get(current or "")
            if step is None or step[1] is None:
                return None
            written.update(json.loads(step[1]))
            current = step[0]
        return None

    def refresh_keyword_index(self, patchable: str | None = None) -> None:
        """Bring the keyword index beside the store to the current chunks: patched when it
        is of version `patchable` (the chunks before the write just committed) and the write
        touched few chunks, else rebuilt; nothing when it is current. After a crash between
        a commit and its index, the next sync mends it."""
        version = self.get_meta("chunks_version")
        if version is None:
            version = uuid.uuid4().hex
            with self.db.atomic():
                self.set_meta("chunks_version", version)
        path = postings.index_path(self.path)
        if postings.load(path, version) is None:  # missing, stale or damaged
            old = postings.load(path, patchable) if patchable else None
            touched = len(self._removed_chunks) + len(self._inserted_chunks)
            if old is not None and touched <= PATCH_SHARE * len(old.chunk_ids):
                fresh = postings.patch(
                    old, self.db, self._removed_chunks, self._inserted_chunks, version,
                    keywords.totals(self.db),
                )  # fmt: skip
            else:
                fresh = postings.build(self.db, version, keywords.totals(self.db))
            postings.save(fresh, path)
        titles = postings.index_path(self.path, "documents")
        if postings.load(titles, version) is None:  # a few thousand reports: rebuilt whole
            built = postings.build(self.db, version, keywords.totals(self.db, "documents"),
                                   "documents")  # fmt: skip
            postings.save(built, titles)
        self._postings = self._titles = False  # read again at the next search

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
        self._terms_stale = self._chunks_changed = True
        sql = (
            "SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.source = ?"
        )
        self._removed_chunks.update(row[0] for row in self.db.execute(sql, [source]))
        ids = [r["id"] for r in self.db.table("documents").rows_where("source = ?", [source])]
        for document_id in ids:
            self.db.table("chunks").delete_where("document_id = ?", [document_id])
            self.db.table("facts").delete_where("document_id = ?", [document_id])
        self.db.table("documents").delete_where("source = ?", [source])

    def insert_document(
        self,
        document: dict[str, Any],
        chunks: list[dict[str, Any]],
        facts: list[dict[str, Any]] | None = None,
    ) -> None:
        self.insert_documents([(document, chunks, facts or [])])

    def insert_documents(
        self, rows: Sequence[tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]]
    ) -> None:
        """Several documents' rows (a file's), in order: the same rows and rowids as one
        `insert_document` each, written with one prepared statement a table (sqlite-utils
        inspects the table on every call, which was most of the writing process's time)."""
        self._terms_stale = self._chunks_changed = True
        chunks = [chunk for _, document_chunks, _ in rows for chunk in document_chunks]
        self._inserted_chunks.update(chunk["id"] for chunk in chunks)
        _insert_rows(self.db, "documents", [document for document, _, _ in rows], replace=True)
        _insert_rows(self.db, "chunks", chunks, replace=True)
        _insert_rows(self.db, "facts", [fact for _, _, facts in rows for fact in facts])

    def refresh_facts(self, version: str) -> bool:
        """Extract every passage's facts again when they were extracted by another version
        of the extractor than `version`; whether it did."""
        if self.get_meta("facts_version") == version:
            return False
        fill_facts(self.db)
        self.set_meta("facts_version", version)
        return True

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

    def signatures(self) -> list[tuple[str, list[int]]]:
        """Each document's MinHash signature, for finding duplicates: Simplified copies
        first (most users ask in Simplified, so they are kept as canonical), then in file
        order."""
        rows = self.db.execute(
            "SELECT id, signature FROM documents "
            "ORDER BY coalesce(script, '') != 'simplified', source, position"
        ).fetchall()
        return [(document_id, json.loads(signature)) for document_id, signature in rows]

    def set_duplicates(self, duplicate_of: dict[str, str]) -> None:
        """Record duplicates and keep only canonical documents' chunks searchable."""
        recorded = dict(
            self.db.execute(
                "SELECT id, duplicate_of FROM documents WHERE duplicate_of IS NOT NULL"
            ).fetchall()
        )
        if recorded == duplicate_of:
            return  # most syncs: rewriting every row cost a sync of one file a quarter second
        self._chunks_changed = True
        self.db.execute("UPDATE documents SET duplicate_of = NULL")
        self.db.execute("UPDATE chunks SET searchable = 1 WHERE searchable != 1")
        for duplicate, canonical in duplicate_of.items():
            self.db.table("documents").update(duplicate, {"duplicate_of": canonical})
            self.db.execute("UPDATE chunks SET searchable = 0 WHERE document_id = ?", [duplicate])

    def chunks(self, include_duplicates: bool = True) -> Iterator[ChunkRecord]:
        """Chunks joined with their document, in reading order."""
        where = "" if include_duplicates else "WHERE c.searchable = 1"
        sql = f"""
            SELECT {CHUNK_COLUMNS}
            FROM chunks c JOIN documents d ON d.id = c.document_id {where}
            ORDER BY d.source, d.position, c.idx"""
        for row in self.db.execute(sql):
            yield ChunkRecord.from_columns(row)

    def search_texts(
        self, chunk_ids: Sequence[str] | None = None
    ) -> Iterator[tuple[str, str, tuple[str, ...], str, str]]:
        """(id, report title, heading path, normalised text, words) of every searchable chunk
        in reading order, or of those of `chunk_ids` that are searchable (in reading order
        within each 500): what the vectors are made of, without whole records (a full sync
        reads all 100k of them)."""
        select = """
            SELECT c.id, d.title, c.heading_path, c.normalized, c.tokens
            FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.searchable = 1"""
        order = "ORDER BY d.source, d.position, c.idx"
        if chunk_ids is None:
            batches: Iterator[Any] = iter([self.db.execute(f"{select} {order}")])
        else:
            wanted = list(chunk_ids)
            batches = (
                self.db.execute(f"{select} AND c.id IN ({','.join('?' * len(part))}) {order}", part)
                for part in (wanted[i : i + 500] for i in range(0, len(wanted), 500))
            )
        for batch in batches:
            for chunk_id, title, path, normalized, tokens in batch:
                yield chunk_id, title, tuple(json.loads(path)), normalized, tokens

    def searchable_chunk_ids(self) -> set[str]:
        """The ids of every searchable chunk (duplicates' chunks are not)."""
        return {row[0] for row in self.db.execute("SELECT id FROM chunks WHERE searchable = 1")}

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
        index = self._keyword_index()
        if index is None:
            return keywords.document_frequencies(self.db, terms)
        # With the index, only phrases (a synonym jieba cuts in two) need FTS5: their counts
        # are remembered while the index is current.
        if index is not self._counted_for:
            self._counted_for, self._phrase_counts = index, {}
        missing = [t for t in terms if t not in self._phrase_counts]
        counts = keywords.document_frequencies(self.db, missing, index)
        if len(self._phrase_counts) < _REMEMBERED_COUNTS:
            self._phrase_counts.update(
                (t, n) for t, n in counts.items() if len(bm25.fts_tokens(t)) > 1
            )
        return {t: counts[t] if t in counts else self._phrase_counts[t] for t in terms}

    def passages_containing(self, text: str) -> int:
        """How many searchable chunks hold `text` in their search form, however the words
        around it were cut (广播电视 inside 广播电视台, which FTS5 never sees as a token).
        A scan of every chunk: for the rare word `document_frequencies` finds nowhere."""
        sql = "SELECT count(*) FROM chunks WHERE searchable = 1 AND instr(normalized, ?) > 0"
        return int(self.db.execute(sql, [text]).fetchone()[0])

    def chunks_by_id(self, chunk_ids: list[str]) -> dict[str, ChunkRecord]:
        """Chunks with their document's title and metadata, by id."""
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        sql = f"""
            SELECT {CHUNK_COLUMNS}
            FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id IN ({marks})"""
        return {row[0]: ChunkRecord.from_columns(row) for row in self.db.execute(sql, chunk_ids)}

    def passage_levels(self) -> dict[str, set[str]]:
        """Each document's passage levels that differ from its own (a city's townships)."""
        levels: dict[str, set[str]] = {}
        sql = """
            SELECT DISTINCT c.document_id, c.level FROM chunks c
            JOIN documents d ON d.id = c.document_id
            WHERE c.level IS NOT NULL AND c.level IS NOT d.level"""
        for document_id, level in self.db.execute(sql).fetchall():
            levels.setdefault(document_id, set()).add(level)
        return levels

    def first_chunk(self, document_id: str) -> ChunkRecord | None:
        """A document's first chunk (its opening), or None for an unknown document."""
        sql = f"""
            SELECT {CHUNK_COLUMNS}
            FROM chunks c JOIN documents d ON d.id = c.document_id
            WHERE c.document_id = ? ORDER BY c.idx LIMIT 1"""
        row = self.db.execute(sql, [document_id]).fetchone()
        return ChunkRecord.from_columns(row) if row else None

    def chunk_at(self, document_id: str, index: int) -> ChunkRecord | None:
        """A document's chunk by its place in the document, or None."""
        sql = f"""
            SELECT {CHUNK_COLUMNS}
            FROM chunks c JOIN documents d ON d.id = c.document_id
            WHERE c.document_id = ? AND c.idx = ?"""
        row = self.db.execute(sql, [document_id, index]).fetchone()
        return ChunkRecord.from_columns(row) if row else None

    def facts(self, kind: str = "figure", units: Sequence[str] = ()) -> list[FactRecord]:
        """The facts of canonical reports (a duplicate's are its original's), in report
        and reading order; only those in one of `units` when given."""
        in_units = f"AND f.unit IN ({', '.join('?' * len(units))})" if units else ""
        query = f"""SELECT f.*, c.text, c.heading_path, c.level AS passage_level, d.title,
            d.source, d.place, d.level, d.year FROM facts f
            JOIN chunks c ON c.id = f.chunk_id JOIN documents d ON d.id = f.document_id
            WHERE d.duplicate_of IS NULL AND f.kind = ? {in_units}
            ORDER BY d.source, d.position, c.idx, f.sentence_start, f.id"""
        cursor = self.db.execute(query, [kind, *units])
        names = [d[0] for d in cursor.description]
        return [FactRecord.from_row(dict(zip(names, row, strict=True))) for row in cursor]

    def keyword_search(
        self,
        terms: list[str],
        limit: int = 10,
        document_ids: list[str] | None = None,
        first_pass_rows: int = keywords.FIRST_PASS_ROWS,
        scales: dict[str, float] | None = None,
    ) -> list[KeywordHit]:
        """BM25 over the segmented normalised text; any term may match (OR); `scales`
        lowers some terms' weight (synonyms)."""
        self._refresh_terms_if_stale()
        return keywords.keyword_search(
            self.db, terms, limit, document_ids, first_pass_rows, scales, self._keyword_index()
        )

    def title_search(self, terms: list[str], limit: int = 5) -> dict[str, float]:
        """Reports whose title words match the terms: document id → BM25 score."""
        return keywords.title_search(self.db, terms, limit, self._title_index())

    def load_keyword_index(self) -> bool:
        """Read the keyword indexes now rather than at the first search; whether they are
        there. Their per-posting impacts, where kept, are worked out now too (4 s at 1M
        chunks), not at the first search."""
        indexes = (self._keyword_index(), self._title_index())
        for index in indexes:
            if index is not None and index.keeps_impacts:
                index.impacts  # noqa: B018  # a cached property
        return all(index is not None for index in indexes)

    def _keyword_index(self) -> Postings | None:
        """The keyword index of the current chunks, or None (FTS5 alone then)."""
        if self._postings is False:
            if self._terms_stale or self._chunks_changed:
                return None  # uncommitted writes: only FTS5 sees them
            path = postings.index_path(self.path)
            self._postings = postings.load(path, self.get_meta("chunks_version"))
        return self._postings if isinstance(self._postings, Postings) else None

    def _title_index(self) -> Postings | None:
        """The title words' index of the current reports, or None (FTS5 alone then)."""
        if self._titles is False:
            if self._terms_stale or self._chunks_changed:
                return None
            path = postings.index_path(self.path, "documents")
            self._titles = postings.load(path, self.get_meta("chunks_version"))
        return self._titles if isinstance(self._titles, Postings) else None

    def _refresh_terms_if_stale(self) -> None:
        if self._terms_stale:
            keywords.refresh_terms(self.db)
            self._terms_stale = False


def _insert_rows(
    db: sqlite_utils.Database, table: str, rows: list[dict[str, Any]], replace: bool = False
) -> None:
    """Insert rows as sqlite-utils' insert_all does (every key any row has is a column, a
    missing one NULL), for rows of plain values."""
    if not rows:
        return
    columns = list(dict.fromkeys(key for row in rows for key in row))
    names = ", ".join(f"[{column}]" for column in columns)
    marks = ", ".join("?" * len(columns))
    verb = "INSERT OR REPLACE" if replace else "INSERT"
    db.conn.executemany(
        f"{verb} INTO [{table}] ({names}) VALUES ({marks})",
        [tuple(row.get(column) for column in columns) for row in rows],
    )
