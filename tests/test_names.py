"""Things a report counts by naming them one by one, and the answers that count them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.names import counted_kind, distinct, names_of_kind, quoted_names
from knowledge.normalize import Normalizer
from tests.files import assistant_over, ingested
from tests.test_answer import assert_verbatim_and_sourced


@pytest.mark.parametrize(
    ("sentence", "kind", "names"),
    [
        ("我们成功举办了“低碳校园行”活动。", "活动", ["低碳校园行"]),
        ("又举办了“读书征文比赛”和“寝室篮球赛”等活动。", "活动", ["读书征文比赛", "寝室篮球赛"]),
        ("“食全就美”是我们科普部的品牌活动之一。", "活动", ["食全就美"]),
        (
            "建起三个网站：“甲信息网”、“乙科技港”以及“丙信息网”。",
            "网站",
            ["甲信息网", "乙科技港", "丙信息网"],
        ),
        ("积极建设“某某科普网”并于5月开通。", "网站", ["某某科普网"]),
        # A slogan the activity spreads, not its name; 活 is no noun of its own.
        ("组织环保竞赛，传播“绿色健康生活”的理念。", "活动", []),
        ("举办了“科学与健康”讲座。", "活动", []),
    ],
)
def test_a_quoted_name_is_of_a_kind_only_where_the_sentence_says_so(
    sentence: str, kind: str, names: list[str]
) -> None:
    written = quoted_names(sentence)
    assert [written[n] for n in names_of_kind(sentence, kind)] == names


def test_a_short_form_of_a_name_counts_under_the_long_one() -> None:
    assert distinct(["低碳校园行", "低碳", "食全就美", "低碳校园行"]) == ["低碳校园行", "食全就美"]


@pytest.mark.parametrize(
    ("question", "topic", "kind"),
    [
        ("上学期一共办了几个活动？分别是哪些？", ("学期", "办", "活动"), "活动"),
        ("各单位办的科普网站一共有几个？", ("单位", "办", "科普", "网站"), "网站"),
        ("一共培训了多少人次？", ("培训",), None),
    ],
)
def test_the_kind_counted_is_the_noun_after_how_many_or_else_the_last_before_it(
    question: str, topic: tuple[str, ...], kind: str | None
) -> None:
    assert counted_kind(question, topic) == kind


def test_things_named_one_by_one_are_counted_each_once_with_the_sentences_cited(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    reports = {
        "科普部": "某大学科协科普部工作总结\n一、活动\n"
        "上学期，科普部成功举办了“食全就美”科技文化节。“食全就美”是科普部的品牌活动之一。"
        "之后科普部又与公共部举办了“低碳校园行”活动，“低碳”活动反响很好。"
        "科普部还举办了“读书征文比赛”和“寝室篮球赛”等活动。\n",
        # Another level's activity, named as well: not the university's.
        "某镇": "某镇科协工作总结\n一、活动\n镇科协举办了“科技下乡”活动。\n",
        **{f"街道{n}": f"第{n}街道科协工作总结\n一、读书\n第{n}街道开展读书。\n" for n in range(6)},
    }
    assistant = assistant_over(ingested(tmp_path, normalizer, reports), normalizer)
    answer = assistant.answer("高校科普部上学期一共办了几个活动？分别是哪些？")
    assert answer.kind == "total" and answer.found, answer.text
    assert answer.lead.splitlines() == [
        "在一份报告中找到四个写出名称的活动（按名称计，同一份报告里的同一名称只计一次）：",
        "活动：“食全就美”[1]、“低碳校园行”[1]、“读书征文比赛”[1]、“寝室篮球赛”[1]，共四个",
    ]
    assert "科技下乡" not in answer.text
    assert_verbatim_and_sourced(answer, "reader")
