"""Follow-up questions read with the question before, on tiny reports written here, through
the core and through the terminal chat's piped input."""

from __future__ import annotations

import io
import re
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


def test_a_figure_the_reports_do_not_give_is_not_found_yet_its_topic_goes_on(
    assistant: Assistant,
) -> None:
    first = assistant.answer("青山市科普日期间的讲座花了多少钱？")
    assert not first.found and first.lead.startswith("报告中没有写明这个数字")
    assert first.citations and first.follow_ups  # the closest passage, and where to go next
    answer = assistant.answer("听众有多少？", previous=first)
    assert answer.follows == "青山市科普日期间的讲座花了多少钱？"
    assert answer.quotes[0].figure == "3000人次"


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
    after_new = out.getvalue().split("好的，下一个问题将作为新话题回答。")[1]
    assert "接着上一个问题" not in after_new


def test_the_chat_reads_a_level_a_pronoun_and_a_new_topic_as_the_core_does(
    assistant: Assistant,
) -> None:
    """Issue #15's turns through the terminal chat's piped input, one answer per question."""
    out = io.StringIO()
    lines = ["乡镇是怎么开展科普日活动的？", "那街道呢？", "青山市科普日期间举办了几场讲座？",
             "他们请了谁来讲？", "绿水镇科协在文化站开展的读书活动有多少人次参加？"]  # fmt: skip
    run_chat(assistant, lines, out, 500)
    answers = re.split(r"\n\n(?=接着上一个问题|在\S+报告中找到)", out.getvalue())
    assert len(answers) == 5 and all("来源：" in a for a in answers)
    level, pronoun, fresh = answers[1], answers[3], answers[4]
    assert level.startswith("接着上一个问题「乡镇是怎么开展科普日活动的？」")
    assert "街道科协在社区广场设立咨询台" in level and "红星镇" not in level
    assert pronoun.startswith("接着上一个问题「青山市科普日期间举办了几场讲座？」")
    assert "主讲专家来自市医学会和农学会" in pronoun
    assert "接着" not in fresh and "共有300人次参加" in fresh and "200人次" not in fresh


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


def test_an_answer_over_two_reports_suggests_each_reports_practice_and_a_figure(
    assistant: Assistant,
) -> None:
    first = assistant.answer("读书活动是怎么开展的？")
    assert [c.title for c in first.citations] == [
        "东湖街道科协2023年科普工作总结", "绿水镇科协2023年科普工作总结",
    ]  # fmt: skip
    assert first.follow_ups == [
        "第一个报告具体怎么做的？", "有多少人参加？", "第二个报告具体怎么做的？",
    ]  # fmt: skip
    second = assistant.answer(first.follow_ups[2], previous=first, within_previous=True)
    assert [c.title for c in second.citations] == ["绿水镇科协2023年科普工作总结"]
    assert second.quotes[0].text == "镇科协在文化站开展科普读书活动，共有300人次参加。"


def test_a_fact_answer_suggests_the_figures_it_did_not_ask_and_its_section(
    assistant: Assistant,
) -> None:
    first = assistant.answer("青山市科普日期间举办了几场讲座？")
    # The passage holds people (3000人次) but no sum or day; the count was asked.
    assert first.follow_ups == ["有多少人参加？", "「活动成果」写了什么？"]
    people = assistant.answer(first.follow_ups[0], previous=first, within_previous=True)
    assert people.follows and people.quotes[0].figure == "3000人次"
    section = assistant.answer(first.follow_ups[1], previous=first, within_previous=True)
    assert section.found and section.quotes[0].heading == "二、活动成果"


def test_suggestions_that_would_not_read_as_follow_ups_are_not_offered(
    assistant: Assistant,
) -> None:
    answer = assistant.answer("乡镇是怎么开展科普日活动的？")
    # One report: no 第二个报告. The cited section holds no people, sum, day or count of
    # events (一千份 counts leaflets), so only the section is offered.
    assert answer.follow_ups == ["「各镇活动丰富多彩」写了什么？"]
    assert assistant.answer("海南省是怎么开展科普日活动的？").follow_ups == []  # not found


def test_suggestions_are_in_the_askers_script(assistant: Assistant) -> None:
    answer = assistant.answer("青山市科普日期間舉辦了幾場講座？")
    assert answer.follow_ups == ["有多少人參加？", "「活動成果」寫了什麼？"]


def test_the_chat_numbers_the_suggestions_and_takes_a_number_and_lists_sources(
    assistant: Assistant,
) -> None:
    out = io.StringIO()
    lines = ["青山市科普日期间举办了几场讲座？", "1", "/sources", "/new", "1"]
    run_chat(assistant, lines, out, 500)
    turns = out.getvalue().split("\n\n")
    assert "可以接着问：\n  1. 有多少人参加？\n  2. 「活动成果」写了什么？" in turns[2]
    assert turns[3].startswith("接着上一个问题「青山市科普日期间举办了几场讲座？」")
    assert "听众达3000人次" in turns[3]
    assert turns[6].startswith("上一个回答的来源：\n  [1] 青山市科协2023年全国科普日活动总结")
    # After /new a bare number is a question again, read on its own.
    assert "接着上一个问题" not in turns[-1] and "听众" not in turns[-1]


def test_a_highlighted_sentence_narrows_an_answer_to_its_report(assistant: Assistant) -> None:
    first = assistant.answer("读书活动是怎么开展的？")
    quoted = first.about("共有300人次参加")
    assert [c.title for c in quoted.citations] == ["绿水镇科协2023年科普工作总结"]
    assert first.about("找到相关内容") is first  # the lead names no report
    answer = assistant.answer("他们在哪里办的？", previous=quoted, within_previous=True)
    assert {c.title for c in answer.citations} == {"绿水镇科协2023年科普工作总结"}


@pytest.mark.parametrize(
    "question",
    ["读书活动是怎么开展的？", "青山市科普日期间举办了几场讲座？", "乡镇是怎么开展科普日活动的？",
     "有没有开展科普日活动的例子？", "青山市科普日期間舉辦了幾場講座？"],
)  # fmt: skip
def test_every_suggested_question_is_answered_from_the_answers_reports(
    assistant: Assistant, question: str
) -> None:
    first = assistant.answer(question)
    assert first.follow_ups
    cited = {c.title for c in first.citations}
    for suggested in first.follow_ups:
        answer = assistant.answer(suggested, previous=first, within_previous=True)
        assert answer.found and {c.title for c in answer.citations} <= cited, suggested
        assert answer.script == first.script
