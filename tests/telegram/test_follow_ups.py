"""Follow-ups through the real Application: the asker's last answer is the context, a reply
to an answer scopes the question to its reports, /new and a quiet spell forget."""

from __future__ import annotations

import re
from html import unescape

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
