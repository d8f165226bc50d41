"""The `kepubot` command line: ingest, docs, export, config, start."""

from __future__ import annotations

import json
import logging
import os
import sys
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import Any

import click

from bot.settings import DESCRIPTIONS, ENV_PREFIX, Settings, SettingsError, load_settings, validate
from knowledge.ingest import ChunkBudget, IngestSummary, sync_folder
from knowledge.normalize import Normalizer, load_variants
from knowledge.store import Store, StoreError

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
    help="TOML 配置文件（KEPUBOT_CONFIG；默认读取当前目录的 kepubot.toml）",
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
    if config is None and Path("kepubot.toml").is_file():
        config = Path("kepubot.toml")
    try:
        settings = load_settings(os.environ, config, knowledge_dir=knowledge_dir, data_dir=data_dir)
        validate(settings)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    ctx.obj = settings


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="输出 JSON 摘要")
@click.pass_obj
def ingest(settings: Settings, as_json: bool) -> None:
    """同步报告目录到知识库：只处理新增、变更的文件，删除已移除文件的内容。

    \b
    示例：
      kepubot ingest
      kepubot ingest --json
    """
    summary = run_ingest(settings)
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(describe_summary(summary))


@cli.command()
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


@cli.command()
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


@cli.command()
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


@cli.command()
@click.pass_obj
def start(settings: Settings) -> None:
    """`make run` 的入口：同步知识库并显示摘要。

    \b
    示例：
      kepubot start
    """
    click.echo(describe_summary(run_ingest(settings)))


def run_ingest(settings: Settings) -> IngestSummary:
    """Sync the knowledge folder into the store named by the settings."""
    if not settings.knowledge_dir.is_dir():
        raise click.ClickException(
            f"报告目录 {settings.knowledge_dir} 不存在，"
            "请用 --knowledge-dir 或 KEPUBOT_KNOWLEDGE_DIR 指定。"
        )
    normalizer = Normalizer(load_variants(settings.variants_file))
    budget = ChunkBudget(settings.chunk_min_chars, settings.chunk_max_chars)
    with open_store(settings, create=True) as store:
        return sync_folder(settings.knowledge_dir, store, normalizer, budget)


@contextmanager
def open_store(settings: Settings, create: bool = False) -> Iterator[Store]:
    """Open the store, turning a missing or damaged file into one actionable sentence."""
    try:
        store = Store(settings.database_path, create=create)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        yield store
    finally:
        store.close()


def describe_summary(summary: IngestSummary) -> str:
    """The human-readable ingest report."""
    lines = [
        f"知识库已同步（{summary.seconds:.2f} 秒）：{summary.files} 个文件，"
        f"{summary.documents} 份报告（其中 {summary.duplicates} 份为重复，不参与检索），"
        f"{summary.chunks} 个可检索片段。",
        f"新增 {len(summary.added)} · 变更 {len(summary.changed)} · 删除 {len(summary.removed)}"
        f" · 未变 {summary.unchanged} · 失败 {len(summary.failed)}",
    ]
    lines += [f"  失败：{failure.path} — {failure.reason}" for failure in summary.failed]
    return "\n".join(lines)


def format_table(rows: list[list[str]]) -> str:
    """Align columns by display width (a Chinese character is two columns)."""
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)).rstrip()
        for row in rows
    )


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point."""
    return cli.main(args=argv, prog_name="kepubot")


if __name__ == "__main__":
    sys.exit(main())
