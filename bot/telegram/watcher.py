"""The knowledge folder kept in sync while the bot runs: polled, never read half-written.

Polling (a stat of every entry, no file read) rather than inotify: reports often live on a
network share, where change notifications do not arrive. A change is synced only once the
folder has looked the same for one whole interval and no file was modified within it, so a
file still being copied in is left for the next look. The sync is the same incremental,
crash-safe one as /reload; admins get one message per sync that changed something.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from bot import core
from bot.core import FolderState, NotReady, RemovalsHeld, SyncReport
from bot.telegram.service import Busy, KnowledgeService

log = logging.getLogger(__name__)


class FolderWatcher:
    """Looks at the folder every `interval` seconds and syncs what settled."""

    def __init__(
        self,
        service: KnowledgeService,
        interval: float,
        on_sync: Callable[[SyncReport, bool], Awaitable[None]],
        on_held: Callable[[RemovalsHeld], Awaitable[None]],
        on_failure: Callable[[str], Awaitable[None]],
    ) -> None:
        self.service = service
        self.interval = interval
        self._on_sync, self._on_held, self._on_failure = on_sync, on_held, on_failure
        self._seen: FolderState | None = None  # at the last look
        self._synced: FolderState | None = None  # at the last sync that went through
        self._held: FolderState | None = None  # a state whose removals admins were asked about
        self._failed_at: FolderState | None = None  # a state whose failure they heard of
        self._failed: set[str] | None = None  # known at the first sync: not news then
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None and self.interval > 0:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="watcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.look()
            except Exception:  # a bad look must not end the watching
                log.exception("watching the knowledge folder failed")

    async def look(self) -> bool:
        """One look at the folder; syncs when a change has settled. True when it synced."""
        folder = self.service.settings.knowledge_dir
        state, newest = await asyncio.to_thread(core.folder_state, folder)
        # A file dated in the future (a scanner's wrong clock) is old news, not still written.
        age = time.time() - newest
        settled = state == self._seen and not 0 <= age < self.interval
        self._seen = state
        if state == self._synced or state == self._held or not settled:
            return False
        if self.service.updating:
            return False  # a /reload or upload is running: look again next time
        try:
            report, _ = await self.service.reload()
        except Busy:
            return False
        except RemovalsHeld as held:
            self._held = state  # asked once; asked again only if the folder changes
            await self._on_held(held)
            return False
        except NotReady as exc:
            # Tried again at the next look (another sync holding the lock, a full disk);
            # admins hear of it once per folder state, and not at all while shutting down.
            if state != self._failed_at and not self.service.stopping:
                self._failed_at = state
                await self._on_failure(str(exc))
            return False
        self._synced = state
        self._held = self._failed_at = None  # a later emptying is news again
        summary = report.ingest
        failed = {f.path for f in summary.failed}
        new_failures = self._failed is not None and bool(failed - self._failed)
        self._failed = failed
        # Every sync is reported, with whether admins should hear of it (something changed).
        news = bool(summary.added or summary.changed or summary.removed or new_failures)
        await self._on_sync(report, news)
        return True
