"""`kepubot run` as a real process against a fake Bot API server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.settings import Settings, SettingsError, load_settings
from bot.telegram.startup import api_urls
from knowledge.store import Store
from testkit.http_proxy import HIDDEN_HOST
from testkit.socks_proxy import SocksProxy
from testkit.telegram_fake import FakeTelegram, Scripted
from testkit.telegram_server import FakeBotServer
from tests.telegram.harness import ADMIN, TOKEN, USER

QUESTION = "科普书籍读书活动有多少人次参加？"
REPORT = """青山镇科协机器人竞赛工作总结

一、举办青少年机器人竞赛
今年青山镇科协联合镇中心小学举办了第三届青少年机器人竞赛，共有四十二支队伍参加，评出一等奖五名。
"""


def update(update_id: int, text: str | None = None, user: int = USER, **fields: Any) -> dict:
    message = {"message_id": update_id, "date": int(time.time()),
               "chat": {"id": user, "type": "private", "first_name": "用户"},
               "from": {"id": user, "is_bot": False, "first_name": "用户"}, **fields}  # fmt: skip
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {"update_id": update_id, "message": message}


def press(telegram: FakeTelegram, update_id: int, data: str, message: dict) -> dict:
    telegram.open_queries.add(f"q{update_id}")
    return {"update_id": update_id, "callback_query": {
        "id": f"q{update_id}", "chat_instance": "ci", "data": data, "message": message,
        "from": {"id": USER, "is_bot": False, "first_name": "用户"}}}  # fmt: skip


def wait_for(condition: Callable[[], object], process: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"kepubot run exited early:\n{process.communicate()[1]}")
        if time.monotonic() > deadline:
            process.send_signal(signal.SIGTERM)
            raise AssertionError(f"timed out waiting for the bot:\n{process.communicate()[1]}")
        time.sleep(0.1)


@contextmanager
def kepubot_run(settings: Settings, data_dir: Path, **env: str) -> Iterator[subprocess.Popen]:
    """`python -m bot … run`; stopped with SIGTERM, which must shut it down cleanly."""
    environment = os.environ | {"KEPUBOT_TELEGRAM_TOKEN": TOKEN, "HF_HUB_OFFLINE": "1"} | env
    command = [sys.executable, "-m", "bot", "--knowledge-dir", str(settings.knowledge_dir),
               "--data-dir", str(data_dir), "run"]  # fmt: skip
    process = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            _, stderr = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode == 0, stderr
    assert TOKEN not in stderr
    # Credentials in a configured URL (a proxy's password) never reach the log either.
    assert not [v for v in env.values() if urlsplit(v).password and urlsplit(v).password in stderr]
    assert "知识库已同步" in stderr


def sent_answers(telegram: FakeTelegram) -> list[dict]:
    return [c.params for c in telegram.sent() if "来源" in c.params["text"]]


@pytest.mark.slow
def test_run_long_polls_a_bot_api_server_and_answers_with_sources(
    bot_settings: Settings, tmp_path: Path
) -> None:
    """The acceptance walk-through of issue #5 against a Bot API server on loopback."""
    telegram = FakeTelegram()
    telegram.updates.append(update(1, QUESTION))
    # The first poll loses its connection: polling must retry, not die.
    telegram.script("getUpdates", Scripted(0, "connection dropped", network=True))
    telegram.files["report1"] = REPORT.encode()
    document = {"file_id": "report1", "file_unique_id": "ur1", "file_name": "青山镇总结.txt",
                "file_size": len(REPORT.encode())}  # fmt: skip

    def texts(chat: int = USER) -> list[str]:
        """What the user reads: the messages' text without HTML tags (figures are bold)."""
        return [
            re.sub(r"<[^>]+>", "", c.params["text"])
            for c in telegram.sent()
            if int(c.params["chat_id"]) == chat
        ]

    def edits() -> list[str]:
        return [c.params["text"] for c in telegram.sent("editMessageText")]

    with FakeBotServer(telegram, TOKEN) as server:
        api = f"http://127.0.0.1:{server.port}/bot"
        env = {"KEPUBOT_TELEGRAM_API_URL": api, "KEPUBOT_ADMIN_IDS": "42"}
        # A data directory that does not exist yet: the knowledge base is ingested at start.
        with kepubot_run(bot_settings, tmp_path / "fresh-var", **env) as bot:
            wait_for(lambda: sent_answers(telegram), bot, 90)
            answer = telegram.sent()[-1].result
            source = "s:" + answer_key(answer) + ":1"
            telegram.updates += [press(telegram, 2, source, answer), update(3, "/reload"),
                                 update(4, "/reload", user=ADMIN)]  # fmt: skip
            wait_for(lambda: any("知识库已更新" in t for t in edits()), bot, 30)
            assert any("<blockquote expandable>" in c.params["text"] for c in telegram.sent())
            assert any("只有管理员" in t for t in texts())
            telegram.updates.append(update(5, user=ADMIN, document=document))
            wait_for(lambda: any("已加入知识库" in t for t in edits()), bot, 30)
            telegram.updates += [update(6, "科" * 5000), update(7, "<b>科普</b><script>x</script>"),
                                 press(telegram, 8, "s:forged:1", answer),
                                 update(9, "青山镇机器人竞赛有多少支队伍参加？")]  # fmt: skip
            wait_for(lambda: any("四十二支队伍" in t for t in texts()), bot, 30)
            wait_for(lambda: not telegram.open_queries, bot, 10)
    reply = sent_answers(telegram)[0]
    assert reply["parse_mode"] == "HTML" and "<b>300人次</b>" in reply["text"]
    buttons = [b["text"] for row in reply["reply_markup"]["inline_keyboard"] for b in row]
    assert "原文 1" in buttons
    (uploaded,) = [t for t in texts() if "四十二支队伍" in t]
    assert "青山镇科协机器人竞赛工作总结" in uploaded  # cited by the title of the upload
    assert any(t.startswith("问题太长了（5000 字）") for t in texts())
    assert [c.endpoint for c in telegram.rejected()] == ["getUpdates"]  # the dropped poll
    # The start-up probe asks getMe, then the application does on initialising.
    assert [c.endpoint for c in telegram.calls][:3] == ["getMe", "getMe", "setMyCommands"]
    assert any(c.endpoint == "download" for c in telegram.calls)  # via /file/bot<token>/…


