"""Benchmark the Telegram bot: many simulated users through the real Application.

Telegram's HTTP side is the in-process fake from the tests; everything else is real: PTB's
update queue and concurrent dispatch, the handlers, retrieval on the bundled corpus, the
HTML rendering, the records database. Latency runs from putting a user's update on the
queue to the fake receiving the bot's answer.

Two runs:
  capacity   closed loop, a fixed number of questions in flight, flood limiter off:
             how many questions per second the bot itself can answer;
  sustained  open loop at Telegram's own limit for one bot (30 messages/s), flood limiter
             on, as in production: does it keep up, and how long do users wait?

    .venv/bin/python scripts/bench_bot.py [--seconds 20] [--rate 30] [--in-flight 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Update  # noqa: E402

from bot import engine  # noqa: E402
from bot.settings import BUNDLED_CORPUS, Secret, Settings  # noqa: E402
from bot.telegram.app import build_application  # noqa: E402
from bot.telegram.records import percentile  # noqa: E402
from tests.telegram_fake import Call, FakeRequest, FakeTelegram  # noqa: E402

DEV_QUESTIONS = ROOT.parent / "shared" / "eval" / "dev_questions.jsonl"
FALLBACK = ["乡镇是怎么开展科普日活动的？", "科普书籍读书活动有多少人次参加？",
            "有没有科技培训的例子？", "火星探测器的发射窗口是什么时候？"]  # fmt: skip
USERS = 5000  # each user asks at most once a minute: the per-user limit never bites


def questions() -> list[str]:
    if DEV_QUESTIONS.is_file():
        lines = DEV_QUESTIONS.read_text(encoding="utf-8").splitlines()
        return [json.loads(line)["q"] for line in lines if line.strip()]
    return FALLBACK


def update(n: int, text: str) -> dict[str, Any]:
    user = 100_000 + n % USERS
    return {"update_id": n + 1, "message": {
        "message_id": n + 1, "date": int(time.time()), "text": text,
        "chat": {"id": user, "type": "private", "first_name": "用户"},
        "from": {"id": user, "is_bot": False, "first_name": "用户"}}}  # fmt: skip


class Meter:
    """Matches each user's update with the bot's answer to that user."""

    def __init__(self) -> None:
        self.asked: dict[int, float] = {}
        self.latencies: list[float] = []
        self.on_answer: asyncio.Semaphore | None = None

    def listen(self, call: Call) -> None:
        if call.endpoint != "sendMessage":
            return
        asked = self.asked.pop(int(call.params["chat_id"]), None)
        if asked is None:
            return
        self.latencies.append((call.at - asked) * 1000)
        if self.on_answer is not None:
            self.on_answer.release()


async def run(settings: Settings, mode: str, seconds: float, rate: float, in_flight: int) -> dict:
    telegram = FakeTelegram()
    meter = Meter()
    telegram.listeners.append(meter.listen)
    app = build_application(settings, FakeRequest(telegram), flood_limit=(mode == "sustained"))
    pool = questions()
    async with app:
        await app.start()
        started = time.perf_counter()
        n = 0
        if mode == "capacity":
            meter.on_answer = asyncio.Semaphore(in_flight)
            while time.perf_counter() - started < seconds:
                await meter.on_answer.acquire()
                await _put(app, meter, n, pool)
                n += 1
        else:
            while (due := started + n / rate) < started + seconds:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                await _put(app, meter, n, pool)
                n += 1
        deadline = time.perf_counter() + 60
        while len(meter.latencies) < n and time.perf_counter() < deadline:
            await asyncio.sleep(0.005)
        elapsed = time.perf_counter() - started
        await app.stop()
    app.bot_data["kepubot"].close()
    latencies = sorted(meter.latencies)
    found = sum(1 for c in telegram.sent() if re.search("来源|來源", c.params["text"]))
    return {"mode": mode, "questions": n, "seconds": elapsed, "per_second": n / elapsed,
            "p50": percentile(latencies, 50), "p95": percentile(latencies, 95),
            "max": latencies[-1], "found": found, "rejected": len(telegram.rejected())}  # fmt: skip


async def _put(app: Any, meter: Meter, n: int, pool: list[str]) -> None:
    data = update(n, pool[n % len(pool)])
    meter.asked[data["message"]["chat"]["id"]] = time.perf_counter()
    await app.update_queue.put(Update.de_json(data, app.bot))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each run")
    parser.add_argument("--rate", type=float, default=30.0, help="questions/s, sustained run")
    parser.add_argument("--in-flight", type=int, default=16, help="concurrency, capacity run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        shutil.copytree(BUNDLED_CORPUS, root / "corpus")
        settings = Settings(knowledge_dir=root / "corpus", data_dir=root / "var",
                            telegram_token=Secret("123:ABC"))  # fmt: skip
        report = engine.sync(settings)
        print(f"bundled corpus: {report.ingest.documents} reports, {report.ingest.chunks} chunks; "
              f"{len(questions())} distinct questions, {USERS} simulated users")  # fmt: skip
        print(f"{'run':<38}{'questions':>10}{'q/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
        for mode, label in (
            ("capacity", f"capacity ({args.in_flight} in flight, no flood limit)"),
            ("sustained", f"sustained (offered {args.rate:g}/s, flood limit on)"),
        ):
            result = asyncio.run(run(settings, mode, args.seconds, args.rate, args.in_flight))
            print(f"{label:<38}{result['questions']:>10}{result['per_second']:>8.1f}"
                  f"{result['p50']:>9.1f}{result['p95']:>9.1f}{result['max']:>9.1f}"
                  f"   answered with sources: {result['found']}, rejected by Telegram: "
                  f"{result['rejected']}")  # fmt: skip


if __name__ == "__main__":
    main()
