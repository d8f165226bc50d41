"""The work behind the user-facing handlers: answer, show a source, show more, take a vote."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import time
from collections.abc import Awaitable, Callable
from datetime import datetime

from telegram import (
    Bot,
    CallbackQuery,
    Message,
    MessageEntity,
    MessageReactionUpdated,
    ReactionTypeEmoji,
)
from telegram.constants import ChatAction

from bot.core import Answer, Citation, Overview, question_problem, script_of
from bot.core.wording import (
    EXPIRED,
    LAST_SOURCES,
    NO_MORE,
    OVERLOADED,
    SEARCHING,
    THANKS,
    localize,
    rate_limited,
)
from bot.telegram.callbacks import Entry, answer_keyboard, more_keyboard
from bot.telegram.drafts import WritingDraft
from bot.telegram.render import render_answer, render_lines, render_more, render_passage
from bot.telegram.runtime import Runtime, send_parts, settle
from bot.telegram.service import Overloaded

MORE_PAGE = 3
MAX_SOURCES = 20  # past this, results are too weak to be worth another page
DOCS_LISTED = 30  # /docs of a province's archive would be a hundred messages


async def answer_question(
    rt: Runtime, bot: Bot, chat_id: int, user_id: int, question: str,
    reply_to: int | None = None, examples: bool = False,
    previous: Answer | None = None, within_previous: bool = False, generation: int | None = None,
) -> None:  # fmt: skip
    """Check, answer (showing "typing" meanwhile), reply with buttons, record; a follow-up
    of `previous` is read with it (`within_previous`: only the reports it cited)."""
    problem = question_problem(question, rt.settings.max_question_chars)
    if problem is not None:
        await send_parts(bot, chat_id, [problem], reply_to=reply_to)
        return
    if not rt.rate_limit.allow(user_id):
        text = rate_limited(rt.rate_limit.wait_seconds(user_id))
        await send_parts(bot, chat_id, [text], reply_to=reply_to)
        return
    started = time.perf_counter()
    draft_id = _draft_id()
    # While the answer is computed, if it keeps the asker waiting: in a private chat a
    # draft saying so, which the answer replaces; in a group, where drafts are not allowed,
    # "typing".
    if chat_id > 0:
        draft = localize(SEARCHING, script_of(question))
        side = functools.partial(bot.send_message_draft, chat_id, draft_id, draft)
    else:
        side = functools.partial(bot.send_chat_action, chat_id, ChatAction.TYPING)
    typing = _Delayed(side)
    try:
        service = rt.service
        answer = await (
            service.examples(question)
            if examples
            else service.answer(question, previous, within_previous)
        )
    except Overloaded:
        await send_parts(bot, chat_id, [localize(OVERLOADED, script_of(question))], None, reply_to)
        return
    finally:
        await typing.settle()
    if rt.service.writes(answer):
        # The language model writes it from the same passages; the draft shows what the
        # checker keeps meanwhile, and the checked answer (or the extractive one) replaces it.
        async with WritingDraft(bot, chat_id, draft_id, answer.script) as writing:
            answer = await rt.service.write(answer, writing.show)
    await deliver(rt, bot, chat_id, user_id, answer, reply_to, started, generation)


_drafts = itertools.count(1)
# Most answers take milliseconds, and a draft is a message in Telegram's budget of 30 a
# second: one per question halved the answers the bot could send under load. So the draft
# (or "typing") goes out only for an answer still being computed after this long.
DRAFT_AFTER = 0.5


class _Delayed:
    """A side call made only if `settle` has not been reached within DRAFT_AFTER seconds."""

    def __init__(self, call: Callable[[], Awaitable[object]]) -> None:
        self._sent = False
        self._task = asyncio.ensure_future(self._later(call))

    async def _later(self, call: Callable[[], Awaitable[object]]) -> None:
        await asyncio.sleep(DRAFT_AFTER)
        self._sent = True
        await call()

    async def settle(self) -> None:
        """Drop the call if it is not made yet; else wait for it, so it precedes the reply."""
        if not self._sent:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            return
        await settle(self._task)


def _draft_id() -> int:
    """A new non-zero draft id: each answer's draft is its own."""
    return next(_drafts)


async def deliver(
    rt: Runtime, bot: Bot, chat_id: int, user_id: int, answer: Answer, reply_to: int | None,
    started: float, generation: int | None = None,
) -> None:  # fmt: skip
    key = rt.registry.add(answer, chat_id)
    entry = rt.registry.get(key, chat_id)
    assert entry is not None
    keyboard = answer_keyboard(key, entry, more=bool(answer.citations))
    sent = await send_parts(bot, chat_id, render_answer(answer), keyboard, reply_to)
    rt.conversations.remember(chat_id, user_id, answer, generation, key)
    rt.registry.bind(key, chat_id, sent)
    latency_ms = (time.perf_counter() - started) * 1000
    entry.question_id = rt.records.add_question(
        user_id, chat_id, answer.question, answer.found, answer.kind,
        [hit.chunk_id for hit in answer.hits], latency_ms,
        answer=answer.text, sources=[f"[{c.n}] {c.label}" for c in answer.citations],
        writer=answer.written.to_dict() if answer.written is not None else None,
    )  # fmt: skip