def answer_key(message: dict) -> str:
    data = message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    return data.split(":")[1]


@pytest.mark.slow
def test_run_serves_a_webhook_that_checks_the_secret_token(
    bot_settings: Settings, tmp_path: Path
) -> None:
    telegram = FakeTelegram()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    hook = f"http://127.0.0.1:{port}/kepubot-hook"
    with FakeBotServer(telegram, TOKEN) as server:
        env = {
            "KEPUBOT_TELEGRAM_API_URL": f"http://127.0.0.1:{server.port}/bot",
            "KEPUBOT_WEBHOOK_URL": hook, "KEPUBOT_WEBHOOK_PORT": str(port),
            "KEPUBOT_WEBHOOK_SECRET": "s3cret-token",
        }  # fmt: skip
        with kepubot_run(bot_settings, bot_settings.data_dir, **env) as bot:
            wait_for(lambda: telegram.sent("setWebhook"), bot, 90)
            registered = telegram.sent("setWebhook")[0].params
            assert (registered["url"], registered["secret_token"]) == (hook, "s3cret-token")
            body = json.dumps(update(5, QUESTION)).encode()
            forged = urllib.request.Request(hook, body, {"Content-Type": "application/json"})
            with pytest.raises(urllib.error.HTTPError, match="403"):
                wait_for_server(lambda: urllib.request.urlopen(forged, timeout=5))
            genuine = urllib.request.Request(hook, body, {
                "Content-Type": "application/json",
                "X-Telegram-Bot-Api-Secret-Token": "s3cret-token"})  # fmt: skip
            assert wait_for_server(lambda: urllib.request.urlopen(genuine, timeout=5)).status == 200
            wait_for(lambda: sent_answers(telegram), bot, 30)
    assert len(sent_answers(telegram)) == 1  # the forged update was never processed


def wait_for_server(call: Callable[[], Any]) -> Any:
    """The webhook port opens just after setWebhook; retry a refused connection briefly."""
    for _ in range(50):
        try:
            return call()
        except urllib.error.URLError as exc:
            if isinstance(exc, urllib.error.HTTPError):
                raise
            time.sleep(0.1)
    return call()


def test_run_without_a_token_fails_with_one_sentence(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "run"], env={
        "KEPUBOT_TELEGRAM_TOKEN": ""})  # fmt: skip
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: 未设置 KEPUBOT_TELEGRAM_TOKEN：请把从 @BotFather 获得的令牌写入该环境变量后再运行。"
    )


def test_start_launches_the_bot_when_a_token_is_configured(
    monkeypatch: pytest.MonkeyPatch, bot_settings: Settings
) -> None:
    launched: list[Settings] = []
    monkeypatch.setattr("bot.telegram.app.run_bot", lambda s, verbose: launched.append(s))
    args = ["--knowledge-dir", str(bot_settings.knowledge_dir), "--data-dir",
            str(bot_settings.data_dir), "start"]  # fmt: skip
    result = CliRunner().invoke(cli, args, env={"KEPUBOT_TELEGRAM_TOKEN": TOKEN})
    assert result.exit_code == 0, result.output
    assert launched and launched[0].telegram_token is not None


def test_config_never_prints_the_token() -> None:
    env = {"KEPUBOT_TELEGRAM_TOKEN": TOKEN, "KEPUBOT_WEBHOOK_SECRET": "s3cret-token",
           "KEPUBOT_ADMIN_IDS": "42, 43"}  # fmt: skip
    result = CliRunner().invoke(cli, ["config"], env=env)
    assert result.exit_code == 0
    assert TOKEN not in result.output and "s3cret-token" not in result.output
    assert "KEPUBOT_TELEGRAM_TOKEN" in result.output and "42,43" in result.output


