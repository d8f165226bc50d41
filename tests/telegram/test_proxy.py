"""KEPUBOT_PROXY_URL: every Bot API call goes through the proxy (the API's host resolves
nowhere, so nothing can bypass it)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from telegram.error import NetworkError
from telegram.ext import Application

from bot.settings import Secret, Settings, SettingsError, load_settings, validate
from bot.telegram.app import build_application
from testkit.http_proxy import HIDDEN_HOST, ForwardProxy
from testkit.socks_proxy import SocksProxy
from testkit.telegram_fake import FakeTelegram
from testkit.telegram_server import FakeBotServer
from tests.telegram.harness import TOKEN, USER


def initialise(application: Application) -> None:
    """Start the application and stop it again: initialising asks getMe."""

    async def scenario() -> None:
        async with application:
            pass

    asyncio.run(scenario())


def test_every_bot_api_call_goes_through_the_proxy(bot_settings: Settings) -> None:
    telegram = FakeTelegram()
    with FakeBotServer(telegram, TOKEN) as server, ForwardProxy(server.port) as proxy:
        settings = replace(
            bot_settings, telegram_api_url=f"http://{HIDDEN_HOST}/bot", proxy_url=Secret(proxy.url)
        )
        application = build_application(settings)

        async def scenario() -> None:
            async with application:  # initialising asks getMe
                await application.bot.send_message(USER, "测试")
                await application.bot.get_updates(timeout=0)  # long polling's own connection

        asyncio.run(scenario())
    assert [c.endpoint for c in telegram.calls] == ["getMe", "sendMessage", "getUpdates"]
    assert proxy.relayed == [
        f"POST /bot{TOKEN}/getMe", f"POST /bot{TOKEN}/sendMessage", f"POST /bot{TOKEN}/getUpdates",
    ]  # fmt: skip


def test_a_socks5_proxy_with_credentials_carries_every_call(bot_settings: Settings) -> None:
    telegram = FakeTelegram()
    with FakeBotServer(telegram, TOKEN) as server, SocksProxy(server.port, "kepu", "pw") as proxy:
        settings = replace(
            bot_settings, telegram_api_url=f"http://{HIDDEN_HOST}/bot", proxy_url=Secret(proxy.url)
        )
        application = build_application(settings)

        async def scenario() -> None:
            async with application:
                await application.bot.send_message(USER, "测试")
                await application.bot.get_updates(timeout=0)

        asyncio.run(scenario())
    assert [c.endpoint for c in telegram.calls] == ["getMe", "sendMessage", "getUpdates"]
    assert proxy.tunnels and set(proxy.tunnels) == {f"{HIDDEN_HOST}:80"}


def test_wrong_socks5_credentials_reach_nothing(bot_settings: Settings) -> None:
    telegram = FakeTelegram()
    with FakeBotServer(telegram, TOKEN) as server, SocksProxy(server.port, "kepu", "pw") as proxy:
        wrong = proxy.url.replace(":pw@", ":guess@")
        settings = replace(
            bot_settings, telegram_api_url=f"http://{HIDDEN_HOST}/bot", proxy_url=Secret(wrong)
        )
        with pytest.raises(NetworkError):
            initialise(build_application(settings))
    assert telegram.calls == [] and proxy.tunnels == []
    assert proxy.refused == ["wrong credentials for 'kepu'"]


def test_without_the_proxy_the_hidden_api_is_unreachable(bot_settings: Settings) -> None:
    settings = replace(bot_settings, telegram_api_url=f"http://{HIDDEN_HOST}/bot")
    with pytest.raises(NetworkError):
        initialise(build_application(settings))


@pytest.mark.parametrize("url", ["socks5://user:pw@127.0.0.1:1080", "http://127.0.0.1:7890"])
def test_proxy_urls_of_the_supported_kinds_are_accepted(url: str) -> None:
    settings = load_settings({"KEPUBOT_PROXY_URL": url})
    validate(settings)
    assert settings.proxy_url is not None and settings.proxy_url.reveal() == url
    assert url not in repr(settings)


def test_a_proxy_url_of_another_kind_gets_one_sentence() -> None:
    with pytest.raises(SettingsError, match="KEPUBOT_PROXY_URL 须以 http://"):
        validate(load_settings({"KEPUBOT_PROXY_URL": "127.0.0.1:7890"}))
