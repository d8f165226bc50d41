"""Admin features: /reload, uploads, /stats, refusals, and records that survive restarts."""

from __future__ import annotations

import asyncio
import io
import json
import re
import sqlite3
import threading
from html import unescape
from pathlib import Path

from bot import core
from bot.core.wording import BUSY
from bot.settings import Settings
from bot.telegram.records import Records
from testkit.telegram_fake import FakeTelegram
from tests.scans import draw_page, needs_font
from tests.telegram.harness import (
    ADMIN,
    GROUP,
    NEW_REPORT,
    USER,
    Harness,
    document_message,
    drive,
)

NEW_QUESTION = "青山镇机器人竞赛有多少支队伍参加？"


def plain(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_non_admins_are_refused_reload_stats_and_upload_politely(bot_settings: Settings) -> None:
    telegram = FakeTelegram()

    async def scenario(bot: Harness) -> None:
        await bot.say("/reload")
        await bot.say("/stats")
        upload = document_message(bot, telegram, "报告.txt", NEW_REPORT.encode(), user=USER)
        await bot.process({"update_id": 900, "message": upload})
        texts = [r["text"] for r in bot.replies()]
        assert len(texts) == 3 and all("只有管理员" in t for t in texts)
        assert telegram.sent("getFile") == []
        assert sorted(p.name for p in bot_settings.knowledge_dir.iterdir()) == [
            "2024科普工作总结5篇.txt", "縣科協科普工作總結7篇.txt"]  # fmt: skip
        assert bot.runtime.records.admin_actions() == []

    drive(bot_settings, scenario, telegram)


def test_reload_reports_added_changed_removed_and_failed_with_reasons_and_time(
    bot_settings: Settings,
) -> None:
    folder = bot_settings.knowledge_dir
    (folder / "青山镇.txt").write_text(NEW_REPORT, encoding="utf-8")
    (folder / "损坏.pdf").write_bytes(b"%PDF-1.4 not really a pdf")
    (folder / "2024科普工作总结5篇.txt").unlink()
    changed = folder / "縣科協科普工作總結7篇.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")

    async def scenario(bot: Harness) -> None:
        await bot.say("/reload", user=ADMIN)
        status = bot.replies(ADMIN)[0]
        assert status["text"] == "正在更新知识库……"
        edited = bot.telegram.sent("editMessageText")[-1].params["text"]
        text = plain(edited)
        assert "新增 1 · 变更 1 · 删除 1 · 未变 0 · 失败 1" in text
        assert "新增：青山镇.txt" in text and "删除：2024科普工作总结5篇.txt" in text
        assert re.search(r"失败：损坏\.pdf — .+", text)
        assert re.search(r"用时 \d+\.\d\d 秒", text)
        action = bot.runtime.records.admin_actions()[0]
        assert (action["user_id"], action["action"]) == (ADMIN, "reload")
        assert json.loads(action["detail"])["added"] == ["青山镇.txt"]
        await bot.say(NEW_QUESTION)
        assert "四十二支队伍" in plain(bot.last()["text"])

    drive(bot_settings, scenario)


def test_questions_use_the_old_index_during_reload_and_a_second_reload_is_told_to_wait(
    bot_settings: Settings,
) -> None:
    started, release = threading.Event(), threading.Event()

    def slow_sync(
        settings: Settings, cancel: threading.Event, allow_removals: bool
    ) -> core.SyncReport:
        started.set()
        assert release.wait(10)
        return core.sync(settings, cancel, allow_removals)

    (bot_settings.knowledge_dir / "青山镇.txt").write_text(NEW_REPORT, encoding="utf-8")

    async def scenario(bot: Harness) -> None:
        reload = asyncio.create_task(bot.say("/reload", user=ADMIN))
        while not started.is_set():
            await asyncio.sleep(0.01)
        await bot.say(NEW_QUESTION)  # answered at once, from the old index
        assert "四十二支队伍" not in plain(bot.last()["text"])
        await bot.say("科普书籍读书活动有多少人次参加？")
        assert "300人次" in plain(bot.last()["text"])
        await bot.say("/reload", user=ADMIN)
        # The first reload's progress message, then the second is told to wait, not started.
        assert [r["text"] for r in bot.replies(ADMIN)] == ["正在更新知识库……", BUSY]
        release.set()
        await reload
        assert "新增 1" in plain(bot.telegram.sent("editMessageText")[-1].params["text"])
        await bot.say(NEW_QUESTION)
        assert "四十二支队伍" in plain(bot.last()["text"])

    drive(bot_settings, scenario, sync=slow_sync)


