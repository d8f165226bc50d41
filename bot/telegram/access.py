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

from bot.telegram.runtime import runtime

log = logging.getLogger(__name__)
STRANGER = "抱歉，这个机器人只为指定的用户和群组服务；如需使用，请把你的用户 ID {user} 告诉管理员。"


async def gate(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Let allowed users and chats through; refuse everyone else and stop the update."""
    if not isinstance(update, Update):
        return
    rt = runtime(context)
    user, chat = update.effective_user, update.effective_chat
    if rt.is_allowed(user, chat):
        return
    log.info("refused user %s in chat %s", user and user.id, chat and chat.id)
    text = STRANGER.format(user=user.id if user else "—")
    if update.callback_query is not None:
        await update.callback_query.answer(text)
    elif chat and chat.type == ChatType.PRIVATE and user and rt.refusals.allow(user.id):
        await context.bot.send_message(chat.id, text)
    raise ApplicationHandlerStop
