"""`kepubot facts`: the figures of the reports on a topic, as a table, CSV, JSON or .xlsx."""

import io
import json
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from bot.cli import cli
from knowledge.facts import VERSION as FACTS_VERSION

STREET = """来源街道2023年科普工作总结
一、全国科普日
全国科普日期间，街道共开展科普讲座6场次，听众达4000多人次。
发放宣传资料1500多份，落实科普经费7500元。
二、科技培训
举办实用技术培训班13期，培训居民800余人次。
"""
TOWN = """白石镇2023年科协工作总结
一、科普日活动
科普日当天，镇科协组织科普讲座10场，发放资料2万份。
二、学会工作
全镇现有学会3个。
"""


@pytest.fixture()
def dirs(tmp_path: Path) -> list[str]:
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "来源街道.txt").write_text(STREET, encoding="utf-8")
    (folder / "白石镇.txt").write_text(TOWN, encoding="utf-8")
    args = ["--knowledge-dir", str(folder), "--data-dir", str(tmp_path / "var")]
    assert CliRunner().invoke(cli, [*args, "ingest"]).exit_code == 0
    return args


def test_facts_on_a_topic_list_its_figures_with_report_and_sentence(dirs: list[str]) -> None:
    result = CliRunner().invoke(cli, [*dirs, "facts", "科普日", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["数字（原文）"], r["单位"], r["统计对象"], r["活动"]) for r in rows] == [
        ("6场次", "场次", "科普讲座", "全国科普日"),
        ("4000多人次", "人次", "听众", "全国科普日"),
        ("1500多份", "份", "宣传资料", "全国科普日"),
        ("7500元", "元", "科普经费", "全国科普日"),
        ("10场", "场", "科普讲座", "科普日"),
        ("2万份", "份", "资料", "科普日"),
    ]
    assert rows[5]["数值"] == 20000 and rows[1]["限定"] == "多"
    assert rows[4]["原句"] == "科普日当天，镇科协组织科普讲座10场，发放资料2万份。"
    assert rows[4]["出处"].startswith("白石镇2023年科协工作总结 › 一、科普日活动")


def test_facts_filter_by_unit_and_level(dirs: list[str]) -> None:
    result = CliRunner().invoke(cli, [*dirs, "facts", "--unit", "人次", "--json"])
    assert [r["数字（原文）"] for r in json.loads(result.output)] == ["4000多人次", "800余人次"]
    town = CliRunner().invoke(cli, [*dirs, "facts", "--level", "乡镇", "--json"])
    assert [r["数字（原文）"] for r in json.loads(town.output)] == ["10场", "2万份", "3个"]


def test_facts_xlsx_has_one_row_per_figure_with_citations(dirs: list[str], tmp_path: Path) -> None:
    path = tmp_path / "科普日.xlsx"
    result = CliRunner().invoke(cli, [*dirs, "facts", "科普日", "--xlsx", "-o", str(path)])
    assert result.exit_code == 0 and "6 个数字" in result.output
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("报告", "章节", "地点", "层级", "年份", "数字（原文）")
    assert len(rows) == 7 and all(row[13] and row[12] and row[14] for row in rows[1:])


def test_facts_csv_opens_in_excel_and_an_unknown_topic_says_so(dirs: list[str]) -> None:
    result = CliRunner().invoke(cli, [*dirs, "facts", "科技培训", "--csv"])
    assert result.output.startswith("\ufeff报告,章节")
    assert len(list(io.StringIO(result.output).readlines())) == 3  # header, 13期, 800余人次
    none = CliRunner().invoke(cli, [*dirs, "facts", "无人机航拍"])
    assert none.exit_code == 0 and none.output.strip() == "报告中没有找到相关的数字。"


def test_facts_are_extracted_again_when_the_extractor_changes(dirs: list[str]) -> None:
    """A store whose figures an older extractor read (or a lost one) reads them afresh at
    the next sync, though no file changed."""
    db = Path(dirs[3]) / "kepubot.db"
    with sqlite3.connect(db) as connection:
        connection.execute("DELETE FROM facts")
        connection.execute("UPDATE meta SET value = 'old' WHERE key = 'facts_version'")
    assert CliRunner().invoke(cli, [*dirs, "ingest"]).exit_code == 0
    with sqlite3.connect(db) as connection:
        (count,) = connection.execute("SELECT count(*) FROM facts").fetchone()
        (version,) = connection.execute(
            "SELECT value FROM meta WHERE key = 'facts_version'"
        ).fetchone()
    assert count > 0
    assert version == str(FACTS_VERSION)
