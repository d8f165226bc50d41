"""The answering core as the bot uses it: off the event loop, swappable on reload.

Retrieval runs on a few dedicated worker threads (`KEPUBOT_ANSWER_WORKERS`). SQLite
connections belong to the thread that opened them, so each worker has an assistant of its
own, opened, used and closed on that thread: a read-only store connection each, the
vector index and models loaded once and shared. Questions go to the least busy worker.
Ingestion runs on another thread and never blocks answering: questions keep using the
old assistants until the new ones are ready, then one assignment swaps them in.
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
    """The core's front door on a few worker threads, with reloads that swap it whole."""

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
        self._workers = [
            ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"kepubot-answer-{n}")
            for n in range(max(1, settings.answer_workers))
        ]
        self._busy = [0] * len(self._workers)
        self._assistants = self._open_all()  # NotReady

    def _open_all(self) -> list[Assistant]:
        """One assistant per worker, each opened on its worker's thread."""
        first = self._workers[0].submit(Assistant.open, self.settings).result()
        return [first] + [w.submit(first.beside).result() for w in self._workers[1:]]

    async def _on(self, worker: int, function: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._workers[worker], function)

    async def _queued(self, function: Callable[[Assistant], T]) -> T:
        """Run a user's request on the least busy worker, unless too many already wait."""
        if self._waiting >= self.max_waiting:
            raise Overloaded()
        self._waiting += 1
        worker = min(range(len(self._workers)), key=self._busy.__getitem__)
        self._busy[worker] += 1
        try:
            # The assistant is read when the request runs, so a swap applies to queued ones.
            return await self._on(worker, lambda: function(self._assistants[worker]))
        finally:
            self._busy[worker] -= 1
            self._waiting -= 1

    async def answer(
        self, question: str, previous: Answer | None = None, within_previous: bool = False
    ) -> Answer:
        return await self._queued(
            lambda assistant: assistant.answer(
                question, previous=previous, within_previous=within_previous
            )
        )

    async def examples(self, topic: str) -> Answer:
        return await self._queued(lambda assistant: assistant.examples(topic))

    async def more(
        self, question: str, exclude: set[str], first: int, count: int
    ) -> list[Citation]:
        """Up to `count` further passages for a question, numbered from `first`."""
        return await self._queued(lambda assistant: assistant.more(question, exclude, first, count))

    async def facts(self, topic: str) -> list[FactRecord]:
        return await self._queued(lambda assistant: assistant.facts(topic))

    async def overview(self) -> Overview:
        return await self._queued(lambda assistant: assistant.overview())

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
            first = await self._on(0, lambda: Assistant.open(self.settings))
            fresh = [first] + [
                await self._on(n, first.beside) for n in range(1, len(self._workers))
            ]
            old, self._assistants = self._assistants, fresh
            for n, assistant in enumerate(old):
                await self._on(n, assistant.close)
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
        for worker, assistant in zip(self._workers, self._assistants, strict=True):
            worker.submit(assistant.close).result()
            worker.shutdown(wait=True)
