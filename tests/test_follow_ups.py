"""Follow-up questions read with the question before, on tiny reports written here, through
the core and through the terminal chat's piped input."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.cli.chat import run_chat
from bot.core.assistant import Assistant
from knowledge.normalize import Normalizer
from tests.files import assistant_over, ingested

CITY = """青山市科协2023年全国科普日活动总结
一、各镇活动丰富多彩
红星镇科协在镇政府门口开展科普日宣传活动，发放资料一千份。
白石乡科协组织全乡党员开展科普日活动，收看专题讲座。
二、活动成果
科普日期间全市共举办科普讲座12场，听众达3000人次，主讲专家来自市医学会和农学会。
"""
STREET = """东湖街道科协2023年科普工作总结
一、科普日活动
科普日当天，街道科协在社区广场设立咨询台，组织居民参加科普游园活动。
二、读书活动
街道在社区书屋开展科普读书活动，共有200人次参加。
"""
TOWN = """绿水镇科协2023年科普工作总结
一、科普讲座
今年我镇科协举办科普讲座8场，听众达800人次。
二、读书活动
镇科协在文化站开展科普读书活动，共有300人次参加。
"""


@pytest.fixture()
def assistant(tmp_path: Path, normalizer: Normalizer) -> Assistant:
    store = ingested(tmp_path, normalizer, {"city": CITY, "street": STREET, "town": TOWN})
    return assistant_over(store, normalizer)


def test_a_follow_up_naming_a_level_asks_the_same_topic_at_that_level(
    assistant: Assistant,
) -> None:
    first = assistant.answer("乡镇是怎么开展科普日活动的？")
    answer = assistant.answer("那街道呢？", previous=first)
    assert answer.lead.startswith("接着上一个问题「乡镇是怎么开展科普日活动的？」：")
    assert answer.parsed is not None and answer.parsed.level == "街道"
    assert answer.citations[0].title == "东湖街道科协2023年科普工作总结"
    assert "科普日当天，街道科协在社区广场设立咨询台，组织居民参加科普游园活动。" in [
        q.text for q in answer.quotes
    ]


def test_a_follow_up_asking_a_figure_gets_it_for_the_same_event(assistant: Assistant) -> None:
    first = assistant.answer("青山市科普日期间举办了几场讲座？")
    assert first.quotes[0].figure == "12场"
    answer = assistant.answer("听众有多少？", previous=first)
    assert answer.follows == "青山市科普日期间举办了几场讲座？"
    assert answer.quotes[0].figure == "3000人次"
    assert answer.citations[0].title == "青山市科协2023年全国科普日活动总结"


def test_a_follow_up_with_a_pronoun_keeps_the_topic(assistant: Assistant) -> None:
    first = assistant.answer("青山市科普日期间举办了几场讲座？")
    answer = assistant.answer("他们请了谁来讲？", previous=first)
    assert answer.follows and "主讲专家来自市医学会和农学会" in answer.text


def test_a_question_with_its_own_topic_starts_afresh(assistant: Assistant) -> None:
    first = assistant.answer("乡镇是怎么开展科普日活动的？")
    answer = assistant.answer("绿水镇科协在文化站开展的读书活动有多少人次参加？", previous=first)
    assert answer.follows == "" and not answer.lead.startswith("接着")
    assert answer.quotes[0].figure == "300人次"


def test_a_question_about_an_answer_searches_only_the_reports_it_cited(
    assistant: Assistant,
) -> None:
    first = assistant.answer("绿水镇科协举办了几场科普讲座？")
    assert {c.title for c in first.citations} == {"绿水镇科协2023年科普工作总结"}
    free = assistant.answer("读书活动有多少人次参加？")
    assert free.quotes[0].figure == "200人次"  # the street's, when nothing scopes it
    scoped = assistant.answer("读书活动有多少人次参加？", previous=first, within_previous=True)
    assert {c.title for c in scoped.citations} == {"绿水镇科协2023年科普工作总结"}
    assert scoped.quotes[0].figure == "300人次"


def test_the_chat_keeps_the_last_question_until_new(assistant: Assistant) -> None:
    out = io.StringIO()
    lines = ["青山市科普日期间举办了几场讲座？", "听众有多少？", "/new", "听众有多少？"]
    run_chat(assistant, lines, out, 500)
    turns = out.getvalue().split("\n\n")
    followed = [t for t in turns if t.startswith("接着上一个问题")]
    assert len(followed) == 1 and "3000人次" in followed[0]
    assert "好的，下一个问题将作为新话题回答。" in out.getvalue()
    assert not out.getvalue().rstrip().split("好的，下一个问题将作为新话题回答。")[1].count("接着")


def test_a_demonstrative_in_a_question_with_its_own_topic_does_not_make_it_a_follow_up(
    assistant: Assistant,
) -> None:
    first = assistant.answer("青山市科普日期间举办了几场讲座？")
    answer = assistant.answer("那个文化站的科普读书活动有多少人次参加？", previous=first)
    assert answer.follows == "" and answer.quotes[0].figure == "300人次"


def test_the_second_report_of_an_answer_is_the_one_a_follow_up_names_by_its_place(
    assistant: Assistant,
) -> None:
    first = assistant.answer("科普读书活动是怎么开展的？")
    reports = list(dict.fromkeys(c.title for c in first.citations))
    assert len(reports) == 2
    answer = assistant.answer("第二个报告具体怎么做的？", previous=first)
    assert answer.follows and {c.title for c in answer.citations} == {reports[1]}


def test_a_follow_up_written_alike_in_both_scripts_keeps_the_conversations_script(
    assistant: Assistant,
) -> None:
    first = assistant.answer("鄉鎮是怎麼開展科普日活動的？")
    assert first.script == "traditional"
    answer = assistant.answer("那街道呢？", previous=first)
    assert answer.script == "traditional" and answer.lead.startswith("接著上一個問題")
    assert "社區廣場" in answer.text


def test_a_follow_up_of_an_examples_question_asks_for_examples_too(
    assistant: Assistant,
) -> None:
    first = assistant.answer("有没有开展科普日活动的例子？")
    assert first.kind == "examples" and len(first.citations) >= 2
    answer = assistant.answer("那街道呢？", previous=first)
    assert answer.kind == "examples"
    assert {c.title for c in answer.citations} == {"东湖街道科协2023年科普工作总结"}
