"""Access: admin-only actions in every kind of chat and message, the allow-list, no secrets."""

from __future__ import annotations

import dataclasses
import io
import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape

import pytest

from bot.settings import Secret, Settings, SettingsError, load_settings
from bot.telegram.logs import RedactToken, configure_logging
from testkit.telegram_fake import FakeTelegram, Scripted
from tests.telegram.harness import (
    ADMIN,
    GROUP,
    NEW_REPORT,
    TOKEN,
    USER,
    Harness,
    document_message,
    drive,
)

QUESTION = "科普书籍读书活动有多少人次参加？"
STRANGER, OTHER_GROUP = 8, -100999
WEBHOOK_SECRET = "wh-s3cret-5f2a"
STRANGER_REFUSAL = (
    f"抱歉，这个机器人只为指定的用户和群组服务；如需使用，请把你的用户 ID {STRANGER} 告诉管理员。"
)
ORIGINAL_FILES = ["2024科普工作总结5篇.txt", "縣科協科普工作總結7篇.txt"]


def plain(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def origin(user: int) -> dict:
    """`forward_origin` of a message first sent by `user`."""
    sender = {"id": user, "is_bot": False, "first_name": f"用户{user}"}
    return {"type": "user", "date": int(time.time()), "sender_user": sender}


def files_in(settings: Settings) -> list[str]:
    return sorted(p.name for p in settings.knowledge_dir.iterdir())


def test_admin_commands_in_groups_are_refused_to_members_and_run_for_admins(
    bot_settings: Settings,
) -> None:
    async def scenario(bot: Harness) -> None:
        await bot.say("/reload", chat=GROUP)
        await bot.say("/stats", chat=GROUP)
        assert [r["text"] for r in bot.replies(GROUP)] == [
            "抱歉，这个操作只有管理员可以使用。管理员可以用 /id 查看自己的用户 ID。"
        ] * 2
        assert bot.runtime.records.admin_actions() == []
        await bot.say("/stats", chat=GROUP, user=ADMIN)
        assert "使用统计" in plain(bot.last(GROUP)["text"])
        await bot.say("/reload", chat=GROUP, user=ADMIN)
        assert "知识库已更新" in plain(bot.telegram.sent("editMessageText")[-1].params["text"])
        assert [a["user_id"] for a in bot.runtime.records.admin_actions()] == [ADMIN]

    drive(bot_settings, scenario)


def test_edited_messages_never_run_commands_or_questions_whoever_edits(
    bot_settings: Settings,
) -> None:
    async def scenario(bot: Harness) -> None:
        for user, chat, text in [(USER, USER, "/reload"), (ADMIN, ADMIN, "/reload"),
                                 (USER, GROUP, "/reload"), (USER, USER, QUESTION)]:  # fmt: skip
            edited = bot.message(text, user=user, chat=chat, edit_date=int(time.time()))
            await bot.process({"update_id": len(bot.telegram.calls) + 500,
                               "edited_message": edited})  # fmt: skip
        assert bot.telegram.sent() == [] and bot.telegram.sent("editMessageText") == []
        assert bot.runtime.records.admin_actions() == []

    drive(bot_settings, scenario)


def test_a_document_forwarded_from_an_admin_by_a_member_is_refused_the_sender_counts(
    bot_settings: Settings,
) -> None:
    telegram = FakeTelegram()
    admin_origin = origin(ADMIN)
    member_origin = origin(USER)

    async def scenario(bot: Harness) -> None:
        forwarded = document_message(bot, telegram, "转发.txt", NEW_REPORT.encode(), user=USER)
        await bot.process(
            {"update_id": 900, "message": forwarded | {"forward_origin": admin_origin}}
        )
        assert "只有管理员" in bot.last(USER)["text"]
        assert telegram.sent("getFile") == [] and files_in(bot_settings) == ORIGINAL_FILES
        # The other way round: an admin forwarding a member's report is an admin upload.
        forwarded = document_message(bot, telegram, "转发.txt", NEW_REPORT.encode(), user=ADMIN)
        await bot.process(
            {"update_id": 901, "message": forwarded | {"forward_origin": member_origin}}
        )
        assert "已加入知识库" in plain(telegram.sent("editMessageText")[-1].params["text"])
        assert files_in(bot_settings) == sorted([*ORIGINAL_FILES, "转发.txt"])

    drive(bot_settings, scenario, telegram)


def test_documents_sent_in_groups_are_never_downloaded_even_from_admins(
    bot_settings: Settings,
) -> None:
    telegram = FakeTelegram()

    async def scenario(bot: Harness) -> None:
        for user in (USER, ADMIN):
            message = document_message(bot, telegram, "群文件.txt", NEW_REPORT.encode(), user=user)
            await bot.process({"update_id": 900 + user, "message": message | {"chat": {
                "id": GROUP, "type": "supergroup", "title": "科普工作群"}}})  # fmt: skip
        assert telegram.sent("getFile") == [] and telegram.sent() == []
        assert files_in(bot_settings) == ORIGINAL_FILES

    drive(bot_settings, scenario, telegram)


def test_allowed_chats_parse_from_the_environment_and_a_bad_one_names_the_variable() -> None:
    assert load_settings({}).allowed_chats == ()
    assert load_settings({"KEPUBOT_ALLOWED_CHATS": ""}).allowed_chats == ()
    environ = {"KEPUBOT_ALLOWED_CHATS": "7， -100123,"}
    assert load_settings(environ).allowed_chats == (7, -100123)
    with pytest.raises(SettingsError, match="KEPUBOT_ALLOWED_CHATS"):
        load_settings({"KEPUBOT_ALLOWED_CHATS": "7,@group"})


def test_the_allow_list_refuses_strangers_once_and_ignores_them_in_other_groups(
    bot_settings: Settings,
) -> None:
    settings = dataclasses.replace(bot_settings, allowed_chats=(USER, GROUP))

    async def scenario(bot: Harness) -> None:
        # A stranger in a private chat: one polite sentence, then silence, whatever they send.
        for text in (QUESTION, "/start", "/help", "/reload", "/stats", "/id", "/docs", QUESTION):
            await bot.say(text, user=STRANGER)
        refusals = bot.replies(STRANGER)
        assert [plain(r["text"]) for r in refusals] == [STRANGER_REFUSAL]
        assert "reply_markup" not in refusals[0]
        assert bot.telegram.sent("sendChatAction") == []
        # A stranger's button presses (here replaying a listed user's buttons in their own
        # chat) are answered with the refusal, and nothing is sent.
        await bot.say(QUESTION)
        buttons = bot.last()["result"]["reply_markup"]["inline_keyboard"]
        for button in [b for row in buttons for b in row] + [{"callback_data": "q:0"}]:
            await bot.press(button["callback_data"], refusals[0]["result"], user=STRANGER)
        assert len(bot.replies(STRANGER)) == 1 and len(bot.replies()) == 1
        assert bot.runtime.records.stats().helpful == 0
        # A group not on the list: silence, even for questions addressed to the bot.
        await bot.say("/ask " + QUESTION, chat=OTHER_GROUP, user=STRANGER)
        await bot.say("@kepubot_test_bot " + QUESTION, chat=OTHER_GROUP, user=STRANGER)
        await bot.say("/reload", chat=OTHER_GROUP, user=STRANGER)
        assert bot.replies(OTHER_GROUP) == []
        # A listed group serves all its members; a listed user and an admin are served.
        await bot.say("/ask " + QUESTION, chat=GROUP, user=STRANGER)
        assert "来源" in plain(bot.last(GROUP)["text"])
        await bot.say("/stats", user=ADMIN)
        assert "使用统计" in plain(bot.last(ADMIN)["text"])
        asked = bot.runtime.records.stats()
        assert (asked.questions, asked.users) == (2, 2)  # USER and STRANGER in the group

    drive(settings, scenario)


@contextmanager
def captured_logs(*secrets: str) -> Iterator[io.StringIO]:
    """Everything logged at DEBUG, through a root handler filtered as `kepubot run` does."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    touched = ["", "httpx", "httpcore", "bot.telegram", "telegram.ext.Application"]
    levels = {name: logging.getLogger(name).level for name in touched}
    root.setLevel(logging.DEBUG)
    try:
        configure_logging(*secrets, verbose=True)
        yield stream
    finally:
        root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        for existing in root.handlers:
            for f in [f for f in existing.filters if isinstance(f, RedactToken)]:
                existing.removeFilter(f)


def test_no_secret_appears_in_logs_error_replies_stats_or_any_message(
    bot_settings: Settings,
) -> None:
    settings = dataclasses.replace(bot_settings, webhook_secret=Secret(WEBHOOK_SECRET))
    telegram = FakeTelegram()
    # A failure whose description quotes both secrets, as a careless proxy might.
    leak = f"Bad Request: token {TOKEN} secret {WEBHOOK_SECRET}"
    telegram.script("sendMessage", Scripted(400, leak))

    async def scenario(bot: Harness) -> None:
        await bot.say(QUESTION)
        assert bot.last()["text"] == "抱歉，处理时出了点问题，请稍后再试。"
        logging.getLogger("bot.telegram").warning("webhook secret is %s", WEBHOOK_SECRET)
        for text in ("/stats", "/docs", "/help", "/id", "/reload"):
            await bot.say(text, user=ADMIN)
        await bot.say(QUESTION)

    with captured_logs(TOKEN, WEBHOOK_SECRET) as stream:
        harness = drive(settings, scenario, telegram, expect_errors=True)
    assert len(harness.errors) == 1
    output = stream.getvalue()
    assert "<token>" in output and "<secret>" in output  # they were there, and redacted
    sent = [str(c.params) for c in telegram.calls if c.endpoint != "getMe"]
    for secret in (TOKEN, WEBHOOK_SECRET):
        assert secret not in output
        assert not any(secret in text for text in sent)
        assert secret not in repr(settings) and secret not in str(settings)
