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
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from bot import core
from bot.core import Answer, Assistant, Citation, FactRecord, Overview, SyncReport
from bot.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")


class Busy(Exception):
    """A reload or upload is already running; the caller should ask the user to wait."""


class Overloaded(Exception):
    """Too many questions are already waiting for the answering thread; ask again shortly."""


class KnowledgeService:
    """The core's front door on one worker thread, with reloads that swap it whole."""

    def __init__(
        self,
        settings: Settings,
        sync: Callable[[Settings, threading.Event, bool], SyncReport] = core.sync,
        max_waiting: int = 16,
    ) -> None:
        self.settings = settings
        self._sync = sync
        # Past this many queued questions a newcomer would wait seconds: better to say so.
        self.max_waiting = max_waiting
        self._waiting = 0
        self._update = asyncio.Lock()  # one reload or upload at a time; uploads queue for it
        self._stopping = threading.Event()  # set on shutdown: a running sync stops early
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kepubot-answer")
        self._assistant = self._worker.submit(Assistant.open, settings).result()  # NotReady

    async def _run(self, function: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._worker, function)

    async def _queued(self, function: Callable[[], T]) -> T:
        """Run a user's request on the answering thread, unless too many already wait."""
        if self._waiting >= self.max_waiting:
            raise Overloaded()
        self._waiting += 1
        try:
            return await self._run(function)
        finally:
            self._waiting -= 1

    async def answer(
        self, question: str, previous: Answer | None = None, within_previous: bool = False
    ) -> Answer:
        # The lambda reads the assistant when it runs, so a swap applies to queued questions.
        return await self._queued(
            lambda: self._assistant.answer(
                question, previous=previous, within_previous=within_previous
            )
        )

    def writes(self, answer: Answer) -> bool:
        """Whether the answer writer (KEPUBOT_LLM_URL) is on and writes this answer."""
        writer = self._assistant.writer
        return writer is not None and writer.writes(answer)

    async def write(self, answer: Answer, progress: Callable[[str], None] | None = None) -> Answer:
        """The answer as the language model writes it, checked; on the event loop (it waits
        on the network), so the answering thread goes on with other questions meanwhile."""
        writer = self._assistant.writer
        return answer if writer is None else await writer.write(answer, progress)

    async def examples(self, topic: str) -> Answer:
        return await self._queued(lambda: self._assistant.examples(topic))

    async def more(
        self, question: str, exclude: set[str], first: int, count: int
    ) -> list[Citation]:
        """Up to `count` further passages for a question, numbered from `first`."""
        return await self._queued(lambda: self._assistant.more(question, exclude, first, count))

    async def facts(self, topic: str) -> list[FactRecord]:
        return await self._queued(lambda: self._assistant.facts(topic))

    async def overview(self) -> Overview:
        return await self._queued(lambda: self._assistant.overview())

    @property
    def updating(self) -> bool:
        return self._update.locked()

    async def reload(
        self,
        before: Callable[[], T] | None = None,
        wait: bool = False,
        allow_removals: bool = False,
    ) -> tuple[SyncReport, T | None]:
        """Sync the knowledge folder and swap in a fresh assistant.

        `before` runs on the ingest thread first (an upload saves its file there). With
        `wait` the call queues behind a running update (uploads: five files sent at once
        are five imports, one after another); without it, it raises Busy. Removing most of
        the reports raises core.RemovalsHeld unless `allow_removals` (an admin confirmed).
        """
        if self._update.locked() and not wait:
            raise Busy()
        async with self._update:
            prepared = await asyncio.to_thread(before) if before is not None else None
            report = await asyncio.to_thread(
                self._sync, self.settings, self._stopping, allow_removals
            )
            fresh = await self._run(lambda: Assistant.open(self.settings))
            old, self._assistant = self._assistant, fresh
            await self._run(old.close)
            return report, prepared

    @property
    def stopping(self) -> bool:
        """Shutdown is under way (a sync stopped now says so, and that is no failure)."""
        return self._stopping.is_set()

    def stop_syncs(self) -> None:
        """Make a running reload stop at its next file or batch (shutdown is under way)."""
        self._stopping.set()

    def close(self) -> None:
        """Stop a running sync, close the store on its thread, then stop the worker."""
        self._stopping.set()
        self._worker.submit(self._assistant.close).result()
        self._worker.shutdown(wait=True)
