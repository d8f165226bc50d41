"""Load test: many users asking at once for a minute while an admin reloads twice.

Each simulated user asks a question in a private chat, waits for the answer, reads it for
a while (6.5-11.5 s by default, so nobody trips the 10-questions-a-minute limit) and asks
again. Meanwhile the admin changes a report in a scratch copy of the bundled corpus and
sends /reload, twice. Telegram's HTTP side is the in-process fake from the tests, with the
production flood limiter on; everything else is the real bot.

Errors are handler errors, calls Telegram would reject, apologies, rate-limit refusals and
questions left unanswered; the script exits with status 1 unless there are none.

    .venv/bin/python scripts/load_bot.py [--users 200] [--seconds 60] [--think 9]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import resource
import time
from dataclasses import dataclass, field
from pathlib import Path

# First: `simulation` puts the project root on sys.path for the imports below.
from simulation import private_message, put, questions, scratch_knowledge_base
from telegram.ext import Application, ContextTypes

from bot.core.wording import APOLOGY
from bot.settings import Settings
from bot.telegram.app import build_application
from bot.telegram.records import percentile
from testkit.telegram_fake import Call, FakeRequest, FakeTelegram

ADMIN = 42
FIRST_USER = 100_000
ANSWER_TIMEOUT = 30.0


@dataclass
class Load:
    """What the run saw: questions, answers, latencies, errors, reloads."""

    asked: int = 0
    answered: int = 0
    unanswered: int = 0
    messages: int = 0  # every message sent to a user (split answers count each part)
    latencies: list[float] = field(default_factory=list)
    apologies: int = 0
    rate_limited: int = 0
    rejected: int = 0  # calls Telegram would have refused
    handler_errors: list[BaseException] = field(default_factory=list)
    reloads: list[str] = field(default_factory=list)
    waiting: dict[int, tuple[float, asyncio.Future[str]]] = field(default_factory=dict)
    admin_edits: asyncio.Queue[str] = field(default_factory=asyncio.Queue)

    def listen(self, call: Call) -> None:
        """Told of every call Telegram accepted; runs on the event loop (fake is in-process)."""
        if call.endpoint not in ("sendMessage", "editMessageText"):
            return
        chat, text = int(call.params["chat_id"]), str(call.params["text"])
        if chat == ADMIN:
            if call.endpoint == "editMessageText":
                self.admin_edits.put_nowait(text)
            return
        self.messages += 1
        asked = self.waiting.pop(chat, None)
        if asked is not None and not asked[1].done():
            self.latencies.append((call.at - asked[0]) * 1000)
            asked[1].set_result(text)


async def simulated_user(
    app: Application, load: Load, user: int, pool: list[str], until: float, think: float
) -> None:
    rng = random.Random(user)
    await asyncio.sleep(rng.uniform(0, think))  # users arrive spread over the first pause
    while time.perf_counter() < until:
        answer: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        load.asked += 1
        load.waiting[user] = (time.perf_counter(), answer)
        await put(app, private_message(1_000_000 + load.asked, user, rng.choice(pool)))
        try:
            text = await asyncio.wait_for(answer, ANSWER_TIMEOUT)
        except TimeoutError:
            load.unanswered += 1
            load.waiting.pop(user, None)
            continue
        load.answered += 1
        load.apologies += text == APOLOGY
        load.rate_limited += text.startswith("提问有点频繁了")
        await asyncio.sleep(rng.uniform(think - 2.5, think + 2.5))


async def admin_reloads(app: Application, load: Load, folder: Path, at: list[float]) -> None:
    """Change a report, then /reload, at each moment in `at`; wait for each to finish."""
    report = sorted(folder.glob("*.txt"))[0]
    for n, moment in enumerate(at, 1):
        await asyncio.sleep(max(0.0, moment - time.perf_counter()))
        with report.open("a", encoding="utf-8") as handle:
            handle.write(f"\n补充说明：第 {n} 次重新加载前新增的一段文字。\n")
        started = time.perf_counter()
        await put(app, private_message(n, ADMIN, "/reload"))
        while "知识库已更新" not in (text := await load.admin_edits.get()):
            pass
        summary = re.sub(r"<[^>]+>", "", text).splitlines()[1]
        load.reloads.append(f"{summary}（{time.perf_counter() - started:.1f} 秒）")


async def run(settings: Settings, users: int, seconds: float, think: float) -> Load:
    telegram = FakeTelegram()
    load = Load()
    telegram.listeners.append(load.listen)
    app = build_application(settings, FakeRequest(telegram))

    async def collect(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert context.error is not None
        load.handler_errors.append(context.error)

    app.add_error_handler(collect)
    pool = questions()
    async with app:
        await app.start()
        started = time.perf_counter()
        until = started + seconds
        tasks = [
            simulated_user(app, load, FIRST_USER + i, pool, until, think) for i in range(users)
        ]
        moments = [started + seconds / 3, started + 2 * seconds / 3]
        tasks.append(admin_reloads(app, load, settings.knowledge_dir, moments))
        await asyncio.gather(*tasks)
        await app.stop()
    app.bot_data["kepubot"].close()
    load.rejected = len(telegram.rejected())
    return load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=200, help="simulated users")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the run")
    parser.add_argument("--think", type=float, default=9.0,
                        help="mean pause between a user's questions in seconds; pauses "
                             "vary by ±2.5 s (9 keeps users under 10 questions/min)")  # fmt: skip
    args = parser.parse_args()
    with scratch_knowledge_base(admin_ids=(ADMIN,)) as (settings, report):
        print(f"bundled corpus: {report.ingest.documents} reports, {report.ingest.chunks} chunks;"
              f" {len(questions())} distinct questions; {args.users} users for {args.seconds:g} s,"
              f" pauses {args.think - 2.5:g}–{args.think + 2.5:g} s; 2 reloads")  # fmt: skip
        load = asyncio.run(run(settings, args.users, args.seconds, args.think))
    errors = (len(load.handler_errors) + load.rejected + load.apologies
              + load.rate_limited + load.unanswered)  # fmt: skip
    latencies = sorted(load.latencies)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    every = load.unanswered == 0 and load.answered == load.asked
    print(f"questions asked:          {load.asked}")
    print(f"answers sent:             {load.messages} messages for {load.answered} questions")
    print(f"errors:                   {errors} (handler {len(load.handler_errors)}, rejected "
          f"{load.rejected}, apologies {load.apologies}, rate-limited {load.rate_limited}, "
          f"unanswered {load.unanswered})")  # fmt: skip
    print(f"every question answered:  {'yes' if every else 'no'}")
    print(f"latency ms:               p50 {percentile(latencies, 50):.1f}, "
          f"p95 {percentile(latencies, 95):.1f}, max {latencies[-1]:.1f}")  # fmt: skip
    for n, summary in enumerate(load.reloads, 1):
        print(f"reload {n}:                 {summary}")
    print(f"peak memory:              {peak_mb:.0f} MB (ru_maxrss)")
    raise SystemExit(0 if errors == 0 and every and len(load.reloads) == 2 else 1)


if __name__ == "__main__":
    main()
