"""Retrieval commands: search, eval, eval-squad."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from bot.cli.render import result_json, result_text
from bot.cli.support import format_table, open_assistant, with_filters
from bot.core import (
    MODES,
    Filters,
    NotReady,
    evaluate_answer_file,
    evaluate_question_file,
    evaluate_squad_file,
)
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


@click.command(name="eval")
@click.argument("questions", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@click.pass_obj
def eval_command(settings: Settings, questions: Path, as_json: bool) -> None:
    """在问题集上评测检索：hit@1、hit@5、MRR@10 与反例判定，三种模式对比。

    \b
    示例：
      kepubot eval eval/dev_questions.jsonl
    """
    try:
        rows = evaluate_question_file(settings, questions)
    except NotReady as exc:
        raise click.ClickException(str(exc)) from exc
    except (ValueError, KeyError) as exc:
        raise click.ClickException(
            f"问题文件 {questions} 格式不对（{exc}），每行应为 JSON。"
        ) from exc
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    columns = ["mode", "hit@1", "hit@5", "mrr@10", "negatives_correct", "avg_chunk_chars"]
    click.echo(f"{rows[0]['questions']} 个正例，{rows[0]['negatives']} 个反例")
    click.echo(format_table([columns] + [[str(r[c]) for c in columns] for r in rows]))


@click.command(name="eval-squad")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@click.pass_obj
def eval_squad(settings: Settings, file: Path, as_json: bool) -> None:
    """在 SQuAD 格式数据（CMRC、DRCD）上评测检索，含问题转为另一字体后的结果。

    \b
    示例：
      kepubot eval-squad eval/external/cmrc2018/cmrc2018_trial.json
    """
    try:
        report = evaluate_squad_file(settings, file)
    except NotReady as exc:
        raise click.ClickException(str(exc)) from exc
    except (ValueError, KeyError) as exc:
        raise click.ClickException(f"{file} 不是 SQuAD 格式的 JSON（{exc}）。") from exc
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    columns = ["mode", "recall@1", "recall@5", "recall@10", "mrr@10", "avg_chunk_chars"]
    for run, rows in report.items():
        click.echo(f"{run}（{rows[0]['questions']} 个问题）")
        click.echo(format_table([columns] + [[str(r[c]) for c in columns] for r in rows]))


@click.command(name="eval-answers")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（含每题的回答原文）")
@click.pass_obj
def eval_answers(settings: Settings, file: Path, as_json: bool) -> None:
    """评测回答本身：必现短语出现比例、引用报告是否切题、反例是否判为未找到，按题型汇总。

    \b
    示例：
      kepubot eval-answers eval/answer_dev.jsonl
    """
    try:
        report = evaluate_answer_file(settings, file)
    except NotReady as exc:
        raise click.ClickException(str(exc)) from exc
    except (ValueError, KeyError) as exc:
        raise click.ClickException(f"问题文件 {file} 格式不对（{exc}），每行应为 JSON。") from exc
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    rows = [["id", "type", "found", "shown", "cited in gold"]]
    for q in report["questions"]:
        found = "yes" if q["found"] else "no"
        shown, cited = f"{q['shown']}/{q['must_show']}", f"{q['cited_in_gold']}/{q['cited']}"
        rows.append([q["id"], q["type"], found, shown, cited])
    click.echo(format_table(rows))
    click.echo()
    columns = ["type", "questions", "shown_share", "cited_in_gold_share", "refused",
               "negatives_correct"]  # fmt: skip
    table = [columns] + [
        [name] + ["—" if figures[c] is None else str(figures[c]) for c in columns[1:]]
        for name, figures in sorted(report["totals"].items(), key=lambda kv: kv[0] == "all")
    ]
    click.echo(format_table(table))
