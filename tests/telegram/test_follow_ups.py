"""Follow-ups through the real Application: the asker's last answer is the context, a reply
to an answer scopes the question to its reports, /new and a quiet spell forget."""

from __future__ import annotations

import re
from html import unescape

from bot.core.wording import EXPIRED
from bot.settings import Settings
from bot.telegram.conversations import Conversations
from tests.telegram.harness import GROUP, USER, Harness, drive

EVENT = "湖北那个市科普日期间开了几场讲座？"
FOLLOW_UP = "听众有多少？"


def plain(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_a_follow_up_in_a_private_chat_is_answered_with_the_question_before(
    bot_settings: Settings,
) -> None:
    async def scenario(bot: Harness) -> None:
        await bot.say(EVENT)
        await bot.say(FOLLOW_UP)
        text = plain(bot.last()["text"])
        assert text.startswith(f"接着上一个问题「{EVENT}」：")
        assert "听众达4000多人次" in text

    drive(bot_settings, scenario)


def test_a_level_a_pronoun_and_a_new_topic_through_the_application(
    bot_settings: Settings,
) -> None:
    async def scenario(bot: Harness) -> None:
        await bot.say("乡镇是怎么开展科普日活动的？")
        await bot.say("那街道呢？")
        text = plain(bot.last()["text"])
        assert text.startswith("接着上一个问题「乡镇是怎么开展科普日活动的？」：")
        assert "街道举行了广泛的科普宣传活动" in text
        await bot.say(EVENT)
        await bot.say("他们请了谁来讲课？")
        text = plain(bot.last()["text"])
        assert text.startswith(f"接着上一个问题「{EVENT}」：") and "县科协科普工作总结 篇6" in text
        await bot.say("农民科技培训办了多少期？")
        text = plain(bot.last()["text"])
        assert not text.startswith("接着") and "办班18期" in text

    drive(bot_settings, scenario)


def test_in_a_group_each_member_continues_only_their_own_question(
    bot_settings: Settings,
) -> None:
    async def scenario(bot: Harness) -> None:
        await bot.say("/ask " + EVENT, chat=GROUP)
        await bot.say("/ask " + FOLLOW_UP, chat=GROUP, user=USER + 1)
        assert not plain(bot.last(GROUP)["text"]).startswith("接着")
        await bot.say("/ask " + FOLLOW_UP, chat=GROUP)
        assert plain(bot.last(GROUP)["text"]).startswith("接着上一个问题")

    drive(bot_settings, scenario)


def test_a_reply_to_an_answer_searches_only_the_reports_it_cited(
    bot_settings: Settings,
) -> None:
    async def scenario(bot: Harness) -> None:
        await bot.say("有没有组织企业参观高交会的例子？")
        examples = bot.last()["result"]
        cited = {"县科协科普工作总结 篇1", "县科协科普工作总结 篇4"}  # in the asker's script
        assert all(title in plain(examples["text"]) for title in cited)
        await bot.say("乡镇是怎么开展科普日活动的？", reply_to=examples)
        sources = plain(bot.last()["text"]).split("来源：")[1]
        titles = set(re.findall(r"\] (\S+科普工作总结 篇\d)", sources))
        assert titles and titles <= cited
        await bot.say("/new")
        await bot.say("乡镇是怎么开展科普日活动的？")
        assert "县科协科普工作总结 篇6" in plain(bot.last()["text"])

    drive(bot_settings, scenario)


def test_new_and_a_quiet_spell_forget_the_last_question(bot_settings: Settings) -> None:
    async def scenario(bot: Harness) -> None:
        now = [0.0]
        bot.runtime.conversations = Conversations(60, clock=lambda: now[0])
        await bot.say(EVENT)
        await bot.say("/new")
        assert plain(bot.last()["text"]) == "好的，下一个问题将作为新话题回答。"
        await bot.say(FOLLOW_UP)
        assert not plain(bot.last()["text"]).startswith("接着")
        await bot.say(EVENT)
        now[0] = 61.0
        await bot.say(FOLLOW_UP)
        assert not plain(bot.last()["text"]).startswith("接着")
        await bot.say(EVENT)
        now[0] = 100.0
        await bot.say(FOLLOW_UP)
        assert plain(bot.last()["text"]).startswith("接着")

    drive(bot_settings, scenario)


def buttons(message: dict) -> dict[str, str]:
    """Button text → callback data."""
    rows = message["reply_markup"]["inline_keyboard"]
    return {b["text"]: b["callback_data"] for row in rows for b in row}


def test_a_suggested_next_question_is_a_button_that_asks_it_of_the_answer(
    bot_settings: Settings,
) -> None:
    async def scenario(bot: Harness) -> None:
        await bot.say(EVENT)
        answer = bot.last()["result"]
        suggested = {t: d for t, d in buttons(answer).items() if d.startswith("n:")}
        assert "有多少人参加？" in suggested and len(suggested) <= 3
        await bot.press(suggested["有多少人参加？"], answer)
        text = plain(bot.last()["text"])
        assert text.startswith(f"接着上一个问题「{EVENT}」：")
        assert "听众达4000多人次" in text
        assert "县科协科普工作总结 篇6" in text.split("来源：")[1]
        key = suggested["有多少人参加？"].split(":")[1]
        await bot.press(f"n:{key}:7", answer)  # no such suggestion
        pressed = bot.telegram.sent("answerCallbackQuery")[-1]
        assert pressed.params.get("text") == EXPIRED

    drive(bot_settings, scenario)


def test_sources_lists_the_last_answers_sources_with_their_buttons(
    bot_settings: Settings,
) -> None:
    async def scenario(bot: Harness) -> None:
        await bot.say("/sources")
        assert plain(bot.last()["text"]) == "还没有可查看的来源，请先提一个问题。"
        await bot.say(EVENT)
        cited = plain(bot.last()["text"]).split("来源：")[1].split()
        await bot.say("/sources")
        listing = bot.last()
        assert plain(listing["text"]).startswith("上一个回答的来源：")
        assert cited[0] in plain(listing["text"])
        await bot.press(buttons(listing)["原文 1"], listing["result"])
        assert "篇6" in plain(bot.last()["text"])

    drive(bot_settings, scenario)


def test_sources_after_more_lists_the_passages_more_added_with_their_buttons(
    bot_settings: Settings,
) -> None:
    async def scenario(bot: Harness) -> None:
        await bot.say(EVENT)
        answer = bot.last()["result"]
        cited = len(re.findall(r"^\[\d+\]", plain(answer["text"]).split("来源：")[1], re.M))
        await bot.press(buttons(answer)["更多"], answer)
        await bot.say("/sources")
        listing = bot.last()
        lines = re.findall(r"^\[(\d+)\]", plain(listing["text"]), re.M)
        assert len(lines) > cited and lines == [str(n) for n in range(1, len(lines) + 1)]
        last = f"原文 {len(lines)}"
        await bot.press(buttons(listing)[last], listing["result"])
        assert "已过期" not in plain(bot.last()["text"])

    drive(bot_settings, scenario)


def test_a_reply_quoting_one_sentence_asks_only_of_that_sentences_report(
    bot_settings: Settings,
) -> None:
    async def scenario(bot: Harness) -> None:
        await bot.say("有没有组织企业参观高交会的例子？")
        examples = bot.last()["result"]
        text = plain(examples["text"])
        sentence = next(
            line[2:].split("[")[0] for line in text.splitlines()
            if line.startswith("• ") and line.endswith("[2]")
        )  # fmt: skip
        quote = {"text": sentence[:20], "position": text.index(sentence[:20])}
        await bot.say("他们是怎么组织的？", reply_to=examples, quote=quote)
        sources = plain(bot.last()["text"]).split("来源：")[1]
        titles = set(re.findall(r"\] (\S+科普工作总结 篇\d)", sources))
        cited = re.findall(r"\[2\] (\S+科普工作总结 篇\d)", text.split("来源：")[1])
        assert titles == set(cited)

    drive(bot_settings, scenario)
