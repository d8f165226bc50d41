"""Spreadsheets and tables (xlsx, csv, docx, html) read as rows that keep their header."""

import datetime
import io
import os
import time
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest

from knowledge import sheet
from knowledge.chunk import chunk_paragraphs
from knowledge.ingest import ChunkBudget, sync_folder
from knowledge.models import Paragraph
from knowledge.normalize import Normalizer, query_terms
from knowledge.readers import UnreadableFile, read_paragraphs
from knowledge.sheet import cell_text
from knowledge.store import Store
from knowledge.table import table_paragraphs
from tests.files import assistant_over


def write_xlsx(path: Path) -> Path:
    """A sheet with a title row merged over the table, a header row, a category merged down
    two rows, a formula, a date and a percentage; and a hidden sheet of dropdown options."""
    workbook = openpyxl.Workbook()
    stats = workbook.active
    stats.title = "2024年"
    stats.append(["科普活动统计表"])
    stats.merge_cells("A1:F1")
    stats.append(["类别", "项目", "场次", "人次", "日期", "完成率"])
    stats.append(["线下", "天文观测", 6.0, 4000, datetime.datetime(2024, 9, 15), 0.35])
    stats.append([None, "科普展览", 3, None, datetime.datetime(2024, 10, 1, 9, 30), 1])
    stats.merge_cells("A3:A4")
    stats.append(["线上", "网络直播", "=C3+C4", 12000, None, None])
    stats["F3"].number_format = stats["F4"].number_format = "0%"
    options = workbook.create_sheet("选项")
    options.append(["线下"])
    options.append(["线上"])
    options.sheet_state = "hidden"
    workbook.save(path)
    return path


XLSX_PARAGRAPHS = [
    Paragraph("2024年", 1),
    Paragraph("科普活动统计表", 2),
    Paragraph("类别：线下；项目：天文观测；场次：6；人次：4000；日期：2024年9月15日；完成率：35%"),
    Paragraph("类别：线下；项目：科普展览；场次：3；日期：2024年10月1日 09:30；完成率：100%"),
    Paragraph("类别：线上；项目：网络直播；人次：12000"),
]


def test_xlsx_rows_keep_their_header_under_the_sheet_and_title_row(tmp_path: Path) -> None:
    notes: list[str] = []
    paragraphs = read_paragraphs(write_xlsx(tmp_path / "统计.xlsx"), notes=notes)
    assert paragraphs == XLSX_PARAGRAPHS
    assert [paragraph.row for paragraph in paragraphs] == [False, False, True, True, True]
    assert notes == ["跳过了隐藏的工作表“选项”；如需导入，请取消隐藏后重新保存。"]


def test_xlsx_sheet_named_by_default_is_headed_by_the_file_name(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["项目", "人次"])
    workbook.active.append(["科普讲座", 800])
    workbook.save(tmp_path / "街道科协活动.xlsx")
    assert read_paragraphs(tmp_path / "街道科协活动.xlsx") == [
        Paragraph("街道科协活动", 1),
        Paragraph("项目：科普讲座；人次：800"),
    ]


@pytest.mark.parametrize(
    ("value", "number_format", "expected"),
    [
        (6.0, "General", "6"),
        (0.1 + 0.2, "General", "0.3"),
        (1234567.0, "General", "1234567"),
        (2.5, "General", "2.5"),
        (0.35, "0%", "35%"),
        (True, "General", "是"),
        (datetime.datetime(2024, 9, 15), "yyyy-mm-dd", "2024年9月15日"),
        (datetime.datetime(2024, 9, 15, 14, 5), "yyyy-mm-dd h:mm", "2024年9月15日 14:05"),
        (datetime.date(2023, 1, 2), "yyyy-mm-dd", "2023年1月2日"),
        (datetime.time(8, 30), "h:mm", "08:30"),
        (None, "General", ""),
        ("科普讲座", "@", "科普讲座"),
    ],
)
def test_cell_values_are_written_as_a_person_writes_them(
    value: object, number_format: str, expected: str
) -> None:
    assert cell_text(value, number_format) == expected


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("项目,场次,人次\r\n机器人竞赛,6,4000\r\n科普展览,3,\r\n", "gbk"),
        ("项目;场次;人次\n机器人竞赛;6;4000\n科普展览;3;\n", "utf-8-sig"),
        ("项目\t场次\t人次\n机器人竞赛\t6\t4000\n科普展览\t3\t\n", "gb18030"),
    ],
)
def test_csv_in_any_encoding_and_delimiter_reads_as_rows_with_header(
    tmp_path: Path, text: str, codec: str
) -> None:
    path = tmp_path / "活动统计.csv"
    path.write_bytes(text.encode(codec))
    assert read_paragraphs(path) == [
        Paragraph("活动统计", 1),
        Paragraph("项目：机器人竞赛；场次：6；人次：4000"),
        Paragraph("项目：科普展览；场次：3"),
    ]