def test_upload_is_saved_under_a_safe_name_ingested_and_then_answered_with_citation(
    bot_settings: Settings,
) -> None:
    telegram = FakeTelegram()
    folder = bot_settings.knowledge_dir

    async def scenario(bot: Harness) -> None:
        message = document_message(
            bot, telegram, "../../etc/青山镇\x00总结.txt", NEW_REPORT.encode()
        )
        await bot.process({"update_id": 901, "message": message})
        assert bot.replies(ADMIN)[0]["text"].startswith("已收到《")
        done = plain(telegram.sent("editMessageText")[-1].params["text"])
        assert "已加入知识库：1 份报告" in done and "保存为：青山镇_总结.txt" in done
        saved = [p for p in folder.iterdir() if "青山镇" in p.name]
        assert [p.name for p in saved] == ["青山镇_总结.txt"]
        assert saved[0].read_text(encoding="utf-8") == NEW_REPORT
        await bot.say(NEW_QUESTION)
        reply = plain(bot.last()["text"])
        assert "四十二支队伍" in reply and "青山镇科协机器人竞赛工作总结" in reply
        again = document_message(
            bot, telegram, "青山镇\x00总结.txt", b"\xef\xbb\xbf" + NEW_REPORT.encode()
        )
        await bot.process({"update_id": 902, "message": again})
        assert "保存为：青山镇_总结-2.txt" in plain(
            telegram.sent("editMessageText")[-1].params["text"]
        )
        assert saved[0].read_text(encoding="utf-8") == NEW_REPORT  # never overwritten
        assert [a["action"] for a in bot.runtime.records.admin_actions()] == ["upload", "upload"]

    drive(bot_settings, scenario, telegram)


def test_upload_refuses_unsupported_oversized_and_unreadable_files_leaving_no_trace(
    bot_settings: Settings,
) -> None:
    telegram = FakeTelegram()
    folder = bot_settings.knowledge_dir
    before = sorted(p.name for p in folder.iterdir())

    async def scenario(bot: Harness) -> None:
        cases = [
            document_message(bot, telegram, "setup.exe", b"MZ..."),
            document_message(bot, telegram, "大报告.pdf", b"%PDF", size=25 * 1024 * 1024),
            document_message(bot, telegram, "坏文件.docx", b"PK\x03\x04 broken zip"),
        ]
        for n, message in enumerate(cases):
            await bot.process({"update_id": 910 + n, "message": message})
        texts = [plain(r["text"]) for r in bot.replies(ADMIN)]
        assert "不支持的文件类型.exe" in texts[0]
        assert "20 MB" in texts[1]
        failed = plain(telegram.sent("editMessageText")[-1].params["text"])
        assert failed.startswith("未能导入《坏文件.docx》：")
        assert len(telegram.sent("getFile")) == 1  # only the plausible file was downloaded
        assert sorted(p.name for p in folder.iterdir()) == before

    drive(bot_settings, scenario, telegram)


