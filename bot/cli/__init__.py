"""The `kepubot` command line: one group, commands registered from their modules."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

import click

from bot.cli.answer import ask, chat, examples, start_chat
from bot.cli.doctor import doctor
from bot.cli.evaluation import eval_answers, eval_command, eval_facts, eval_squad
from bot.cli.facts import facts
from bot.cli.knowledge import config, docs, export, ingest
from bot.cli.search import search
from bot.cli.support import describe_sync, run_sync
from bot.core import NotReady
from bot.settings import Settings, SettingsError, at_home, load_settings, validate

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT)
@click.option(
    "--knowledge-dir", type=click.Path(path_type=Path), help="报告目录（KEPUBOT_KNOWLEDGE_DIR）"
)
@click.option("--data-dir", type=click.Path(path_type=Path), help="数据目录（KEPUBOT_DATA_DIR）")
@click.option(
    "--config",
    type=click.Path(path_type=Path),
    envvar="KEPUBOT_CONFIG",
    help="TOML 配置文件（KEPUBOT_CONFIG；默认读取 KEPUBOT_HOME 或当前目录的 kepubot.toml）",
)
@click.option("-v", "--verbose", is_flag=True, help="输出调试日志")
@click.pass_context
def cli(
    ctx: click.Context, knowledge_dir: Path | None, data_dir: Path | None, config: Path | None,
    verbose: bool,
) -> None:  # fmt: skip
    """kepubot：从科普工作总结中查找、引用并注明出处。

    \b
    示例：
      kepubot ingest
      kepubot --knowledge-dir ~/报告 docs
    """
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, format="%(message)s")
    # A service is started from anywhere: its relative paths (var/, kepubot.toml) are read
    # from KEPUBOT_HOME when that is set, not from whatever the current folder is.
    home = Path(os.environ.get("KEPUBOT_HOME") or ".")
    if config is None and (home / "kepubot.toml").is_file():
        config = home / "kepubot.toml"
    try:
        settings = at_home(
            load_settings(os.environ, config, knowledge_dir=knowledge_dir, data_dir=data_dir),
            home,
        )
        validate(settings, config)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    ctx.obj = settings


@cli.command()
@click.pass_obj
def start(settings: Settings) -> None:
    """`make run` 的入口：确保知识库已同步，然后启动 Telegram 机器人（已设置令牌时）或终端对话。

    \b
    示例：
      kepubot start
      KEPUBOT_TELEGRAM_TOKEN=123:ABC kepubot start
    """
    if settings.telegram_token is not None:
        run_telegram(settings)
        return
    click.echo(describe_sync(run_sync(settings)), err=not sys.stdin.isatty())
    start_chat(settings)


@cli.command()
@click.pass_obj
def run(settings: Settings) -> None:
    """运行 Telegram 机器人：先同步知识库，再长轮询接收消息。

    设置 KEPUBOT_WEBHOOK_URL 时改用 webhook。需要 KEPUBOT_TELEGRAM_TOKEN；
    Ctrl-C 或 SIGTERM 正常退出。

    \b
    示例：
      KEPUBOT_TELEGRAM_TOKEN=123:ABC KEPUBOT_ADMIN_IDS=42 kepubot run
    """
    run_telegram(settings)


def run_telegram(settings: Settings) -> None:
    """Sync, then serve Telegram until stopped; expected failures become one sentence."""
    # Imported here so the other commands do not pay for loading the Telegram library.
    from telegram.error import InvalidToken, NetworkError

    from bot.core.wording import TOKEN_MISSING
    from bot.telegram.app import run_bot

    if settings.telegram_token is None:
        raise click.ClickException(TOKEN_MISSING)
    click.echo(describe_sync(run_sync(settings)), err=True)
    try:
        run_bot(settings, verbose=logging.getLogger().isEnabledFor(logging.DEBUG))
    except InvalidToken as exc:
        raise click.ClickException(
            "Telegram 拒绝了 KEPUBOT_TELEGRAM_TOKEN，请检查令牌是否正确。"
        ) from exc
    except NetworkError as exc:
        raise click.ClickException(
            "无法连接 Telegram Bot API，请检查网络或 KEPUBOT_TELEGRAM_API_URL。"
        ) from exc
    except (NotReady, SettingsError) as exc:
        raise click.ClickException(str(exc)) from exc


for command in (
    ingest,
    docs,
    export,
    facts,
    config,
    search,
    eval_command,
    eval_squad,
    eval_answers,
    eval_facts,
    ask,
    examples,
    chat,
    doctor,
):
    cli.add_command(command)


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point."""
    return cli.main(args=argv, prog_name="kepubot")


if __name__ == "__main__":
    sys.exit(main())
