"""Counting and listing questions answered from the table of figures, on tiny reports
written here: every qualifying figure cited, sums only within one unit and one event, the
addition shown with each addend's citation."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.answer import Answer
from bot.core.assistant import Assistant
from bot.core.counting import _shared_lead
from bot.core.question import parse_question
from knowledge.ingest import ChunkBudget
from knowledge.normalize import Normalizer, in_script
from tests.files import assistant_over, ingested
from tests.test_answer import ADDEND, assert_sums_add_up, assert_verbatim_and_sourced, sum_lines

REPORTS = {
    "town": """绿水镇科协2023年科普工作总结
一、全国科普日活动
科普日期间，镇科协举办科普讲座6场，听众达4000多人次。
二、科技活动周
科技活动周期间，镇科协举办科普讲座3场，发放宣传资料500份。
三、农民培训
全年共举办农民技术培训班10期，其中果树培训班4期，参训农民800人次。
""",
    "street": """东湖街道科协2023年科普工作总结
一、全国科普日活动
科普日期间，街道科协举办科普讲座10场，发放宣传资料1500多份。
二、科普经费
今年落实科普经费7500元，人均达到0.5元。
三、社区培训
全年举办居民电脑培训班5期，参训居民300人次。
""",
    "county": """山阳縣科協2023年科普工作總結
