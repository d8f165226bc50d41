"""Helpers shared by the CLI commands: opening the knowledge base and formatting output."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager

import click

from bot.engine import NotReady, SyncReport, open_retriever, sync
from bot.search import Retriever
from bot.settings import Settings
from knowledge.store import Store, StoreError


def run_sync(settings: Settings) -> SyncReport:
    """Ingest and index, turning expected failures into one sentence."""
    try:
        return sync(settings)
    except NotReady as exc:
        raise click.ClickException(str(exc)) from exc


def load_retriever(settings: Settings) -> Retriever:
    try:
        return open_retriever(settings)
    except NotReady as exc:
        raise click.ClickException(str(exc)) from exc


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


def describe_sync(report: SyncReport) -> str:
    """The human-readable ingest report."""
    summary, vectors = report.ingest, report.vectors
    lines = [
        f"知识库已同步（{summary.seconds:.2f} 秒）：{summary.files} 个文件，"
        f"{summary.documents} 份报告（其中 {summary.duplicates} 份为重复，不参与检索），"
        f"{summary.chunks} 个可检索片段。",
        f"新增 {len(summary.added)} · 变更 {len(summary.changed)} · 删除 {len(summary.removed)}"
        f" · 未变 {summary.unchanged} · 失败 {len(summary.failed)}",
    ]
    lines += [f"  失败：{failure.path} — {failure.reason}" for failure in summary.failed]
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
