"""The answering core as the bot uses it: off the event loop, swappable on reload.

Retrieval runs on one dedicated worker thread. SQLite connections belong to the thread
that opened them, so the assistant is opened, used and closed on that same thread; a
single thread also keeps answers in arrival order and leaves the event loop free.
Ingestion runs on another thread and never blocks answering: questions keep using the
old assistant until the new one is ready, then one assignment swaps it in.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from bot import core
from bot.core import Answer, Assistant, Citation, Overview, SyncReport
from bot.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")


class Busy(Exception):
    """A reload or upload is already running; the caller should ask the user to wait."""


class KnowledgeService:
    """The core's front door on one worker thread, with reloads that swap it whole."""

    def __init__(
        self, settings: Settings, sync: Callable[[Settings], SyncReport] = core.sync
    ) -> None:
        self.settings = settings
        self._sync = sync
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kepubot-answer")
        self._assistant = self._worker.submit(Assistant.open, settings).result()  # NotReady
        self._updating = False

    async def _run(self, function: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._worker, function)

    async def answer(self, question: str) -> Answer:
        # The lambda reads the assistant when it runs, so a swap applies to queued questions.
        return await self._run(lambda: self._assistant.answer(question))

    async def examples(self, topic: str) -> Answer:
        return await self._run(lambda: self._assistant.examples(topic))

    async def more(
        self, question: str, exclude: set[str], first: int, count: int
    ) -> list[Citation]:
        """Up to `count` further passages for a question, numbered from `first`."""
        return await self._run(lambda: self._assistant.more(question, exclude, first, count))

    async def overview(self) -> Overview:
        return await self._run(lambda: self._assistant.overview())

    @property
    def updating(self) -> bool:
        return self._updating

    async def reload(self, before: Callable[[], T] | None = None) -> tuple[SyncReport, T | None]:
        """Sync the knowledge folder and swap in a fresh assistant.

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
            fresh = await self._run(lambda: Assistant.open(self.settings))
            old, self._assistant = self._assistant, fresh
            await self._run(old.close)
            return report, prepared
        finally:
            self._updating = False

    def close(self) -> None:
        """Close the store on its thread, then stop the worker."""
        self._worker.submit(self._assistant.close).result()
        self._worker.shutdown(wait=True)
