"""`kepubot doctor`: what a deployment needs, one line each, with the fix for what fails."""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from pathlib import Path

import click

from bot.core import Assistant, NotReady, converter
from bot.settings import Settings, SettingsError

# What @BotFather hands out: the bot's numeric id, a colon, 35 URL-safe characters.
_TOKEN = re.compile(r"^\d{5,}:[A-Za-z0-9_-]{30,}$")


@click.command()
@click.pass_obj
def doctor(settings: Settings) -> None:
    """检查部署：令牌格式、经代理访问 Bot API、数据目录权限、知识库与索引，每项一行。

    \b
    示例：
      kepubot doctor
      KEPUBOT_PROXY_URL=socks5://127.0.0.1:7890 kepubot doctor
    """
    checks = [_token(settings), _api(settings), _data_dir(settings.data_dir), _index(settings)]
    for ok, line in checks:
        click.echo(("✓ " if ok else "✗ ") + line)
    # Optional: without LibreOffice only the old office formats are refused ("!" warns).
    command = converter(settings)
    if command is None:
        click.echo("! 未找到 LibreOffice：doc、wps、rtf、odt、xls、et 文件将无法导入；"
                   "安装：sudo make system-deps，或用 KEPUBOT_SOFFICE 指定。")  # fmt: skip
    else:
        click.echo(f"✓ LibreOffice：{command}（可导入 doc、wps、rtf、odt、xls、et）。")
    if not all(ok for ok, _ in checks):
        raise SystemExit(1)


def _token(settings: Settings) -> tuple[bool, str]:
    if settings.telegram_token is None:
        return False, "未设置 KEPUBOT_TELEGRAM_TOKEN：把 @BotFather 给的令牌写入该环境变量。"
    if not _TOKEN.match(settings.telegram_token.reveal()):
        return (
            False,
            "KEPUBOT_TELEGRAM_TOKEN 格式不对：应形如 123456789:AAE…（从 @BotFather 完整复制）。",
        )
    return True, "令牌格式正确。"


def _api(settings: Settings) -> tuple[bool, str]:
    if settings.telegram_token is None:
        return False, "未检查 Bot API：先设置令牌。"
    # The Telegram library loads only for this check.
    from telegram.error import NetworkError

    from bot.telegram.startup import probe_bot, reach_api

    via = "经代理 " + _proxy_host(settings) if settings.proxy_url else "直连"
    try:
        name = asyncio.run(reach_api(probe_bot(settings), attempts=1))
    except SettingsError as exc:
        return False, str(exc)
    except NetworkError as exc:
        fix = "检查代理是否在运行" if settings.proxy_url else "检查网络，或设置 KEPUBOT_PROXY_URL"
        return False, f"无法访问 Bot API（{via}：{exc}）：{fix}。"
    return True, f"Bot API 可以访问（{via}），机器人 @{name}。"


def _proxy_host(settings: Settings) -> str:
    """The proxy's scheme, host and port, never its credentials."""
    assert settings.proxy_url is not None
    scheme, _, rest = settings.proxy_url.reveal().partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"


def _data_dir(data_dir: Path) -> tuple[bool, str]:
    where = data_dir.resolve()
    if not data_dir.exists():
        parent = next((p for p in where.parents if p.exists()), None)
        if parent is not None and os.access(parent, os.W_OK):
            return True, f"数据目录 {where} 尚不存在，首次运行时会创建。"
        return (
            False,
            f"无法创建数据目录 {where}：请先建好并交给运行机器人的用户，或改 KEPUBOT_DATA_DIR。",
        )
    try:
        with tempfile.NamedTemporaryFile(dir=data_dir):
            pass
    except OSError:
        return False, (
            f"数据目录 {where} 不可写：chown 给运行机器人的用户，或改 KEPUBOT_DATA_DIR。"
        )
    return True, f"数据目录 {where} 可写。"


def _index(settings: Settings) -> tuple[bool, str]:
    try:
        assistant = Assistant.open(settings)
    except NotReady as exc:
        return False, f"知识库：{exc}"
    try:
        overview = assistant.overview()
    finally:
        assistant.close()
    return True, f"知识库可用：{len(overview.reports)} 份报告，{overview.chunks} 个片段。"
