"""`kepubot facts`: the reports' figures as a table, for the year-end statistics."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import click

from bot.cli.support import format_table, open_assistant, with_filters
from bot.core import FACT_COLUMNS, Filters, fact_row, facts_workbook
from bot.settings import Settings


@click.command()
@click.argument("topic", required=False, default="")
@click.option("--unit", help="只看该单位的数字，如 人次、场、万元")
@click.option("--csv", "as_csv", is_flag=True, help="输出 CSV（UTF-8，带 BOM，Excel 可直接打开）")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON 数组")
@click.option("--xlsx", "as_xlsx", is_flag=True, help="写成 Excel 文件（见 --output）")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
    default=Path("kepubot-facts.xlsx"), show_default=True, help="--xlsx 写入的文件",
)  # fmt: skip
@with_filters
@click.pass_obj
def facts(
    settings: Settings, topic: str, unit: str | None, as_csv: bool, as_json: bool,
    as_xlsx: bool, output: Path, year: int | None, place: str | None, level: str | None,
) -> None:  # fmt: skip
    """列出报告中的数字：数值、单位、统计对象、活动，以及所在报告、章节和原句。

    给出主题时只列原句（连同章节标题）与主题相关的数字。

    \b
    示例：
      kepubot facts 科普日
      kepubot facts 培训 --unit 人次 --csv > 培训人次.csv
      kepubot facts 科普日 --xlsx -o 科普日数字.xlsx
    """
    if sum((as_csv, as_json, as_xlsx)) > 1:
        raise click.UsageError("--csv、--json、--xlsx 只能选一个。")
    assistant = open_assistant(settings)
    try:
        found = assistant.facts(topic, unit, Filters(year, place, level))
    finally:
        assistant.close()
    rows = [fact_row(fact) for fact in found]
    if as_xlsx:
        try:
            output.write_bytes(facts_workbook(found, topic or "数字"))
        except OSError as exc:
            raise click.ClickException(
                f"无法写入 {output}（{exc.strerror}），请换一个位置。"
            ) from exc
        click.echo(f"已写入 {output}：{len(rows)} 个数字。")
    elif as_csv:
        sys.stdout.write("\ufeff")  # Excel reads a CSV as UTF-8 only with the mark
        writer = csv.writer(sys.stdout)
        writer.writerow(FACT_COLUMNS)
        writer.writerows(rows)
    elif as_json:
        records = [dict(zip(FACT_COLUMNS, row, strict=True)) for row in rows]
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
    elif not rows:
        click.echo("报告中没有找到相关的数字。")
    else:
        table = [["数字", "统计对象", "活动", "报告", "原句"]]
        table += [[f.written, f.counted, f.event, f.title, f.sentence[:40]] for f in found]
        click.echo(format_table(table))
        click.echo(f"共 {len(rows)} 个数字。")
