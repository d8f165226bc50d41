"""The knowledge base on disk: sync it from the report folder, open it for searching."""

from __future__ import annotations

import fcntl
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.retrieval import Retriever, Weights
from bot.settings import Settings
from embeddings.index import VectorIndex, VectorIndexError
from embeddings.sync import (
    INDEX_FOLDER,
    MAX_UNKNOWN_SHARE,
    VectorSummary,
    load_encoder,
    sync_vectors,
)
from knowledge.convert import soffice_command
from knowledge.ingest import Cancelled, ChunkBudget, IngestSummary, sync_folder
from knowledge.ingest import RemovalsHeld as _Held
from knowledge.normalize import Normalizer, load_variants
from knowledge.readers import ReadOptions
from knowledge.scan import scan_folder
from knowledge.store import (
    LOCKED,
    Store,
    StoreDamaged,
    StoreError,
    classify,
    set_aside,
)
from knowledge.thesaurus import load_thesaurus, prepare_lexicon_file

log = logging.getLogger(__name__)
SYNC_LOCK = "sync.lock"
CANCELLED = "更新已中止（程序正在退出），知识库保持更新前的状态。"


class NotReady(Exception):
    """The knowledge base is missing or damaged; the message says which command fixes it."""


class RemovalsHeld(NotReady):
    """A sync stopped before removing all the reports, or most of them; the message says
    why and what to check. Front ends add how to confirm (`removed`, `total` for them)."""

    def __init__(self, removed: list[str], total: int, folder: Path) -> None:
        shown = "、".join(removed[:3]) + ("等" if len(removed) > 3 else "")
        super().__init__(
            f"报告目录 {folder} 里找不到知识库中 {total} 个文件里的 {len(removed)} 个（{shown}），"
            "同步会把它们的内容从知识库删除，因此已停止，知识库保持不变。"
            "如果是目录没有挂载或路径写错，请改正后再同步。"
        )
        self.removed = removed
        self.total = total


@dataclass
class SyncReport:
    ingest: IngestSummary
    vectors: VectorSummary

    def to_dict(self) -> dict[str, Any]:
        return self.ingest.to_dict() | {"vectors": vars(self.vectors)}


