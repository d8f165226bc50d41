"""Evaluation commands: eval (retrieval on dev questions), eval-squad, eval-answers,
eval-facts."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from bot.cli.support import format_table
from bot.core import (
    NotReady,
    evaluate_answer_file,
    evaluate_fact_file,
    evaluate_question_file,
    evaluate_squad_file,
)
from bot.settings import Settings

T = TypeVar("T")
QUESTION_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def evaluated(run: Callable[[Settings, Path], T], settings: Settings, path: Path, shape: str) -> T:
    """Run an evaluation; a missing knowledge base or a malformed file is one sentence."""
    try:
        return run(settings, path)
    except NotReady as exc:
        raise click.ClickException(str(exc)) from exc
    except (ValueError, KeyError) as exc:
        raise click.ClickException(f"{path} 格式不对（{exc}），应为{shape}。") from exc


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.command(name="eval")
@click.argument("questions", type=QUESTION_FILE)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@click.pass_obj
def eval_command(settings: Settings, questions: Path, as_json: bool) -> None:
    """在问题集上评测检索：hit@1、hit@5、MRR@10 与反例判定，三种模式对比。

    \b
    示例：
      kepubot eval eval/dev_questions.jsonl
    """
    rows = evaluated(evaluate_question_file, settings, questions, "每行一个 JSON 对象")
    if as_json:
        echo_json(rows)
        return
    columns = ["mode", "hit@1", "hit@5", "mrr@10", "negatives_correct", "avg_chunk_chars"]
    click.echo(f"{rows[0]['questions']} 个正例，{rows[0]['negatives']} 个反例")
    click.echo(format_table([columns] + [[str(r[c]) for c in columns] for r in rows]))


@click.command(name="eval-squad")
@click.argument("file", type=QUESTION_FILE)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@click.pass_obj
def eval_squad(settings: Settings, file: Path, as_json: bool) -> None:
    """在 SQuAD 格式数据（CMRC、DRCD）上评测检索，含问题转为另一字体后的结果。

    \b
    示例：
      kepubot eval-squad eval/external/cmrc2018/cmrc2018_trial.json
    """
    report = evaluated(evaluate_squad_file, settings, file, "SQuAD 格式的 JSON")
    if as_json:
        echo_json(report)
        return
    columns = ["mode", "recall@1", "recall@5", "recall@10", "mrr@10", "avg_chunk_chars"]
    for run, rows in report.items():
        click.echo(f"{run}（{rows[0]['questions']} 个问题）")
        click.echo(format_table([columns] + [[str(r[c]) for c in columns] for r in rows]))


@click.command(name="eval-answers")
@click.argument("file", type=QUESTION_FILE)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（含每题的回答原文）")
@click.pass_obj
def eval_answers(settings: Settings, file: Path, as_json: bool) -> None:
    """评测回答本身：必现短语出现比例、引用报告是否切题、反例是否判为未找到，按题型汇总。

    \b
    示例：
      kepubot eval-answers eval/answer_dev.jsonl
    """
    report = evaluated(evaluate_answer_file, settings, file, "每行一个 JSON 对象")
    if as_json:
        echo_json(report)
        return
    writer = "writer" in report["totals"].get("all", {})
    rows = [["id", "type", "found", "shown", "cited in gold"] + (["writer"] if writer else [])]
    for q in report["questions"]:
        found = "yes" if q["found"] else "no"
        shown, cited = f"{q['shown']}/{q['must_show']}", f"{q['cited_in_gold']}/{q['cited']}"
        rows.append([q["id"], q["type"], found, shown, cited] + ([_written(q)] if writer else []))
    click.echo(format_table(rows))
    click.echo()
    columns = ["type", "questions", "shown_share", "cited_in_gold_share", "gold_cited_share",
               "refused", "negatives_correct"]  # fmt: skip
    totals = sorted(report["totals"].items(), key=lambda kv: kv[0] == "all")
    table = [columns] + [
        [name] + ["—" if figures[c] is None else str(figures[c]) for c in columns[1:]]
        for name, figures in totals
    ]
    click.echo(format_table(table))
    if writer:
        click.echo()
        click.echo("语言模型撰写的回答（shown_share：按所写文字显示时的必现短语比例）：")
        columns = ["type", "answers", "shown", "sentences", "kept_share", "shown_share"]
        table = [columns] + [
            [name] + ["—" if figures["writer"][c] is None else str(figures["writer"][c])
                      for c in columns[1:]]
            for name, figures in totals if "writer" in figures
        ]  # fmt: skip
        click.echo(format_table(table))
        all_writer = report["totals"]["all"]["writer"]
        for label, key in (("删去的句子", "dropped"), ("改用原文摘录", "fallbacks")):
            counts = "，".join(f"{k} {v}" for k, v in all_writer[key].items()) or "无"
            click.echo(f"{label}：{counts}")


def _written(question: dict) -> str:
    """What the writer did with one answer: kept/total sentences, or why it was not shown."""
    record = question.get("writer")
    if record is None:
        return "—"
    kept = f"{record['kept']}/{record['total']}"
    return kept if record["shown"] else f"{kept} {record['fallback']}"


@click.command(name="eval-facts")
@click.argument("file", type=QUESTION_FILE)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（含未读对的数字）")
@click.pass_obj
def eval_facts(settings: Settings, file: Path, as_json: bool) -> None:
    """评测从句子中读出数字：数值与单位的准确率、召回率，统计对象与活动的正确率。

    \b
    示例：
      kepubot eval-facts eval/facts_labelled.jsonl
    """
    scores = evaluated(
        lambda _, path: evaluate_fact_file(path), settings, file,
        "每行一个 JSON 对象（sentence、heading、figures）",
    )  # fmt: skip
    if as_json:
        echo_json(
            scores.as_dict() | {"misses": scores.misses, "disagreements": scores.disagreements}
        )
        return
    rows = [["指标", "值"]] + [[name, str(value)] for name, value in scores.as_dict().items()]
    click.echo(format_table(rows))
