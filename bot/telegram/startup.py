"""Reaching the Bot API before serving: a start without network waits for it, one log line
per attempt, instead of exiting with a traceback; a token Telegram refuses is one sentence."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit, urlunsplit

from telegram import Bot
from telegram.error import InvalidToken, NetworkError
from telegram.request import HTTPXRequest

from bot.settings import Settings, SettingsError

log = logging.getLogger(__name__)
MAX_DELAY = 60.0
TOKEN_REFUSED = "Telegram 拒绝了 KEPUBOT_TELEGRAM_TOKEN：请到 @BotFather 核对令牌后再运行。"


def api_urls(api_url: str) -> tuple[str, str]:
    """Bot API base URL and file URL: ".../bot" → ".../file/bot" on the same server."""
    parts = urlsplit(api_url.rstrip("/"))
    head, found, tail = parts.path.rpartition("/bot")
    if not found:  # a bare server address
        head, tail = parts.path, ""
    base = urlunsplit(parts._replace(path=f"{head}/bot{tail}"))
    return base, urlunsplit(parts._replace(path=f"{head}/file/bot{tail}"))


def probe_bot(settings: Settings) -> Bot:
    """A Bot speaking to the configured API through the configured proxy."""
    assert settings.telegram_token is not None
    proxy = settings.proxy_url.reveal() if settings.proxy_url else None
    base, files = (
        api_urls(settings.telegram_api_url)
        if settings.telegram_api_url
        else ("https://api.telegram.org/bot", "https://api.telegram.org/file/bot")
    )
    request = HTTPXRequest(proxy=proxy, connect_timeout=10.0, read_timeout=10.0)
    return Bot(settings.telegram_token.reveal(), base, files, request)


async def reach_api(
    bot: Bot,
    attempts: int | None = None,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> str:
    """The bot's username once `getMe` answers; retried with backoff (2, 4 … 60 s) on
    network errors, `attempts` times at most (None: until it answers)."""
    attempt = 0
    while True:
        attempt += 1
        try:
            await bot.initialize()
            name = bot.username
            await bot.shutdown()
            return name
        except InvalidToken as exc:
            raise SettingsError(TOKEN_REFUSED) from exc
        except NetworkError as exc:  # TimedOut is one
            if attempts is not None and attempt >= attempts:
                await bot.request.shutdown()  # giving up: close what the attempt opened
                raise
            delay = min(MAX_DELAY, 2.0 ** min(attempt, 6))
            log.warning(
                "cannot reach the Telegram Bot API (%s); attempt %d, retrying in %.0f s",
                exc, attempt, delay,
            )  # fmt: skip
            await sleep(delay)