一、全國科普日活動
科普日期間，縣科協舉辦科普講座15場，聽眾達6000人次。
二、科普經費
縣財政落實科普經費2萬元。
三、農民培訓
舉辦農民技術培訓班12期，參訓農民1200人次。
""",
}
# Words in more than half the passages are not searched, so a tiny collection needs company.
OTHERS = {
    f"其他{n}": f"第{n}街道科协工作总结\n一、读书\n街道科协开展读书活动。\n" for n in range(6)
}


@pytest.fixture()
def assistant(tmp_path: Path, normalizer: Normalizer) -> Assistant:
    return over(tmp_path, normalizer, REPORTS)


def over(tmp_path: Path, normalizer: Normalizer, reports: dict[str, str]) -> Assistant:
    """An assistant over the reports given, with the company a tiny collection needs."""
    return assistant_over(ingested(tmp_path, normalizer, reports | OTHERS), normalizer)


def shown_figures(answer: Answer) -> list[str]:
    return sorted(q.figure for q in answer.quotes)


def figures_added(line: str) -> list[str]:
    return sorted(number + rest for number, rest, _ in ADDEND.findall(line.split("=")[0]))


def titles(answer: Answer) -> set[str]:
    return {in_script(c.title, "simplified") for c in answer.citations}


def test_a_total_adds_one_events_figures_and_shows_the_addition(assistant: Assistant) -> None:
    answer = assistant.answer("科普日期间各地一共举办了多少场科普讲座？")
    assert answer.kind == "total"
    (line,) = sum_lines(answer)
    assert line.startswith("科普日 · 场：") and line.endswith(" = 31场")
    assert figures_added(line) == ["10场", "15场", "6场"]
    assert_sums_add_up(answer)
    assert_verbatim_and_sourced(answer, "reader")


def test_figures_of_different_events_are_never_added_together(assistant: Assistant) -> None:
    answer = assistant.answer("各地一共举办了多少场科普讲座？")
    lines = sum_lines(answer)
    assert any(line.startswith("科普日 · 场：") and line.endswith("= 31场") for line in lines)
    assert "科技活动周 · 场：3场[4]（仅此一项）" in lines
    assert not any("34场" in line for line in lines)
    assert_sums_add_up(answer)


def test_a_part_is_not_added_to_the_whole_it_belongs_to(assistant: Assistant) -> None:
    answer = assistant.answer("各地一共举办了多少期农民技术培训班？")
    (line,) = sum_lines(answer)
    assert line.endswith("= 22期")  # 10 + 12; 其中果树培训班4期 is part of the 10
    assert "4期" not in line
    assert_sums_add_up(answer)


def test_a_part_of_the_same_thing_is_not_added_twice(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    reports = {
        "青石": "青石镇科协2023年科普工作总结\n一、科普讲座\n"
        "全年共举办科普讲座10场，其中健康科普讲座4场。\n",
        "白沙": "白沙镇科协2023年科普工作总结\n一、科普讲座\n全年举办科普讲座5场。\n",
    }
    assistant = over(tmp_path, normalizer, reports)
    answer = assistant.answer("各地一共举办了多少场科普讲座？")
    (line,) = sum_lines(answer)
    assert figures_added(line) == ["10场", "5场"] and " = 15场" in line
    assert line.endswith("（另有一个是其中的部分、人均数或重复列出的，未相加）")
    assert "4场" in answer.text  # shown, with its sentence; only not added
    assert_sums_add_up(answer)


def test_a_figure_per_head_or_per_event_is_never_added(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    reports = {
        "青石": "青石镇科协2023年科普工作总结\n一、科普讲座\n"
        "举办科普讲座10场，每场听众200人次，全年听众共2000人次。\n",
        "白沙": "白沙镇科协2023年科普工作总结\n一、科普讲座\n举办科普讲座5场，听众800人次。\n",
    }
    assistant = over(tmp_path, normalizer, reports)
    answer = assistant.answer("各地科普讲座的听众一共有多少人次？")
    (line,) = sum_lines(answer)
    assert figures_added(line) == ["2000人次", "800人次"] and " = 2800人次" in line


def test_money_adds_across_units_and_a_per_head_figure_is_left_out(assistant: Assistant) -> None:
    answer = assistant.answer("各地落实的科普经费一共多少钱？")
    (line,) = sum_lines(answer)
    assert " = 2.75万元" in line  # 7500元 + 2万元
    assert "0.5元" not in line
    assert_sums_add_up(answer)


def test_a_qualifier_carries_into_the_sum(assistant: Assistant) -> None:
    answer = assistant.answer("科普日期间各地的听众一共有多少人次？")
    (line,) = sum_lines(answer)
    assert line.endswith("= 10000多人次")
    assert_sums_add_up(answer)


def test_a_listing_question_cites_every_reports_figure_and_adds_nothing(
    assistant: Assistant,
) -> None:
    answer = assistant.answer("哪些报告统计了培训的人次？分别是多少？")
    assert answer.kind == "list"
    assert titles(answer) == {
        "绿水镇科协2023年科普工作总结", "东湖街道科协2023年科普工作总结",
        "山阳县科协2023年科普工作总结",
    }  # fmt: skip
    assert shown_figures(answer) == ["1200人次", "300人次", "800人次"]
    assert sum_lines(answer) == []
    assert_verbatim_and_sourced(answer, "reader")


def test_every_report_is_counted_not_only_the_top_passages(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    # Twelve different reports (near-duplicates would count once), one figure each.
    towns = ["青石", "白沙", "红岩", "黄土", "绿柳", "金桥", "银湖", "铁山", "铜锣", "玉泉",
             "石门", "松林"]  # fmt: skip
    topics = ["防震减灾", "食品安全", "节约用水", "垃圾分类", "心理健康", "科学种田", "防范诈骗",
              "合理用药", "森林防火", "用电安全", "科学育儿", "禁毒防艾"]  # fmt: skip
    reports = {
        town: f"{town}镇科协2023年科普工作总结\n一、科普讲座\n"
        f"{town}镇科协围绕{topic}，在{town}文化站举办科普讲座{n}场。\n"
        for n, (town, topic) in enumerate(zip(towns, topics, strict=True), start=1)
    }
    assistant = over(tmp_path, normalizer, reports)
    answer = assistant.answer("各地一共举办了多少场科普讲座？")
    assert len(answer.citations) == 12
    assert sum_lines(answer)[0].endswith("= 78场")
    assert_sums_add_up(answer)


def test_a_place_narrows_the_figures_to_its_reports(assistant: Assistant) -> None:
    answer = assistant.answer("山阳县一共举办了多少期培训班？")
    assert titles(answer) == {"山阳县科协2023年科普工作总结"}


def test_a_traditional_question_gets_the_sum_in_its_script(assistant: Assistant) -> None:
    answer = assistant.answer("科普日期間各地一共舉辦了多少場科普講座？")
    assert answer.script == "traditional"
    (line,) = sum_lines(answer)
    assert line.startswith("科普日 · 場：") and line.endswith(" = 31場")
    assert_sums_add_up(answer)


def test_nothing_on_the_topic_is_not_found(assistant: Assistant) -> None:
    answer = assistant.answer("各地一共建了多少个科普馆？")
    assert not answer.found


@pytest.mark.parametrize(
    ("question", "intent", "figure", "unit"),
    [
        ("哪些报告统计了培训的人次？", "list", "people", "人次"),
        ("哪些报告写了科普经费？分别是多少？", "list", "money", "元"),
        ("哪些报告写了下一步打算？", "list", None, None),
        ("报告里一共举办了多少场讲座？", "total", "count", "场"),
    ],
)
def test_a_list_or_total_reads_the_figure_it_asks_for(
    normalizer: Normalizer, question: str, intent: str, figure: str | None, unit: str | None
) -> None:
    parsed = parse_question(question, normalizer.normalize(question), [])
    assert (parsed.intent, parsed.figure, parsed.unit) == (intent, figure, unit)
    assert not {"分别", "统计", "人次", "报告"} & set(parsed.topic)


def test_more_figures_than_an_answer_holds_are_said_to_be_left_out(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    villages = "东西南北前后上下左右"
    lines = [
        f"在{a}{b}村举办科普讲座{n}场。"
        for n, (a, b) in enumerate(((a, b) for a in villages for b in "山水田"), start=1)
    ]
    report = "青石镇科协2023年科普工作总结\n一、科普讲座\n" + "\n".join(lines) + "\n"
    assistant = over(tmp_path, normalizer, {"青石": report})
    answer = assistant.answer("各地一共举办了多少场科普讲座？")
    assert "另有六个未列出，也未计入合计" in answer.lead  # 30 found, 24 shown
    assert len({q.figure for q in answer.quotes}) == 24
    assert_sums_add_up(answer)


def test_a_report_filed_twice_is_counted_once(tmp_path: Path, normalizer: Normalizer) -> None:
    town = REPORTS["town"]
    reports = {"town": town, "town-copy": town, "street": REPORTS["street"]}
    assistant = over(tmp_path, normalizer, reports)
    answer = assistant.answer("知识库里一共有几份乡镇的科普工作总结？")
    assert answer.lead == "知识库中有一份乡镇的报告："
    # Its figures are counted once too.
    total = assistant.answer("科普日期间各地一共举办了多少场科普讲座？")
    (line,) = sum_lines(total)
    assert figures_added(line) == ["10场", "6场"]


def test_a_when_question_lists_each_reports_date_and_adds_none(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    reports = {
        "青石": "青石镇科协2023年科普工作总结\n一、全国科普日活动\n"
        "9月16日，镇科协在文化广场举办科普日启动仪式，发放资料300份。\n",
        "白沙": "白沙街道科协2023年科普工作总结\n一、全国科普日活动\n"
        "9月18日上午，街道科协在社区举办科普日主题活动。\n二、科技活动周\n"
        "5月20日，街道科协举办科技活动周宣传活动。\n",
    }
    assistant = over(tmp_path, normalizer, reports)
    answer = assistant.answer("各地的科普日活动都是哪天举办的？")
    assert answer.lead == "在两份报告中找到两个相关日期："
    assert shown_figures(answer) == ["9月16日", "9月18日"]
    assert_verbatim_and_sourced(answer, "reader")


MIXED = {
    "青石": "青石镇科协2023年科普工作总结\n一、科普讲座\n"
    "全年共举办各类活动20场，其中科普讲座6场。另在社区举办科普讲座3场。\n"
    "二、科普展览\n镇科协举办讲座3场、科普展览4场。\n"
    "三、全国科普日\n科普日期间，镇科协举办科普讲座近10场。\n",
    "白沙": "白沙镇科协2023年科普工作总结\n一、农民培训\n"
    "每年约有600余人次参加农民培训，人均培训两天。\n二、科普读书\n"
    "读书活动出资2万元购买图书。10月读书活动又出资2万元添置书架。\n",
    "红岩": "红岩镇科协2023年科普工作总结\n一、科普读书\n读书活动出资1万元。\n"
    "二、全国科普日\n科普日期间，镇科协举办科普讲座5场。\n",
}


@pytest.fixture()
def mixed(tmp_path: Path, normalizer: Normalizer) -> Assistant:
    return over(tmp_path, normalizer, MIXED)


def test_a_part_is_left_out_only_beside_its_own_whole(mixed: Assistant) -> None:
    answer = mixed.answer("各地一共举办了多少场科普讲座？")
    (line,) = [line for line in sum_lines(answer) if "讲座" in line.split("：")[0]]
    assert figures_added(line) == ["3场", "6场"] and " = 9场" in line
    assert_sums_add_up(answer)


def test_each_figure_of_a_list_of_clauses_keeps_its_own(mixed: Assistant) -> None:
    answer = mixed.answer("各地一共举办了多少场科普展览？")
    assert [q.figure for q in answer.quotes] == ["4场"]


def test_a_yearly_figure_adds_and_a_qualifier_before_it_is_shown(mixed: Assistant) -> None:
    answer = mixed.answer("各地一共有多少人次参加农民培训？")
    (line,) = sum_lines(answer)
    assert "600余人次[" in line  # 每年: a year's total, no per-head figure
    answer = mixed.answer("科普日期间各地一共举办了多少场科普讲座？")
    (line,) = sum_lines(answer)
    assert figures_added(line) == ["10场", "5场"] and "近10场[" in line
    assert line.endswith(" = 约15场")
    assert_sums_add_up(answer)


def test_two_figures_of_one_report_and_no_event_are_listed_not_added(mixed: Assistant) -> None:
    answer = mixed.answer("各地读书活动一共出资多少万元？")
    lines = sum_lines(answer)
    assert any("不相加" in line for line in lines), lines
    assert not any(" = " in line for line in lines)


def test_a_part_in_the_sentence_after_its_whole_is_not_added(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    reports = {
        "青石": "青石镇科协2023年科普工作总结\n一、科技培训\n"
        "全年举办科技培训，受训人数达到1200人次。其中农村党员近900人次，妇女300人次。\n",
        "白沙": "白沙镇科协2023年科普工作总结\n一、科技培训\n全年科技培训500人次。\n",
    }
    assistant = over(tmp_path, normalizer, reports)
    answer = assistant.answer("各地科技培训一共多少人次？")
    added = [line for line in sum_lines(answer) if " = " in line]
    assert added and all("900人次" not in line.split(" = ")[0] for line in added), added
    assert any(figures_added(line) == ["1200人次", "500人次"] for line in added), added
    assert "近900人次" in answer.text  # shown with its sentence; only not added
    assert_sums_add_up(answer)


def test_a_units_whole_leaves_out_its_reports_other_figures_of_the_same_thing(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    reports = {
        "青山": "青山市科协2023年全国科普日活动总结\n一、各部门积极参与科普日活动\n"
        "市卫健委向市民发放宣传资料800多份，市农业局发放技术资料1500份。\n"
        "二、科普日活动成效\n全市共举办讲座9场次，发放科普资料8000余份。\n",
        "白沙": "白沙镇科协2023年全国科普日活动总结\n一、宣传\n科普日期间发放资料600份。\n",
    }  # fmt: skip
    assistant = over(tmp_path, normalizer, reports)
    answer = assistant.answer("科普日期间各地一共发放了多少份资料？")
    added = [line for line in sum_lines(answer) if " = " in line]
    assert any(figures_added(line) == ["600份", "8000余份"] for line in added), answer.text
    assert_sums_add_up(answer)


def test_the_items_of_one_list_add_up_in_the_report_of_the_body_pointed_at(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    reports = {
        "中心": "2023年工作总结 篇4\n前言\n青山生产力促进中心立足服务企业。\n"
        "三、大力开展科技培训\n1.开展了计算机及办公自动化培训240人次；\n"
        "2.对农村技术人员开展网络知识培训110人次；\n",
        "镇": "白沙镇科协2023年工作总结\n一、科技培训\n全年举办科技培训，受训500人次。\n",
    }  # fmt: skip
    assistant = over(tmp_path, normalizer, reports)
    answer = assistant.answer("那个中心一共培训了多少人次？")
    added = [line for line in sum_lines(answer) if " = " in line]
    assert [figures_added(line) for line in added] == [["110人次", "240人次"]], answer.text
    assert_sums_add_up(answer)


@pytest.mark.parametrize(
    ("question", "body"),
    [
        ("贵阳那个中心一共培训了多少人次？", ("中心",)),
        ("那个大学科协的科普部长叫什么？", ("大学", "科协")),
        ("湖北那个市开展了哪些活动？", ()),  # a level unit: where, not who
    ],
)
def test_the_body_a_question_points_at_is_read(
    normalizer: Normalizer, question: str, body: tuple[str, ...]
) -> None:
    assert parse_question(question, normalizer.normalize(question), []).body == body


def test_who_is_counted_may_be_named_in_the_passage_when_the_unit_is_asked(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    reports = {
        "青石": "青石镇科协2023年科普工作总结\n一、科技培训\n"
        "镇科协请农技专家下村，与农民面对面传授种植技术。受训人数达到800人次。\n",
        "红岩": "红岩镇科协2023年科普工作总结\n一、科技培训\n"
        "镇科协组织农民学习果树修剪，发放资料200份。参训人数300人次。\n",
    }
    assistant = over(tmp_path, normalizer, reports)
    answer = assistant.answer("一共培训了多少人次农民？")
    assert answer.kind == "total"
    assert shown_figures(answer) == ["300人次", "800人次"]
    assert_verbatim_and_sourced(answer, "reader")
    # Without the unit, other counts of the passage would come in: the passages answer.
    assert assistant.answer("一共培训了多少农民？").kind != "total"


def test_things_offered_as_options_each_answer_and_another_name_of_the_event_is_no_topic(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    reports = {
        "青石": "青石镇科协2023年科普工作总结\n一、科技活动周\n"
        "活动周期间，镇科协共发放技术手册800份。\n",
        "白沙": "白沙街道科协2023年科普工作总结\n一、科技活动周\n"
        "科技活动周期间，街道科协发放宣传资料1200份。\n",
        "红岩": "红岩镇科协2023年科普工作总结\n一、科技活动周\n"
        "科技活动周期间，镇科协发放技术手册和宣传资料共500份。\n",
    }
    assistant = over(tmp_path, normalizer, reports)
    answer = assistant.answer("科技活动周（科普活动周）期间，各地一共发放了多少份手册和宣传资料？")
    assert shown_figures(answer) == ["1200份", "500份", "800份"], answer.text
    assert_sums_add_up(answer)


def test_a_clause_with_no_figure_of_its_own_leads_up_to_the_figure_after_it(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    reports = {
        "青石": "青石镇科协2023年科普工作总结\n一、宣传\n"
        "镇科协与县报合办科普专刊，今年已刊发了10期，举办讲座3场。\n",
        "白沙": "白沙镇科协2023年科普工作总结\n一、宣传\n全年出版科普专刊6期。\n",
    }
    assistant = over(tmp_path, normalizer, reports)
    answer = assistant.answer("各地的科普专刊一共出了多少期？")
    assert shown_figures(answer) == ["10期", "6期"], answer.text


def test_a_part_counts_only_what_its_own_clause_names(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    reports = {
        "青石": "青石镇科协2023年科普工作总结\n一、活动\n"
        "全年举办科普讲座和科技展览，其中讲座20场，展览6场。\n",
        "白沙": "白沙镇科协2023年科普工作总结\n一、活动\n全年举办科技展览3场。\n",
    }
    assistant = over(tmp_path, normalizer, reports)
    answer = assistant.answer("各地一共举办了多少场展览？")
    assert shown_figures(answer) == ["3场", "6场"], answer.text


ORGANISATIONS = {
    "乡": """青山乡科协2023年科普工作总结
