"""Recognised boxes become paragraphs in reading order (geometry only, no OCR)."""

from __future__ import annotations

import math

from knowledge.layout import Box, arrange, skew

CHAR = 30  # a character's size in pixels


def box(text: str, left: float, top: float, tilt: float = 0.0) -> Box:
    """A box of `text` at (left, top) turned by `tilt` radians about the page's origin."""
    width = CHAR * len(text)
    corners = [(left, top), (left + width, top), (left + width, top + CHAR), (left, top + CHAR)]
    cos, sin = math.cos(tilt), math.sin(tilt)
    turned = [(x * cos - y * sin, x * sin + y * cos) for x, y in corners]
    return Box(text, (turned[0], turned[1], turned[2], turned[3]))


def test_wrapped_lines_join_and_numbered_or_indented_lines_start_paragraphs() -> None:
    boxes = [
        box("一、工作概况", 100, 100),
        box("今年我县科协组织开展科普活动，覆盖全县十二个", 160, 150),  # indented two
        box("乡镇和八十个村。", 100, 200),
        box("（一）科普讲座", 100, 250),
        box("举办讲座十场，听众两千人次，其中青少年占到了一半", 100, 300),
        box("以上，反响很好。", 100, 350),
        box("会后收集意见建议三十条，整理后报送县委县政府参阅", 100, 400),
        box("下一步继续开展。", 160, 450),
    ]
    assert arrange(boxes) == [
        "一、工作概况",
        "今年我县科协组织开展科普活动，覆盖全县十二个乡镇和八十个村。",
        "（一）科普讲座",
        "举办讲座十场，听众两千人次，其中青少年占到了一半以上，反响很好。",
        "会后收集意见建议三十条，整理后报送县委县政府参阅",
        "下一步继续开展。",
    ]


def test_boxes_split_within_a_line_are_joined_left_to_right() -> None:
    boxes = [box("工作概况", 160, 102), box("一、", 100, 100), box("kepubot", 300, 98)]
    boxes.append(box("v2", 530, 100))
    assert arrange(boxes) == ["一、工作概况kepubot v2"]


def test_two_columns_are_read_left_column_first_under_a_title_spanning_both() -> None:
    left = [f"左栏第{n}行的文字内容" for n in range(4)]
    right = [f"右栏第{n}行的文字内容" for n in range(4)]
    boxes = [box("县科协二〇二四年科普工作总结", 250, 50)]
    for n in range(4):
        boxes += [box(left[n] + "。", 100, 150 + 50 * n), box(right[n] + "。", 600, 150 + 50 * n)]
    assert arrange(boxes) == [
        "县科协二〇二四年科普工作总结",
        *[line + "。" for line in left],
        *[line + "。" for line in right],
    ]


def test_a_tilted_page_keeps_its_lines_apart() -> None:
    tilt = math.radians(3)
    lines = [
        f"第{n}行：科普宣传活动内容，发放资料两千份，受益群众一万余人次，反响良好。"
        for n in range(6)
    ]
    boxes = [box(line, 100, 100 + 40 * n, tilt) for n, line in enumerate(lines)]
    # Over 1200 pixels a 3° tilt drops a line's end 63 pixels, more than the line spacing:
    # upright boxes around the tilted lines would overlap their neighbours by more than half.
    assert abs(skew(boxes) - tilt) < 1e-6
    assert arrange(list(reversed(boxes))) == lines


def test_empty_boxes_make_no_paragraph() -> None:
    assert arrange([box(" ", 100, 100)]) == []
