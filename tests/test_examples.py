"""Examples of past practice: only reports that are about the topic, and an honest count."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.assistant import Assistant
from knowledge.normalize import Normalizer
from tests.files import assistant_over, ingested

REPORTS = {
    "甲街道": "今年高交会期间，甲街道科协组织辖区企业技术人员参观高交会，交流科技成果。",
    "乙镇": "乙镇科协组织企业参观高交会展馆，了解新产品新技术。",
    # Every word of the topic but the one that says what it is about:
    "丙镇": "丙镇科协组织企业参观科技馆，组织企业技术人员参观学习。",
    "丁社区": "丁社区开展垃圾分类宣传，发放资料五百份。",
    "戊街道": "戊街道召开年度工作会议，总结全年工作。",
    "己县": "己县科协举办青少年科技创新大赛，评出一等奖十名。",
}


@pytest.fixture()
def assistant(tmp_path: Path, normalizer: Normalizer) -> Assistant:
    reports = {
        name: f"{name}科协工作总结\n一、主要做法\n{body}\n" for name, body in REPORTS.items()
    }
    return assistant_over(ingested(tmp_path, normalizer, reports), normalizer)


def test_examples_list_only_the_reports_about_the_topic_and_count_them(
    assistant: Assistant,
) -> None:
    answer = assistant.answer("有没有组织企业参观高交会的例子？")
    assert answer.kind == "examples"
    assert sorted(c.title for c in answer.citations) == ["乙镇科协工作总结", "甲街道科协工作总结"]
    assert answer.lead == "找到两份报告中关于「组织企业参观高交会」的做法："


def test_examples_of_something_no_report_names_are_not_found(assistant: Assistant) -> None:
    # 科协, 组织 and 举办 match everywhere; 院士 is in no report.
    answer = assistant.answer("有没有科协组织举办院士报告会的例子？")
    assert not answer.found and answer.citations == []


def test_not_found_says_what_the_whole_knowledge_base_holds_not_near_miss_titles(
    assistant: Assistant,
) -> None:
    answer = assistant.answer("火星探测器的发射窗口是什么时候？")
    assert not answer.found
    assert answer.lead == "报告中没有找到与「火星探测器的发射窗口是什么时候？」相关的内容。"
    (holdings,) = answer.suggestions
    assert holdings.startswith("知识库目前收录六份报告") and "《" not in holdings
    assert holdings.endswith("可以换个说法再问，或用 /examples 主题 查看往年做法。")


def test_a_reports_title_is_never_quoted_as_an_answer(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    title = "青山镇组织企业参观高交会情况总结"  # every word of the question, and no answer
    text = f"{title}\n今年青山镇科协组织二十家企业参观高交会，签订合作意向三项。\n"
    assistant = assistant_over(ingested(tmp_path, normalizer, {"青山镇": text}), normalizer)
    answer = assistant.answer("青山镇组织企业参观高交会的情况怎么样？")
    assert answer.found and answer.quotes
    assert all(q.text != title for q in answer.quotes)
    assert any("二十家企业" in q.text for q in answer.quotes)


def test_a_question_naming_a_level_quotes_that_levels_sentences_of_a_city_report(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    text = (
        "某市科协科普日活动总结\n"
        "一、领导重视\n"
        "市科协高度重视科普日活动，成立科普日活动领导小组，制订科普日活动方案。\n"
        "市科协召开科普日活动动员会，部署开展科普日活动。\n"
        "市科协联合市教育局开展科普日活动进校园，开展科普日活动宣传。\n"
        "二、各地开展科普日活动\n"
        "全市科普日活动期间共开展科普日活动讲座六场，科普日活动反响良好。\n"
        "青山镇科协在镇政府门口开展科普日宣传活动，发放资料一千份。\n"
        "白石乡科协组织全乡党员开展科普日活动，收看专题讲座。\n"
    )
    assistant = assistant_over(ingested(tmp_path, normalizer, {"某市": text}), normalizer)
    answer = assistant.answer("乡镇是怎么开展科普日活动的？")
    assert answer.found
    quoted = [q.text for q in answer.quotes]
    # The township sentences, not only the city's own words about the same day.
    assert any("青山镇科协" in q for q in quoted) and any("白石乡" in q for q in quoted)


@pytest.mark.parametrize(
    "question", ["海南省乡镇是怎么开展科普讲座的？", "有没有海南组织企业参观高交会的例子？"]
)
def test_a_place_no_report_is_from_is_said_and_nothing_is_answered_from_elsewhere(
    assistant: Assistant, question: str
) -> None:
    answer = assistant.answer(question)
    assert not answer.found and answer.citations == [] and answer.quotes == []
    assert answer.lead == "知识库中没有海南的报告，因此不用其他地方的报告来回答。"
    assert answer.suggestions[0].startswith("知识库目前收录六份报告")


def test_a_place_some_passage_names_is_never_called_absent(assistant: Assistant) -> None:
    # 甲街道 is no report's place tag here, but a passage names it: answer normally.
    answer = assistant.answer("甲街道是怎么组织企业参观高交会的？")
    assert answer.found and not answer.lead.startswith("知识库中没有")


def test_of_two_option_lists_the_rarer_says_what_a_case_is_of_and_only_its_sentences_are_quoted(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    reports = {
        "甲镇": "甲镇科协工作总结\n一、活动\n甲镇科协组织学生参加环保知识竞赛，完成试题三百道。"
        "甲镇科协组织学生参观科技馆，开阔眼界。\n",
        "乙街道": "乙街道科协工作总结\n一、活动\n乙街道科协组织社区群众举办了消防知识答题活动。\n",
        # Names the who of the question (学生, 群众) and nothing it asks for.
        "丙县": "丙县科协工作总结\n一、活动\n"
        "丙县科协组织学生开展科普活动，组织群众收看科普讲座。\n",
        "丁县": "丁县科协工作总结\n一、活动\n丁县科协组织群众学生开展科技活动。\n",
        **{
            f"戊{n}": f"戊{n}街道科协工作总结\n一、读书\n第{n}街道科协开展读书活动。\n"
            for n in range(6)
        },
    }
    assistant = assistant_over(ingested(tmp_path, normalizer, reports), normalizer)
    answer = assistant.answer("有没有组织群众或者学生搞知识竞赛、知识答题这类活动的例子？")
    assert answer.kind == "examples"
    assert sorted(c.title for c in answer.citations) == ["乙街道科协工作总结", "甲镇科协工作总结"]
    assert [q.text for q in answer.quotes if "甲镇" in q.text] == [
        "甲镇科协组织学生参加环保知识竞赛，完成试题三百道。"
    ]
