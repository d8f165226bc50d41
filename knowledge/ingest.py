"""Sync a folder of report files into the store: only changed files are processed."""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from itertools import repeat
from pathlib import Path, PurePosixPath
from typing import Any

from knowledge.chunk import chunk_paragraphs
from knowledge.clean import clean_paragraphs
from knowledge.dedupe import find_duplicates, signature
from knowledge.facts import VERSION as FACTS_VERSION
from knowledge.facts import fact_rows
from knowledge.metadata import extract_metadata, passage_level, title_tokens, tokens_for
from knowledge.models import Document, Report
from knowledge.normalize import Normalizer, detect_script, forget_routes
from knowledge.readers import ReadOptions, UnreadableFile, check_kind, read_paragraphs
from knowledge.records import encode_place
from knowledge.scan import VANISHED, Entry, scan_folder
from knowledge.split import split_reports
from knowledge.store import Store

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """The sync was asked to stop (the process is shutting down); nothing was written."""


class RemovalsHeld(Exception):
    """The sync would remove every report file, or more than half of them: an emptied or
    unmounted folder, or a mistyped path, looks exactly like that. Nothing was written."""

    def __init__(self, removed: list[str], total: int) -> None:
        super().__init__(f"sync would remove {len(removed)} of {total} files")
        self.removed = removed
        self.total = total


def removes_in_bulk(removed: int, total: int) -> bool:
    """Whether removing `removed` of `total` files needs a person's confirmation."""
    return removed > 0 and (removed >= total or 2 * removed > total)


