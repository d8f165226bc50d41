"""Commands about the knowledge base itself: ingest, docs, export, config."""

from __future__ import annotations

import json
from dataclasses import fields

import click

from bot.cli_support import describe_sync, format_table, open_store, run_sync
from bot.settings import DESCRIPTIONS, ENV_PREFIX, Settings


@click.command()
@click.option("--json", "as_json", is_flag=True, help="输出 JSON 摘要")
@click.pass_obj
def ingest(settings: Settings, as_json: bool) -> None:
    """同步报告目录到知识库：只处理新增、变更的文件，删除已移除文件的内容。

    \b
    示例：
      kepubot ingest
      kepubot ingest --json
    """
    report = run_sync(settings)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(describe_sync(report))


@click.command()
@click.option("--json", "as_json", is_flag=True, help="输出 JSON 数组")
@click.pass_obj
def docs(settings: Settings, as_json: bool) -> None:
    """列出知识库中的报告：标题、地点、层级、年份、片段数。

    \b
    示例：
      kepubot docs
    """
    with open_store(settings) as store:
        rows = [
            {
                "title": d["title"], "source": d["source"], "place": d["place"] or "",
                "level": d["level"] or "", "year": d["year"], "chunks": d["chunk_count"],
                "duplicate_of": d["duplicate_of"],
            }
            for d in store.documents()
        ]  # fmt: skip
        titles = {d["id"]: d["title"] for d in store.documents()}
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = [["标题", "地点", "层级", "年份", "片段"]]
    for row in rows:
        title = row["title"]
        if row["duplicate_of"]:
            title += f"（与「{titles.get(row['duplicate_of'], '?')}」重复，不参与检索）"
        table.append(
            [title, row["place"], row["level"], str(row["year"] or ""), str(row["chunks"])]
        )
    click.echo(format_table(table))


@click.command()
@click.option("--jsonl", is_flag=True, default=True, help="每行一个 JSON 对象（默认且唯一格式）")
@click.option("--include-duplicates", is_flag=True, help="也导出重复报告的片段")
@click.pass_obj
def export(settings: Settings, jsonl: bool, include_duplicates: bool) -> None:
    """导出所有片段（原文与检索用规范化文本），每行一个 JSON。

    \b
    示例：
      kepubot export --jsonl > chunks.jsonl
    """
    with open_store(settings) as store:
        for row in store.chunks(include_duplicates=include_duplicates):
            record = {
                "chunk_id": row["id"], "title": row["title"],
                "heading_path": list(row["heading_path"]),
                "place": row["place"].split(",") if row["place"] else [],
                "level": row["level"], "year": row["year"], "source": row["source"],
                "start": row["start"], "end": row["end"], "text": row["text"],
                "normalized": row["normalized"], "duplicate_of": row["duplicate_of"],
            }  # fmt: skip
            click.echo(json.dumps(record, ensure_ascii=False))


@click.command()
@click.pass_obj
def config(settings: Settings) -> None:
    """显示生效的配置及对应的环境变量。

    \b
    示例：
      KEPUBOT_DATA_DIR=/srv/kepubot kepubot config
    """
    rows = [["环境变量", "当前值", "说明"]]
    for field in fields(Settings):
        value = getattr(settings, field.name)
        rows.append([ENV_PREFIX + field.name.upper(), "" if value is None else str(value),
                     DESCRIPTIONS[field.name]])  # fmt: skip
    click.echo(format_table(rows))
