"""Who the bot serves: with KEPUBOT_ALLOWED_CHATS set, strangers get one polite sentence.

The gate runs before every other handler (handler group -1). A listed user is served in
any chat, a listed group serves all its members, and admins are always served. Strangers
get the refusal at most once a minute in a private chat (so a flood of messages cannot
make the bot flood back), a short answer on a button, and silence in groups.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.core.wording import STRANGER, rate_limited
from bot.telegram.replies import addressed_question
from bot.telegram.runtime import runtime

log = logging.getLogger(__name__)


async def gate(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Let allowed users and chats through; refuse everyone else and stop the update."""
    if not isinstance(update, Update):
        return
    rt = runtime(context)
    user, chat = update.effective_user, update.effective_chat
    if rt.is_allowed(user, chat):
        await _within_budget(update, context)
        return
    log.info("refused user %s in chat %s", user and user.id, chat and chat.id)
    text = STRANGER.format(user=user.id if user else "—")
    if update.callback_query is not None:
        await update.callback_query.answer(text)
    elif chat and chat.type == ChatType.PRIVATE and user and rt.refusals.allow(user.id):
        await context.bot.send_message(chat.id, text)
    raise ApplicationHandlerStop


async def _within_budget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every press and command that makes the bot send counts against its sender's budget.

    Questions have their own, stricter limit; this one stops a user who presses 原文 a
    thousand times, or floods a group (Telegram lets a bot send a group 20 messages a
    minute in all), from delaying everyone else's answers. Admins are trusted.
    """
    rt = runtime(context)
    user, chat = update.effective_user, update.effective_chat
    if (
        user is None
        or chat is None
        or rt.is_admin(user)
        or not _makes_the_bot_send(update, context)
    ):
        return
    in_group = chat.type != ChatType.PRIVATE
    budget = rt.group_actions if in_group else rt.actions
    if budget.allow(user.id):
        return
    text = rate_limited(budget.wait_seconds(user.id))
    if update.callback_query is not None:
        await update.callback_query.answer(text)
    elif not in_group and rt.throttle_notices.allow(user.id):
        await context.bot.send_message(chat.id, text)
    raise ApplicationHandlerStop


def _makes_the_bot_send(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    if update.callback_query is not None:
        return True
    message = update.message
    if message is None:
        return False  # edits, channel posts: nothing is answered
    if message.chat.type == ChatType.PRIVATE:
        return True
    # In a group only commands and messages addressed to the bot are answered; the members'
    # own chatter must not use up their budget.
    if (message.text or "").startswith("/"):
        return True
    return addressed_question(message, context.bot.username, context.bot.id) is not None
