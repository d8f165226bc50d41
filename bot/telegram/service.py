"""The answering core as the bot uses it: off the event loop, swappable on reload.

Retrieval runs on one dedicated worker thread. SQLite connections belong to the thread
that opened them, so the assistant is opened, used and closed on that same thread; a
single thread also keeps answers in arrival order and leaves the event loop free. With
`KEPUBOT_ANSWER_WORKERS` above 1, questions are answered by that many worker processes
instead, each with an assistant of its own: answering is mostly Python, which threads
would run one at a time. Ingestion runs on another thread and never blocks answering:
questions keep using the old assistant until the new one is ready, then it is swapped in.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

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
    """The core's front door on a worker thread (or processes), with reloads that swap it."""

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
        self._processes: ProcessPoolExecutor | None = None
        self._generation = 0  # of the knowledge base the processes are to answer from
        if settings.answer_workers > 1:
            # spawn, not fork: the bot runs threads, whose locks a forked child would copy.
            self._processes = ProcessPoolExecutor(
                settings.answer_workers, multiprocessing.get_context("spawn"),
                initializer=_start_worker, initargs=(settings,),
            )  # fmt: skip
            # The processes answer; the thread's assistant only proved the base opens.
            self._worker.submit(self._assistant.close).result()

    async def _run(self, function: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._worker, function)

    async def _queued(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Run a user's request on the answering thread or a worker process, unless too
        many already wait."""
        if self._waiting >= self.max_waiting:
            raise Overloaded()
        self._waiting += 1
        try:
            if self._processes is not None:
                request = partial(_answer_in_worker, self._generation, method, args, kwargs)
                loop = asyncio.get_running_loop()
                return await loop.run_in_executor(self._processes, request)
            # The lambda reads the assistant when it runs, so a swap applies to queued ones.
            return await self._run(lambda: getattr(self._assistant, method)(*args, **kwargs))
        finally:
            self._waiting -= 1

    async def answer(
        self, question: str, previous: Answer | None = None, within_previous: bool = False
    ) -> Answer:
        answer: Answer = await self._queued(
            "answer", question, previous=previous, within_previous=within_previous
        )
        return answer

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
        answer: Answer = await self._queued("examples", topic)
        return answer

    async def more(
        self, question: str, exclude: set[str], first: int, count: int
    ) -> list[Citation]:
        """Up to `count` further passages for a question, numbered from `first`."""
        citations: list[Citation] = await self._queued("more", question, exclude, first, count)
        return citations

    async def facts(self, topic: str) -> list[FactRecord]:
        facts: list[FactRecord] = await self._queued("facts", topic)
        return facts

    async def overview(self) -> Overview:
        overview: Overview = await self._queued("overview")
        return overview

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
            fresh = await self._run(lambda: Assistant.open(self.settings))  # NotReady
            if self._processes is not None:
                await self._run(fresh.close)  # it opens: each process opens its own at its
                self._generation += 1  # next request, the old one answering until then
                return report, prepared
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
        if self._processes is not None:
            self._processes.shutdown(wait=True, cancel_futures=True)
        else:
            self._worker.submit(self._assistant.close).result()
        self._worker.shutdown(wait=True)


# A worker process's own assistant, opened at its first request of each generation.
_worker_state: dict[str, Any] = {}


def _start_worker(settings: Settings) -> None:
    _worker_state.update(settings=settings, generation=None, assistant=None)


def _answer_in_worker(generation: int, method: str, args: tuple, kwargs: dict) -> Any:
    """Run one request in a worker process, first opening the knowledge base's current
    generation if this process still holds an older one."""
    if _worker_state["generation"] != generation:
        if _worker_state["assistant"] is not None:
            _worker_state["assistant"].close()
            _worker_state["assistant"] = None
        _worker_state["assistant"] = Assistant.open(_worker_state["settings"])
        _worker_state["generation"] = generation
    return getattr(_worker_state["assistant"], method)(*args, **kwargs)
