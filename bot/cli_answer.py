"""Answer commands: ask, examples, chat."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import click

from bot.answer import Answerer, AnswerOptions
from bot.chat import HELP, run_chat
from bot.cli_support import load_retriever
from bot.render import answer_json, answer_text
from bot.search import Filters
from bot.settings import Settings
from knowledge.metadata import LEVELS

filter_options = [
    click.option("--year", type=int, help="只看该年份的报告"),
    click.option("--place", help="只看该地点的报告，如 成都"),
    click.option("--level", type=click.Choice(LEVELS), help="只看该层级的报告"),
]


def with_filters(function: Callable[..., None]) -> Callable[..., None]:
    """--year, --place and --level, shared by the answer commands."""
    for option in reversed(filter_options):
        function = option(function)
    return function


def make_answerer(settings: Settings) -> Answerer:
    options = AnswerOptions(script=settings.answer_script)
    return Answerer(load_retriever(settings), options)


@click.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON：found、answer、citations")
@with_filters
@click.pass_obj
def ask(
    settings: Settings, question: str, as_json: bool, year: int | None, place: str | None,
    level: str | None,
) -> None:  # fmt: skip
    """回答一个问题：引用报告原文，并注明每句的出处。

    \b
    示例：
      kepubot ask 乡镇是怎么开展科普日活动的？
      kepubot ask --json 科普书籍读书活动有多少人次参加？
    """
    answer = make_answerer(settings).answer(question, Filters(year, place, level))
    if as_json:
        click.echo(json.dumps(answer_json(answer), ensure_ascii=False, indent=2))
    else:
        click.echo(answer_text(answer))


@click.command()
@click.argument("topic")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@click.option(
    "--limit", type=click.IntRange(1, 20), default=5, show_default=True, help="最多几份报告"
)
@with_filters
@click.pass_obj
def examples(
    settings: Settings, topic: str, as_json: bool, limit: int, year: int | None,
    place: str | None, level: str | None,
) -> None:  # fmt: skip
    """查看往年做法：每份报告中与主题最相关的一段，一份报告只出现一次。

    \b
    示例：
      kepubot examples 科普日
      kepubot examples --level 乡镇 科技培训
    """
    answerer = Answerer(
        load_retriever(settings), AnswerOptions(examples=limit, script=settings.answer_script)
    )
    answer = answerer.examples(topic, Filters(year, place, level))
    if as_json:
        click.echo(json.dumps(answer_json(answer), ensure_ascii=False, indent=2))
    else:
        click.echo(answer_text(answer))


@click.command()
@click.pass_obj
def chat(settings: Settings) -> None:
    """在终端里对话（支持行编辑与历史；也可从管道逐行读入问题）。

    \b
    示例：
      kepubot chat
      printf '乡镇是怎么开展科普日活动的？\\n/source 1\\n' | kepubot chat
    """
    start_chat(settings)


def start_chat(settings: Settings) -> None:
    """Run the chat on stdin/stdout; a prompt and line editing only when a person types."""
    answerer = make_answerer(settings)
    if not sys.stdin.isatty():
        run_chat(answerer, sys.stdin, sys.stdout)
        return
    history = _enable_line_editing(settings.data_dir / "chat_history")
    click.echo("kepubot 已就绪。" + HELP.splitlines()[0] + " 输入 /help 查看命令。\n")
    try:
        run_chat(answerer, _prompted_lines(), sys.stdout)
    finally:
        if history is not None:
            history()


def _prompted_lines() -> Iterator[str]:
    while True:
        try:
            yield input("问> ")
        except (EOFError, KeyboardInterrupt):
            click.echo()
            return


def _enable_line_editing(path: Path) -> Callable[[], None] | None:
    """Turn on readline editing and history; returns the function that saves the history."""
    try:
        import readline
    except ImportError:  # not on every platform; chat works without it
        return None
    with contextlib.suppress(OSError):
        readline.read_history_file(path)
    readline.set_history_length(1000)

    def save() -> None:
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            readline.write_history_file(path)

    return save
