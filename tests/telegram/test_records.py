"""bot.db is worth keeping but never worth an answer: damage, locks and a full disk cost records."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.telegram.records import Records
from tests.files import fill
from tests.telegram.harness import ADMIN, NEW_REPORT, Harness, drive


def plain_reply(bot: Harness) -> str:
    return bot.last()["text"]


@pytest.mark.parametrize("damage", ["random bytes", "cut in half"])
def test_a_damaged_bot_db_is_set_aside_and_the_bot_starts(
    bot_settings: Settings, damage: str
) -> None:
    path = bot_settings.data_dir / "bot.db"
    records = Records(path)
    for n in range(200):
        records.add_question(7, 7, f"问题{n}" * 40, True, "answer", ["x"], 12.0)
    records.close()
    if damage == "random bytes":
        path.write_bytes(b"\x13\x37 not a database " * 4096)
    else:
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])

    async def scenario(bot: Harness) -> None:
        await bot.say("科普书籍读书活动有多少人次参加？")
        assert "300人次" in plain_reply(bot)
        assert len(bot.runtime.records.questions()) == 1  # a fresh bot.db took the record

    drive(bot_settings, scenario)
    kept = [p.name for p in bot_settings.data_dir.iterdir() if p.name.startswith("bot.db.damaged-")]
    assert kept, "the damaged file is kept for inspection"


def test_a_locked_bot_db_costs_records_not_answers(
    bot_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    path = bot_settings.data_dir / "bot.db"
    Records(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process holding the write lock

    async def scenario(bot: Harness) -> None:
        started = time.perf_counter()
        await bot.say("/start")
        for question in ["科普书籍读书活动有多少人次参加？"] * 4:
            await bot.say(question)
        # Five replies while every record waits on the lock: the loop never waited for it.
        assert len(bot.replies()) == 5 and time.perf_counter() - started < 5
        await asyncio.sleep(1.5)  # longer than the writer waits for a lock
        holder.execute("ROLLBACK")
        await bot.say("科普书籍读书活动有多少人次参加？")
        assert bot.runtime.records.lost >= 1
        assert len(bot.runtime.records.questions()) >= 1  # written once the lock went

    with caplog.at_level(logging.WARNING, logger="bot.telegram.records"):
        drive(bot_settings, scenario)
    holder.close()
    assert any("record was lost" in r.getMessage() for r in caplog.records)


def test_records_that_cannot_be_written_are_dropped_with_a_reason(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    records = Records(tmp_path / "bot.db", max_pending=0)
    with caplog.at_level(logging.WARNING, logger="bot.telegram.records"):
        question_id = records.add_question(7, 7, "问题", True, "answer", [], 1.0)
    assert records.lost == 1 and records.questions() == []
    assert question_id == 1 and "queue full" in caplog.text
    records.close()


def test_stats_percentiles_are_computed_in_sqlite(tmp_path: Path) -> None:
    records = Records(tmp_path / "bot.db")
    for n, latency in enumerate([5.0, 1.0, 3.0, 2.0, 4.0, 100.0]):
        records.add_question(n, n, "问", n % 2 == 0, "answer", [], latency)
    stats = records.stats()
    assert (stats.questions, stats.users, stats.found) == (6, 6, 3)
    assert (stats.p50_ms, stats.p95_ms) == (3.0, 100.0)
    records.close()


def test_reload_on_a_full_disk_tells_the_admin_and_answers_go_on_without_apologies(
    bot_settings: Settings, small_disk: Path
) -> None:
    on_disk = small_disk / "var"
    # Without cnsyn's derived lexicon (45 MB, built by the sync): it does not fit the 24 MB disk.
    shutil.copytree(bot_settings.data_dir, on_disk, ignore=shutil.ignore_patterns("*.lexicon"))
    settings = dataclasses.replace(bot_settings, data_dir=on_disk)
    (settings.knowledge_dir / "青山镇.txt").write_text(NEW_REPORT * 50, encoding="utf-8")

    async def scenario(bot: Harness) -> None:
        filler = fill(small_disk)  # bot.db and the knowledge base share the full disk
        await bot.say("/reload", user=ADMIN)
        status = bot.telegram.sent("editMessageText")[-1].params["text"]
        assert "磁盘已满" in status and "损坏" not in status
        for _ in range(3):
            await bot.say("科普书籍读书活动有多少人次参加？")
            assert "300人次" in plain_reply(bot) and "抱歉" not in plain_reply(bot)
        filler.unlink()

    drive(settings, scenario)
    assert not [p for p in on_disk.iterdir() if "damaged" in p.name]
