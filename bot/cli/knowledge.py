"""Commands about the knowledge base itself: ingest, docs, export, config."""

from __future__ import annotations

import json
from dataclasses import fields

import click

from bot.cli.support import describe_sync, format_table, run_sync
from bot.core import NotReady, export_chunks, read_overview
from bot.settings import DESCRIPTIONS, ENV_PREFIX, Settings, shown_value


@click.command()
@click.option("--json", "as_json", is_flag=True, help="输出 JSON 摘要")
@click.option(
    "--allow-removals", is_flag=True,
    help="确认删除：目录中缺少全部文件或一半以上时，也照样从知识库删除它们",
)  # fmt: skip
@click.pass_obj
def ingest(settings: Settings, as_json: bool, allow_removals: bool) -> None:
    """同步报告目录到知识库：只处理新增、变更的文件，删除已移除文件的内容。

    目录里缺少知识库中全部文件或一半以上时（目录未挂载、路径写错），同步停止、知识库不变，
    除非加 --allow-removals 确认。

    \b
    示例：
      kepubot ingest
      kepubot ingest --json
      kepubot ingest --allow-removals
    """
    report = run_sync(settings, allow_removals)
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
    try:
        overview = read_overview(settings)
    except NotReady as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        rows = [
            {"title": d.title, "source": d.source, "place": list(d.place), "level": d.level,
             "year": d.year, "chunks": d.chunk_count, "duplicate_of": d.duplicate_of}
            for d in overview.documents
        ]  # fmt: skip
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = [["标题", "地点", "层级", "年份", "片段"]]
    for d in overview.documents:
        title = d.title
        if d.duplicate_of:
            title += f"（与「{overview.title_of(d.duplicate_of)}」重复，不参与检索）"
        table.append(
            [title, "、".join(d.place), d.level or "", str(d.year or ""), str(d.chunk_count)]
        )
    click.echo(format_table(table))


@click.command()
@click.option("--include-duplicates", is_flag=True, help="也导出重复报告的片段")
@click.pass_obj
def export(settings: Settings, include_duplicates: bool) -> None:
    """导出所有片段（原文与检索用规范化文本），每行一个 JSON 对象。

    \b
    示例：
      kepubot export > chunks.jsonl
      kepubot export --include-duplicates | wc -l
    """
    try:
        for chunk in export_chunks(settings, include_duplicates):
            record = {
                "chunk_id": chunk.id, "title": chunk.title,
                "heading_path": list(chunk.heading_path), "place": list(chunk.place),
                "level": chunk.level, "year": chunk.year, "source": chunk.source,
                "start": chunk.start, "end": chunk.end, "text": chunk.text,
                "normalized": chunk.normalized, "duplicate_of": chunk.duplicate_of,
            }  # fmt: skip
            click.echo(json.dumps(record, ensure_ascii=False))
    except NotReady as exc:
        raise click.ClickException(str(exc)) from exc


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
        rows.append([ENV_PREFIX + field.name.upper(), shown_value(settings, field.name),
                     DESCRIPTIONS[field.name]])  # fmt: skip
    click.echo(format_table(rows))
