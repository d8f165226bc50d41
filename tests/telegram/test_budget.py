"""One user never stalls everyone: a budget for every send, a bounded queue, chat-bound buttons."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bot.core.wording import EXPIRED, OVERLOADED
from bot.settings import Settings
from tests.telegram.harness import ADMIN, GROUP, Harness, drive

QUESTION = "科普书籍读书活动有多少人次参加？"
OTHER = 8


def buttons(message: dict) -> dict[str, str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


def test_a_thousand_presses_from_one_user_do_not_delay_another_users_answer(
    bot_settings: Settings,
) -> None:
    async def scenario(bot: Harness) -> None:
        await bot.say(QUESTION)
        answer = bot.last()["result"]
        source = buttons(answer)["原文 1"]
        presses = [asyncio.create_task(bot.press(source, answer)) for _ in range(1000)]
        await asyncio.sleep(0)
        started = time.perf_counter()
        await bot.say(QUESTION, user=OTHER)
        waited = time.perf_counter() - started
        await asyncio.gather(*presses)
        assert "300人次" in bot.last(OTHER)["text"]
        assert waited < 3, f"the other user waited {waited:.1f} s"
        passages = [r for r in bot.replies() if "blockquote" in r["text"]]
        assert 1 <= len(passages) <= bot_settings.actions_per_minute
        refused = [c for c in bot.telegram.sent("answerCallbackQuery")
                   if "频繁" in str(c.params.get("text"))]  # fmt: skip
        assert len(refused) >= 1000 - bot_settings.actions_per_minute

    drive(bot_settings, scenario)


def test_presses_in_a_group_are_budgeted_per_member_and_chatter_costs_nothing(
    bot_settings: Settings,
) -> None:
    async def scenario(bot: Harness) -> None:
        for _ in range(20):  # members talking among themselves: not addressed to the bot
            await bot.say("今天下午开会", chat=GROUP)
        await bot.say("/ask " + QUESTION, chat=GROUP)
        answer = bot.last(GROUP)["result"]
        for _ in range(40):
            await bot.press(buttons(answer)["原文 1"], answer)
        sent = bot.replies(GROUP)
        # The answer, then the member's budget of passages, then nothing more.
        assert len(sent) == 1 + bot_settings.group_actions_per_minute - 1
        await bot.say("/ask " + QUESTION, chat=GROUP, user=OTHER)
        assert "300人次" in bot.last(GROUP)["text"]

    drive(bot_settings, scenario)


def test_admins_are_not_budgeted(bot_settings: Settings) -> None:
    async def scenario(bot: Harness) -> None:
        for _ in range(bot_settings.actions_per_minute + 5):
            await bot.say("/id", user=ADMIN)
        assert len(bot.replies(ADMIN)) == bot_settings.actions_per_minute + 5

    drive(bot_settings, scenario)


def test_a_button_forged_in_another_chat_never_shows_that_chats_passages(
    bot_settings: Settings,
) -> None:
    async def scenario(bot: Harness) -> None:
        await bot.say(QUESTION)
        answer = bot.last()["result"]
        forged = bot.message("看看", user=OTHER)  # the same key, pressed under another chat
        query = await bot.press(buttons(answer)["原文 1"], forged, user=OTHER)
        answered = next(c for c in bot.telegram.sent("answerCallbackQuery")
                        if c.params["callback_query_id"] == query)  # fmt: skip
        assert answered.params["text"] == EXPIRED
        assert bot.replies(OTHER) == []

    drive(bot_settings, scenario)


def test_a_full_answering_queue_says_so_instead_of_keeping_everyone_waiting(
    bot_settings: Settings,
) -> None:
    async def scenario(bot: Harness) -> None:
        bot.runtime.service.max_waiting = 2
        asks = [bot.say(QUESTION, user=100 + n) for n in range(8)]
        await asyncio.gather(*asks)
        texts = [bot.last(100 + n)["text"] for n in range(8)]
        assert texts.count(OVERLOADED) >= 1 and sum("300人次" in t for t in texts) >= 2
        assert not any("抱歉" in t for t in texts)

    drive(bot_settings, scenario)


def test_docs_on_a_large_knowledge_base_is_a_short_summary(
    bot_settings: Settings, tmp_path: Path
) -> None:
    folder = bot_settings.knowledge_dir
    for n in range(45):
        (folder / f"第{n}号.txt").write_text(
            f"第{n}号镇科协总结\n一、主要做法\n第{n}号镇开展科普讲座{n}场，服务群众。\n", "utf-8"
        )

    async def scenario(bot: Harness) -> None:
        await bot.say("/reload", user=ADMIN)
        await bot.say("/docs")
        sent = bot.replies()
        assert len(sent) == 1
        assert "……另有" in sent[0]["text"] and "kepubot docs" in sent[0]["text"]

    drive(bot_settings, scenario)