def test_admin_ids_parse_from_a_list_and_a_bad_one_names_the_variable() -> None:
    assert load_settings({"KEPUBOT_ADMIN_IDS": "42，43, 44"}).admin_ids == (42, 43, 44)
    with pytest.raises(SettingsError, match="KEPUBOT_ADMIN_IDS"):
        load_settings({"KEPUBOT_ADMIN_IDS": "42,@boss"})


@pytest.mark.parametrize(
    ("configured", "base", "files"),
    [
        ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot"),
        ("http://127.0.0.1:8081/", "http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot"),
        ("https://tg.example.org/api/bot", "https://tg.example.org/api/bot",
         "https://tg.example.org/api/file/bot"),
    ],
)  # fmt: skip
def test_api_url_sets_bot_and_file_urls_on_the_same_server(
    configured: str, base: str, files: str
) -> None:
    assert api_urls(configured) == (base, files)


@pytest.mark.slow
def test_sigterm_during_a_long_reload_exits_in_seconds_leaving_old_or_new_state(
    bot_settings: Settings,
) -> None:
    telegram = FakeTelegram()
    before = Store(bot_settings.database_path).counts()
    # `kepubot run` syncs at start: the new files join only once it is up.
    hidden = bot_settings.knowledge_dir.parent / "later"
    hidden.mkdir()
    for n in range(1500):  # a reload of these takes well over a minute on two cores
        (hidden / f"{n:04d}.txt").write_text(
            f"第{n}号街道科协工作总结\n一、主要做法\n第{n}号街道开展科普讲座{n}场，"
            f"服务群众{n * 7}人次，发放资料{n * 3}份。\n二、下一步打算\n继续办好第{n}号活动。\n",
            encoding="utf-8",
        )
    with FakeBotServer(telegram, TOKEN) as server:
        env = {"KEPUBOT_TELEGRAM_API_URL": f"http://127.0.0.1:{server.port}/bot",
               "KEPUBOT_ADMIN_IDS": str(ADMIN)}  # fmt: skip
        with kepubot_run(bot_settings, bot_settings.data_dir, **env) as bot:
            wait_for(lambda: telegram.sent("setMyCommands"), bot, 90)
            for path in hidden.iterdir():
                path.rename(bot_settings.knowledge_dir / path.name)
            telegram.updates.append(update(1, "/reload", user=ADMIN))
            wait_for(lambda: telegram.sent(), bot, 30)  # "正在更新知识库……"
            time.sleep(2)  # well inside the sync
            started = time.monotonic()
            bot.send_signal(signal.SIGTERM)
            bot.wait(timeout=30)
            stopped_after = time.monotonic() - started
    assert stopped_after < 10, f"took {stopped_after:.1f} s to stop"
    # Stopped while reading or writing: the old reports. While embedding (after the store's
    # commit): the new ones, whose vectors the next start completes. Never a mix.
    after = Store(bot_settings.database_path).counts()
    assert after["documents"] in (before["documents"], before["documents"] + 1500)
    done = subprocess.run([sys.executable, "-m", "bot", "--knowledge-dir",
                           str(bot_settings.knowledge_dir), "--data-dir",
                           str(bot_settings.data_dir), "ingest", "--json"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    report = json.loads(done.stdout)
    assert report["documents"] == before["documents"] + 1500
    assert report["vectors"]["vectors"] == report["chunks"]


@pytest.mark.slow
def test_run_behind_a_socks5_proxy_reaches_the_api_only_through_it(
    bot_settings: Settings, tmp_path: Path
) -> None:
    """Issue #15: the API's host resolves nowhere, so every answer and download went through
    the proxy; its password is never written to the log (checked by kepubot_run)."""
    telegram = FakeTelegram()
    telegram.updates.append(update(1, QUESTION))
    telegram.files["report1"] = REPORT.encode()
    document = {"file_id": "report1", "file_unique_id": "ur1", "file_name": "青山镇总结.txt",
                "file_size": len(REPORT.encode())}  # fmt: skip
    with (
        FakeBotServer(telegram, TOKEN) as server,
        SocksProxy(server.port, "kepu", "s3cret-pw") as proxy,
    ):
        env = {"KEPUBOT_TELEGRAM_API_URL": f"http://{HIDDEN_HOST}/bot",
               "KEPUBOT_PROXY_URL": proxy.url, "KEPUBOT_ADMIN_IDS": str(ADMIN)}  # fmt: skip
        with kepubot_run(bot_settings, tmp_path / "var", **env) as bot:
            wait_for(lambda: sent_answers(telegram), bot, 90)
            telegram.updates.append(update(2, user=ADMIN, document=document))
            wait_for(lambda: any(c.endpoint == "download" for c in telegram.calls), bot, 30)
            wait_for(
                lambda: any("已加入知识库" in c.params["text"]
                            for c in telegram.sent("editMessageText")), bot, 30,
            )  # fmt: skip
    assert "<b>300人次</b>" in sent_answers(telegram)[0]["text"]
    assert proxy.tunnels and set(proxy.tunnels) == {f"{HIDDEN_HOST}:80"}
    assert proxy.refused == []