def test_stats_show_questions_users_found_feedback_and_latency(bot_settings: Settings) -> None:
    async def scenario(bot: Harness) -> None:
        await bot.say("科普书籍读书活动有多少人次参加？")
        answer = bot.last()["result"]
        await bot.say("火星探测器的发射窗口是什么时候？", user=8)
        await bot.say("乡镇是怎么开展科普日活动的？", user=ADMIN)
        buttons = {
            b["text"]: b["callback_data"] for b in answer["reply_markup"]["inline_keyboard"][-1]
        }
        await bot.press(buttons["👍"], answer)
        await bot.press(buttons["👎"], answer, user=8)
        await bot.say("/stats", user=ADMIN)
        text = plain(bot.last(ADMIN)["text"])
        assert "提问：3 次，3 位用户" in text
        assert "找到答案：2 次；未找到：1 次" in text
        assert "👍 1 · 👎 1" in text
        assert re.search(r"p50 \d+ 毫秒，p95 \d+ 毫秒", text)

    drive(bot_settings, scenario)


def test_questions_feedback_and_admin_actions_survive_a_restart(bot_settings: Settings) -> None:
    async def first(bot: Harness) -> None:
        await bot.say("科普书籍读书活动有多少人次参加？")
        answer = bot.last()["result"]
        feedback = answer["reply_markup"]["inline_keyboard"][-1][-1]["callback_data"]
        await bot.press(feedback, answer)
        await bot.say("/reload", user=ADMIN)

    async def second(bot: Harness) -> None:
        records = bot.runtime.records
        (question,) = records.questions()
        assert (question["user_id"], question["chat_id"]) == (USER, USER)
        assert question["question"] == "科普书籍读书活动有多少人次参加？"
        assert question["found"] == 1 and question["latency_ms"] > 0
        assert len(json.loads(question["hit_ids"])) >= 1
        assert records.stats().unhelpful == 1
        assert [a["action"] for a in records.admin_actions()] == ["reload"]

    drive(bot_settings, first)
    drive(bot_settings, second)


def test_several_uploads_at_once_are_queued_and_all_ingested(bot_settings: Settings) -> None:
    telegram = FakeTelegram()
    towns = {"青山镇": "防震减灾演练", "白石镇": "农业技术培训", "黄土镇": "青少年航模比赛",
             "红岩镇": "科普大篷车巡展", "绿水镇": "垃圾分类宣传"}  # fmt: skip

    async def scenario(bot: Harness) -> None:
        messages = [
            document_message(bot, telegram, f"{town}总结.txt", (
                f"{town}科协工作总结\n一、{work}\n{town}今年开展{work}，共{n + 3}场，"
                f"参加群众{n + 1}百人次。\n").encode())
            for n, (town, work) in enumerate(towns.items())
        ]  # fmt: skip
        await asyncio.gather(
            *(bot.process({"update_id": 950 + n, "message": m}) for n, m in enumerate(messages))
        )
        edits = [plain(c.params["text"]) for c in telegram.sent("editMessageText")]
        assert len(edits) == 5 and all(e.startswith("已加入知识库：1 份报告") for e in edits)
        saved = sorted(p.name for p in bot_settings.knowledge_dir.iterdir() if "镇总结" in p.name)
        assert saved == sorted(f"{town}总结.txt" for town in towns)
        await bot.say("绿水镇垃圾分类宣传有多少人次参加？")
        assert "参加群众5百人次" in plain(bot.last()["text"])

    drive(bot_settings, scenario, telegram)