一、网络建设
全乡建立农村专业协会12个，25个村建立了科普分会，成立农民专业合作社30个。
二、组织建设
以乡科协为龙头的40家科协组织运转正常，乡科协在原有一个科普活动中心的基础上又建了一个科普馆。
""",
    "市": """白河市科协2023年科普工作总结
一、企业科普
组织企业20家参加科技展会，联系学会8个。
""",
}


def test_a_question_in_ge_also_reads_jia_and_options_are_named_by_their_head(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    assistant = over(tmp_path, normalizer, ORGANISATIONS)
    answer = assistant.answer("乡镇一级的报告里，科协组织、专业协会和村级科普分会一共建了多少个？")
    # 个 is the general measure word: 40家 counts too. An option is named by its head and
    # most of its qualifiers: 科普分会 without 村级 is one, 合作社 is no 专业协会, and a
    # sentence naming 科协 as who built 一个科普活动中心 names no 科协组织.
    assert sorted(f for line in sum_lines(answer) for f in figures_added(line)) == [
        "12个", "25个", "40家",
    ]  # fmt: skip
    assert (
        answer.parsed is not None and "报告" not in answer.parsed.topic
    )  # the reports are where to look, no topic
    assert_verbatim_and_sourced(answer, "reader")
    # The other way round, a question in 家 asks for firms, not whatever 个 counts.
    firms = assistant.answer("各地一共组织了多少家企业？")
    assert [f for line in sum_lines(firms) for f in figures_added(line)] == ["20家"]


EVENT_PARAGRAPH = {
    "市": """江口市科协2023年全国科普日活动总结
