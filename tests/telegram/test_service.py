"""Answering in worker processes: the same answers, each process its own, swapped on reload."""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace

from bot.settings import Settings
from bot.telegram import service
from bot.telegram.service import KnowledgeService

QUESTION = "科普书籍读书活动有多少人次参加？"


def _pid_and_generation(generation: int, method: str, args: tuple, kwargs: dict) -> tuple:
    """What a worker process answers with in place of an answer, to see who answered."""
    service._answer_in_worker(generation, method, args, kwargs)
    return os.getpid(), service._worker_state["generation"]


def test_worker_processes_answer_as_the_thread_does_and_open_the_new_base_on_reload(
    bot_settings: Settings,
) -> None:
    async def scenario() -> None:
        alone = KnowledgeService(bot_settings)
        workers = KnowledgeService(replace(bot_settings, answer_workers=2))
        try:
            expected = await alone.answer(QUESTION)
            answers = await asyncio.gather(*(workers.answer(QUESTION) for _ in range(6)))
            for answer in answers:
                assert [c.chunk_id for c in answer.citations] == [
                    c.chunk_id for c in expected.citations
                ]
                assert [q.text for q in answer.quotes] == [q.text for q in expected.quotes]
            loop = asyncio.get_running_loop()
            assert workers._processes is not None
            seen = await asyncio.gather(*(
                loop.run_in_executor(
                    workers._processes, _pid_and_generation, 0, "overview", (), {}
                )
                for _ in range(8)
            ))  # fmt: skip
            assert {pid for pid, _ in seen} - {os.getpid()}  # answered elsewhere
            await workers.reload()
            again = await workers.answer(QUESTION)
            assert [c.chunk_id for c in again.citations] == [c.chunk_id for c in expected.citations]
            assert workers._generation == 1
        finally:
            alone.close()
            workers.close()

    asyncio.run(scenario())
