import pytest

from knowledge.models import Paragraph
from knowledge.split import parse_number, split_reports


def paragraphs(*lines: str) -> list[Paragraph]:
    return [Paragraph(line) for line in lines]


def test_collection_becomes_one_report_per_marker_with_numbered_titles() -> None:
    reports = split_reports(
        paragraphs(
            "縣科協科普工作總結7篇",
            "縣科協科普工作總結篇1",
            "第一份報告正文。",
            "縣科協科普工作總結篇2",
            "一、標題",
            "第二份報告正文。",
        ),
        "縣科協科普工作總結7篇",
    )
    assert [(r.title, r.number) for r in reports] == [
        ("縣科協科普工作總結 篇1", 1),
        ("縣科協科普工作總結 篇2", 2),
    ]
    assert [p.text for p in reports[1].paragraphs] == ["一、標題", "第二份報告正文。"]


def test_file_without_markers_is_one_report_titled_by_its_first_line() -> None:
    reports = split_reports(paragraphs("社区科普工作总结", "今年我们做了很多工作。"), "file")
    assert [(r.title, r.number, len(r.paragraphs)) for r in reports] == [
        ("社区科普工作总结", None, 2)
    ]


def test_file_without_title_line_is_titled_by_file_name() -> None:
    reports = split_reports(paragraphs("一、做法", "今年我们做了很多工作。"), "街道总结")
    assert reports[0].title == "街道总结"


def test_out_of_order_marker_like_lines_do_not_split() -> None:
    lines = paragraphs("读书心得篇3", "正文一。", "精选篇5", "正文二。")
    assert len(split_reports(lines, "x")) == 1


@pytest.mark.parametrize(
    ("text", "number"), [("1", 1), ("七", 7), ("十", 10), ("十二", 12), ("二十三", 23)]
)
def test_parse_number_reads_arabic_and_chinese_numerals(text: str, number: int) -> None:
    assert parse_number(text) == number


def test_alternative_marker_forms_split_too() -> None:
    reports = split_reports(
        paragraphs("【篇一】", "甲。", "【篇二】", "乙。", "第3篇", "丙。"), "范文"
    )
    assert [r.number for r in reports] == [1, 2, 3]
    assert reports[0].title == "范文 篇1"