def test_review_lists_the_answers_voted_down_with_question_answer_sources_and_asker(
    bot_settings: Settings,
) -> None:
    async def scenario(bot: Harness) -> None:
        await bot.say("/review", user=ADMIN)
        assert plain(bot.last(ADMIN)["text"]).endswith("还没有被点 👎 的回答。")
        await bot.say("科普书籍读书活动有多少人次参加？")
        answer = bot.last()["result"]
        await bot.say("乡镇是怎么开展科普日活动的？")
        liked = bot.last()["result"]
        for message, vote in ((answer, "👎"), (liked, "👍")):
            row = message["reply_markup"]["inline_keyboard"][-1]
            await bot.press({b["text"]: b["callback_data"] for b in row}[vote], message)
        await bot.say("/review")  # not for users
        assert "只有管理员" in bot.last()["text"]
        await bot.say("/review", user=ADMIN)
        text = plain(bot.last(ADMIN)["text"])
        assert f"用户 {USER}" in text and "问：科普书籍读书活动有多少人次参加？" in text
        assert "答：在一份报告中找到相关内容" in text and "300人次" in text
        assert "[1] 县科协科普工作总结 篇1" in text  # the source line in the reader's script
        assert "乡镇是怎么开展科普日活动的" not in text  # voted 👍
        assert text.endswith("第 1/1 页，共 1 条")
        await bot.say("/review 3", user=ADMIN)
        assert "只有 1 页" in plain(bot.last(ADMIN)["text"])
        await bot.say("/review ²", user=ADMIN)  # a digit Python reads but int() refuses
        assert plain(bot.last(ADMIN)["text"]).endswith("第 1/1 页，共 1 条")
        row = answer["reply_markup"]["inline_keyboard"][-1]
        await bot.press({b["text"]: b["callback_data"] for b in row}["👎"], answer, user=8)
        await bot.say("/review", user=ADMIN)
        text = plain(bot.last(ADMIN)["text"])
        assert text.count("问：科普书籍读书活动有多少人次参加？") == 1 and "2 人点了 👎" in text
        await bot.say("/review", user=ADMIN, chat=GROUP)  # askers' questions stay private
        assert plain(bot.last(GROUP)["text"]) == "请在与机器人的私聊中使用 /review。"

    drive(bot_settings, scenario)


def test_review_pages_hold_five_answers_each_newest_vote_first(bot_settings: Settings) -> None:
    records = Records(bot_settings.data_dir / "bot.db")
    for n in range(1, 8):  # seven answers voted down, in this order
        question = records.add_question(
            USER, USER, f"第{n}个问题", True, "answer", [], 1.0, f"答{n}"
        )
        records.add_feedback(question, USER, helpful=False)
    records.close()

    async def scenario(bot: Harness) -> None:
        await bot.say("/review", user=ADMIN)
        first = plain(bot.last(ADMIN)["text"])
        await bot.say("/review 2", user=ADMIN)
        second = plain(bot.last(ADMIN)["text"])
        assert re.findall(r"问：第(\d)个问题", first) == ["7", "6", "5", "4", "3"]
        assert first.endswith("第 1/2 页，共 7 条；下一页：/review 2")
        assert re.findall(r"问：第(\d)个问题", second) == ["2", "1"]
        assert second.endswith("第 2/2 页，共 7 条")

    drive(bot_settings, scenario)


