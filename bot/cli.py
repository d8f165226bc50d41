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

from bot.engine import NotReady, SyncReport, open_retriever, sync
from bot.evaluate import evaluate_questions, evaluate_squad, read_questions
from bot.search import MODES, Filters, Retriever, SearchResult, Weights
from bot.settings import DESCRIPTIONS, ENV_PREFIX, Settings, SettingsError, load_settings, validate
from embeddings.index import VectorIndex
from embeddings.sync import INDEX_FOLDER, load_encoder, sync_vectors
from knowledge.metadata import LEVELS
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
    report = run_sync(settings)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(describe_sync(report))


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
    click.echo(describe_sync(run_sync(settings)))


@cli.command()
@click.argument("question", required=False)
@click.option("--top-k", type=click.IntRange(1, 100), help="返回结果数（默认 KEPUBOT_TOP_K）")
@click.option("--json", "as_json", is_flag=True, help="输出一个 JSON 对象")
@click.option("--jsonl", is_flag=True, help="从标准输入逐行读问题，逐行输出 JSON")
@click.option("--mode", type=click.Choice(MODES), default="hybrid", show_default=True)
@click.option("--year", type=int, help="只看该年份的报告")
@click.option("--place", help="只看该地点的报告，如 成都")
@click.option("--level", type=click.Choice(LEVELS), help="只看该层级的报告")
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
      printf '科普日\n读书活动\n' | kepubot search --jsonl
    """
    if jsonl == bool(question):
        raise click.UsageError("请给出一个问题，或用 --jsonl 从标准输入读取问题（二者选一）。")
    retriever = load_retriever(settings)
    filters = Filters(year, place, level)
    k = top_k or settings.top_k
    if jsonl:
        for line in sys.stdin:
            if line.strip():
                result = retriever.search(line.strip(), k, filters, mode)
                click.echo(json.dumps(result_json(result), ensure_ascii=False))
        return
    assert question is not None
    result = retriever.search(question, k, filters, mode)
    if as_json:
        click.echo(json.dumps(result_json(result), ensure_ascii=False, indent=2))
    else:
        click.echo(describe_result(result))


@cli.command(name="eval")
@click.argument("questions", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@click.pass_obj
def eval_command(settings: Settings, questions: Path, as_json: bool) -> None:
    """在问题集上评测检索：hit@1、hit@5、MRR@10 与反例判定，三种模式对比。

    \b
    示例：
      kepubot eval ../shared/eval/dev_questions.jsonl
    """
    retriever = load_retriever(settings)
    try:
        rows = evaluate_questions(retriever, read_questions(questions), retriever.normalizer)
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


@cli.command(name="eval-squad")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@click.pass_obj
def eval_squad(settings: Settings, file: Path, as_json: bool) -> None:
    """在 SQuAD 格式数据（CMRC、DRCD）上评测检索，含问题转为另一字体后的结果。

    \b
    示例：
      kepubot eval-squad ../shared/eval/external/cmrc2018/cmrc2018_trial.json
    """
    normalizer = Normalizer(load_variants(settings.variants_file))

    def make_retriever(store: Store, folder: Path) -> Retriever:
        sync_vectors(
            store, normalizer, folder, settings.embedding_model, settings.exact_search_limit
        )
        index, _ = VectorIndex.load(folder / INDEX_FOLDER)
        encoder = load_encoder(settings.embedding_model, folder)
        weights = Weights(settings.keyword_weight, settings.effective_vector_weight)
        return Retriever(store, normalizer, encoder, index, weights, settings.min_coverage)

    try:
        report = evaluate_squad(file, normalizer, make_retriever)
    except (ValueError, KeyError) as exc:
        raise click.ClickException(f"{file} 不是 SQuAD 格式的 JSON（{exc}）。") from exc
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    columns = ["mode", "recall@1", "recall@5", "recall@10", "mrr@10", "avg_chunk_chars"]
    for run, rows in report.items():
        click.echo(f"{run}（{rows[0]['questions']} 个问题）")
        click.echo(format_table([columns] + [[str(r[c]) for c in columns] for r in rows]))


def result_json(result: SearchResult) -> dict[str, Any]:
    """The machine-readable search result."""
    return {
        "query": result.query,
        "found": result.found,
        "coverage": round(result.coverage, 3),
        "filters": {k: v for k, v in vars(result.filters).items() if v is not None},
        "hits": [
            {
                "chunk_id": h.chunk_id, "title": h.title, "heading_path": list(h.heading_path),
                "text": h.text, "score": h.score, "keyword_score": h.keyword_score,
                "vector_score": h.vector_score, "source": h.source, "place": list(h.place),
                "level": h.level, "year": h.year,
            }
            for h in result.hits
        ],
    }  # fmt: skip


def describe_result(result: SearchResult) -> str:
    if not result.found:
        return "知识库中没有找到与这个问题相关的内容。"
    lines = []
    for n, hit in enumerate(result.hits, start=1):
        where = " · ".join(
            x for x in (",".join(hit.place), hit.level or "", str(hit.year or "")) if x
        )
        lines.append(
            f"[{n}] {hit.title} › {' › '.join(hit.heading_path)}  {where}  ({hit.score:.3f})"
        )
        lines.append("    " + hit.text.replace("\n", " ")[:160])
    return "\n".join(lines)


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


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point."""
    return cli.main(args=argv, prog_name="kepubot")


if __name__ == "__main__":
    sys.exit(main())