一、活动成果
在科普日活动期间，全市共开展科普讲座6场次，听众达4000多人次。全年共举办展览30场次。全市共举办展览10场次，送科技下乡15场次。
二、其他工作
全市共举办展览5场次。
""",
}


def test_a_paragraph_that_opens_with_its_event_counts_its_later_sentences_within_it(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    assistant = over(tmp_path, normalizer, EVENT_PARAGRAPH)
    answer = assistant.answer("科普日期间，讲座、展览和科技下乡一共办了多少场次？")
    (line,) = sum_lines(answer)
    # The year's 30场次 opens with a scope of its own, and 5场次 is in another paragraph.
    assert line.startswith("科普日 · 场次：") and line.endswith(" = 31场次")
    assert figures_added(line) == ["10场次", "15场次", "6场次"]
    assert_sums_add_up(answer)


def test_a_per_head_figure_is_never_added_and_a_unit_to_count_in_is_no_topic(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    reports = {
        "市": """南岭市教育局2023年工作总结
一、教育投入
全市新增财政支出2.5亿元。全市人均教育经费由过去的500元提高到808元。市政府投资1.8亿元建设新校。
二、灾后重建
市政府筹集资金3.2亿投入教育，重建学校10所，惠及学生1.5万。
""",
    }
    assistant = over(tmp_path, normalizer, reports)
    answer = assistant.answer("以亿元计的几笔投入一共多少亿元？")
    assert answer.parsed is not None and "计" not in answer.parsed.topic
    (line,) = sum_lines(answer)
    # Money written in 亿 without its 元 is money too; 1.5万 students are not.
    assert figures_added(line) == ["1.8亿元", "2.5亿元", "3.2亿"]


def test_the_same_places_named_again_with_their_figure_are_added_once(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    reports = {
        "街道": """东岭街道科协2023年工作总结
