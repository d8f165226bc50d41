"""The knowledge folder of a running bot: changes are synced without /reload, removals of
most reports wait for an admin's confirmation, and each sync is one admin message."""

import asyncio
import os
import re
import time
from collections.abc import Callable
from dataclasses import replace
from html import unescape
from pathlib import Path

from bot.settings import Settings
from tests.telegram.harness import ADMIN, NEW_REPORT, USER, Harness, drive

NEW_QUESTION = "青山镇机器人竞赛有多少支队伍参加？"
BUNDLED_FILES = ["2024科普工作总结5篇.txt", "縣科協科普工作總結7篇.txt"]


def plain(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def admin_texts(bot: Harness) -> list[str]:
    return [plain(r["text"]) for r in bot.replies(ADMIN)]


async def until(condition: Callable[[], bool], seconds: float = 60) -> None:
    for _ in range(int(seconds * 20)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the watcher did not act in time")


async def answer(bot: Harness, question: str) -> str:
    await bot.say(question)
    return plain(bot.last(USER)["text"])


def confirm_button(message: dict) -> str:
    [[button]] = message["reply_markup"]["inline_keyboard"]
    assert button["text"] == "确认删除并同步"
    return str(button["callback_data"])


def test_files_dropped_changed_and_deleted_are_answered_without_reload(
    bot_settings: Settings,
) -> None:
    settings = replace(bot_settings, watch_seconds=1)
    folder = settings.knowledge_dir
    added = folder / "青山镇.txt"

    async def scenario(bot: Harness) -> None:
        watcher = bot.runtime.watcher
        assert watcher is not None
        watcher.start()
        try:
            assert "四十二支队伍" not in await answer(bot, NEW_QUESTION)
            added.write_text(NEW_REPORT, encoding="utf-8")
            await until(lambda: len(admin_texts(bot)) == 1)
            assert "新增 1 · 变更 0 · 删除 0" in admin_texts(bot)[0]
            assert "新增：青山镇.txt" in admin_texts(bot)[0]
            assert "四十二支队伍" in await answer(bot, NEW_QUESTION)

            added.write_text(NEW_REPORT.replace("四十二支", "五十六支"), encoding="utf-8")
            await until(lambda: len(admin_texts(bot)) == 2)
            assert "变更：青山镇.txt" in admin_texts(bot)[1]
            reply = await answer(bot, NEW_QUESTION)
            assert "五十六支队伍" in reply and "四十二支队伍" not in reply

            added.unlink()
            await until(lambda: len(admin_texts(bot)) == 3)
            assert "删除：青山镇.txt" in admin_texts(bot)[2]
            assert "五十六支队伍" not in await answer(bot, NEW_QUESTION)

            # Nothing changed since: no further sync is announced.
            await asyncio.sleep(3 * settings.watch_seconds)
            assert len(admin_texts(bot)) == 3
        finally:
            await watcher.stop()

    drive(settings, scenario)


def test_an_emptied_folder_is_held_once_and_removed_only_when_an_admin_confirms(
    bot_settings: Settings,
) -> None:
    settings = replace(bot_settings, watch_seconds=1)
    folder = settings.knowledge_dir

    async def scenario(bot: Harness) -> None:
        watcher = bot.runtime.watcher
        assert watcher is not None
        watcher.start()
        try:
            for name in BUNDLED_FILES:
                (folder / name).unlink()
            await until(lambda: len(admin_texts(bot)) == 1)
            await asyncio.sleep(3 * settings.watch_seconds)  # asked once, not every look
            [held] = bot.replies(ADMIN)
            assert "找不到知识库中 2 个文件里的 2 个" in plain(held["text"])
            assert "300人次" in await answer(bot, "科普书籍读书活动有多少人次参加？")

            await bot.press(confirm_button(held["result"]), held["result"], user=USER)
            assert (
                bot.telegram.sent("answerCallbackQuery")[-1]
                .params["text"]
                .startswith("抱歉，这个操作只有管理员可以使用")
            )
            assert "300人次" in await answer(bot, "科普书籍读书活动有多少人次参加？")

            await bot.press(confirm_button(held["result"]), held["result"], user=ADMIN)
            report = plain(bot.telegram.sent("editMessageText")[-1].params["text"])
            assert "删除 2" in report
            assert "300人次" not in await answer(bot, "科普书籍读书活动有多少人次参加？")
            # The button is spent: a second press removes nothing more.
            await bot.press(confirm_button(held["result"]), held["result"], user=ADMIN)
            assert (
                bot.telegram.sent("answerCallbackQuery")[-1].params["text"]
                == "已过期，请重新提问。"
            )
        finally:
            await watcher.stop()

    drive(settings, scenario)


def test_reload_on_an_emptied_folder_keeps_the_knowledge_base_and_offers_confirmation(
    bot_settings: Settings,
) -> None:
    for name in BUNDLED_FILES:
        (bot_settings.knowledge_dir / name).unlink()

    async def scenario(bot: Harness) -> None:
        await bot.say("/reload", user=ADMIN)
        edit = bot.telegram.sent("editMessageText")[-1]
        text = plain(edit.params["text"])
        assert "同步已暂停" in text and "找不到知识库中 2 个文件里的 2 个" in text
        assert "300人次" in await answer(bot, "科普书籍读书活动有多少人次参加？")
        message = edit.result
        await bot.press(confirm_button(message), message, user=ADMIN)
        assert "删除 2" in plain(bot.telegram.sent("editMessageText")[-1].params["text"])

    drive(bot_settings, scenario)


def test_a_file_still_being_written_is_left_for_a_later_look(bot_settings: Settings) -> None:
    settings = replace(bot_settings, watch_seconds=30)
    copying = settings.knowledge_dir / "青山镇.txt"

    async def scenario(bot: Harness) -> None:
        watcher = bot.runtime.watcher
        assert watcher is not None  # looked at by hand here, not started
        assert await watcher.look() is False  # the first look only takes stock
        assert await watcher.look() is True  # the same folder, settled: one quiet sync
        assert admin_texts(bot) == []
        copying.write_text(NEW_REPORT[: len(NEW_REPORT) // 2], encoding="utf-8")
        assert await watcher.look() is False  # changed since the last look
        assert await watcher.look() is False  # the same, but modified moments ago
        copying.write_text(NEW_REPORT, encoding="utf-8")
        settle(settings.knowledge_dir)  # the copy finished a minute ago
        assert await watcher.look() is False
        assert await watcher.look() is True
        assert "新增：青山镇.txt" in admin_texts(bot)[0]
        assert "四十二支队伍" in await answer(bot, NEW_QUESTION)

    drive(settings, scenario)


def settle(folder: Path) -> None:
    """Every file in the folder modified a minute ago: copies long finished."""
    old = time.time() - 60
    for path in folder.iterdir():
        os.utime(path, (old, old))


def test_a_file_dated_in_the_future_does_not_stop_the_watching(bot_settings: Settings) -> None:
    settings = replace(bot_settings, watch_seconds=30)
    added = settings.knowledge_dir / "青山镇.txt"

    async def scenario(bot: Harness) -> None:
        watcher = bot.runtime.watcher
        assert watcher is not None
        added.write_text(NEW_REPORT, encoding="utf-8")
        future = time.time() + 86_400  # a scanner whose clock runs a day ahead
        os.utime(added, (future, future))
        assert await watcher.look() is False
        assert await watcher.look() is True
        assert "新增：青山镇.txt" in admin_texts(bot)[0]

    drive(settings, scenario)


def test_emptying_the_folder_again_is_asked_again_and_an_old_button_is_spent(
    bot_settings: Settings,
) -> None:
    settings = replace(bot_settings, watch_seconds=30)
    folder = settings.knowledge_dir
    kept = {name: (folder / name).read_bytes() for name in BUNDLED_FILES}

    async def empty_and_look(bot: Harness) -> None:
        watcher = bot.runtime.watcher
        assert watcher is not None
        for name in BUNDLED_FILES:
            (folder / name).unlink()
        assert await watcher.look() is False
        assert await watcher.look() is False  # held: asks the admins

    async def scenario(bot: Harness) -> None:
        watcher = bot.runtime.watcher
        assert watcher is not None
        settle(folder)
        await watcher.look()
        assert await watcher.look() is True  # the first, quiet sync
        await empty_and_look(bot)
        first = bot.replies(ADMIN)[-1]
        assert "同步已暂停" in plain(first["text"])
        for name, data in kept.items():  # the share comes back
            (folder / name).write_bytes(data)
        settle(folder)
        await watcher.look()
        assert await watcher.look() is True
        await empty_and_look(bot)
        held = [r for r in bot.replies(ADMIN) if "同步已暂停" in plain(r["text"])]
        assert len(held) == 2  # asked again: this emptying is news too
        await bot.press(confirm_button(first["result"]), first["result"], user=ADMIN)
        assert bot.telegram.sent("answerCallbackQuery")[-1].params["text"] == "已过期，请重新提问。"
        assert "300人次" in await answer(bot, "科普书籍读书活动有多少人次参加？")

    drive(settings, scenario)
