"""The answering workers: each on its own thread and connection, all swapped on reload."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace

from bot.core import Assistant
from bot.settings import Settings
from bot.telegram.service import KnowledgeService

QUESTION = "科普书籍读书活动有多少人次参加？"


def test_workers_answer_alike_each_on_its_own_connection_and_reload_swaps_them_all(
    bot_settings: Settings, monkeypatch
) -> None:
    threads: set[str] = set()
    answer = Assistant.answer

    def recorded(self: Assistant, *args: object, **kwargs: object) -> object:
        threads.add(threading.current_thread().name)
        return answer(self, *args, **kwargs)

    monkeypatch.setattr(Assistant, "answer", recorded)

    async def scenario() -> None:
        service = KnowledgeService(replace(bot_settings, answer_workers=3))
        try:
            answers = await asyncio.gather(*(service.answer(QUESTION) for _ in range(9)))
            assert len(threads) == 3
            assert len({tuple(c.chunk_id for c in a.citations) for a in answers}) == 1
            assert all("300人次" in " ".join(q.text for q in a.quotes) for a in answers)
            old = list(service._assistants)
            connections = {id(a._retriever.store.db.conn) for a in old}
            assert len(connections) == 3  # SQLite connections belong to their thread
            assert len({id(a._retriever.index) for a in old}) == 1  # loaded once, shared
            keyword_indexes = {id(a._retriever.store._keyword_index()) for a in old}
            assert len(keyword_indexes) == 1 and old[0]._retriever.store._keyword_index()
            await service.reload()
            assert not set(map(id, service._assistants)) & set(map(id, old))
            again = await asyncio.gather(*(service.answer(QUESTION) for _ in range(3)))
            assert [c.chunk_id for c in again[0].citations] == [
                c.chunk_id for c in answers[0].citations
            ]
        finally:
            service.close()

    asyncio.run(scenario())
