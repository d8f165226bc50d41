"""Answer commands: ask, examples, chat."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import click

from bot.cli.chat import run_chat
from bot.cli.render import answer_json, answer_text, explanation_text
from bot.cli.support import open_assistant, with_filters
from bot.core import Filters, question_problem
from bot.core.wording import CHAT_HELP
from bot.settings import Settings


@click.command()
@click.argument("question")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="输出 JSON：found、answer、question、citations（设置语言模型时另有 writer）",
)
@click.option(
    "--explain",
    is_flag=True,
    help="先显示问题解析：意图、所问数字、主题词、层级、地点、年份、同义扩展",
)
@with_filters
@click.pass_obj
def ask(
    settings: Settings, question: str, as_json: bool, explain: bool, year: int | None,
    place: str | None, level: str | None,
) -> None:  # fmt: skip
    """回答一个问题：引用报告原文，并注明每句的出处。

    \b
    示例：
      kepubot ask 乡镇是怎么开展科普日活动的？
      kepubot ask --json 科普书籍读书活动有多少人次参加？
      kepubot ask --explain 今年各地一共办了多少场讲座？
    """
    problem = question_problem(question, settings.max_question_chars)
    if problem is not None:
        raise click.UsageError(problem)
    assistant = open_assistant(settings)
    answer = assistant.write(assistant.answer(question, Filters(year, place, level)))
    if as_json:
        click.echo(json.dumps(answer_json(answer), ensure_ascii=False, indent=2))
        return
    if explain:
        click.echo(explanation_text(answer) + "\n")
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
    problem = question_problem(topic, settings.max_question_chars)
    if problem is not None:
        raise click.UsageError(problem)
    assistant = open_assistant(settings)
    answer = assistant.write(assistant.examples(topic, Filters(year, place, level), limit))
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
    assistant = open_assistant(settings)
    limit = settings.max_question_chars
    if not sys.stdin.isatty():
        run_chat(assistant, sys.stdin, sys.stdout, limit)
        return
    history = _enable_line_editing(settings.data_dir / "chat_history")
    click.echo("kepubot 已就绪。" + CHAT_HELP.splitlines()[0] + " 输入 /help 查看命令。\n")
    try:
        run_chat(assistant, _prompted_lines(), sys.stdout, limit)
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
