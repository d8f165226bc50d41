"""The search command: ranked passages, for people and for scripts."""

from __future__ import annotations

import json
import sys

import click

from bot.cli.render import result_json, result_text
from bot.cli.support import open_assistant, with_filters
from bot.core import MODES, Filters
from bot.settings import Settings


@click.command()
@click.argument("question", required=False)
@click.option("--top-k", type=click.IntRange(1, 100), help="返回结果数（默认 KEPUBOT_TOP_K）")
@click.option("--json", "as_json", is_flag=True, help="输出一个 JSON 对象")
@click.option("--jsonl", is_flag=True, help="从标准输入逐行读问题，逐行输出 JSON")
@click.option("--mode", type=click.Choice(MODES), default="hybrid", show_default=True)
@with_filters
@click.pass_obj
def search(
    settings: Settings, question: str | None, top_k: int | None, as_json: bool, jsonl: bool,
    mode: str, year: int | None, place: str | None, level: str | None,
) -> None:  # fmt: skip
    """检索与问题最相关的报告片段（关键词 + 向量混合检索）。

    \b
    示例：
      kepubot search 乡镇是怎么开展科普日活动的？
      kepubot search --level 街道 --json 读书活动
      printf '科普日\\n读书活动\\n' | kepubot search --jsonl
    """
    if jsonl == bool(question):
        raise click.UsageError("请给出一个问题，或用 --jsonl 从标准输入读取问题（二者选一）。")
    assistant = open_assistant(settings)
    filters = Filters(year, place, level)
    k = top_k or settings.top_k
    if jsonl:
        for line in sys.stdin:
            if line.strip():
                result = assistant.search(line.strip(), k, filters, mode)
                click.echo(json.dumps(result_json(result), ensure_ascii=False))
        return
    assert question is not None
    result = assistant.search(question, k, filters, mode)
    if as_json:
        click.echo(json.dumps(result_json(result), ensure_ascii=False, indent=2))
    else:
        click.echo(result_text(result))
