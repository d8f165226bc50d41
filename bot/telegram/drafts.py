"""What the asker sees while the answer writer runs.

In a private chat, the draft of the conversation (Bot API `sendMessageDraft`) says the
answer is being written, then shows the sentences the checker has kept so far; the checked
answer replaces it when sent. Groups have no drafts: "typing" is sent again every few
seconds instead. A failed draft or chat action costs nothing but itself.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from html import escape
from types import TracebackType

from telegram import Bot
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bot.core.wording import WRITING, localize
from bot.telegram.render import PART_BUDGET, split_plain

log = logging.getLogger(__name__)
DRAFT_SECONDS = 1.0  # at most one draft update a second
TYPING_SECONDS = 4.5  # "typing" shows for five seconds


class WritingDraft:
    """`async with WritingDraft(...) as draft:` keeps the asker informed; pass `draft.show`
    as the writer's progress callback."""

    def __init__(self, bot: Bot, chat_id: int, draft_id: int, script: str) -> None:
        self.bot, self.chat_id, self.draft_id = bot, chat_id, draft_id
        self.heading = localize(WRITING, script)
        self._text = ""
        self._done = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def show(self, text: str) -> None:
        """The text kept so far; the next update shows it."""
        self._text = text

    async def __aenter__(self) -> WritingDraft:
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # An update on its way is let finish, so no draft arrives after the answer.
        self._done.set()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        shown: str | None = None
        private = self.chat_id > 0
        while not self._done.is_set():
            text = self._draft()
            try:
                if not private:
                    await self.bot.send_chat_action(self.chat_id, ChatAction.TYPING)
                elif text != shown:
                    await self.bot.send_message_draft(self.chat_id, self.draft_id, text)
                    shown = text
            except TelegramError as exc:
                log.info("draft not updated: %s", exc)
            with suppress(TimeoutError):
                wait = DRAFT_SECONDS if private else TYPING_SECONDS
                await asyncio.wait_for(self._done.wait(), wait)

    def _draft(self) -> str:
        """The heading, then the kept sentences (escaped; within one message)."""
        if not self._text:
            return escape(self.heading)
        body = split_plain(self._text, PART_BUDGET - len(self.heading) - 2)[0]
        return escape(f"{self.heading}\n\n{body}", quote=False)