def test_csv_quoted_commas_stay_inside_their_cell(tmp_path: Path) -> None:
    path = tmp_path / "活动.csv"
    path.write_bytes('活动,内容\n科普日,"讲座,展览,义诊"\n'.encode("gbk"))
    assert read_paragraphs(path)[1:] == [Paragraph("活动：科普日；内容：讲座,展览,义诊")]


def test_docx_table_rows_repeat_the_header_and_a_cell_merged_down(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("表1 科普活动统计")
    table = document.add_table(rows=4, cols=3)
    for row, cells in enumerate(
        [("类别", "项目", "场次"), ("线下", "科普讲座", "8"), ("", "科普展览", "3")]
    ):
        for column, text in enumerate(cells):
            table.cell(row, column).text = text
    table.cell(1, 0).merge(table.cell(2, 0))
    for column, text in enumerate(("类别", "项目", "场次")):  # the header repeated on page 2
        table.cell(3, column).text = text
    document.save(str(tmp_path / "report.docx"))
    assert read_paragraphs(tmp_path / "report.docx") == [
        Paragraph("表1 科普活动统计"),
        Paragraph("类别：线下；项目：科普讲座；场次：8"),
        Paragraph("类别：线下；项目：科普展览；场次：3"),
    ]


HTML_TABLE = """<html><body><article><h2>社区科普工作总结</h2>
<p>全年活动情况如下。</p>
<table><caption>活动统计</caption>
<tr><th>类别</th><th>项目</th><th>场次</th></tr>
<tr><td rowspan="2">线下</td><td>科普讲座</td><td>6</td></tr>
<tr><td>科普展览</td><td>3</td></tr>
<tr><td colspan="2">合计</td><td>9</td></tr>
</table><p>明年继续开展。</p></article></body></html>"""


def test_html_table_rows_keep_header_caption_and_spans(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(HTML_TABLE, encoding="utf-8")
    assert read_paragraphs(tmp_path / "page.html") == [
        Paragraph("社区科普工作总结", 2),
        Paragraph("全年活动情况如下。"),
        Paragraph("活动统计"),
        Paragraph("类别：线下；项目：科普讲座；场次：6"),
        Paragraph("类别：线下；项目：科普展览；场次：3"),
        Paragraph("类别：合计；场次：9"),
        Paragraph("明年继续开展。"),
    ]


@pytest.mark.parametrize(
    ("grid", "expected"),
    [
        # Notes above the header are read without it.
        (
            [["填报单位：某某科协", "", "填报日期：2024年12月"], ["项目", "场次", "人次"],
             ["科普讲座", "6", "4000"]],
            ["填报单位：某某科协 | 填报日期：2024年12月", "项目：科普讲座；场次：6；人次：4000"],
        ),
        # A first row of numbers is data, not a header.
        ([["科普讲座", "6"], ["科普展览", "3"]], ["科普讲座 | 6", "科普展览 | 3"]),
        # A header with no rows under it is just a row.
        ([["项目", "数量"]], ["项目 | 数量"]),
        # A column without a header name keeps its value alone.
        ([["项目", "", "人次"], ["讲座", "周末", "50"]], ["项目：讲座；周末；人次：50"]),
    ],
)  # fmt: skip
def test_table_header_is_found_only_where_it_looks_like_one(
    grid: list[list[str]], expected: list[str]
) -> None:
    assert [paragraph.text for paragraph in table_paragraphs(grid)] == expected


def test_one_column_table_is_a_layout_box_of_plain_paragraphs() -> None:
    paragraphs = table_paragraphs([["第一段。"], [""], ["第二段。"]])
    assert paragraphs == [Paragraph("第一段。"), Paragraph("第二段。")]
    assert not any(paragraph.row for paragraph in paragraphs)


def test_a_table_row_is_never_split_across_chunks() -> None:
    rows = table_paragraphs(
        [["项目", "场次", "人次"]]
        + [[f"第{n}期青少年科普讲座", str(n), str(100 * n)] for n in range(1, 9)]
    )
    paragraphs = [Paragraph("一、活动情况"), *rows, Paragraph("二、下一步打算。")]
    chunks = chunk_paragraphs(paragraphs, min_chars=20, max_chars=50)
    row_texts = [row.text for row in rows]
    assert len(chunks) > 3
    for chunk in chunks:
        for line in chunk.text.split("\n"):
            assert line in row_texts or line in ("一、活动情况", "二、下一步打算。"), line


def test_rows_stay_whole_through_ingestion_and_are_found_citing_their_file(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    write_xlsx(folder / "统计.xlsx")
    (folder / "活动.csv").write_bytes("项目,场次\n机器人竞赛,5\n".encode("gbk"))
    (folder / "社区.html").write_text(HTML_TABLE, encoding="utf-8")
    (folder / "街道.txt").write_text("街道科协工作总结\n一、读书\n开展读书活动。\n", "utf-8")
    store = Store(tmp_path / "kb.db")
    summary = sync_folder(folder, store, normalizer, ChunkBudget(min_chars=20, max_chars=60))
    assert summary.failed == []
    assert [(note.path, note.reason) for note in summary.notes] == [
        ("统计.xlsx", "跳过了隐藏的工作表“选项”；如需导入，请取消隐藏后重新保存。")
    ]
    # Each row whole in one chunk (cleaning drops the space after a Chinese date).
    lines = [line for chunk in store.chunks() for line in chunk.text.split("\n")]
    for row in [
        "类别：线下；项目：天文观测；场次：6；人次：4000；日期：2024年9月15日；完成率：35%",
        "类别：线下；项目：科普展览；场次：3；日期：2024年10月1日09:30；完成率：100%",
        "类别：线上；项目：网络直播；人次：12000",
    ]:
        assert lines.count(row) == 1

    def sources(question: str) -> list[str]:
        hits = store.keyword_search(query_terms(normalizer.normalize(question)), limit=3)
        chunks = store.chunks_by_id([hit.chunk_id for hit in hits])
        return [chunks[hit.chunk_id].source for hit in hits]

    assert sources("天文观测")[0] == "统计.xlsx"
    assert sources("机器人竞赛")[0] == "活动.csv"
    assert sources("科普展览 场次")[0] == "社区.html"


def zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (os.urandom(4096), "文件已损坏或格式不正确，无法读取。"),
        (zip_without_workbook(), "文件已损坏或格式不正确，无法读取。"),
    ],
)
def test_broken_xlsx_gets_a_chinese_reason(tmp_path: Path, data: bytes, reason: str) -> None:
    (tmp_path / "统计.xlsx").write_bytes(data)
    with pytest.raises(UnreadableFile) as caught:
        read_paragraphs(tmp_path / "统计.xlsx")
    assert str(caught.value) == reason


def test_xlsx_zip_bomb_is_refused(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", bytes(30_000_000))
    with pytest.raises(UnreadableFile, match="压缩炸弹"):
        read_paragraphs(tmp_path / "bomb.xlsx")


def test_sheet_claiming_a_million_rows_and_columns_is_read_in_part_quickly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sheet, "MAX_ROWS", 500)
    workbook = openpyxl.Workbook()
    rows = workbook.active
    rows.append(["项目", "人次"])
    rows.append(["科普讲座", 50])
    rows.cell(row=1_048_576, column=16_384, value="尾")
    workbook.save(tmp_path / "大表.xlsx")
    notes: list[str] = []
    started = time.perf_counter()
    paragraphs = read_paragraphs(tmp_path / "大表.xlsx", notes=notes)
    assert time.perf_counter() - started < 10
    assert paragraphs == [Paragraph("大表", 1), Paragraph("项目：科普讲座；人次：50")]
    assert notes == ["表格超过 500 行，只导入了前 500 行。"]


def test_an_answer_quotes_a_table_row_whole_with_its_header(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    write_xlsx(folder / "统计.xlsx")
    for n in range(6):
        (folder / f"其他{n}.txt").write_text(
            f"第{n}街道科协工作总结\n一、读书\n街道科协开展读书活动。\n", "utf-8"
        )
    store = Store(tmp_path / "kb.db")
    sync_folder(folder, store, normalizer)
    answer = assistant_over(store, normalizer).answer("天文观测有多少人次？")
    assert [quote.text for quote in answer.quotes][:1] == [
        "类别：线下；项目：天文观测；场次：6；人次：4000；日期：2024年9月15日；完成率：35%"
    ]


def test_a_span_written_in_another_numeral_reads_as_one(tmp_path: Path) -> None:
    page = tmp_path / "表.html"
    page.write_text(
        "<html><body><table><tr><th>项目</th><th colspan='²'>场次</th></tr>"
        "<tr><td>讲座</td><td>6</td></tr></table></body></html>",
        encoding="utf-8",
    )
    assert "项目：讲座；场次：6" in [p.text for p in read_paragraphs(page)]
