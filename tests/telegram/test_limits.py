"""Limits and resilience: rate limits, refusals, splitting, flood control, errors, logs."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import logging
import re
import time
from html import unescape

import pytest
from telegram.error import InvalidToken, NetworkError

from bot.core import Answer, Citation, Quote, question_problem
from bot.settings import Settings
from bot.telegram.limits import FloodLimiter, UserRateLimit
from bot.telegram.logs import RedactToken, configure_logging
from bot.telegram.render import render_answer, render_passage, split_plain
from bot.telegram.runtime import send_parts
from testkit.telegram_fake import FakeTelegram, Scripted, visible_text_length
from tests.telegram.harness import GROUP, TOKEN, USER, Harness, drive

QUESTION = "科普书籍读书活动有多少人次参加？"


def plain(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_each_user_gets_a_friendly_message_past_the_rate_limit(bot_settings: Settings) -> None:
    settings = dataclasses.replace(bot_settings, rate_limit_per_minute=3)

    async def scenario(bot: Harness) -> None:
        for _ in range(4):
            await bot.say(QUESTION)
        texts = [r["text"] for r in bot.replies()]
        assert all("来源" in plain(t) for t in texts[:3])
        assert re.fullmatch(r"提问有点频繁了，请 \d+ 秒后再试。", texts[3])
        await bot.say(QUESTION, user=8)  # other users are not affected
        assert "来源" in plain(bot.last(8)["text"])
        assert len(bot.runtime.records.questions()) == 4  # refusals are not answers

    drive(settings, scenario)


def test_rate_limit_window_slides_per_user() -> None:
    now = [1000.0]
    limit = UserRateLimit(2, clock=lambda: now[0])
    assert limit.allow(1) and limit.allow(1) and not limit.allow(1)
    assert limit.allow(2)
    now[0] += 30
    assert not limit.allow(1) and limit.wait_seconds(1) == 31
    now[0] += 30
    assert limit.allow(1)


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("科" * 500, None),
        ("科" * 501, "问题太长了（501 字），请精简到 500 字以内再问。"),
        ("😀👍🎉", "请用文字提问，例如：乡镇是怎么开展科普日活动的？"),
        ("？？！", "请用文字提问，例如：乡镇是怎么开展科普日活动的？"),
        ("   ", "请写下要问的问题，例如：乡镇是怎么开展科普日活动的？"),
        ("縣科協怎麼開展科普日？", None),
    ],
)
def test_question_checks(text: str, refused: str | None) -> None:
    assert question_problem(text, 500) == refused


def test_overlong_empty_and_non_text_messages_get_short_hints(bot_settings: Settings) -> None:
    sticker = {"file_id": "s1", "file_unique_id": "us1", "width": 512, "height": 512,
               "is_animated": False, "is_video": False, "type": "regular"}  # fmt: skip
    photo = [{"file_id": "p1", "file_unique_id": "up1", "width": 90, "height": 90}]
    voice = {"file_id": "v1", "file_unique_id": "uv1", "duration": 3}

    async def scenario(bot: Harness) -> None:
        await bot.say("科" * 5000)
        await bot.say("😀😀")
        await bot.say(sticker=sticker)
        await bot.say(photo=photo)
        await bot.say(voice=voice)
        texts = [r["text"] for r in bot.replies()]
        assert texts[0].startswith("问题太长了（5000 字）")
        assert texts[1:] == ["请用文字提问，例如：乡镇是怎么开展科普日活动的？"] * 4
        await bot.say(sticker=sticker, chat=GROUP)  # groups: stickers are chatter
        assert bot.replies(GROUP) == []
        assert bot.runtime.records.questions() == []

    drive(bot_settings, scenario)


def _citation(n: int, text: str, title: str = "报告") -> Citation:
    return Citation(n, f"c{n}", title, ("一、<标题>",), ("成都市",), "市", 2024, "a.txt", text)


def test_long_answers_split_at_boundaries_and_every_part_is_valid_html() -> None:
    sentence = "科普活动<进>社区 & 学校，共计 300 人次参加。"
    quotes = [Quote(sentence * 12, n % 5 + 1) for n in range(40)]
    answer = Answer("问题", True, "answer", "在五份报告中找到相关内容：", quotes,
                    [_citation(n, "正文", "《标题》<b>") for n in range(1, 6)])  # fmt: skip
    parts = render_answer(answer)
    assert len(parts) >= 3
    for part in parts:
        assert 0 < visible_text_length(part, "HTML") <= 4096  # the fake's parser: balanced
    assert "\n".join(plain(p) for p in parts).count("300 人次") == 40 * 12
    assert "<i>[5] 《标题》&lt;b&gt; › 一、&lt;标题&gt;（成都市 · 市 · 2024年）</i>" in parts[-1]


@pytest.mark.parametrize(
    "text",
    [
        "第一段。\n" * 2000,  # many short paragraphs
        "没有标点的一整段文字" * 900,  # no boundary at all
        "一句话说完。" * 1500,  # one paragraph of sentences
        "😀" * 5000,  # emoji count twice towards Telegram's limit
    ],
)
def test_passages_split_into_expandable_quotes_without_losing_text(text: str) -> None:
    parts = render_passage(_citation(1, text), "simplified")
    assert len(parts) >= 2
    for part in parts:
        assert 0 < visible_text_length(part, "HTML") <= 4096
        assert part.count("<blockquote expandable>") == part.count("</blockquote>") >= 1
    quoted = "".join(re.findall(r"<blockquote expandable>(.*?)</blockquote>", "".join(parts), re.S))
    assert re.sub(r"\s", "", unescape(quoted)) == re.sub(r"\s", "", text)


def test_split_prefers_paragraphs_then_sentences() -> None:
    assert split_plain("甲。乙。\n丙。", budget=4) == ["甲。乙。", "丙。"]
    assert split_plain("甲甲。乙乙。丙丙。", budget=6) == ["甲甲。乙乙。", "丙丙。"]


def test_split_replies_are_accepted_by_telegram_end_to_end(bot_settings: Settings) -> None:
    async def scenario(bot: Harness) -> None:
        parts = render_passage(_citation(1, "很长的段落，" * 2000), "simplified")
        await send_parts(bot.app.bot, USER, parts, reply_to=None)
        assert len(bot.replies()) == len(parts) >= 3

    drive(bot_settings, scenario)


# PTB 22 warns about its own RetryAfter internals; nothing of ours is deprecated.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
def test_retry_after_from_telegram_is_waited_out_and_the_reply_still_arrives(
    bot_settings: Settings,
) -> None:
    telegram = FakeTelegram()
    telegram.script("sendMessage", Scripted(429, "Too Many Requests: retry after 1", 1))

    async def scenario(bot: Harness) -> None:
        started = time.perf_counter()
        await bot.say(QUESTION)
        assert time.perf_counter() - started >= 1.0
        assert "来源" in plain(bot.last()["text"])

    harness = drive(bot_settings, scenario, telegram, expect_errors=True)
    assert harness.errors == []


def test_flood_limiter_counts_messages_but_not_chat_actions() -> None:
    async def timed(limiter: FloodLimiter, endpoint: str, calls: int) -> float:
        async def callback() -> bool:
            return True

        started = time.perf_counter()
        for _ in range(calls):
            await limiter.process_request(callback, (), {}, endpoint, {"chat_id": 1}, None)
        return time.perf_counter() - started

    limiter = FloodLimiter(overall_max_rate=1, overall_time_period=1)
    assert asyncio.run(timed(limiter, "sendChatAction", 20)) < 0.2
    assert asyncio.run(timed(FloodLimiter(overall_max_rate=1), "sendMessage", 2)) >= 0.5


def test_a_failing_handler_is_logged_apologised_for_and_the_bot_keeps_answering(
    bot_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    telegram = FakeTelegram()
    telegram.script("sendMessage", Scripted(0, "connection reset", network=True))

    async def scenario(bot: Harness) -> None:
        await bot.say(QUESTION)
        assert bot.last()["text"] == "抱歉，处理时出了点问题，请稍后再试。"
        await bot.say(QUESTION)
        assert "来源" in plain(bot.last()["text"])

    with caplog.at_level(logging.ERROR, logger="bot.telegram"):
        harness = drive(bot_settings, scenario, telegram, expect_errors=True)
    assert [type(e) for e in harness.errors] == [NetworkError]
    assert any(r.name == "bot.telegram.handlers" and r.exc_info for r in caplog.records)


def test_the_token_never_reaches_the_logs(bot_settings: Settings) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    touched = ["", "httpx", "httpcore", "bot.telegram", "telegram.ext.Application"]
    levels = {name: logging.getLogger(name).level for name in touched}
    root.setLevel(logging.DEBUG)
    try:
        configure_logging(TOKEN, verbose=True)

        async def scenario(bot: Harness) -> None:
            await bot.say(QUESTION)

        drive(bot_settings, scenario)
        error = InvalidToken(f"The token `{TOKEN}` was rejected by the server.")
        logging.getLogger("telegram.ext.Application").error("failed", exc_info=error)
        logging.getLogger("httpx").warning("POST https://api.telegram.org/bot%s/getMe", TOKEN)
        assert logging.getLogger("httpx").level == logging.WARNING
    finally:
        root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        for existing in root.handlers:
            for f in [f for f in existing.filters if isinstance(f, RedactToken)]:
                existing.removeFilter(f)
    output = stream.getvalue()
    assert "Set Bot API URL" in output and "<token>" in output  # PTB's debug line, redacted
    assert TOKEN not in output


def test_a_button_whose_reply_fails_still_gets_an_apology(bot_settings: Settings) -> None:
    telegram = FakeTelegram()

    async def scenario(bot: Harness) -> None:
        await bot.say(QUESTION)
        answer = bot.last()["result"]
        source = answer["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        telegram.script("sendMessage", Scripted(0, "connection reset", network=True))
        await bot.press(source, answer)  # the press is answered, then the passage fails
        assert bot.last()["text"] == "抱歉，处理时出了点问题，请稍后再试。"
        await bot.press(source, answer)
        assert "<blockquote expandable>" in bot.last()["text"]

    harness = drive(bot_settings, scenario, telegram, expect_errors=True)
    assert [type(e) for e in harness.errors] == [NetworkError]
