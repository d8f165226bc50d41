"""Benchmark the Telegram bot: many simulated users through the real Application.

Telegram's HTTP side is the in-process fake from the tests; everything else is real: PTB's
update queue and concurrent dispatch, the handlers, retrieval on the bundled corpus, the
HTML rendering, the records database. Latency runs from putting a user's update on the
queue to the fake receiving the bot's answer.

Two kinds of run:
  capacity   closed loop, a fixed number of questions in flight, flood limiter off:
             how many questions per second the bot itself can answer, with 1, 2 and 4
             answering workers (KEPUBOT_ANSWER_WORKERS);
  sustained  open loop at Telegram's own limit for one bot (30 messages/s), flood limiter
             on, as in production: does it keep up, and how long do users wait?

    .venv/bin/python scripts/bench_bot.py [--seconds 20] [--rate 30] [--in-flight 16] \
        [--workers 1,2,4]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import time
from dataclasses import replace
from typing import Any

# First: `simulation` puts the project root on sys.path for the imports below.
from simulation import private_message, put, questions, scratch_knowledge_base

from bot.settings import Settings
from bot.telegram.app import build_application
from bot.telegram.records import percentile
from testkit.telegram_fake import Call, FakeRequest, FakeTelegram

USERS = 5000  # each user asks at most once a minute: the per-user limit never bites


def update(n: int, text: str) -> dict[str, Any]:
    return private_message(n + 1, 100_000 + n % USERS, text)


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
    await put(app, data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each run")
    parser.add_argument("--rate", type=float, default=30.0, help="questions/s, sustained run")
    parser.add_argument("--in-flight", type=int, default=16, help="concurrency, capacity run")
    parser.add_argument("--workers", default="1,2,4", help="answering workers, capacity runs")
    args = parser.parse_args()
    with scratch_knowledge_base() as (settings, report):
        print(f"bundled corpus: {report.ingest.documents} reports, {report.ingest.chunks} chunks; "
              f"{len(questions())} distinct questions, {USERS} simulated users")  # fmt: skip
        print(f"{'run':<38}{'questions':>10}{'q/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
        runs = [
            ("capacity", workers, f"capacity, {workers} worker(s) ({args.in_flight} in flight)")
            for workers in (int(w) for w in args.workers.split(","))
        ]
        runs.append(("sustained", settings.answer_workers,
                     f"sustained ({args.rate:g}/s offered, flood limit on)"))  # fmt: skip
        for mode, workers, label in runs:
            configured = replace(settings, answer_workers=workers)
            result = asyncio.run(run(configured, mode, args.seconds, args.rate, args.in_flight))
            print(f"{label:<38}{result['questions']:>10}{result['per_second']:>8.1f}"
                  f"{result['p50']:>9.1f}{result['p95']:>9.1f}{result['max']:>9.1f}"
                  f"   answered with sources: {result['found']}, rejected by Telegram: "
                  f"{result['rejected']}")  # fmt: skip


if __name__ == "__main__":
    main()