def check_cancelled(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled()


@dataclass(frozen=True)
class ChunkBudget:
    min_chars: int = 150
    max_chars: int = 500


@dataclass
class Failure:
    path: str
    reason: str


@dataclass
class IngestSummary:
    files: int = 0
    documents: int = 0
    duplicates: int = 0
    chunks: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    failed: list[Failure] = field(default_factory=list)
    notes: list[Failure] = field(default_factory=list)  # read, but with a caveat
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def build_documents(
    path: Path,
    source: str,
    normalizer: Normalizer,
    budget: ChunkBudget,
    notes: list[str] | None = None,
    options: ReadOptions = ReadOptions(),
) -> list[Document]:
    """Read, clean, split and chunk one file. Raises UnreadableFile with a user-facing reason.

    Titles and metadata come from `source`, the name as a person reads it, not from `path`,
    which may hold undecodable bytes.
    """
    name = PurePosixPath(source).name
    paragraphs = read_paragraphs(path, notes=notes, options=options)
    reports = split_reports(clean_paragraphs(paragraphs), PurePosixPath(name).stem)
    if not reports:
        raise UnreadableFile("文件中没有可用的正文。")
    return documents_from_reports(reports, source, name, normalizer, budget)


def documents_from_reports(
    reports: list[Report], source: str, file_name: str, normalizer: Normalizer, budget: ChunkBudget
) -> list[Document]:
    """Chunk reports and read their metadata."""
    documents = []
    for position, report in enumerate(reports):
        chunks = chunk_paragraphs(list(report.paragraphs), budget.min_chars, budget.max_chars)
        normalized = normalizer.normalize(report.text)
        documents.append(
            Document(
                source=source,
                position=position,
                title=report.title,
                number=report.number,
                text=report.text,
                metadata=extract_metadata(normalized, file_name),
                script=detect_script(report.text),
                chunks=chunks,
                normalized=normalized,
            )
        )
    return documents


def store_documents(store: Store, normalizer: Normalizer, documents: list[Document]) -> None:
    """Insert documents that did not come from files (evaluation sets), in one transaction."""
    with store.transaction():
        for document in documents:
            store.insert_document(*_rows(document, normalizer))
        store.set_duplicates(_duplicates(store))


def sync_folder(
    knowledge_dir: Path,
    store: Store,
    normalizer: Normalizer,
    budget: ChunkBudget = ChunkBudget(),
    after_write: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
    options: ReadOptions = ReadOptions(),
    allow_removals: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
    workers: int | None = None,
) -> IngestSummary:
    """Bring the store in line with the folder in one transaction.

    Unchanged files (same size and mtime, or same sha256) are skipped; removed files lose
    their documents; failures are recorded with a reason and never stop the run.
    `after_write(path)` runs after each file is written inside the transaction (tests use it
    to inject a crash). Setting `cancel` stops the sync at the next file, before or inside
    the transaction, which then rolls back: the old knowledge base stays. A sync that would
    remove all the files or more than half of them raises RemovalsHeld before reading any,
    unless `allow_removals`. `progress(n, count, source)` is called before each of the
    `count` files that need reading (scans and conversions can take minutes). Many files
    are read by `workers` processes (default: one per core, only for a sync of
    PARALLEL_FILES files or more); the writing stays in this process.
    """
    started = time.perf_counter()
    if not knowledge_dir.is_dir():
        raise FileNotFoundError(f"知识库目录不存在：{knowledge_dir}")
    summary = IngestSummary()
    known = store.files()
    entries, skipped = scan_folder(knowledge_dir)
    on_disk = {entry.source: entry for entry in entries}
    if not allow_removals:
        # Files that gave reports; a failed file's row going away loses nothing.
        kept = {source for source, row in known.items() if row["status"] == "ok"}
        gone = sorted(kept - set(on_disk) - {item.source for item in skipped})
        if removes_in_bulk(len(gone), len(kept)):
            raise RemovalsHeld(gone, len(kept))
    # Files read by another version of the reading are read again, however unchanged.
    reread = store.get_meta("reading_version") != str(READING_VERSION)
    reusable = {} if reread else known
    jobs: list[_Job] = []
    for source, entry in sorted(on_disk.items()):
        previous = reusable.get(source)
        if _unchanged(previous, entry):
            summary.unchanged += 1  # a stat, no read: large unchanged files cost nothing
        else:
            jobs.append(_Job(entry.path, source, entry.size, entry.mtime, _ok_digest(previous)))
    summary.removed = sorted(set(known) - set(on_disk) - {item.source for item in skipped})
    changed = bool(summary.removed)
    check_cancelled(cancel)
    # Each file is written as soon as it is read, inside the one transaction: a crash or a
    # cancel still leaves the previous knowledge base whole, and only the files in flight
    # are held in memory.
    with store.transaction():
        # First, while a new store is still empty: its facts are then all of this version.
        if store.refresh_facts(str(FACTS_VERSION)):
            log.info("figures extracted again by extractor version %s", FACTS_VERSION)
        for source in summary.removed:
            store.remove_file(source)
        for item in skipped:
            _write(store, item.source, _failed_row(item.source, item.reason), [], after_write)
            changed = True
            check_cancelled(cancel)
        if progress is not None and jobs:
            progress(1, len(jobs), jobs[0].source)
        outcomes = _read_all(jobs, normalizer, budget, options, workers)
        for number, (job, outcome) in enumerate(zip(jobs, outcomes, strict=True), start=1):
            check_cancelled(cancel)
            if progress is not None and number < len(jobs):
                progress(number + 1, len(jobs), jobs[number].source)
            summary.notes += [Failure(job.source, note) for note in outcome.notes]
            if outcome.rows is None:
                summary.unchanged += 1  # touched, not changed
            elif outcome.row["status"] == "ok":
                previous = known.get(job.source)
                again = previous and previous["status"] == "ok"
                (summary.changed if again else summary.added).append(job.source)
            _write(store, job.source, outcome.row, outcome.rows, after_write)
            changed = changed or outcome.rows is not None
            check_cancelled(cancel)
        if changed:
            store.set_duplicates(_duplicates(store))
        store.set_meta("last_ingest", datetime.now(UTC).isoformat())
        store.set_meta("reading_version", str(READING_VERSION))
    # Built at the commit of any change; here also when a crash lost it after a commit.
    store.refresh_keyword_index()
    summary.failed = [
        Failure(path, row["error"]) for path, row in sorted(store.files().items())
        if row["status"] == "failed"
    ]  # fmt: skip
    counts = store.counts()
    summary.files = counts["files"]
    summary.documents = counts["documents"]
    summary.duplicates = counts["duplicates"]
    summary.chunks = counts["chunks"]
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


# Bumped when the same file reads into other documents, chunks or metadata (a heading now
# recognised, a title's unit now read): stores read by another version read every file
# again at their next sync, once.
READING_VERSION = 2
# Below this many files to read, starting worker processes (about a second each: imports
# and jieba's dictionary) costs more than it saves.
PARALLEL_FILES = 8
DocumentRows = tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]


@dataclass(frozen=True)
class _Job:
    """A file to read: where it is, what it was (its digest when it was read well last time)."""

    path: Path
    source: str
    size: int
    mtime: float
    previous_sha256: str | None


@dataclass(frozen=True)
class _Outcome:
    """The file's row, and its documents' rows (None: same contents as before)."""

    row: dict[str, Any]
    rows: list[DocumentRows] | None
    notes: tuple[str, ...] = ()


def _ok_digest(previous: dict[str, Any] | None) -> str | None:
    return previous["sha256"] if previous and previous["status"] == "ok" else None


