"""The optional answer writer: a language model writes the answer from the passages the
extractive answer cites, and the checker decides which of its sentences are shown.

Off unless KEPUBOT_LLM_URL is set. The extractive answer is always composed first; it is
what is shown when the writer is off, fails, runs out of time, or keeps too little.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import replace

from bot.core.answer import Answer
from bot.core.checker import Checker, split_sentences, tidy
from bot.core.language_model import Endpoint, LanguageModelError, stream_chat
from bot.core.prompt import prompt_messages
from bot.core.written import BUSY, EMPTY, TIMEOUT, TOO_LITTLE, Dropped, Sentence, Written
from bot.settings import Settings

log = logging.getLogger(__name__)

# Answers the writer writes: how-to, a fact, examples. Lists, totals and the reports
# themselves are enumerations the bot makes complete (every qualifying figure or report,
# sums with their addends): a model would shorten them, and no passage holds a sum.
WRITTEN_KINDS = ("answer", "fact", "examples")
# The written answer is shown when at least this share of its sentences, and one, are kept.
MIN_KEPT_SHARE = 0.5
MAX_WRITING = 4  # answers written at once; past this, the extractive answer goes out at once

Progress = Callable[[str], None]


class AnswerWriter:
    """Writes answers through one OpenAI-compatible endpoint, within a time budget."""

    def __init__(self, endpoint: Endpoint, timeout: float) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self._writing = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> AnswerWriter | None:
        """The writer the settings configure; None when KEPUBOT_LLM_URL is not set."""
        if not settings.llm_url or not settings.llm_model:
            return None
        key = settings.llm_api_key.reveal() if settings.llm_api_key else ""
        proxy = settings.llm_proxy_url.reveal() if settings.llm_proxy_url else None
        endpoint = Endpoint(
            settings.llm_url, settings.llm_model, key, settings.llm_max_tokens, proxy
        )
        return cls(endpoint, settings.llm_timeout)

    def writes(self, answer: Answer) -> bool:
        """Whether this kind of answer is given to the model."""
        return answer.found and answer.kind in WRITTEN_KINDS and bool(answer.citations)

    async def write(self, answer: Answer, progress: Progress | None = None) -> Answer:
        """The answer with its `written` part; its sentences are shown when enough of them
        pass the checker. `progress` is told the kept text each time a sentence is kept."""
        if not self.writes(answer):
            return answer
        if self._writing >= MAX_WRITING:
            return replace(answer, written=Written(self.endpoint.model, False, fallback=BUSY))
        self._writing += 1
        started = time.monotonic()
        try:
            written = await self._write(answer, progress)
        finally:
            self._writing -= 1
        written = replace(written, seconds=time.monotonic() - started)
        if not written.shown:
            log.info("writer not shown (%s %s)", written.fallback, written.detail)
        return replace(answer, written=written)

    def write_now(self, answer: Answer) -> Answer:
        """`write` for callers without an event loop (the CLI, evaluation)."""
        if not self.writes(answer):
            return answer
        return asyncio.run(self.write(answer))

    async def _write(self, answer: Answer, progress: Progress | None) -> Written:
        checker = Checker(answer.citations, answer.script)
        judged: list[Sentence | Dropped] = []
        raw = ""
        model = self.endpoint.model
        try:
            async with asyncio.timeout(self.timeout):
                chunks = stream_chat(self.endpoint, prompt_messages(answer), self.timeout)
                async for chunk in chunks:
                    raw += chunk
                    complete = split_sentences(tidy(raw), final=False)
                    if _judge(checker, complete, judged) and progress is not None:
                        progress(_kept_text(judged))
        except TimeoutError:
            return _verdict(model, judged, TIMEOUT, f"over {self.timeout:g} s")
        except LanguageModelError as exc:
            return _verdict(model, judged, exc.reason, str(exc))
        if _judge(checker, split_sentences(tidy(raw), final=True), judged) and progress:
            progress(_kept_text(judged))
        if not judged:
            return Written(model, False, fallback=EMPTY)
        return _verdict(model, judged)


def _judge(
    checker: Checker, sentences: list[tuple[int, str]], judged: list[Sentence | Dropped]
) -> bool:
    """Judge the sentences not judged yet; True when one of them was kept."""
    kept = False
    for paragraph, sentence in sentences[len(judged) :]:
        verdict = checker.judge(paragraph, sentence)
        judged.append(verdict)
        kept = kept or isinstance(verdict, Sentence)
    return kept


def _kept_text(judged: list[Sentence | Dropped]) -> str:
    return Written("", True, tuple(s for s in judged if isinstance(s, Sentence))).text


def _verdict(
    model: str, judged: list[Sentence | Dropped], failure: str = "", detail: str = ""
) -> Written:
    """Shown when nothing failed and enough was kept; the record of what was dropped."""
    kept = tuple(s for s in judged if isinstance(s, Sentence))
    dropped = tuple(s for s in judged if isinstance(s, Dropped))
    if not failure and (not kept or len(kept) < MIN_KEPT_SHARE * len(judged)):
        failure, detail = TOO_LITTLE, f"{len(kept)} of {len(judged)} sentences kept"
    return Written(model, not failure, kept, dropped, failure, detail)
