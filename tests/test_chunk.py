import re

import pytest

from knowledge.chunk import PREAMBLE, chunk_paragraphs, heading_style, heading_title
from knowledge.models import Paragraph

SENTENCE_END = "。！？；"


def sentence(n: int, length: int = 40) -> str:
    body = f"第{n}句" + "科普宣传工作扎实开展" * 60
    return body[: length - 1] + "。"


@pytest.mark.parametrize(
    ("text", "style"),
    [
        ("一、加强组织领导", "chinese"),
        ("十二、其他", "chinese"),
        ("四、20xx年大致工作思路", "chinese"),  # a year right after the number
        ("一.5倍于去年", None),  # a decimal, not a number and its title
        ("（一）领导重视", "paren_chinese"),
        ("(二)完善机构", "paren_chinese"),
        ("1、读书活动", "arabic"),
        ("2.科普讲座", "arabic"),
        ("（1）组织培训", "paren_arabic"),
        ("(3)发放资料", "paren_arabic"),
        ("①继续做好", "circled"),
        ("第一章 总则", "chapter"),
        ("2011年，在市委的领导下", None),
        ("1.9万元用于培训", None),
        ("一是完善保障机制。", None),
        ("科普工作是一项长期任务。", None),
    ],
)
def test_heading_style_recognises_gongwen_numbering(text: str, style: str | None) -> None:
    assert heading_style(Paragraph(text)) == style


def test_format_level_wins_over_text() -> None:
    assert heading_style(Paragraph("工作概况", level=2)) == "level2"


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("（一）领导重视，目标明确。20xx年，街道高度重视", "（一）领导重视，目标明确"),
        ("一、加强了组织领导", "一、加强了组织领导"),
        ("2、读书活动：全年组织读书会十次", "2、读书活动"),
    ],
)
def test_heading_title_stops_at_first_sentence_end(text: str, title: str) -> None:
    assert heading_title(text) == title


def test_chunks_cover_the_text_and_respect_the_budget() -> None:
    paragraphs = [Paragraph("一、组织领导")]
    paragraphs += [Paragraph("".join(sentence(i * 10 + j) for j in range(4))) for i in range(6)]
    paragraphs += [Paragraph("二、设施建设"), Paragraph(sentence(99))]
    text = "\n".join(p.text for p in paragraphs)
    chunks = chunk_paragraphs(paragraphs, 150, 300)
    assert all(c.text == text[c.start : c.end] for c in chunks)
    assert all(len(c.text) <= 300 for c in chunks)
    assert re.sub(r"\s", "", "".join(c.text for c in chunks)) == re.sub(r"\s", "", text)
    # Every chunk starts at a sentence start.
    assert all(c.start == 0 or text[c.start - 1] in SENTENCE_END + "\n" for c in chunks)


def test_heading_path_nests_by_numbering_order() -> None:
    paragraphs = [
        Paragraph("一、主要做法"),
        Paragraph("（一）抓培训"),
        Paragraph(sentence(1, 200)),
        Paragraph("1、举办讲座"),
        Paragraph(sentence(2, 200)),
        Paragraph("（二）抓宣传"),
        Paragraph(sentence(3, 200)),
        Paragraph("二、存在问题"),
        Paragraph(sentence(4, 200)),
    ]
    chunks = chunk_paragraphs(paragraphs, 150, 250)
    assert [c.heading_path for c in chunks] == [
        ("一、主要做法", "（一）抓培训"),
        ("一、主要做法", "（一）抓培训", "1、举办讲座"),
        ("一、主要做法", "（二）抓宣传"),
        ("二、存在问题",),
    ]


def test_heading_is_never_separated_from_its_first_paragraph() -> None:
    paragraphs = [
        Paragraph(sentence(1, 280)),
        Paragraph("二、设施建设"),
        Paragraph(sentence(2, 100)),
    ]
    chunks = chunk_paragraphs(paragraphs, 50, 300)
    assert chunks[-1].text.startswith("二、设施建设\n第2句")


def test_tiny_sections_merge_under_their_parent() -> None:
    paragraphs = [Paragraph("一、主要做法和经验")] + [
        Paragraph(f"{i}、开展第{i}项宣传工作") for i in range(1, 8)
    ]
    chunks = chunk_paragraphs(paragraphs, 150, 500)
    assert len(chunks) == 1
    assert chunks[0].heading_path == ("一、主要做法和经验",)


def test_text_before_the_first_heading_is_the_preamble() -> None:
    paragraphs = [Paragraph(sentence(1, 200)), Paragraph("一、做法"), Paragraph(sentence(2, 200))]
    chunks = chunk_paragraphs(paragraphs, 150, 300)
    assert chunks[0].heading_path == (PREAMBLE,)


def test_plain_paragraphs_without_headings_chunk_by_size() -> None:
    paragraphs = [Paragraph(sentence(i, 120)) for i in range(10)]
    chunks = chunk_paragraphs(paragraphs, 150, 400)
    assert all(c.heading_path == () for c in chunks)
    assert all(len(c.text) <= 400 for c in chunks)
    # Only the last chunk may stay short, when joining it would break the budget.
    assert all(len(c.text) >= 150 for c in chunks[:-1])


def test_a_sentence_longer_than_the_budget_is_cut_at_clauses() -> None:
    long_sentence = "，".join(f"第{i}项工作按时完成" for i in range(60)) + "。"
    chunks = chunk_paragraphs([Paragraph(long_sentence)], 100, 200)
    assert len(chunks) > 1
    assert all(len(c.text) <= 200 for c in chunks)
    assert "".join(c.text for c in chunks) == long_sentence
    assert all(c.text.startswith("第") for c in chunks)


def test_markdown_levels_build_the_path() -> None:
    paragraphs = [
        Paragraph("年度总结", level=1),
        Paragraph("活动", level=2),
        Paragraph(sentence(1, 200)),
        Paragraph("培训", level=2),
        Paragraph(sentence(2, 200)),
    ]
    chunks = chunk_paragraphs(paragraphs, 150, 250)
    assert [c.heading_path for c in chunks] == [("年度总结", "活动"), ("年度总结", "培训")]


def test_a_sentence_that_points_back_is_not_cut_off_from_the_one_before() -> None:
    # Cut for length before "但…", the chunk would open on a sentence that reads only with
    # the one before it, and an answer that spans the two would be in neither chunk.
    text = (
        "县科协组织科普大篷车巡展，走进十二个乡镇。展出展品三十件，观众踊跃。"
        "开展初期天气晴好，参观人数逐日上升。但雨季来临后，参观人数明显回落。"
    )
    texts = [c.text for c in chunk_paragraphs([Paragraph(text)], 10, 60)]
    assert texts == [
        "县科协组织科普大篷车巡展，走进十二个乡镇。展出展品三十件，观众踊跃。",
        "开展初期天气晴好，参观人数逐日上升。但雨季来临后，参观人数明显回落。",
    ]
    # A sentence that points nowhere is cut as before.
    plain = text.replace("但雨季", "雨季")
    assert [c.text for c in chunk_paragraphs([Paragraph(plain)], 10, 60)][-1] == (
        "雨季来临后，参观人数明显回落。"
    )