def test_a_bot_db_from_before_review_gains_the_answer_columns(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    old = sqlite3.connect(path)
    old.execute(
        "CREATE TABLE questions (id INTEGER PRIMARY KEY, at TEXT, user_id INTEGER, chat_id"
        " INTEGER, question TEXT, found INTEGER, kind TEXT, hit_ids TEXT, latency_ms FLOAT)"
    )
    old.execute("INSERT INTO questions VALUES (1, 'x', 7, 7, '旧问题', 1, 'answer', '[]', 1.0)")
    old.commit()
    old.close()
    records = Records(path)
    question = records.add_question(7, 7, "新问题", True, "answer", [], 2.0, answer="回答")
    records.add_feedback(1, 7, helpful=False)
    records.add_feedback(question, 7, helpful=False)  # voted last, so listed first
    rows, count = records.unhelpful(0, 5)
    records.close()
    assert count == 2 and [r["question"] for r in rows] == ["新问题", "旧问题"]
    assert {r["question"]: r["answer"] for r in rows} == {"新问题": "回答", "旧问题": None}


def test_a_thumbs_down_reaction_on_an_answer_is_a_vote_as_the_button_is(
    bot_settings: Settings,
) -> None:
    def reacted(message: dict, emoji: str, update_id: int) -> dict:
        return {"update_id": update_id, "message_reaction": {
            "chat": message["chat"], "message_id": message["message_id"], "date": 0,
            "user": {"id": USER, "is_bot": False, "first_name": "用户"},
            "old_reaction": [], "new_reaction": [{"type": "emoji", "emoji": emoji}]}}  # fmt: skip

    async def scenario(bot: Harness) -> None:
        await bot.say("科普书籍读书活动有多少人次参加？")
        answer = bot.last()["result"]
        await bot.process(reacted(answer, "🔥", 901))  # not a vote
        await bot.process(reacted(bot.message("随便说说"), "👎", 902))  # not an answer
        await bot.say("/review", user=ADMIN)
        assert plain(bot.last(ADMIN)["text"]).endswith("还没有被点 👎 的回答。")
        await bot.process(reacted(answer, "👎", 903))
        await bot.say("/review", user=ADMIN)
        assert "问：科普书籍读书活动有多少人次参加？" in plain(bot.last(ADMIN)["text"])
        await bot.process(reacted(answer, "👍", 904))  # changes the vote
        await bot.say("/stats", user=ADMIN)
        assert "👍 1 · 👎 0" in plain(bot.last(ADMIN)["text"])

    drive(bot_settings, scenario)


def xlsx_report() -> bytes:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "青山镇科普活动统计"
    sheet.append(["项目", "场次", "人次"])
    sheet.append(["机器人竞赛", 42, 1300])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_uploads_take_the_new_formats_and_give_their_reasons(bot_settings: Settings) -> None:
    telegram = FakeTelegram()

    async def scenario(bot: Harness) -> None:
        sheet = document_message(bot, telegram, "青山镇统计.xlsx", xlsx_report())
        await bot.process({"update_id": 903, "message": sheet})
        done = plain(telegram.sent("editMessageText")[-1].params["text"])
        assert "已加入知识库：1 份报告" in done and "保存为：青山镇统计.xlsx" in done
        await bot.say("机器人竞赛有多少人次？")
        assert "项目：机器人竞赛；场次：42；人次：1300" in plain(bot.last()["text"])
        broken = document_message(bot, telegram, "旧报告.doc", b"\x00garbage" * 40)
        await bot.process({"update_id": 904, "message": broken})
        refused = plain(telegram.sent("editMessageText")[-1].params["text"])
        assert refused.startswith("未能导入《旧报告.doc》：文件已损坏或格式不正确")
        assert not (bot_settings.knowledge_dir / "旧报告.doc").exists()

    drive(bot_settings, scenario, telegram)


@needs_font
def test_an_admins_photo_of_a_page_is_read_by_ocr_and_answered_with_its_page(
    bot_settings: Settings,
) -> None:
    telegram = FakeTelegram()
    page = draw_page(
        ["青山镇科协机器人竞赛工作总结", "一、竞赛情况", "全镇共有四十二支队伍参加机器人竞赛。"]
    )
    picture = io.BytesIO()
    page.save(picture, format="JPEG", quality=85)
    telegram.files["photo1"] = picture.getvalue()
    photo = [{"file_id": "photo1", "file_unique_id": "uphoto1", "width": page.width,
              "height": page.height, "file_size": len(picture.getvalue())}]  # fmt: skip

    async def scenario(bot: Harness) -> None:
        await bot.process({"update_id": 905, "message": bot.message(user=ADMIN, photo=photo)})
        done = plain(telegram.sent("editMessageText")[-1].params["text"])
        assert "已加入知识库：1 份报告" in done and re.search(
            r"保存为：照片-\d{8}-\d{6}\.jpg", done
        )
        await bot.say(NEW_QUESTION)
        reply = plain(bot.last()["text"])
        assert "四十二支队伍" in reply and "扫描件第 1 页" in reply

    drive(bot_settings, scenario, telegram)