def sync(
    settings: Settings,
    cancel: threading.Event | None = None,
    allow_removals: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> SyncReport:
    """Ingest changed files, then bring the vector index in line with the store.

    Raises NotReady with one sentence when it cannot; setting `cancel` stops it early with
    NotReady(CANCELLED), the old knowledge base left as it was. Removing all the files or
    more than half of them raises RemovalsHeld unless `allow_removals`.
    """
    if not settings.knowledge_dir.is_dir():
        raise NotReady(
            f"报告目录 {settings.knowledge_dir} 不存在，"
            "请用 --knowledge-dir 或 KEPUBOT_KNOWLEDGE_DIR 指定。"
        )
    normalizer = Normalizer(load_variants(settings.variants_file))
    budget = chunk_budget(settings)
    options = read_options(settings)
    with _sync_lock(settings.data_dir):
        store = _open_for_sync(settings.database_path)
        try:
            summary = sync_folder(
                settings.knowledge_dir, store, normalizer, budget, cancel=cancel,
                allow_removals=allow_removals, progress=progress, options=options,
            )  # fmt: skip
            vectors = sync_vectors(
                store, normalizer, settings.data_dir, settings.embedding_model,
                settings.exact_search_limit, cancel=cancel,
            )  # fmt: skip
        except Cancelled as exc:
            raise NotReady(CANCELLED) from exc
        except _Held as held:
            raise RemovalsHeld(held.removed, held.total, settings.knowledge_dir) from held
        except (sqlite3.DatabaseError, OSError) as exc:
            # A full disk or a failing write: the transaction rolled back, the old knowledge
            # base is whole, and the message says why (never "damaged" for a full disk).
            log.warning("sync failed: %s", exc)
            raise NotReady(str(classify(exc, settings.database_path))) from exc
        finally:
            store.close()
        _prepare_synonyms(settings.data_dir)
    return SyncReport(summary, vectors)


def _prepare_synonyms(data_dir: Path) -> None:
    """Build cnsyn's derived lexicon file now, so that the first question does not wait
    seconds for it. The knowledge base is synced already: whatever fails here only costs that
    wait later, so it is logged and never fails the sync."""
    try:
        prepare_lexicon_file(data_dir)
    except Exception:  # anything: a missing synonym file must not undo a good sync
        log.warning("cannot prepare cnsyn's lexicon in %s", data_dir, exc_info=True)


def _open_for_sync(path: Path) -> Store:
    try:
        return Store(path)
    except StoreDamaged as exc:
        # The store is derived from the knowledge folder, so a damaged one is rebuilt, not fixed.
        kept = set_aside(path)
        log.warning("store damaged (%s); moved to %s and rebuilding", exc, kept)
        try:
            return Store(path)
        except StoreError as again:
            raise NotReady(str(again)) from again
    except StoreError as exc:  # full disk, no access: the store stays where it is
        raise NotReady(str(exc)) from exc


@contextmanager
def _sync_lock(data_dir: Path) -> Iterator[None]:
    """One sync at a time per data directory, across processes (the bot and `kepubot ingest`)."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        handle = (data_dir / SYNC_LOCK).open("a")
    except OSError as exc:
        raise NotReady(str(classify(exc, data_dir / "kepubot.db"))) from exc
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise NotReady(LOCKED) from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


FolderState = frozenset[tuple[str, int, float]]


def folder_state(folder: Path) -> tuple[FolderState, float]:
    """What a sync would see of the folder without reading a file: each entry's name, size
    and modification time, and the newest of those times (0 for an empty folder). Skipped
    entries count by name, so a link turning up or going away is a change too."""
    entries, skipped = scan_folder(folder)
    state = frozenset(
        [(e.source, e.size, e.mtime) for e in entries] + [(s.source, -1, 0.0) for s in skipped]
    )
    return state, max((e.mtime for e in entries), default=0.0)


def converter(settings: Settings) -> str | None:
    """The LibreOffice command old office files are converted with, or None when absent."""
    return soffice_command(settings.soffice)


def read_options(settings: Settings) -> ReadOptions:
    """How this deployment reads files: the same for a sync and for checking an upload."""
    return ReadOptions(
        ocr=settings.ocr, soffice=settings.soffice, convert_seconds=settings.convert_seconds
    )


def chunk_budget(settings: Settings) -> ChunkBudget:
    return ChunkBudget(settings.chunk_min_chars, settings.chunk_max_chars)


def open_store(settings: Settings) -> Store:
    """The existing store, or NotReady saying which command makes it."""
    try:
        return Store(settings.database_path, create=False)
    except StoreError as exc:
        raise NotReady(str(exc)) from exc


def open_retriever(settings: Settings, use_vectors: bool = True) -> Retriever:
    """Load store, encoder and index once; vectors stay out when unusable or missing."""
    store = open_store(settings)
    normalizer = Normalizer(load_variants(settings.variants_file))
    return retriever_over(store, normalizer, settings.data_dir if use_vectors else None, settings)


def retriever_over(
    store: Store, normalizer: Normalizer, data_dir: Path | None, settings: Settings
) -> Retriever:
    """A Retriever on an open store, with the vectors in `data_dir` when they are usable."""
    weights = Weights(
        keyword=settings.keyword_weight,
        vector=settings.effective_vector_weight,
        coverage=settings.coverage_weight,
        title=settings.title_weight,
        synonym=settings.synonym_weight,
    )
    encoder = index = None
    if data_dir is not None:
        try:
            index, manifest = VectorIndex.load(data_dir / INDEX_FOLDER)
            encoder = load_encoder(settings.embedding_model, data_dir)
            if manifest.model_id != encoder.model_id:
                raise VectorIndexError("向量索引与当前模型不符，请运行 `kepubot ingest`。")
            if manifest.unknown_share > MAX_UNKNOWN_SHARE:
                log.warning("vector model cannot read the corpus; keyword search only")
                encoder = index = None
        except VectorIndexError as exc:
            raise NotReady(str(exc)) from exc
        except Exception as exc:  # damaged model files: safetensors, JSON, torch all differ
            log.debug("cannot load the vector model", exc_info=True)
            raise NotReady("向量模型文件无法读取，请运行 `kepubot ingest` 重建。") from exc
    thesaurus = load_thesaurus(settings.synonyms_file, data_dir=data_dir)
    if not store.load_keyword_index():
        log.info("no keyword index of the current chunks: searching with FTS5 until a sync")
    return Retriever(store, normalizer, encoder, index, weights, settings.min_coverage, thesaurus)
