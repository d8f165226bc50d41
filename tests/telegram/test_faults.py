"""Telegram faults while the bot is busy: timeouts, dropped connections, 5xx, 429 and 400.

Several users ask at once while the fake Bot API fails; the bot must keep serving, send
nothing twice, and every failure must reach the error handler as a handled Telegram error.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from html import unescape

import pytest
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut

from bot.settings import Settings
from testkit.telegram_fake import FakeTelegram, Scripted
from tests.telegram.harness import Harness, drive

QUESTIONS = ["科普书籍读书活动有多少人次参加？", "乡镇是怎么开展科普日活动的？",
             "有没有科技培训的例子？", "科普日"]  # fmt: skip
USERS = [201, 202, 203, 204]
APOLOGY = "抱歉，处理时出了点问题，请稍后再试。"
FAULTS = {
    "timeout": (Scripted(0, "read timed out", timeout=True), TimedOut),
    "dropped connection": (Scripted(0, "connection reset", network=True), NetworkError),
    "HTTP 500": (Scripted(500, "Internal Server Error"), NetworkError),
    "HTTP 502": (Scripted(502, "Bad Gateway"), NetworkError),
    "HTTP 400": (Scripted(400, "Bad Request: chat not found"), BadRequest),
}


def plain(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


async def ask_all(bot: Harness) -> None:
    """Every user asks at once, as PTB's concurrent dispatch would run them."""
    await asyncio.gather(*(bot.say(q, user=u) for q, u in zip(QUESTIONS, USERS, strict=True)))


def messages_per_chat(telegram: FakeTelegram) -> Counter[int]:
    return Counter(int(c.params["chat_id"]) for c in telegram.sent())


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_failing_send_costs_one_user_an_apology_and_everyone_else_is_served_once(
    bot_settings: Settings, fault: str
) -> None:
    outcome, error = FAULTS[fault]
    telegram = FakeTelegram()

    async def scenario(bot: Harness) -> None:
        telegram.script("sendMessage", outcome)
        await ask_all(bot)
        # Exactly one message per user: three answers and one apology, nothing resent.
        assert messages_per_chat(telegram) == Counter(USERS)
        texts = [c.params["text"] for c in telegram.sent()]
        assert texts.count(APOLOGY) == 1
        assert sum("来源" in plain(t) or "來源" in plain(t) for t in texts) == 3
        await ask_all(bot)  # and then the bot is back to normal for everyone
        assert messages_per_chat(telegram) == Counter(USERS * 2)
        assert all(c.params["text"] != APOLOGY for c in telegram.sent()[-4:])

    harness = drive(bot_settings, scenario, telegram, expect_errors=True)
    assert [type(e) for e in harness.errors] == [error]
    assert len(telegram.rejected()) == 1


# PTB 22 warns about its own RetryAfter internals; nothing of ours is deprecated.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
def test_429_with_retry_after_while_busy_delays_one_answer_and_sends_each_once(
    bot_settings: Settings,
) -> None:
    telegram = FakeTelegram()
    telegram.script("sendMessage", Scripted(429, "Too Many Requests: retry after 1", 1), times=2)

    async def scenario(bot: Harness) -> None:
        await ask_all(bot)
        assert messages_per_chat(telegram) == Counter(USERS)
        assert all("来源" in plain(c.params["text"]) for c in telegram.sent())
        await ask_all(bot)
        assert messages_per_chat(telegram) == Counter(USERS * 2)

    harness = drive(bot_settings, scenario, telegram, expect_errors=True)
    assert harness.errors == []  # waited out by the flood limiter, never a handler error
    assert len(telegram.rejected()) == 2


@pytest.mark.parametrize("endpoint", ["sendMessageDraft", "answerCallbackQuery"])
def test_side_calls_that_time_out_cost_nothing_or_only_the_button_acknowledgement(
    bot_settings: Settings, endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.telegram.replies.DRAFT_AFTER", 0.0)  # every answer drafts
    telegram = FakeTelegram()

    async def scenario(bot: Harness) -> None:
        timeout = Scripted(0, "read timed out", timeout=True)
        if endpoint == "sendMessageDraft":
            telegram.script(endpoint, timeout, times=4)
            await ask_all(bot)  # the draft fails for all four: the answers still go out
            assert len(telegram.rejected()) == 4
            assert messages_per_chat(telegram) == Counter(USERS)
            return
        await bot.say(QUESTIONS[0], user=USERS[0])
        answer = bot.last(USERS[0])["result"]
        source = answer["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        telegram.script(endpoint, timeout)
        await bot.press(source, answer, user=USERS[0])  # acknowledgement times out: apology
        assert telegram.sent("answerCallbackQuery")[-1].params["text"] == APOLOGY
        await bot.press(source, answer, user=USERS[0])
        passages = [c for c in telegram.sent() if "<blockquote" in c.params["text"]]
        assert len(passages) == 1  # the failed press sent nothing; the retry sent it once

    harness = drive(bot_settings, scenario, telegram, expect_errors=True)
    assert all(isinstance(e, TelegramError) for e in harness.errors)
    assert len(harness.errors) == (0 if endpoint == "sendMessageDraft" else 1)


def test_a_storm_of_mixed_faults_while_eight_users_ask_sends_nothing_twice_and_recovers(
    bot_settings: Settings,
) -> None:
    telegram = FakeTelegram()
    users = [300 + i for i in range(8)]
    questions = QUESTIONS * 2

    async def scenario(bot: Harness) -> None:
        for outcome, _ in FAULTS.values():
            telegram.script("sendMessage", outcome)
        telegram.script("sendChatAction", Scripted(503, "Service Unavailable"), times=3)
        await asyncio.gather(*(bot.say(q, user=u) for q, u in zip(questions, users, strict=True)))
        counts = messages_per_chat(telegram)
        assert all(counts[u] <= 1 for u in users)  # an answer, an apology, or (both failed) none
        await asyncio.gather(*(bot.say(q, user=u) for q, u in zip(questions, users, strict=True)))
        last = {int(c.params["chat_id"]): c.params["text"] for c in telegram.sent()}
        assert all("来源" in plain(last[u]) or "來源" in plain(last[u]) for u in users)
        assert all(messages_per_chat(telegram)[u] <= 2 for u in users)

    harness = drive(bot_settings, scenario, telegram, expect_errors=True)
    assert harness.errors and all(
        isinstance(e, (TimedOut, NetworkError, BadRequest)) for e in harness.errors
    )
    # Each failed answer reached the handler once; failed apologies are swallowed.
    assert len(harness.errors) <= len(FAULTS)
