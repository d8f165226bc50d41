"""The answering core as the bot uses it: off the event loop, swappable on reload.

Retrieval runs on one dedicated worker thread. SQLite connections belong to the thread
that opened them, so the retriever is opened, used and closed on that same thread; a
single thread also keeps answers in arrival order and leaves the event loop free.
Ingestion runs on another thread and never blocks answering: questions keep using the
old answerer until the new one is ready, then one assignment swaps it in.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from bot import engine
from bot.answer import Answer, Answerer, AnswerOptions, Citation
from bot.search import Hit
from bot.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Overview:
    """What /docs shows."""

    documents: list[dict[str, Any]]
    counts: dict[str, int]
    last_ingest: str | None


class Busy(Exception):
    """A reload or upload is already running; the caller should ask the user to wait."""


class KnowledgeService:
    """Answers, further results, /docs figures and reloads for the bot."""

    def __init__(
        self,
        settings: Settings,
        sync: Callable[[Settings], engine.SyncReport] = engine.sync,
    ) -> None:
        self.settings = settings
        self._sync = sync
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kepubot-answer")
        self._answerer = self._worker.submit(self._open).result()  # raises engine.NotReady
        self._updating = False

    def _open(self) -> Answerer:
        retriever = engine.open_retriever(self.settings)
        return Answerer(retriever, AnswerOptions(script=self.settings.answer_script))

    async def _run(self, function: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._worker, function)

    async def answer(self, question: str) -> Answer:
        # The lambda reads the answerer when it runs, so a swap applies to queued questions.
        return await self._run(lambda: self._answerer.answer(question))

    async def examples(self, topic: str) -> Answer:
        return await self._run(lambda: self._answerer.examples(topic))

    async def more(
        self, question: str, exclude: set[str], first: int, count: int
    ) -> list[Citation]:
        """Up to `count` further passages for a question, numbered from `first`."""

        def search() -> list[Citation]:
            result = self._answerer.retriever.search(question, top_k=len(exclude) + count + 5)
            hits = [h for h in result.hits if h.chunk_id not in exclude][:count]
            return [citation(first + i, hit) for i, hit in enumerate(hits)]

        return await self._run(search)

    async def overview(self) -> Overview:
        def read() -> Overview:
            store = self._answerer.retriever.store
            return Overview(store.documents(), store.counts(), store.get_meta("last_ingest"))

        return await self._run(read)

    @property
    def updating(self) -> bool:
        return self._updating

    async def reload(
        self, before: Callable[[], T] | None = None
    ) -> tuple[engine.SyncReport, T | None]:
        """Sync the knowledge folder and swap in a fresh answerer.

        `before` runs on the ingest thread first (an upload saves its file there). Raises
        Busy when another update runs; the flag is set before the first await, so two
        updates can never overlap.
        """
        if self._updating:
            raise Busy()
        self._updating = True
        try:
            prepared = await asyncio.to_thread(before) if before is not None else None
            report = await asyncio.to_thread(self._sync, self.settings)
            fresh = await self._run(self._open)
            old, self._answerer = self._answerer, fresh
            await self._run(old.retriever.store.close)
            return report, prepared
        finally:
            self._updating = False

    def close(self) -> None:
        """Close the store on its thread, then stop the worker."""
        self._worker.submit(self._answerer.retriever.store.close).result()
        self._worker.shutdown(wait=True)


def citation(n: int, hit: Hit) -> Citation:
    """A search hit shown as source n (what 更多 adds under an answer)."""
    return Citation(
        n, hit.chunk_id, hit.title, hit.heading_path, hit.place, hit.level, hit.year,
        hit.source, hit.text,
    )  # fmt: skip
