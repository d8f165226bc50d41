"""User-facing handlers: each reads the update, then calls the work in `replies`."""

from __future__ import annotations

import asyncio
import logging
import re
from collections import Counter
from contextlib import suppress
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ChatType
from telegram.error import NetworkError, TelegramError
from telegram.ext import ContextTypes

from bot.core import facts_workbook, script_of
from bot.core.wording import (
    APOLOGY,
    EXAMPLE_QUESTIONS,
    EXPIRED,
    NEW_TOPIC,
    NO_SOURCES,
    OVERLOADED,
    TELEGRAM_ADMIN_HELP,
    TELEGRAM_HELP,
    TELEGRAM_START,
    TEXT_HINT,
    facts_summary,
    localize,
    no_facts,
)
from bot.telegram import admin, callbacks, replies
from bot.telegram.runtime import chat_of, message_of, query_of, runtime, send_parts, user_of
from bot.telegram.service import Overloaded

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE


async def start(update: Update, context: Context) -> None:
    """Say what the bot does and offer three example questions as buttons."""
    rows = [
        [InlineKeyboardButton(q, callback_data=f"{callbacks.EXAMPLE}:{i}")]
        for i, q in enumerate(EXAMPLE_QUESTIONS)
    ]
    keyboard = InlineKeyboardMarkup(rows)
    await message_of(update).reply_text(escape(TELEGRAM_START), reply_markup=keyboard)


async def help_command(update: Update, context: Context) -> None:
    """List the commands; admins also see theirs."""
    admin = runtime(context).is_admin(update.effective_user)
    text = TELEGRAM_HELP + ("\n\n" + TELEGRAM_ADMIN_HELP if admin else "")
    await message_of(update).reply_text(text)


async def ask(update: Update, context: Context) -> None:
    """`/ask 问题`: a question in any chat."""
    question = " ".join(context.args or [])
    if not question:
        await message_of(update).reply_text("请在 /ask 后面写上问题，例如：/ask 科普日怎么办？")
        return
    await _answer(update, context, question)


async def private_text(update: Update, context: Context) -> None:
    """In a private chat any text is a question."""
    await _answer(update, context, message_of(update).text or "")


async def group_text(update: Update, context: Context) -> None:
    """In a group, answer only a mention of the bot or a reply to it; ignore other chatter."""
    question = replies.addressed_question(message_of(update), context.bot.username, context.bot.id)
    if question is not None:
        await _answer(update, context, question)


async def examples(update: Update, context: Context) -> None:
    """`/examples 主题`: distinct past cases from different reports."""
    topic = " ".join(context.args or [])
    if not topic:
        await message_of(update).reply_text("请在 /examples 后面写上主题，例如：/examples 科普日")
        return
    await _answer(update, context, topic, examples=True)


_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|]')


async def facts(update: Update, context: Context) -> None:
    """`/facts 主题`: the reports' figures on a topic as an .xlsx, with a short summary."""
    topic = " ".join(context.args or []).strip()
    message = message_of(update)
    script = script_of(topic or "数字")
    limit = runtime(context).settings.max_question_chars
    if len(topic) > limit:
        await message.reply_text(localize(f"主题太长了，请控制在 {limit} 字以内。", script))
        return
    found = await runtime(context).service.facts(topic)
    if not found:
        await message.reply_text(escape(localize(no_facts(topic), script)))
        return
    workbook = await asyncio.to_thread(facts_workbook, found, topic or "数字")
    units = Counter(fact.unit for fact in found).most_common()
    reports = len({fact.document_id for fact in found})
    summary = localize(facts_summary(topic, len(found), reports, units), script)
    stem = _UNSAFE_NAME.sub("_", topic[:40]) or "全部"
    name = f"{stem}-数字.xlsx"
    await message.reply_document(InputFile(workbook, filename=name), caption=escape(summary))


async def docs(update: Update, context: Context) -> None:
    """What the knowledge base holds."""
    overview = await runtime(context).service.overview()
    await send_parts(context.bot, chat_of(update).id, replies.docs_parts(overview))


async def user_id(update: Update, context: Context) -> None:
    """The sender's Telegram id (what KEPUBOT_ADMIN_IDS takes)."""
    text = f"你的 Telegram 用户 ID：<code>{user_of(update).id}</code>"
    if chat_of(update).type != ChatType.PRIVATE:
        text += f"\n本群 ID：<code>{chat_of(update).id}</code>"
    await message_of(update).reply_text(text)


async def not_text(update: Update, context: Context) -> None:
    """Stickers, photos, voice and the like in a private chat get a hint."""
    await message_of(update).reply_text(escape(TEXT_HINT))


