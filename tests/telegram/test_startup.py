"""Starting without network: the bot waits for the Bot API with one log line per attempt;
a token Telegram refuses is one sentence."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

import pytest

from bot.settings import Settings, SettingsError
from bot.telegram.startup import TOKEN_REFUSED, probe_bot, reach_api
from testkit.telegram_fake import FakeTelegram, Scripted
from testkit.telegram_server import FakeBotServer
from tests.telegram.harness import TOKEN


def test_a_start_without_network_waits_for_the_api_one_line_per_attempt(
    bot_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    telegram = FakeTelegram()
    telegram.script("getMe", Scripted(0, "no route", network=True), times=2)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    with FakeBotServer(telegram, TOKEN) as server:
        settings = replace(bot_settings, telegram_api_url=f"http://127.0.0.1:{server.port}/bot")
        with caplog.at_level(logging.WARNING, logger="bot.telegram.startup"):
            name = asyncio.run(reach_api(probe_bot(settings), sleep=sleep))
    assert name and slept == [2.0, 4.0]
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2 and all("retrying in" in line for line in lines)
    assert not any(r.exc_info for r in caplog.records)  # no traceback


def test_a_token_telegram_refuses_is_one_sentence(bot_settings: Settings) -> None:
    telegram = FakeTelegram()
    telegram.script("getMe", Scripted(401, "Unauthorized"))
    with FakeBotServer(telegram, TOKEN) as server:
        settings = replace(bot_settings, telegram_api_url=f"http://127.0.0.1:{server.port}/bot")
        with pytest.raises(SettingsError, match=TOKEN_REFUSED):
            asyncio.run(reach_api(probe_bot(settings)))
