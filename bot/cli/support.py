"""What the CLI commands share: opening the core, the filter flags, sync summaries, tables."""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Callable
from typing import TypeVar

import click

from bot.core import LEVELS, Assistant, NotReady, RemovalsHeld, SyncReport, sync
from bot.core.wording import sync_counts
from bot.settings import Settings

F = TypeVar("F", bound=Callable[..., None])


def run_sync(settings: Settings, allow_removals: bool = False) -> SyncReport:
    """Ingest and index, turning expected failures into one sentence. On a terminal, each
    file being read is shown as it starts (a scan or a conversion can take a while)."""
    progress = _show_progress if sys.stderr.isatty() else None
    try:
        return sync(settings, allow_removals=allow_removals, progress=progress)
    except RemovalsHeld as exc:
        raise click.ClickException(
            f"{exc}如果确实要删除，请运行 kepubot ingest --allow-removals。"
        ) from exc
    except NotReady as exc:
        raise click.ClickException(str(exc)) from exc


def _show_progress(n: int, count: int, source: str) -> None:
    end = "\n" if n == count else ""
    click.echo(f"\r\033[K读取 {n}/{count}：{source}{end}", err=True, nl=False)


def open_assistant(settings: Settings) -> Assistant:
    try:
        return Assistant.open(settings)
    except NotReady as exc:
        raise click.ClickException(str(exc)) from exc


def with_filters(function: F) -> F:
    """--year, --place and --level, the same on every command that searches."""
    options = [
        click.option("--year", type=int, help="只看该年份的报告"),
        click.option("--place", help="只看该地点的报告，如 成都"),
        click.option("--level", type=click.Choice(LEVELS), help="只看该层级的报告"),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def describe_sync(report: SyncReport) -> str:
    """The human-readable ingest report."""
    summary, vectors = report.ingest, report.vectors
    lines = [
        f"知识库已同步（{summary.seconds:.2f} 秒）：{summary.files} 个文件，"
        f"{summary.documents} 份报告（其中 {summary.duplicates} 份为重复，不参与检索），"
        f"{summary.chunks} 个可检索片段。",
        sync_counts(summary, len(summary.failed)),
    ]
    lines += [f"  失败：{failure.path} — {failure.reason}" for failure in summary.failed]
    lines += [f"  注意：{note.path} — {note.reason}" for note in summary.notes]
    lines.append(
        f"向量索引：{vectors.vectors} 条（本次新编码 {vectors.embedded}，移除 {vectors.removed}，"
        f"{'精确' if vectors.kind == 'flat' else '近似 IVF'}检索，模型 {vectors.model_id}，"
        f"{vectors.seconds:.2f} 秒）。"
    )
    if vectors.warning:
        lines.append(f"  注意：{vectors.warning}")
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