async def unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not have (private chats only)."""
    await message_of(update).reply_text("不认识这个命令，输入 /help 查看可用命令。")


async def button(update: Update, context: Context) -> None:
    """Every inline button: example question, 原文 n, 更多, 👍 / 👎."""
    query = query_of(update)
    press = callbacks.parse(query.data)
    rt = runtime(context)
    if press is not None and press.action == callbacks.EXAMPLE and query.message is not None:
        await _ask_example(update, context, press.key)
        return
    if press is not None and press.action == callbacks.REMOVE:
        await admin.confirm_removals(update, context, press.key)
        return
    chat_id = query.message.chat.id if query.message is not None else None
    entry = (
        rt.registry.get(press.key, chat_id) if press is not None and chat_id is not None else None
    )
    if press is None or entry is None or query.message is None:
        await query.answer(EXPIRED)
    elif press.action == callbacks.SOURCE:
        await replies.show_source(context.bot, query, entry, press.argument)
    elif press.action == callbacks.MORE:
        await replies.show_more(rt, context.bot, query, press.key, entry)
    elif press.action == callbacks.NEXT:
        await _ask_follow_up(update, context, entry, press.argument)
    else:
        await replies.record_feedback(rt, query, entry, press.argument)


async def on_error(update: object, context: Context) -> None:
    """Log the exception and apologise to whoever was waiting."""
    if update is None and isinstance(context.error, NetworkError):
        # Polling lost the connection; PTB retries by itself, a traceback adds nothing.
        log.warning("network error while polling Telegram: %s", context.error)
        return
    if isinstance(context.error, Overloaded):  # not a failure: the queue is full for a moment
        log.info("answering queue full; update %s told to retry", getattr(update, "update_id", "?"))
        text = OVERLOADED
    else:
        log.error("update %s failed", getattr(update, "update_id", "?"), exc_info=context.error)
        text = APOLOGY
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.callback_query is not None:
        try:  # a button press shows the apology where the user is looking
            await update.callback_query.answer(text)
            return
        except TelegramError:
            pass  # already answered before the failure: fall back to a message
    with suppress(TelegramError):
        await context.bot.send_message(update.effective_chat.id, text)


async def _ask_example(update: Update, context: Context, index: str) -> None:
    query = query_of(update)
    if not index.isdigit() or int(index) >= len(EXAMPLE_QUESTIONS):
        await query.answer(EXPIRED)
        return
    await query.answer()
    question = EXAMPLE_QUESTIONS[int(index)]
    await replies.answer_question(
        runtime(context), context.bot, chat_of(update).id, query.from_user.id, question
    )


async def _ask_follow_up(
    update: Update, context: Context, entry: callbacks.Entry, index: str
) -> None:
    """A suggested next question pressed: asked of the answer it was suggested by."""
    query = query_of(update)
    suggested = entry.answer.follow_ups
    if not index.isdigit() or int(index) >= len(suggested):
        await query.answer(EXPIRED)
        return
    await query.answer()
    rt = runtime(context)
    chat_id, user_id = chat_of(update).id, query.from_user.id
    in_group = chat_of(update).type != ChatType.PRIVATE
    message = query.message
    await replies.answer_question(
        rt, context.bot, chat_id, user_id, suggested[int(index)],
        reply_to=message.message_id if in_group and message is not None else None,
        previous=entry.answer, within_previous=True,
        generation=rt.conversations.generation(chat_id, user_id),
    )  # fmt: skip


async def _answer(update: Update, context: Context, question: str, examples: bool = False) -> None:
    message = message_of(update)
    rt = runtime(context)
    chat_id, user_id = chat_of(update).id, user_of(update).id
    in_group = chat_of(update).type != ChatType.PRIVATE
    # A reply to one of our answers asks about that answer's reports; otherwise the
    # asker's last answer is the context a follow-up may lean on.
    replied = message.reply_to_message
    entry = rt.registry.for_message(chat_id, replied.message_id) if replied else None
    previous = entry.answer if entry is not None else None
    if previous is not None and message.quote is not None:
        # A quoted sentence of the answer narrows it to the report that sentence is from.
        previous = previous.about(message.quote.text)
    within = previous is not None
    previous = previous or rt.conversations.last(chat_id, user_id)
    await replies.answer_question(
        rt, context.bot, chat_id, user_id, question,
        reply_to=message.message_id if in_group else None, examples=examples,
        previous=None if examples else previous, within_previous=within,
        generation=rt.conversations.generation(chat_id, user_id),
    )  # fmt: skip


async def reaction(update: Update, context: Context) -> None:
    """👍 / 👎 set as a reaction on an answer: the same vote as its buttons."""
    if update.message_reaction is not None:
        replies.record_reaction(runtime(context), update.message_reaction)


async def sources(update: Update, context: Context) -> None:
    """`/sources`: every source of the asker's last answer, with its 原文 buttons."""
    rt = runtime(context)
    chat_id = chat_of(update).id
    last = rt.conversations.last(chat_id, user_of(update).id)
    if last is None or not last.citations:
        script = last.script if last is not None else "simplified"
        await message_of(update).reply_text(escape(localize(NO_SOURCES, script)))
        return
    # The answer's own entry, with the passages 更多 added; a new one if it fell out.
    key = rt.conversations.key(chat_id, user_of(update).id)
    entry = rt.registry.get(key, chat_id) if key is not None else None
    if key is None or entry is None or entry.answer is not last:
        key = rt.registry.add(last, chat_id)
        entry = rt.registry.get(key, chat_id)
    assert entry is not None
    keyboard = callbacks.more_keyboard(key, entry, entry.citations, more=False)
    parts = replies.sources_parts(last, entry.citations)
    await send_parts(context.bot, chat_id, parts, keyboard)


async def new_topic(update: Update, context: Context) -> None:
    """`/new`: the next question starts afresh."""
    conversations = runtime(context).conversations
    chat_id, user_id = chat_of(update).id, user_of(update).id
    last = conversations.last(chat_id, user_id)
    conversations.forget(chat_id, user_id)
    await message_of(update).reply_text(localize(NEW_TOPIC, last.script if last else "simplified"))