一、读书活动
街道完善了青山、白水、红岩等3个社区工作站的流动图书馆，又在东湖、西湖等2个社区工作站建了流动图书馆。
今年10月，街道在红岩、青山、白水等3个社区工作站的流动图书馆添置了新书。
""",
    }
    assistant = over(tmp_path, normalizer, reports)
    answer = assistant.answer("街道一共有几个社区工作站有流动图书馆？")
    (line,) = sum_lines(answer)
    assert line.endswith(" = 5个（另有一个是其中的部分、人均数或重复列出的，未相加）")
    assert figures_added(line) == ["2个", "3个"]


def test_lists_of_other_names_or_other_figures_still_add_up() -> None:
    from bot.core.counting import totals
    from knowledge.records import FactRecord

    def fact(sentence: str, written: str, value: float) -> FactRecord:
        return FactRecord(
            id=len(sentence), kind="figure", written=written, value=value, value_high=None,
            qualifier="", unit=written[-1], counted="", event="科普日", sentence=sentence,
            chunk_id="c1", document_id="d1", heading_path=(), title="", source="", place=(),
            level=None, year=None, passage_level=None, figure_start=sentence.index(written),
        )  # fmt: skip

    rows = [
        fact("在东湖街道、西湖街道等2个街道建了图书馆。", "2个", 2.0),
        fact("在南山街道、北山街道等2个街道建了图书馆。", "2个", 2.0),
        fact("上半年开展讲座、展览等20场。", "20场", 20.0),
        fact("下半年开展讲座、展览等15场。", "15场", 15.0),
    ]
    assert sorted(t.value for t in totals(rows)) == [4.0, 35.0]


def test_two_levels_named_as_one_count_the_figures_of_both_and_no_other(
    assistant: Assistant,
) -> None:
    answer = assistant.answer("科普日期间，乡镇和街道这两级一共举办了多少场科普讲座？")
    (line,) = sum_lines(answer)
    assert line.startswith("科普日 · 场：") and line.endswith(" = 16场")  # not the county's 15
    assert figures_added(line) == ["10场", "6场"]
    assert_sums_add_up(answer)


TASKS = {
    "县": """青石县科协2023年科普工作总结
