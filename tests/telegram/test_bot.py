"""The bot as users see it: asking in private and in groups, the buttons, the commands."""

from __future__ import annotations

import re
from html import escape, unescape

import pytest

from bot.core.wording import EXAMPLE_QUESTIONS
from bot.settings import Settings
from bot.telegram.app import post_init
from testkit.telegram_fake import BOT, FakeTelegram, visible_text_length
from tests.telegram.harness import ADMIN, GROUP, USER, Harness, drive

QUESTION = "科普书籍读书活动有多少人次参加？"


def buttons(message: dict) -> dict[str, str]:
    """Button text → callback data under a sent message."""
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


def plain(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_a_quick_answer_is_sent_without_a_draft_before_it(bot_settings: Settings) -> None:
    # Each draft is a message in Telegram's 30-a-second budget: one per question halved
    # what the bot could answer under load, for an answer that takes milliseconds.
    async def scenario(bot: Harness) -> None:
        await bot.say(QUESTION)
        await bot.say("/ask " + QUESTION, chat=GROUP)
        endpoints = [c.endpoint for c in bot.telegram.calls if c.endpoint != "getMe"]
        assert endpoints == ["sendMessage", "sendMessage"]

    drive(bot_settings, scenario)


def test_private_question_gets_a_draft_then_html_answer_with_markers_and_sources(
    bot_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.telegram.replies.DRAFT_AFTER", 0.0)  # as for a slow answer

    async def scenario(bot: Harness) -> None:
        await bot.say(QUESTION)
        endpoints = [c.endpoint for c in bot.telegram.calls if c.endpoint != "getMe"]
        assert endpoints == ["sendMessageDraft", "sendMessage"]
        assert bot.telegram.calls[1].params["text"] == "正在检索报告……"
        assert bot.telegram.calls[1].params["draft_id"] != 0
        reply = bot.last()
        assert reply["parse_mode"] == "HTML"
        text = plain(reply["text"])
        assert "300人次" in text and "[1]" in text
        assert "来源：" in text and "[1] 县科协科普工作总结 篇1" in text  # in the reader's script
        names = buttons(reply["result"])
        assert {"原文 1", "更多", "👍", "👎"} <= set(names)
        assert all(len(data.encode()) <= 64 and QUESTION not in data for data in names.values())

    drive(bot_settings, scenario)


def test_group_answers_ask_mentions_and_replies_and_ignores_other_chatter(
    bot_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.telegram.replies.DRAFT_AFTER", 0.0)  # as for a slow answer

    async def scenario(bot: Harness) -> None:
        await bot.say("/ask " + QUESTION, chat=GROUP)  # drafts are for private chats only
        assert bot.telegram.sent("sendChatAction")[-1].params["action"] == "typing"
        assert not bot.telegram.sent("sendMessageDraft") and not bot.telegram.rejected()
        bot.telegram.calls.clear()
        await bot.say("今天的会议改到下午三点", chat=GROUP)
        await bot.say(QUESTION, chat=GROUP)
        assert bot.replies(GROUP) == []
        await bot.say("/ask " + QUESTION, chat=GROUP)
        await bot.say(f"/ask@{BOT['username']} 乡镇是怎么开展科普日活动的？", chat=GROUP)
        await bot.say(f"@{BOT['username']} 乡镇是怎么开展科普日活动的？", chat=GROUP)
        answer = bot.last(GROUP)["result"]
        await bot.say("科普书籍读书活动呢？", chat=GROUP, reply_to=answer)
        replies = bot.replies(GROUP)
        assert len(replies) == 4
        assert all("来源" in plain(r["text"]) for r in replies)
        # Each reply quotes the question it answers, so the group can follow the thread.
        assert all("reply_parameters" in r for r in replies)
        human = bot.message("/ask", chat=GROUP)  # a reply to a person is not addressed to us
        await bot.say("乡镇科普日怎么办？", chat=GROUP, reply_to=human)
        assert len(bot.replies(GROUP)) == 4

    drive(bot_settings, scenario)


def test_markup_in_questions_is_escaped_and_never_breaks_a_reply(bot_settings: Settings) -> None:
    async def scenario(bot: Harness) -> None:
        # Replies echo the asker's words (the topic of examples, a question not found), so
        # the markup in them must reach the user as text, not as tags.
        await bot.say("/examples <i>科普</i>&日")
        await bot.say("<b>火星</b><script>alert(1)</script> 签证 & 天气？")
        examples, not_found = (r["text"] for r in bot.replies())
        assert "「&lt;i&gt;科普&lt;/i&gt;&amp;日」" in examples
        assert "「<i>科普</i>&日」" in plain(examples)
        assert "&lt;b&gt;火星&lt;/b&gt;&lt;script&gt;" in not_found and "<script>" not in not_found

    drive(bot_settings, scenario)


def test_source_button_shows_whole_passage_in_expandable_quote_with_its_origin(
    bot_settings: Settings,
) -> None:
    async def scenario(bot: Harness) -> None:
        await bot.say("乡镇是怎么开展科普日活动的？")
        answer = bot.last()["result"]
        entry = next(iter(bot.runtime.registry._entries.values()))
        cited = next(c for c in entry.citations if c.year)
        await bot.press(buttons(answer)[f"原文 {cited.n}"], answer)
        passage = bot.last()["text"]
        assert f"<b>[{cited.n}] {escape(cited.title)}</b>" in passage
        assert f"<blockquote expandable>{escape(cited.text, quote=False)}</blockquote>" in passage
        assert "位置：" + " › ".join(cited.heading_path) in plain(passage)
        assert f"年份：{cited.year}年" in passage and "地点：" in passage
        assert bot.last()["reply_parameters"]["message_id"] == answer["message_id"]

    drive(bot_settings, scenario)


def test_more_button_shows_next_results_then_says_there_are_no_more(
    bot_settings: Settings,
) -> None:
    async def scenario(bot: Harness) -> None:
        await bot.say(QUESTION)
        answer = bot.last()["result"]
        first_cited = len([k for k in buttons(answer) if k.startswith("原文")])
        await bot.press(buttons(answer)["更多"], answer)
        more = bot.last()
        numbers = [int(n) for n in re.findall(r"^\[(\d+)\]", plain(more["text"]), re.M)]
        assert numbers == list(range(first_cited + 1, first_cited + 4))
        await bot.press(buttons(more["result"])[f"原文 {numbers[0]}"], more["result"])
        assert "<blockquote expandable>" in bot.last()["text"]
        pages = 1
        while "更多" in buttons(more["result"]):  # page on until the results run out
            await bot.press(buttons(more["result"])["更多"], more["result"])
            assert bot.last() != more
            more, pages = bot.last(), pages + 1
        assert pages >= 3
        await bot.press(buttons(answer)["更多"], answer)
        last_answer = [c for c in bot.telegram.sent("answerCallbackQuery")][-1]
        assert last_answer.params.get("text") == "没有更多结果了。"

    drive(bot_settings, scenario)


def test_feedback_buttons_record_one_vote_per_user_that_can_change(
    bot_settings: Settings,
) -> None:
    async def scenario(bot: Harness) -> None:
        await bot.say(QUESTION)
        answer = bot.last()["result"]
        await bot.press(buttons(answer)["👍"], answer)
        await bot.press(buttons(answer)["👎"], answer)
        await bot.press(buttons(answer)["👍"], answer, user=ADMIN)
        thanks = [c.params.get("text") for c in bot.telegram.sent("answerCallbackQuery")]
        assert thanks == ["感谢反馈！"] * 3
        votes = {(r["user_id"], r["vote"]) for r in bot.runtime.records.feedback()}
        assert votes == {(USER, -1), (ADMIN, 1)}

    drive(bot_settings, scenario)


def test_unknown_forged_and_stale_buttons_are_answered_as_expired(bot_settings: Settings) -> None:
    stale: dict = {}

    async def first_run(bot: Harness) -> None:
        await bot.say(QUESTION)
        stale.update(bot.last()["result"])
        for forged in ("s:zzzz:1", "m:", "hello", "q:99", "f:" + "9" * 60, "s:k:1:<b>"):
            await bot.press(forged, stale)
        await bot.say("/reload", user=ADMIN)
        await bot.press(buttons(stale)["原文 1"], stale)  # made against the old knowledge base
        texts = [c.params.get("text") for c in bot.telegram.sent("answerCallbackQuery")]
        assert texts == ["已过期，请重新提问。"] * 7

    async def after_restart(bot: Harness) -> None:
        await bot.press(buttons(stale)["更多"], stale)
        assert bot.telegram.sent("answerCallbackQuery")[0].params["text"] == "已过期，请重新提问。"
        assert bot.replies() == []

    drive(bot_settings, first_run)
    drive(bot_settings, after_restart)


def test_start_offers_three_example_questions_that_are_asked_when_tapped(
    bot_settings: Settings,
) -> None:
    async def scenario(bot: Harness) -> None:
        await bot.say("/start")
        welcome = bot.last()
        assert "科普工作总结" in welcome["text"]
        assert list(buttons(welcome["result"])) == list(EXAMPLE_QUESTIONS)
        for question, data in buttons(welcome["result"]).items():
            await bot.press(data, welcome["result"])
            assert "来源" in plain(bot.last()["text"]), question

    drive(bot_settings, scenario)


def test_help_lists_commands_and_shows_admin_commands_to_admins_only(
    bot_settings: Settings,
) -> None:
    async def scenario(bot: Harness) -> None:
        await bot.say("/help")
        assert "/examples" in bot.last()["text"] and "/reload" not in bot.last()["text"]
        await bot.say("/help", user=ADMIN)
        assert "/reload" in bot.last(ADMIN)["text"] and "/stats" in bot.last(ADMIN)["text"]
        await bot.say("/nosuchcommand")
        assert "/help" in bot.last()["text"]

    drive(bot_settings, scenario)


def test_examples_command_quotes_cases_from_different_reports(bot_settings: Settings) -> None:
    async def scenario(bot: Harness) -> None:
        await bot.say("/examples 科技培训")
        text = plain(bot.last()["text"])
        sources = re.findall(r"^\[\d+\] (.+?) ›", text, re.M)
        assert len(sources) >= 3 and len(sources) == len(set(sources))
        await bot.say("/examples")
        assert "/examples 科普日" in bot.last()["text"]

    drive(bot_settings, scenario)


def test_docs_describes_reports_places_years_chunks_and_last_reload(
    bot_settings: Settings,
) -> None:
    async def scenario(bot: Harness) -> None:
        await bot.say("/docs")
        text = plain(bot.last()["text"])
        assert "报告：11 份（另有 1 份重复" in text
        assert "可检索片段：84 个" in text
        assert "原平市" in text and "2024" in text
        assert re.search(r"最近更新：\d{4}-\d\d-\d\d \d\d:\d\d", text)
        assert "《縣科協科普工作總結 篇7》" in text

    drive(bot_settings, scenario)


def test_id_command_tells_users_their_telegram_id(bot_settings: Settings) -> None:
    async def scenario(bot: Harness) -> None:
        await bot.say("/id", user=31337)
        assert "<code>31337</code>" in bot.last(31337)["text"]
        await bot.say("/id", user=31337, chat=GROUP)
        assert f"<code>{GROUP}</code>" in bot.last(GROUP)["text"]

    drive(bot_settings, scenario)


def test_post_init_registers_chinese_command_menu_with_admin_commands_for_admins(
    bot_settings: Settings,
) -> None:
    async def scenario(bot: Harness) -> None:
        await post_init(bot.app)  # run_polling calls it; `async with app` does not
        menus = bot.telegram.sent("setMyCommands")
        assert len(menus) == 2
        public = {c["command"]: c["description"] for c in menus[0].params["commands"]}
        assert set(public) == {
            "start", "help", "ask", "examples", "facts", "docs", "new", "sources", "id",
        }  # fmt: skip
        assert all(re.search(r"[\u4e00-\u9fff]", d) for d in public.values())
        assert menus[1].params["scope"] == {"type": "chat", "chat_id": ADMIN}
        assert {"reload", "stats", "review"} <= {c["command"] for c in menus[1].params["commands"]}

    drive(bot_settings, scenario)


def test_every_reply_is_valid_telegram_html_within_the_length_limit(
    bot_settings: Settings,
) -> None:
    async def scenario(bot: Harness) -> None:
        for question in ("科普日", "有没有科普讲座的例子？", "火星探测器的发射窗口是什么时候？"):
            await bot.say(question)
        await bot.say("/docs")
        assert len(bot.replies()) == 4
        for reply in bot.replies():
            assert 0 < visible_text_length(reply["text"], "HTML") <= 4096

    drive(bot_settings, scenario)


def test_a_simplified_asker_reads_a_traditional_report_in_simplified_and_its_original_on_tap(
    bot_settings: Settings,
) -> None:
    async def scenario(bot: Harness) -> None:
        await bot.say(QUESTION)  # the sentence is written in Traditional in 縣科協… 篇1
        reply = bot.last()
        text = plain(reply["text"])
        assert "开展科普书籍读书活动（共约300人次参加了读书活动）" in text
        assert "（原文繁体）" in text.split("来源：")[1]
        quoted = text.split("来源：")[0]
        assert not any(ch in quoted for ch in "讀書區這"), quoted
        await bot.press(buttons(reply["result"])["原文 1"], reply["result"])
        passage = plain(bot.last()["text"])
        assert "開展科普書籍讀書活動（共約300人次參加了讀書活動）" in passage

    drive(bot_settings, scenario)


def test_the_fake_rejects_drafts_telegram_rejects() -> None:
    telegram = FakeTelegram()
    assert telegram.respond("sendMessageDraft", {"chat_id": "7", "draft_id": "3"})[0] == 200
    for form in ({"chat_id": str(GROUP), "draft_id": "1"}, {"chat_id": "7", "draft_id": "0"},
                 {"chat_id": "7", "draft_id": "2", "text": "科" * 4097}):  # fmt: skip
        assert telegram.respond("sendMessageDraft", form)[0] == 400