def _read_all(
    jobs: list[_Job],
    normalizer: Normalizer,
    budget: ChunkBudget,
    options: ReadOptions,
    workers: int | None,
) -> Iterator[_Outcome]:
    """Each job's outcome, in order: in this process, or in worker processes for many files.

    Reading, cleaning, chunking, tagging and segmenting are pure work on one file, so files
    are spread over processes (jieba holds the GIL); only the store's writes are serial.
    """
    count = min(len(jobs), workers if workers is not None else (os.cpu_count() or 1))
    if count <= 1 or (workers is None and len(jobs) < PARALLEL_FILES):
        yield from (_read_one(job, normalizer, budget, options) for job in jobs)
        return
    # spawn, not fork: the bot syncs from a thread beside others, and a forked child can
    # inherit a lock some other thread held.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(count, mp_context=context) as pool:
        try:
            yield from pool.map(
                _read_one, jobs, *(repeat(x) for x in (normalizer, budget, options))
            )
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _read_one(
    job: _Job, normalizer: Normalizer, budget: ChunkBudget, options: ReadOptions
) -> _Outcome:
    """Read one file into its rows; a failure is the file's row with a reason, never raised."""
    row: dict[str, Any] = {"path": job.source, "sha256": None, "size": job.size,
                           "mtime": job.mtime}  # fmt: skip
    try:
        # Type and size first: a video or a photo is refused without reading a byte.
        check_kind(job.path.name, job.size)
        row["sha256"] = file_sha256(job.path)
        if job.previous_sha256 == row["sha256"]:
            return _Outcome(row | {"status": "ok"}, None)
        notes: list[str] = []
        forget_routes()
        documents = build_documents(job.path, job.source, normalizer, budget, notes, options)
        rows = [_rows(document, normalizer) for document in documents]
        return _Outcome(row | {"status": "ok", "error": None}, rows, tuple(notes))
    except UnreadableFile as exc:
        reason = str(exc)
    except FileNotFoundError:
        reason = VANISHED
    except OSError as exc:
        reason = f"无法读取文件（{exc.strerror or exc}），请检查权限后再同步。"
    except Exception as exc:  # a reader bug must cost one file, not the whole run
        log.exception("unexpected error reading %s", job.source)
        reason = f"读取失败：{exc}"
    return _Outcome(row | {"status": "failed", "error": reason}, [])


def _write(
    store: Store,
    source: str,
    row: dict[str, Any],
    replacement: list[DocumentRows] | None,
    after_write: Callable[[str], None] | None,
) -> None:
    """One file's rows: its documents replaced (None: unchanged contents), its file row."""
    if replacement is not None:
        store.remove_documents(source)
        store.insert_documents(replacement)
        row = row | {"documents": len(replacement)}
    store.upsert_file(row | {"updated_at": datetime.now(UTC).isoformat()})
    if after_write is not None:
        after_write(source)


def _failed_row(source: str, reason: str) -> dict[str, Any]:
    return {"path": source, "sha256": None, "size": None, "mtime": None, "status": "failed",
            "error": reason}  # fmt: skip


def file_sha256(path: Path, block: int = 1 << 20) -> str:
    """The file's digest, read in blocks: memory stays flat whatever the file's size."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(block):
            digest.update(chunk)
    return digest.hexdigest()


def _unchanged(previous: dict[str, Any] | None, entry: Entry) -> bool:
    """A file read well last time whose size and mtime are as they were: not read again."""
    return bool(previous and previous["status"] == "ok" and _same_stat(previous, entry))


def _same_stat(row: dict[str, Any], entry: Entry) -> bool:
    return bool(row["size"] == entry.size and row["mtime"] == entry.mtime)


def _rows(
    document: Document, normalizer: Normalizer
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    document_id = hashlib.sha1(f"{document.source}#{document.position}".encode()).hexdigest()[:12]
    normalized_text = document.normalized
    if normalized_text is None:
        normalized_text = normalizer.normalize(document.text)
    document_row = {
        "id": document_id,
        "source": document.source,
        "position": document.position,
        "title": document.title,
        "number": document.number,
        "script": document.script,
        "place": encode_place(document.metadata.place),
        "level": document.metadata.level,
        "year": document.metadata.year,
        "duplicate_of": None,
        "text": document.text,
        "signature": json.dumps(signature(normalized_text)),
        "chunk_count": len(document.chunks),
        "tokens": title_tokens(
            normalizer, document.title, document.source, document.metadata.place,
            document.metadata.level, document.metadata.year,
        ),
    }  # fmt: skip
    chunk_rows, facts = [], []
    for chunk in document.chunks:
        chunk_id = f"{document_id}-{chunk.index:04d}"
        normalized = normalizer.normalize(chunk.text)
        path = normalizer.normalize(" ".join(chunk.heading_path))
        chunk_rows.append(
            {
                "id": chunk_id,
                "document_id": document_id,
                "idx": chunk.index,
                "text": chunk.text,
                "normalized": normalized,
                "tokens": tokens_for(path + " " + normalized),
                "level": passage_level(path + " " + normalized, document.metadata.level),
                "heading_path": json.dumps(list(chunk.heading_path), ensure_ascii=False),
                "start": chunk.start,
                "end": chunk.end,
                "text_hash": hashlib.sha1(chunk.text.encode()).hexdigest()[:16],
                "searchable": 1,
                "scan_page": chunk.scan_page,
            }
        )
        heading = chunk.heading_path[-1] if chunk.heading_path else ""
        facts += fact_rows(chunk_id, document_id, chunk.text, heading)
    return document_row, chunk_rows, facts


def _duplicates(store: Store) -> dict[str, str]:
    return find_duplicates(store.signatures())