async def show_source(bot: Bot, query: CallbackQuery, entry: Entry, argument: str) -> None:
    """`原文 n`: the whole cited passage with where it comes from."""
    citation = next((c for c in entry.citations if str(c.n) == argument), None)
    if citation is None:
        await query.answer(EXPIRED)
        return
    await query.answer()
    parts = render_passage(citation, entry.answer.script)
    await send_parts(bot, _chat_id(query), parts, reply_to=_message_id(query))


async def show_more(rt: Runtime, bot: Bot, query: CallbackQuery, key: str, entry: Entry) -> None:
    """`更多`: the next results the answer did not cite."""
    if not rt.rate_limit.allow(query.from_user.id):
        await query.answer(rate_limited(rt.rate_limit.wait_seconds(query.from_user.id)))
        return
    script = entry.answer.script
    room = min(MORE_PAGE, MAX_SOURCES - len(entry.citations))
    try:
        new = await rt.service.more(
            entry.answer.question, entry.shown, len(entry.citations) + 1, room
        )
    except Overloaded:
        await query.answer(localize(OVERLOADED, script))
        return
    if not new:
        await query.answer(localize(NO_MORE, script))
        return
    await query.answer()
    entry.citations += new
    entry.shown |= {c.chunk_id for c in new}
    more = len(new) == MORE_PAGE and len(entry.citations) < MAX_SOURCES
    keyboard = more_keyboard(key, entry, new, more)
    await send_parts(bot, _chat_id(query), render_more(new, script), keyboard, _message_id(query))


async def record_feedback(rt: Runtime, query: CallbackQuery, entry: Entry, argument: str) -> None:
    """👍 / 👎 on an answer; a second press changes the vote."""
    if entry.question_id is None or argument not in ("+", "-"):
        await query.answer(EXPIRED)
        return
    rt.records.add_feedback(entry.question_id, query.from_user.id, argument == "+")
    await query.answer(localize(THANKS, entry.answer.script))


# Reactions that are a vote on an answer; any other reaction is not feedback.
VOTES = {"👍": True, "👎": False}


def record_reaction(rt: Runtime, reaction: MessageReactionUpdated) -> bool:
    """A 👍 or 👎 reaction on one of our answers is a vote, as the buttons are; True when
    one was recorded."""
    if reaction.user is None:  # an anonymous group admin: no one to count
        return False
    entry = rt.registry.for_message(reaction.chat.id, reaction.message_id)
    emojis = [r.emoji for r in reaction.new_reaction if isinstance(r, ReactionTypeEmoji)]
    votes = [VOTES[e] for e in emojis if e in VOTES]
    if entry is None or entry.question_id is None or not votes:
        return False
    rt.records.add_feedback(entry.question_id, reaction.user.id, votes[-1])
    return True


def addressed_question(message: Message, username: str, bot_id: int) -> str | None:
    """In a group: the question if the message mentions the bot or replies to it, else None."""
    text = message.text or ""
    replied = message.reply_to_message
    addressed = bool(replied and replied.from_user and replied.from_user.id == bot_id)
    mentions = message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION])
    for entity, value in mentions.items():
        if value.lower() == f"@{username}".lower() or (entity.user and entity.user.id == bot_id):
            addressed = True
            text = text.replace(value, " ")
    return " ".join(text.split()) if addressed else None


def sources_parts(answer: Answer, citations: list[Citation]) -> list[str]:
    """/sources: the sources of the last answer (those 更多 added too), numbered as its
    原文 buttons."""
    lines = [c.source_line(answer.script) for c in citations]
    return render_lines(localize(LAST_SOURCES, answer.script), lines)


def docs_parts(overview: Overview) -> list[str]:
    """/docs: what the knowledge base holds."""
    lines = [
        f"报告：{len(overview.reports)} 份"
        + (f"（另有 {overview.duplicates} 份重复，不参与检索）" if overview.duplicates else ""),
        f"可检索片段：{overview.chunks} 个",
        "地点：" + (_first("、", overview.places, 30) or "—"),
        "年份：" + ("、".join(str(y) for y in overview.years) or "—"),
        "最近更新：" + _when(overview.last_ingest),
        "报告列表：",
    ]  # fmt: skip
    shown = overview.reports[:DOCS_LISTED]
    for document in shown:
        where = " · ".join(x for x in ("、".join(document.place), str(document.year or "")) if x)
        lines.append(f"• 《{document.title}》{' ' + where if where else ''}")
    if len(overview.reports) > len(shown):
        lines.append(f"……另有 {len(overview.reports) - len(shown)} 份（完整列表：kepubot docs）")
    return render_lines("知识库概况", lines)


def _first(separator: str, items: list[str], limit: int) -> str:
    text = separator.join(items[:limit])
    return text + (f" 等 {len(items)} 个" if len(items) > limit else "")


def _when(iso: str | None) -> str:
    if not iso:
        return "—"
    try:
        return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M（UTC）")
    except ValueError:
        return iso


def _chat_id(query: CallbackQuery) -> int:
    assert query.message is not None
    return query.message.chat.id


def _message_id(query: CallbackQuery) -> int | None:
    return query.message.message_id if isinstance(query.message, Message) else None
