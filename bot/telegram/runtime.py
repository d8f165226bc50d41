"""The bot's long-lived objects, kept in `application.bot_data` for the handlers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot, CallbackQuery, Chat, Message, ReplyParameters, Update, User
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.settings import Settings
from bot.telegram.callbacks import CallbackRegistry
from bot.telegram.conversations import Conversations
from bot.telegram.limits import UserRateLimit
from bot.telegram.records import Records
from bot.telegram.service import KnowledgeService
from bot.telegram.watcher import FolderWatcher

log = logging.getLogger(__name__)
RUNTIME = "kepubot"


@dataclass
class Runtime:
    settings: Settings
    service: KnowledgeService
    records: Records
    registry: CallbackRegistry
    rate_limit: UserRateLimit  # questions
    actions: UserRateLimit  # every update that makes the bot send, in private chats
    group_actions: UserRateLimit  # the same, per member of a group
    conversations: Conversations = field(default_factory=lambda: Conversations(30 * 60))
    refusals: UserRateLimit = field(default_factory=lambda: UserRateLimit(1))
    throttle_notices: UserRateLimit = field(default_factory=lambda: UserRateLimit(1))
    # The held sync an admin may confirm (its button's key); None when none is waiting.
    removal_key: str | None = None
    watcher: FolderWatcher | None = None  # started with the application, when configured

    def is_admin(self, user: User | None) -> bool:
        return user is not None and user.id in self.settings.admin_ids

    def is_allowed(self, user: User | None, chat: Chat | None) -> bool:
        """True when no allow-list is set, or the user, the chat or an admin is on it."""
        allowed = self.settings.allowed_chats
        if not allowed or self.is_admin(user):
            return True
        ids = {user.id if user else None, chat.id if chat else None}
        return any(i in allowed for i in ids if i is not None)

    def close(self) -> None:
        self.service.close()
        self.records.close()


def runtime(context: ContextTypes.DEFAULT_TYPE) -> Runtime:
    value = context.bot_data[RUNTIME]
    assert isinstance(value, Runtime)
    return value


async def send_parts(
    bot: Bot, chat_id: int, parts: list[str], keyboard: Any = None, reply_to: int | None = None
) -> list[int]:
    """Send a reply that may span several messages; the buttons go under the last one.
    Returns the ids of the messages sent."""
    quote = (
        ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
        if reply_to is not None
        else None
    )
    sent = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        message = await bot.send_message(
            chat_id, part, reply_markup=keyboard if last else None,
            reply_parameters=quote if i == 0 else None,
        )  # fmt: skip
        sent.append(message.message_id)
    return sent


async def settle(task: asyncio.Task[Any] | Awaitable[Any]) -> None:
    """Wait for a side call such as "typing"; its failure must not cost the reply."""
    try:
        await task
    except TelegramError as exc:
        log.info("side call failed: %s", exc)


# The handlers' filters guarantee these parts exist; the checks keep the types honest.
def message_of(update: Update) -> Message:
    assert update.effective_message is not None
    return update.effective_message


def chat_of(update: Update) -> Chat:
    assert update.effective_chat is not None
    return update.effective_chat


def user_of(update: Update) -> User:
    assert update.effective_user is not None
    return update.effective_user


def query_of(update: Update) -> CallbackQuery:
    assert update.callback_query is not None
    return update.callback_query