一、农民培训
三是继续发挥“农函大”办学优势，扎实开展农民科技培训。县科协年初下发通知，对各乡镇的培训任务作了具体分解，争取全年培训长期800人，短期2500人，农民技术职称评定300人。
二、科普宣传
全年发放宣传资料5000份。
""",
}


def test_a_list_of_tasks_counts_each_parallel_clause_named_in_the_paragraph_cut_before_it(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    # Chunks this small cut the paragraph after its opening, which alone names 农函大.
    budget = ChunkBudget(min_chars=20, max_chars=60)
    store = ingested(tmp_path, normalizer, TASKS | OTHERS, budget=budget)
    answer = assistant_over(store, normalizer).answer(
        "农函大定下的长期培训、短期培训和农民技术职称评定任务，合计多少人？"
    )
    # 短期2500人 is 培训's as much as 长期800人 is; 任务 closes the list, naming none of it.
    assert [f for line in sum_lines(answer) for f in figures_added(line)] == [
        "2500人", "300人", "800人",
    ], answer.text  # fmt: skip
    assert_sums_add_up(answer)
    assert_verbatim_and_sourced(answer, "reader")


@pytest.mark.parametrize(
    ("sentence", "clause", "shared"),
    [
        ("全年培训农民1000人，妇女300人。", "妇女", "全年培训"),
        ("参训男性30人，女性20人。", "女性", "参训"),
        ("全年培训1000人，其中妇女300人。", "其中", ""),  # a part names its own words
        ("举办讲座6场，发放资料500份。", "发放", ""),  # a clause with its own verb
    ],
)
def test_a_short_parallel_clause_shares_what_comes_before_its_fellows_qualifier(
    sentence: str, clause: str, shared: str
) -> None:
    assert _shared_lead(sentence, sentence.index(clause)) == shared


def test_a_passive_word_no_report_writes_is_read_as_the_verb_the_reports_write(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    reports = {
        "青石": "青石镇科协2023年科普工作总结\n一、表彰\n年底共表彰科普先进个人12名。\n",
        "白沙": "白沙镇科协2023年科普工作总结\n一、表彰\n镇政府表彰优秀科普志愿者8名。\n",
    }
    assistant = over(tmp_path, normalizer, reports)
    answer = assistant.answer("各地一共有多少人受表彰？")
    assert answer.parsed is not None and "受表彰" not in answer.parsed.topic
    assert shown_figures(answer) == ["12名", "8名"], answer.text
    # A passive word some report writes is read as written.
    written = {"红岩": "红岩镇科协2023年科普工作总结\n一、表彰\n镇科协3名干部受表彰。\n"}
    (tmp_path / "written").mkdir()
    parsed = (
        over(tmp_path / "written", normalizer, reports | written)
        .answer("各地一共有多少人受表彰？")
        .parsed
    )
    assert parsed is not None and "受表彰" in parsed.topic


def test_a_thing_the_reports_write_is_not_counted_by_a_merely_related_word(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    reports = {
        "青石": "青石市科协2023年科普工作总结\n一、网络科普\n"
        "市科协建成综合性网站2个，传播科学知识。\n",
        **{
            f"站{n}": f"第{n}街道科协2023年科普工作总结\n一、阵地\n建成科普工作站{n + 3}个。\n"
            for n in range(4)
        },
    }
    answer = over(tmp_path, normalizer, reports).answer("科普网站一共有几个？")
    assert shown_figures(answer) == ["2个"], answer.text


def test_a_parallel_clause_or_sentence_counts_what_its_fellow_option_names(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    reports = {
        "青石": "青石市教育局2023年工作总结\n一、装备\n"
        "全市小学生均装备值由587元提高到808元，初中由710元提高到1228元；"
        "高中由986元提高到1429元。\n",
    }
    answer = over(tmp_path, normalizer, reports).answer(
        "小学、初中、高中的生均装备值分别从多少提高到了多少？"
    )
    assert len(answer.quotes) == 2 and all(
        figure in answer.text for figure in ("587元", "808元", "710元", "1228元", "986元", "1429元")
    )
    assert answer.lead.startswith("在一份报告中找到六个相关数字"), answer.lead
