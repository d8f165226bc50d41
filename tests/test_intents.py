"""Answers composed by what the question asks, on tiny reports written here.

Each test names the kind of question (how-to at a level, fact, list, total, the reports
themselves, an absent year) and checks the literal text the reader gets.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from bot.cli.render import answer_text, explanation_text
from bot.core.answer import Quote
from bot.core.assistant import Assistant
from bot.core.figures import figures, in_asked_unit
from bot.core.knowledge_base import retriever_over
from bot.core.question import parse_question
from bot.core.retrieval import Filters
from bot.core.sentences import quotable_sentences
from bot.settings import Settings
from bot.telegram.render import render_answer
from knowledge.metadata import extract_metadata
from knowledge.normalize import Normalizer
from tests.files import answered, assistant_over, ingested

CITY = """青山市科协2023年全国科普日活动总结
一、领导重视，周密部署
市科协高度重视科普日工作，成立了科普日活动领导小组，制定了详细的活动方案。
全市各学会、市科技馆和市直各部门按照市委、市政府的要求，在全市组织开展了系列活动。
二、各镇活动丰富多彩
红星镇科协在镇政府门口开展科普日宣传活动，发放资料一千份。
白石乡科协组织全乡党员开展科普日活动，收看专题讲座。
三、启动仪式
9月15日上午，全市科普日启动仪式在市民广场举行。
市领导、各学会负责人和科技志愿者出席了启动仪式。
"""
TOWN = """绿水镇科协2023年科普工作总结
一、举办科普讲座
今年我镇科协举办科普讲座12场，听众达800人次。
二、开展读书活动
镇科协在文化站开展科普读书活动，共有300人次参加。
"""
STREET = """东湖街道科协2023年科普工作总结
一、举办科普讲座
街道科协邀请专家举办健康科普讲座8场，居民踊跃参加。
二、下一步打算
明年街道科协将继续开展科普进社区活动。
"""
COLLEGE = """某大学科协科普部2023年工作总结
一、开展校园科技节
科普部在学生会的支持下举办了校园科技节，吸引了众多同学参加。
"""


@pytest.fixture()
def kb(tmp_path: Path, normalizer: Normalizer) -> tuple[Assistant, Path]:
    reports = {"city": CITY, "town": TOWN, "street": STREET, "college": COLLEGE}
    store = ingested(tmp_path, normalizer, reports)
    return assistant_over(store, normalizer), tmp_path / "kb.db"


@pytest.mark.parametrize(
    ("question", "intent", "figure", "unit"),
    [
        ("乡镇是怎么开展科普日活动的？", "howto", None, None),
        ("启动仪式是哪天举行的？", "fact", "date", None),
        ("科普日期间举办了几场讲座？", "fact", "count", "场"),  # 日期 only as 日 + 期间
        ("听众有多少？", "fact", "people", None),
        ("科普讲座一共办了多少场？", "fact", "count", "场"),
        ("读书活动有多少人次参加？", "fact", "people", "人次"),
        ("科普设施投资了多少钱？", "fact", "money", "元"),
        ("科普经费一共落实了多少？", "fact", "money", "元"),  # the money noun names it
        ("经费支持了多少个项目？", "fact", "count", "个"),  # unless a measure word follows
        ("经费紧张，志愿者有多少人？", "fact", "people", "人"),  # or a clause ends
        ("各地一共办了多少场科普讲座？", "total", "count", "场"),
        ("哪些报告写了下一步打算？", "list", None, None),
        ("知识库里有几份乡镇的总结？", "reports", None, None),
        ("哪几份总结提到了科普日？", "list", None, None),  # which reports, not how many
        ("有没有组织企业参观高交会的例子？", "examples", None, None),
        ("街道有没有开展读书活动？", "yesno", None, None),
        # Any measure word the table of figures reads; 几 after a demonstrative asks nothing.
        ("科普大篷车一共跑了多少公里？", "fact", "count", "公里"),
        ("宣传咨询点是哪几天摆的？", "fact", "date", None),
        ("科普周那几天，各镇分别有多少人参加？", "total", "people", "人"),
        ("哪些村建了科普画廊？分别建了几处？", "list", "count", "处"),
        # A one-character place inside a longer word lists nothing; 哪几个 asks which.
        ("哪些村民参加了科技培训？", "howto", None, None),
        ("哪几个村开展了科普活动？", "list", None, None),
        # The last how-many of the first question is asked: an earlier one describes.
        ("中心办的几个网站，访问量有多少？", "fact", "count", None),
        ("编印了多少份材料？累计多少学时？", "fact", "count", "份"),
        ("科普日开展了多少场活动，发放了多少份资料？", "fact", "count", "场"),
        # Each of the options offered, side by side.
        ("小学和初中的入学率、辍学率分别是多少？", "list", "count", None),
    ],
)
def test_the_intent_and_the_figure_asked_are_read_from_the_question(
    normalizer: Normalizer, question: str, intent: str, figure: str | None, unit: str | None
) -> None:
    parsed = parse_question(question, normalizer.normalize(question), ["青山"])
    assert (parsed.intent, parsed.figure, parsed.unit) == (intent, figure, unit)


def test_topic_words_leave_out_level_place_year_and_what_kind_of_answer_is_wanted(
    normalizer: Normalizer,
) -> None:
    question = "青山2023年镇一级一共办了几场科普讲座？"
    parsed = parse_question(question, normalizer.normalize(question), ["青山"])
    assert (parsed.level, parsed.place, parsed.year) == ("乡镇", "青山", 2023)
    assert {"科普", "讲座"} <= set(parsed.topic)
    said = {"青山", "2023", "年", "镇", "一级", "镇一级", "一共", "几场", "场"}
    assert not said & set(parsed.topic)


@pytest.mark.parametrize(
    ("question", "topic", "not_topic"),
    [
        # A one-character frame word inside a longer word is part of it.
        ("有没有专门针对外来打工人员做科普的做法？", {"外来", "打工"}, {"来"}),
        # 里 is a suffix: the word before it is meant; 各自 asks for each, like 分别.
        ("哪几份总结提到了高交会？各自是怎么参与的？", {"高交会"}, {"各自", "各"}),
        ("报告里写了几场科普讲座？", {"讲座"}, {"报告里", "里"}),
        ("镇科协跟企业合作，自己办了几个网站？", {"企业", "网站"}, {"跟", "自己"}),
    ],
)
def test_frame_words_and_particles_are_no_topic_but_the_words_they_sit_inside_are(
    normalizer: Normalizer, question: str, topic: set[str], not_topic: set[str]
) -> None:
    parsed = parse_question(question, normalizer.normalize(question), [])
    assert topic <= set(parsed.topic) and not not_topic & set(parsed.topic), parsed.topic


def test_the_reports_a_question_ranges_over_and_the_places_it_lists_are_no_topic(
    normalizer: Normalizer,
) -> None:
    question = "列出各报告里获得资助的科技项目，分别有几项？"
    parsed = parse_question(question, normalizer.normalize(question), [])
    assert "报告" not in parsed.topic and {"资助", "项目"} <= set(parsed.topic)
    question = "哪些镇举办了科普讲座？分别办了几场？"
    parsed = parse_question(question, normalizer.normalize(question), [])
    assert "镇" not in parsed.topic and "讲座" in parsed.topic
    question = "哪些乡镇报告写了科技培训？"  # a level's reports
    parsed = parse_question(question, normalizer.normalize(question), [])
    assert "报告" not in parsed.topic and {"科技", "培训"} <= set(parsed.topic)
    question = "所有报告会一共有多少人次参加？"
    parsed = parse_question(question, normalizer.normalize(question), [])
    assert "报告会" in parsed.topic  # 报告会 is no report
    # Neither is a place word that only points (那边) nor the measure word a figure is in.
    question = "省科协那边落实的科普经费合计多少万元？"
    parsed = parse_question(question, normalizer.normalize(question), [])
    assert not {"那边", "万元"} & set(parsed.topic) and "经费" in parsed.topic


def test_options_a_question_lists_count_as_one_group(normalizer: Normalizer) -> None:
    question = "哪些报告写了下一步（明年、下半年或新学期）的打算？"
    parsed = parse_question(question, normalizer.normalize(question), [])
    assert ("明年", "下半年", "新学期") in parsed.alternatives


def test_a_city_reports_township_section_is_stored_as_township_material(kb) -> None:
    _, db = kb
    rows = (
        sqlite3.connect(db)
        .execute(
            "SELECT c.level, d.level FROM chunks c JOIN documents d ON d.id = c.document_id"
            " WHERE c.text LIKE '%红星镇科协%'"
        )
        .fetchall()
    )
    assert rows == [("乡镇", "市")]


def test_a_township_question_is_answered_with_township_material_under_its_heading(kb) -> None:
    assistant, _ = kb
    answer = assistant.answer("乡镇是怎么开展科普日活动的？")
    quoted = [q.text for q in answer.quotes]
    assert "红星镇科协在镇政府门口开展科普日宣传活动，发放资料一千份。" in quoted
    assert "白石乡科协组织全乡党员开展科普日活动，收看专题讲座。" in quoted
    # The city's own words about the same day are not township practice.
    assert not any("市科协高度重视" in q for q in quoted)
    # The heading is a label above its sentences, never a quote.
    assert "二、各镇活动丰富多彩" not in quoted
    assert "各镇活动丰富多彩" in answer.quotes[0].heading
    assert "【青山市科协2023年全国科普日活动总结" in answer.text


def test_a_fact_question_gets_the_sentence_with_the_asked_date_first_and_marked(kb) -> None:
    assistant, _ = kb
    answer = assistant.answer("全市科普日启动仪式是哪天举行的？")
    assert answer.kind == "fact"
    first = answer.quotes[0]
    assert first.text == "9月15日上午，全市科普日启动仪式在市民广场举行。"
    assert first.figure == "9月15日"
    html = "".join(render_answer(answer))
    assert "<b>9月15日</b>上午" in html


def test_a_count_question_prefers_the_sentence_holding_that_unit(kb) -> None:
    assistant, _ = kb
    answer = assistant.answer("绿水镇科协举办了多少场科普讲座？")
    assert answer.quotes[0].figure == "12场"
    assert {c.title for c in answer.citations} == {"绿水镇科协2023年科普工作总结"}


def test_a_total_sums_figures_of_one_unit_and_cites_each(kb) -> None:
    assistant, _ = kb
    answer = assistant.answer("各地一共举办了多少场科普讲座？")
    assert answer.kind == "total"
    assert answer.lead.splitlines()[1] == "科普讲座 · 场：8场[1] + 12场[2] = 20场"
    assert sorted(q.figure for q in answer.quotes) == ["12场", "8场"]
    assert len({c.title for c in answer.citations}) == 2


def test_a_list_names_every_report_on_the_topic_and_no_other(kb) -> None:
    assistant, _ = kb
    answer = assistant.answer("哪些报告写到了科普讲座？")
    assert answer.kind == "list"
    titles = sorted(c.title for c in answer.citations)
    assert titles == ["东湖街道科协2023年科普工作总结", "绿水镇科协2023年科普工作总结"]
    assert answer.lead.startswith("两份报告")


def test_a_question_about_the_reports_themselves_lists_those_of_the_level(kb) -> None:
    assistant, _ = kb
    answer = assistant.answer("知识库里一共有几份乡镇的科普工作总结？")
    assert answer.kind == "reports"
    assert answer.lead == "知识库中有一份乡镇的报告："
    assert [c.title for c in answer.citations] == ["绿水镇科协2023年科普工作总结"]


def test_a_year_no_report_is_about_is_said_and_nothing_is_answered(kb) -> None:
    assistant, _ = kb
    answer = assistant.answer("2019年乡镇是怎么开展科普日活动的？")
    assert not answer.found and answer.quotes == []
    assert answer.lead == "知识库中没有2019年的报告，因此不用其他年份的报告来回答。"


def test_every_quote_is_verbatim_and_every_figure_sourced(kb) -> None:
    assistant, _ = kb
    for question in ("乡镇是怎么开展科普日活动的？", "各地一共举办了多少场科普讲座？",
                     "全市科普日启动仪式是哪天举行的？", "哪些报告写到了科普讲座？"):  # fmt: skip
        answer = assistant.answer(question)
        cited = {c.n: c.text for c in answer.citations}
        for quote in answer.quotes:
            assert quote.text in cited[quote.n]
            assert quote.figure in quote.text
        body = "\n".join(
            q.text if isinstance(q, Quote) else q for k, q in answer.lines() if k != "report"
        )
        for number in re.findall(r"\d+", body):
            assert any(number in text for text in cited.values())


def test_explain_shows_how_the_question_was_read(kb) -> None:
    assistant, _ = kb
    answer = assistant.answer("绿水镇科协举办了多少场科普讲座？")
    text = explanation_text(answer)
    assert "意图：fact" in text and "所问数字：count" in text and "单位：场" in text
    assert "科普" in text and "问题解析" in text
    assert "12场" in answer_text(answer)
    # Levels asked as one, and a level word that grades a thing, are shown as read.
    text = explanation_text(assistant.answer("镇和街道分别是怎么举办科普讲座的？"))
    assert "层级：乡镇" in text and "分层级作答：乡镇 街道" in text
    text = explanation_text(assistant.answer("今年拟建几个省级科普示范村？"))
    assert "级别（主题词）：省级" in text and "层级" not in text


def test_not_found_names_the_level_it_looked_in(kb) -> None:
    assistant, _ = kb
    answer = assistant.answer("启动仪式是哪天举行的？", Filters(level="高校"))
    assert not answer.found
    assert answer.lead == "报告中没有找到与「启动仪式是哪天举行的？」相关的内容（在高校的材料中）。"


def test_a_report_is_placed_first_by_the_unit_its_title_names() -> None:
    text = "白石镇科协2022年科普工作总结\n一、加强组织领导\n镇党委邀请成都市专家授课。"
    assert extract_metadata(text, "总结.txt").place[0] == "白石镇"
    # A kind of unit is no place: "各乡镇科协" names none.
    assert extract_metadata("各乡镇科协工作总结\n正文。", "总结.txt").place == ()


def test_a_fact_question_outranks_shared_words_with_the_asked_figure(kb) -> None:
    # The attendees' sentence shares more of these words; the date is what is asked.
    assistant, _ = kb
    answer = assistant.answer("市领导出席的启动仪式是哪天举行的？")
    assert answer.quotes[0].text == "9月15日上午，全市科普日启动仪式在市民广场举行。"
    assert answer.quotes[0].figure == "9月15日"


def test_a_list_needs_what_is_asked_about_not_only_its_common_words(kb) -> None:
    assistant, _ = kb
    answer = assistant.answer("哪些报告写了镇科协的读书活动？")
    assert [c.title for c in answer.citations] == ["绿水镇科协2023年科普工作总结"]
    assert answer.lead.startswith("一份报告")


def test_a_heading_is_a_label_over_its_sentences_never_a_sentence() -> None:
    text = "一、举办科普讲座\n今年我镇科协举办科普讲座12场，听众达800人次。"
    assert quotable_sentences(text) == [
        ("今年我镇科协举办科普讲座12场，听众达800人次。", "一、举办科普讲座")
    ]


def test_a_heading_naming_a_year_is_a_label_not_a_quoted_figure() -> None:
    text = "四、20xx年大致工作思路\n继续深化创建工作，加大科普宣传力度。"
    assert quotable_sentences(text) == [
        ("继续深化创建工作，加大科普宣传力度。", "四、20xx年大致工作思路")
    ]


PLANS = {
    # The plan part under a heading that shares no word with the question.
    "路": "南桥街道科协2023年科普工作总结\n一、开展读书活动\n街道开展读书活动六次。\n"
    "二、20xx年大致工作思路\n继续深化科普示范社区创建，加大科普宣传力度。\n",
    # No plan heading: a sentence of intent for the coming term.
    "校": "某学院科协2023年工作总结\n上学期我们举办了科技节。\n"
    "出现了问题就要解决，在这个学期，我们要在以下几个方面改进：\n一、交流与合作\n"
    "这学期，我们要加强与其他部门的合作。\n",
    # A county's plan part; its section on street offices lets it through a 街道 filter.
    "县": "西河县科协2023年科普工作总结\n一、街道科普\n东城街道办事处和西城街道办事处开展科普宣传，"
    "南城街道办事处举办讲座。\n二、下一步打算\n全县明年要继续举办农民培训。\n",
    # Past work only: 今后 names what it prepared for, and no plan part.
    "镇": "北山镇科协2023年科普工作总结\n一、开展科普讲座\n镇科协举办科普讲座四场，"
    "为今后开展科普工作奠定了基础。\n二、落实《全民科学素质行动计划纲要》\n镇科协宣传纲要。\n",
}


def test_a_list_of_plans_finds_each_reports_plan_part_however_it_is_headed(
    tmp_path: Path, normalizer
) -> None:
    assistant = assistant_over(ingested(tmp_path, normalizer, PLANS), normalizer)
    answer = assistant.answer("哪些报告写了明年的工作打算？")
    assert answer.kind == "list"
    assert answer.lead.startswith("三份报告")
    lines = {q.report.split("（")[0]: (q.heading, q.text) for q in answer.quotes}
    assert lines == {
        "西河县科协2023年科普工作总结": ("二、下一步打算", "全县明年要继续举办农民培训。"),
        "南桥街道科协2023年科普工作总结": (
            "二、20xx年大致工作思路",
            "继续深化科普示范社区创建，加大科普宣传力度。",
        ),
        # The plan itself, not the sentence announcing it.
        "某学院科协2023年工作总结": ("一、交流与合作", "这学期，我们要加强与其他部门的合作。"),
    }


def test_a_list_of_plans_still_needs_what_else_the_question_asks(
    tmp_path: Path, normalizer
) -> None:
    assistant = assistant_over(ingested(tmp_path, normalizer, PLANS), normalizer)
    answer = assistant.answer("哪些报告写了明年科普宣传的打算？")
    assert [c.title for c in answer.citations] == ["南桥街道科协2023年科普工作总结"]
    answer = assistant.answer("哪些街道的报告写了下一步打算？")
    assert [c.title for c in answer.citations] == ["南桥街道科协2023年科普工作总结"]


def test_a_level_whose_passages_share_only_common_words_still_answers_its_question(
    tmp_path: Path, normalizer
) -> None:
    city = "青山市科协2023年科普工作总结\n" + "".join(
        f"{n}、工作{n}\n市科协组织各学会开展科普活动，科协组织志愿者开展活动{n}次。\n"
        for n in "一二三四五六七八九十"
    )
    college = (
        "某大学科协科普部2023年工作总结\n一、开展校园科技节\n科普部在学生会的支持下，由科协干事分工"
        "组织，举办了校园科技节活动，吸引了众多同学参加，反响热烈，效果良好。\n"
    )
    store = ingested(tmp_path, normalizer, {"city": city, "college": college})
    answer = assistant_over(store, normalizer).answer("高校科协是怎么组织活动的？")
    assert [c.title for c in answer.citations] == ["某大学科协科普部2023年工作总结"]
    assert not answer.lead.startswith("高校一级的报告中没有")


def test_an_example_quotes_what_names_the_topic_not_what_only_sits_under_its_heading(
    tmp_path: Path, normalizer
) -> None:
    report = (
        "青山市科协2023年科普工作总结\n一、利用网络普及科学知识\n新时代我们面临严峻的挑战和巨大的机遇。\n"
        "市科协利用网络开通了科普网站，每周宣传科普知识。\n"
    )
    store = ingested(tmp_path, normalizer, {"city": report})
    answer = assistant_over(store, normalizer).answer("有没有利用网络宣传科普的例子？")
    assert [q.text for q in answer.quotes] == ["市科协利用网络开通了科普网站，每周宣传科普知识。"]


@pytest.mark.parametrize(
    ("sentence", "dates"),
    [
        ("某某科普网于今年5月开通。", ["今年5月"]),
        ("6月12~15日在广场设咨询点。", ["6月12~15日"]),
        ("5月下旬举办了培训班。", ["5月下旬"]),
        ("2023年9月，启动了科普月。", ["2023年9月"]),
        ("培训持续3个月，共12期。", []),  # a span, not a date
    ],
)
def test_a_date_is_a_day_or_a_month_as_reports_write_them(
    sentence: str, dates: list[str], normalizer
) -> None:
    parsed = parse_question("什么时候？", "什么时候？", [])
    assert figures(sentence, parsed) == dates


def test_a_count_the_passages_words_miss_is_read_from_the_table_of_figures(
    tmp_path: Path, normalizer
) -> None:
    reports = {
        "街": "东湖街道科协2023年科普工作总结\n一、读书活动\n"
        "开学之前，我们举办了青少年科普讲座，学生科普讲座反响热烈。\n",
        "市": "青山市科协2023年科普日活动总结\n一、成果\n"
        "据统计，全市共开展科普报告、讲座6场次，听众达4000多人次。\n",
    }
    store = ingested(tmp_path, normalizer, reports)
    answer = assistant_over(store, normalizer).answer("科普讲座一共办了多少场？")
    assert [(c.title, q.figure) for q, c in zip(answer.quotes, answer.citations, strict=True)] == [
        ("青山市科协2023年科普日活动总结", "6场次")
    ]


PROBLEMS = {
    "甲": "东山镇科协2023年科普工作总结\n一、开展科普讲座\n镇科协举办科普讲座四场。\n"
    "二、存在的.问题\n科普阵地建设还比较薄弱。\n",
    # Problems run into sentences: the items after the one announcing them are problems too.
    "乙": "西山县科协2023年科普工作总结\n一、主要工作\n县科协举办培训班三期。"
    "半年来，尽管我们做了大量工作，但也存在一些困难和问题：一是阵地薄弱。"
    "二是学会工作经费未列入县财政预算。\n",
    # Work done: finding shortcomings and acting on them is no problem left.
    "丙": "南山乡科协2023年科普工作总结\n一、开展宣传\n"
    "乡科协查找出了不足之处，进一步加大了宣传力度。\n",
}


def test_a_list_of_problems_finds_each_reports_problems_part(tmp_path: Path, normalizer) -> None:
    assistant = assistant_over(ingested(tmp_path, normalizer, PROBLEMS), normalizer)
    for question in ("哪些报告写了存在的问题和不足？", "哪些报告写了工作中存在的问题？"):
        answer = assistant.answer(question)  # 中 of 工作中 says where, not what
        assert sorted(c.title for c in answer.citations) == [
            "东山镇科协2023年科普工作总结",
            "西山县科协2023年科普工作总结",
        ], question
    answer = assistant.answer("哪些报告提到经费不足？")
    assert [(q.text) for q in answer.quotes] == ["二是学会工作经费未列入县财政预算。"]


def test_a_long_numbered_sentence_is_body_text_not_a_heading(tmp_path: Path, normalizer) -> None:
    store = ingested(
        tmp_path,
        normalizer,
        {
            "县": (
                "某县科协工作总结\n一、学会工作\n①继续做好优秀乡土人才的选拔、推荐宣传工作，今年在特刊已连续刊登"
                "乡土人才简介12期，将科技致富的典型人物通过媒体开展宣传。\n全年培训乡土人才三百人。\n"
            )
        },
    )
    assert [c.heading_path for c in store.chunks()] == [("一、学会工作",)]


def test_a_date_question_leads_with_the_date_even_when_another_sentence_shares_more_words(
    kb,
) -> None:
    assistant, _ = kb
    answer = assistant.answer("市领导和科技志愿者出席的启动仪式是哪天？")
    assert answer.quotes[0].figure == "9月15日"


def test_an_unnumbered_heading_over_a_numbered_list_heads_its_items(
    tmp_path: Path, normalizer
) -> None:
    store = ingested(
        tmp_path,
        normalizer,
        {
            "县": (
                "某县科协工作总结\n一、上半年工作\n全年培训乡土人才三百人，举办讲座十场，听众两千人次。\n"
                "下半年工作重点\n1、继续开展科普进社区活动。\n2、筹备召开县科协代表大会。\n"
            )
        },
    )
    paths = [c.heading_path for c in store.chunks()]
    assert paths[-1][0] == "下半年工作重点"
    text = next(c.text for c in store.chunks() if c.heading_path == paths[-1])
    assert ("1、继续开展科普进社区活动。", "下半年工作重点") in quotable_sentences(text)


def test_a_how_to_answer_keeps_the_figures_that_follow_its_best_sentence(
    tmp_path: Path, normalizer
) -> None:
    store = ingested(
        tmp_path,
        normalizer,
        {
            "市": (
                "某市教育局工作总结\n一、推进教育信息化\n"
                "力争用三年时间让所有学校建成校园网，实现教育信息化建设目标。"
                "目前校园网建设完成比例达到48%，光纤接入约70%。\n"
                "二、其他工作\n全市开展教师培训活动，提高教师素质。\n"
            )
        },
    )
    answer = assistant_over(store, normalizer).answer("学校是怎么推进教育信息化建设的？")
    assert [q.text for q in answer.quotes] == [
        "力争用三年时间让所有学校建成校园网，实现教育信息化建设目标。",
        "目前校园网建设完成比例达到48%，光纤接入约70%。",
    ]


def test_figures_are_found_in_traditional_quotes(normalizer: Normalizer) -> None:
    """Quotes keep the report's script: 萬元 and 場 are the asked money and unit."""
    money = parse_question("拨了多少救灾款？", "拨了多少救灾款？", [])
    assert figures("爭取了中國科協救災撥款100萬元，省科協又追加10萬元", money) == [
        "100萬元", "10萬元",
    ]  # fmt: skip
    count = parse_question("办了几场讲座？", "办了几场讲座？", [])
    assert figures("共舉辦講座12場，聽眾300餘人次", count) == ["12場"]


def test_a_how_to_answer_stops_its_paragraph_at_the_next_enumerated_practice(
    tmp_path: Path, normalizer
) -> None:
    report = (
        "某县科协工作总结\n一、主要工作\n"
        "三是重新组建科普志愿者队伍，每个社区都有15名科普志愿者登记在册。"
        "四是继续发挥农函大办学优势，扎实开展农民科技培训。\n"
    )
    question = "社区是怎么组建科普志愿者队伍的？"
    answer = answered(tmp_path, normalizer, {"县": report}, question, others=0)
    assert [q.text for q in answer.quotes] == [
        "三是重新组建科普志愿者队伍，每个社区都有15名科普志愿者登记在册。"
    ]


def test_a_fact_found_only_at_another_level_says_so_before_the_figure(kb) -> None:
    assistant, _ = kb
    answer = assistant.answer("街道的读书活动有多少人次参加？")
    assert answer.lead == "街道一级的报告中没有找到这个数字；以下是乡镇一级报告中的内容："
    assert answer.quotes[0].figure == "300人次"
    assert not answer.found  # as its lead says; the other level's figure is still shown
    same_level = assistant.answer("乡镇的读书活动有多少人次参加？")
    assert same_level.lead == "在一份报告中找到相关内容：" and same_level.found


def test_a_how_to_question_no_report_of_its_level_answers_says_so_and_uses_others(kb) -> None:
    assistant, _ = kb
    answer = assistant.answer("街道的读书活动是怎么开展的？")
    assert answer.lead == "街道一级的报告中没有找到相关做法；以下是其他报告中的内容："
    assert {c.title for c in answer.citations} == {"绿水镇科协2023年科普工作总结"}
    at_level = assistant.answer("街道是怎么举办科普讲座的？")
    assert at_level.lead == "在一份报告中找到相关内容："
    assert {c.title for c in at_level.citations} == {"东湖街道科协2023年科普工作总结"}


def test_a_sentence_that_only_announces_what_follows_is_never_quoted() -> None:
    text = "街道科协积极开展各项科普工作。工作总结如下：\n一、领导重视\n领导班子每季度听取汇报。"
    assert [s for s, _ in quotable_sentences(text)] == [
        "街道科协积极开展各项科普工作。",
        "领导班子每季度听取汇报。",
    ]


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("科普大篷车去了哪些地方？", {"哪些地方", "地方"}),
        ("科普日是什么时候开始的？", {"时候", "什么时候"}),
        ("举办了什么样的讲座？", {"什么样"}),
        ("科普日期间一共开展了多少场活动？", {"期间"}),
        ("市里是怎么搭起社区教育这套体系的？", {"这套"}),  # it points; 体系 says at what
        ("科普日那次发了多少份资料？", {"那次"}),
    ],
)  # fmt: skip
def test_words_asking_where_when_or_what_kind_are_no_topic_words(
    normalizer: Normalizer, question: str, asked: set[str]
) -> None:
    parsed = parse_question(question, normalizer.normalize(question), [])
    assert parsed.topic and not asked & set(parsed.topic)


def test_a_date_is_taken_from_a_passage_covering_the_question_not_one_sharing_a_word(
    tmp_path: Path, normalizer
) -> None:
    # 开始 is rarer here than 科普日, so the sentence of 1月13日开始 covers more of the
    # question's corpus weight than the one of 9月13日; its passage covers far less of it.
    reports = {
        "日": "青山市科普日活动总结\n一、启动仪式\n9月13日，全市科普日启动仪式在小学举行。"
        "活动开始后，各镇纷纷响应。\n",
        "灾": "青山市抗灾工作总结\n一、抗击冰冻灾害\n自1月13日开始，我市遭遇了雨雪冰冻天气。\n",
    }  # fmt: skip
    for n in range(4):
        reports[f"宣传{n}"] = f"第{n}镇科协工作总结\n一、宣传\n科普日期间，镇科协在集市发放资料。\n"
    for n in range(20):
        reports[f"讲座{n}"] = f"第{n}街道科协工作总结\n一、讲座\n街道科协举办健康讲座。\n"
    answer = assistant_over(ingested(tmp_path, normalizer, reports), normalizer).answer(
        "科普日是什么时候开始的？"
    )
    assert answer.quotes[0].figure == "9月13日"
    assert {c.title for c in answer.citations} == {"青山市科普日活动总结"}


def test_an_example_may_name_the_topic_inside_a_longer_word(tmp_path: Path, normalizer) -> None:
    reports = {
        "县": "某县科协工作总结\n一、宣传\n继续利用县广播电视台办好科普宣传专栏。\n",
        "镇": "某镇科协工作总结\n一、培训\n镇科协举办农民科技培训班三期。\n",
    }  # fmt: skip
    answer = assistant_over(ingested(tmp_path, normalizer, reports), normalizer).answer(
        "有没有利用广播电视宣传科普的例子？"
    )
    assert answer.found and [c.title for c in answer.citations] == ["某县科协工作总结"]


def test_an_example_may_name_the_topic_by_a_near_synonym_but_not_by_a_related_word(
    tmp_path: Path, normalizer
) -> None:
    reports = {
        "街道": "东湖街道科协工作总结\n一、健康\n街道经常组织居民开展体质测量活动。\n",
        "社区": "西湖社区工作总结\n一、健康\n社区设立体质检测站，方便居民。\n",
        "镇": "绿水镇科协工作总结\n一、活动\n镇科协组织居民开展体质锻炼活动，增强体质。\n",
    }  # fmt: skip
    answer = answered(tmp_path, normalizer, reports, "有没有组织居民做体质检测的例子？", others=6)
    # 测量 says 检测 in other words; 锻炼 is about the body too, but no test of it.
    assert {c.title for c in answer.citations} == {"东湖街道科协工作总结", "西湖社区工作总结"}


def test_a_listed_report_naming_no_place_of_its_own_shows_the_first_sentence_that_does(
    tmp_path: Path, normalizer
) -> None:
    reports = {
        "镇": "镇科协2023年工作总结\n一、组织建设\n一年来，我镇科协加强了组织领导。\n"
        "二、设施建设\n镇科协借助通州移动公司的营业点建成了科普活动中心。\n",
        "乡": "白石乡科协2023年工作总结\n一、概况\n白石乡科协在乡政府门口开展科普日活动。\n",
    }  # fmt: skip
    answer = answered(tmp_path, normalizer, reports, "知识库里有几份乡镇的总结？", others=4)
    assert answer.lead == "知识库中有两份乡镇的报告："
    by_report: dict[str, list[str]] = {}
    for quote in answer.quotes:
        by_report.setdefault(quote.report.split("（")[0], []).append(quote.text)
    assert by_report == {
        "镇科协2023年工作总结": [
            "一年来，我镇科协加强了组织领导。",
            "镇科协借助通州移动公司的营业点建成了科普活动中心。",
        ],
        "白石乡科协2023年工作总结": ["白石乡科协在乡政府门口开展科普日活动。"],
    }


def test_a_question_about_all_the_reports_counts_them_in_plain_words(kb) -> None:
    assistant, _ = kb
    assert assistant.answer("知识库里一共有几份总结？").lead == "知识库中有四份报告："


def test_a_fact_no_passage_gives_says_so_and_quotes_only_the_closest_sentence(kb) -> None:
    assistant, _ = kb
    answer = assistant.answer("市民广场的启动仪式花了多少钱？")
    assert answer.lead == "报告中没有写明这个数字，与之最相关的内容是："
    assert not answer.found  # what was asked is not found; the closest passage is shown
    assert [q.text for q in answer.quotes] == ["9月15日上午，全市科普日启动仪式在市民广场举行。"]


@pytest.mark.parametrize(
    ("sentence", "question", "exact"),
    [
        ("全乡约有600余人次参加了培训。", "参加培训的有多少人次？", True),
        ("共有1081名校长参加培训。", "参加培训的有多少人次？", False),
        ("共有1081名校长参加培训。", "参加培训的有多少人？", False),
        ("共有1081名校长参加培训。", "听众有多少？", True),  # no unit asked: any of people
    ],
)  # fmt: skip
def test_a_figure_is_in_the_asked_unit_only_when_it_ends_with_it(
    normalizer: Normalizer, sentence: str, question: str, exact: bool
) -> None:
    parsed = parse_question(question, normalizer.normalize(question), [])
    assert figures(sentence, parsed) and in_asked_unit(sentence, parsed) is exact


@pytest.mark.parametrize(
    ("question", "measure"),
    [
        ("中心办的几个网站，一年下来访问量有多少？", "访问量"),
        ("全乡农村经济总收入一共是多少？", "总收入"),
        ("讲座办了多少？", None),  # a verb before 多少: what it did, no amount of a thing
        ("名师工作室有多少？", None),  # a thing counted: 成立了32个名师工作室
        ("网站访问量有多少呢？", "访问量"),
        ("科普画廊有多少个？", None),  # a measure word says what is counted
    ],
)
def test_a_count_in_no_unit_measures_the_noun_written_before_it(
    normalizer: Normalizer, question: str, measure: str | None
) -> None:
    assert parse_question(question, normalizer.normalize(question), []).measure == measure


def test_a_number_is_the_amount_measured_only_after_the_sentence_names_it(
    normalizer: Normalizer,
) -> None:
    question = "中心办的几个网站，一年下来访问量有多少？"
    parsed = parse_question(question, normalizer.normalize(question), [])
    assert figures("中心建立起三个综合性网站。", parsed) == []
    assert figures("中心建立起三个网站，访问量全年达12万。", parsed) == ["12万"]
    assert figures("中心建立起三个网站，全年訪問量達12萬人次。", parsed) == ["12萬"]


def test_an_amount_no_sentence_gives_is_not_found_though_a_number_of_its_topic_is(kb) -> None:
    assistant, _ = kb
    answer = assistant.answer("绿水镇的科普讲座，总收入有多少？")
    assert not answer.found  # 12场 and 800人次 are no 收入
    assert answer.lead == "报告中没有写明这个数字，与之最相关的内容是："


def test_a_figure_counted_within_the_sentence_before_comes_after_it(
    tmp_path: Path, normalizer
) -> None:
    reports = {
        "镇": "绿水镇科协工作总结\n一、科技培训\n今年镇科协先后办班18期。受培人数达到1201人次。"
        "其中农村党员近1000人次，基层干部120人。\n",
    }  # fmt: skip
    answer = answered(tmp_path, normalizer, reports, "农村党员参加培训有多少人次？", others=6)
    texts = [q.text for q in answer.quotes]
    assert texts[:2] == ["受培人数达到1201人次。", "其中农村党员近1000人次，基层干部120人。"]


def test_the_unit_asked_about_by_its_organ_is_a_level_not_a_topic_word(
    normalizer: Normalizer,
) -> None:
    question = "县科协是怎么开展科普示范村建设的？"
    parsed = parse_question(question, normalizer.normalize(question), [])
    assert parsed.level == "县" and "县科协" not in parsed.topic
    assert {"科普示范村", "建设"} <= set(parsed.topic)


def test_a_sum_over_the_reports_is_a_total_and_the_reports_are_no_topic_word(
    normalizer: Normalizer,
) -> None:
    question = "各报告一共发放了多少份科普资料？"
    parsed = parse_question(question, normalizer.normalize(question), [])
    assert (parsed.intent, parsed.unit) == ("total", "份")
    assert "报告" not in parsed.topic and "各" not in parsed.topic and "资料" in parsed.topic


def test_a_yes_or_no_pair_is_no_topic_word_nor_are_its_parts(normalizer: Normalizer) -> None:
    question = "县里给学会的钱够不够？"
    parsed = parse_question(question, normalizer.normalize(question), [])
    assert "学会" in parsed.topic and not {"够不够", "不够"} & set(parsed.topic)


def test_a_level_passage_must_name_the_word_found_weighs_most_not_a_rare_modifier(
    tmp_path: Path, normalizer
) -> None:
    reports = {
        "街道": "东湖街道科协工作总结\n一、讲座\n街道科协举办健康科普讲座8场。\n",
        "镇": "绿水镇科协工作总结\n一、讲座\n镇科协每年举办科普讲座。\n",
    }  # fmt: skip
    answer = answered(tmp_path, normalizer, reports, "街道每年是怎么举办科普讲座的？", others=6)
    assert answer.lead == "在一份报告中找到相关内容："
    assert [c.title for c in answer.citations] == ["东湖街道科协工作总结"]


def test_a_total_adds_only_figures_of_the_event_asked(tmp_path: Path, normalizer) -> None:
    reports = {
        "日": "青山市科普日总结\n一、活动\n科普日期间，全市共举办活动6场。\n",
        "周": "东湖街道科普活动周总结\n一、活动\n科普活动周期间，街道共组织活动3场。\n",
    }  # fmt: skip
    for n in range(2):  # 科普日 in more passages than 活动: the rarer word is not the event
        reports[f"发放{n}"] = f"第{n}镇科协工作总结\n一、宣传\n科普日当天，镇科协发放资料。\n"
    for n in range(6):
        reports[f"讲座{n}"] = f"第{n}街道科协工作总结\n一、讲座\n街道科协举办健康讲座。\n"
    answer = assistant_over(ingested(tmp_path, normalizer, reports), normalizer).answer(
        "科普日期间各地一共举办了多少场活动？"
    )
    assert "合计 9场" not in answer.lead
    assert answer.quotes[0].text == "科普日期间，全市共举办活动6场。"


@pytest.mark.parametrize(
    ("question", "level"),
    [
        ("有壶山街道的那个县，今年培训了多少人？", "县"),  # the street only describes it
        ("湖北那个市开展了哪些活动？", "市"),
        ("这个镇的科普日是怎么办的？", "乡镇"),
        ("街道是怎么开展科普日活动的？", "街道"),
        ("那个活动办了几场？", None),
        ("这个乡村振兴项目投入了多少资金？", None),  # 乡 is no word of its own here
        ("这个市场监管局开展了多少场科普活动？", None),
        ("2023年的全县科普经费中乡镇一级占多少？", "乡镇"),  # as before: no pointer
        # A word that only names a level outranks one that may be the topic.
        ("市里是怎么搭起社区教育这套体系的？", "市"),
        ("社区是怎么开展科普活动的？", "街道"),
        ("社区怎么向市里申请科普经费？", "街道"),  # 市里 after 向 is the other party
        # The level the question opens with; the one after it is the other party.
        ("市里教育部门是怎么借助大学的？跟哪些高校合作了？", "市"),
        ("高校科协是怎么跟市里合作的？", "高校"),
    ],
)
def test_the_level_pointed_at_is_the_one_asked(question: str, level: str | None) -> None:
    from bot.core.levels import asked_level

    assert asked_level(question) == level


@pytest.mark.parametrize(
    ("question", "level", "levels", "not_topic"),
    [
        ("县和街道分别是怎么开展科普日活动的？", "县", ("县", "街道"), {"县", "分别"}),
        ("镇和街道怎么办科普讲座？", "乡镇", ("乡镇", "街道"), {"镇"}),
        ("县级和乡镇级怎么做科普宣传？", "县", ("县", "乡镇"), {"县级", "乡镇级"}),
        ("乡、镇科协是怎样成立的？", "乡镇", (), {"乡", "镇"}),
        # jieba glues a unit to its joiner (和县, a county's name) or to another unit (县乡).
        ("市和县分别是怎么开展科普日活动的？", "市", ("市", "县"), {"和县", "市"}),
        ("县、乡两级怎么开展科普培训？", "县", ("县", "乡镇"), {"两级", "乡", "县"}),
        # A unit's character on its own, joined to nothing, says where to look no more than
        # 县城 or 兴仁县 do.
        ("县城是怎么创建文明城市的？", None, (), set()),
        ("兴仁县和街道怎么办科普讲座？", "街道", (), set()),
    ],
)
def test_a_units_bare_character_joined_to_another_level_names_a_level_not_a_topic(
    normalizer: Normalizer, question: str, level: str | None, levels: tuple, not_topic: set
) -> None:
    parsed = parse_question(question, normalizer.normalize(question), [])
    assert (parsed.level, parsed.levels) == (level, levels)
    assert not not_topic & set(parsed.topic)


def test_levels_asked_as_one_are_answered_level_by_level(kb) -> None:
    assistant, _ = kb
    answer = assistant.answer("镇和街道分别是怎么举办科普讲座的？")
    quoted = [q.text for q in answer.quotes]
    assert "今年我镇科协举办科普讲座12场，听众达800人次。" in quoted
    assert "街道科协邀请专家举办健康科普讲座8场，居民踊跃参加。" in quoted
    assert {c.title for c in answer.citations} == {
        "绿水镇科协2023年科普工作总结",
        "东湖街道科协2023年科普工作总结",
    }
    # A level whose reports say nothing of it is named in the lead, not filled by another.
    answer = assistant.answer("镇和高校分别是怎么举办科普讲座的？")
    assert answer.lead == "高校一级的报告中没有找到相关做法；以下是乡镇一级的做法："
    assert {c.title for c in answer.citations} == {"绿水镇科协2023年科普工作总结"}


def test_a_word_that_only_asks_for_one_answer_per_unit_ranks_no_passage(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    reports = {
        "分别": "青山县科协工作总结\n一、培训\n县科协分别在三个乡镇开展了培训活动。\n",
        "科普日": "绿水县科协工作总结\n一、科普日\n县科协在广场开展科普日宣传活动。\n",
    }  # fmt: skip
    for n in range(3):  # 科普日 in more passages than 分别: the rarer word weighs more
        reports[f"日{n}"] = f"第{n}镇科协工作总结\n一、宣传\n科普日当天，镇科协发放资料。\n"
    answer = answered(tmp_path, normalizer, reports, "县里分别是怎么开展科普日活动的？")
    assert answer.found
    assert [c.title for c in answer.citations] == ["绿水县科协工作总结"]


def test_what_picks_out_the_unit_pointed_at_is_no_topic_word(normalizer: Normalizer) -> None:
    question = "有壶山街道的那个县，今年组织了多少场科普讲座？"
    parsed = parse_question(question, normalizer.normalize(question), [])
    assert parsed.level == "县"
    assert not {"壶山", "壶", "山", "街道", "壶山街道"} & set(parsed.topic)
    assert "科普讲座" in parsed.topic or "讲座" in parsed.topic


@pytest.mark.parametrize(
    ("question", "word"),
    [
        ("哪些镇组织了人参加活动？各镇分别是多少人？", "镇"),
        ("每个县发了多少份资料？", "县"),
        ("各镇分别办了几场讲座？", "各镇"),
    ],
)
def test_a_question_asked_over_every_unit_of_a_level_is_about_that_level(
    normalizer: Normalizer, question: str, word: str
) -> None:
    parsed = parse_question(question, normalizer.normalize(question), [])
    assert parsed.level == {"镇": "乡镇", "县": "县", "各镇": "乡镇"}[word]
    assert word not in parsed.topic


def test_a_township_figure_in_a_city_paragraph_about_one_township_is_township_material(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    reports = {
        "市": "青山市科协2023年全国科普日活动总结\n一、活动开展情况\n"
        "红星镇科协通过广播站宣传科普日活动；组织党员干部300余人收看科普日专题讲座。\n"
        "市科协在市民广场组织2000多人参加科普日活动。\n",
    }  # fmt: skip
    answer = answered(tmp_path, normalizer, reports, "科普日期间，哪些镇组织了多少人参加活动？")
    assert [q.figure for q in answer.quotes] == ["300余人"]


@pytest.mark.parametrize(
    ("sentence", "level", "speaks"),
    [
        ("东湖社区组织居民开展读书活动。", "街道", True),
        ("来源街道科协组织企业参观高交会。", "街道", True),
        # Where a township's or a school's people went is no community's own work.
        ("全镇200余名师生组织开展科普宣传进社区行动。", "街道", False),
        ("2000余名小小科普志愿者走上街头、深入社区宣讲。", "街道", False),
        ("全镇200余名师生组织开展科普宣传进社区行动。", "乡镇", True),
        ("某大学科协科普部举办了校园科技节。", "高校", True),
        ("学生会和校园社团协办了读书活动。", "高校", True),
        # A university named as a partner, or the county's academic societies, are not.
        ("市教育局与四川师范大学签订了教育战略合作协议。", "高校", False),
        ("县内学术性社团的工作经费未列入财政预算。", "高校", False),
    ],
)
def test_a_sentence_speaks_of_a_unit_of_a_level_by_naming_it_not_by_going_there(
    sentence: str, level: str, speaks: bool
) -> None:
    from bot.core.levels import speaks_of

    assert speaks_of(sentence, level) is speaks


@pytest.mark.parametrize(
    ("question", "level", "grade"),
    [
        ("今年拟建几个省级科普示范村？", None, "省级"),
        ("省级先进集体有多少个？", None, "省级"),
        ("市级科协怎么开展活动？", "市", None),  # before an organ: the level
        ("县级和乡镇级怎么做科普宣传？", "县", None),  # before a function word
        ("县级开展了哪些活动？", "县", None),  # before a verb: where it was done
        ("乡镇级举办了多少场讲座？", "乡镇", None),
        ("有几个市级示范基地？", None, "市级"),  # a verb that opens a noun phrase
    ],
)
def test_a_level_word_before_a_thing_is_its_grade_and_part_of_the_topic(
    normalizer: Normalizer, question: str, level: str | None, grade: str | None
) -> None:
    parsed = parse_question(question, normalizer.normalize(question), [])
    assert parsed.level == level
    assert parsed.grades == ((grade,) if grade else ())
    assert grade is None or grade in parsed.topic


def test_a_level_word_the_reports_write_before_a_topic_word_is_a_grade(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    reports = {
        "县": "青山县科协工作总结\n一、示范村\n今年拟建立省级科普示范村2个，市级科普示范村3个。\n",
    }  # fmt: skip
    store = ingested(tmp_path, normalizer, reports)
    parsed = retriever_over(store, normalizer, None, Settings()).parse(
        "今年计划建多少个科普示范村？省级、市级分别几个？"
    )
    assert (parsed.level, parsed.levels) == (None, ())
    assert {"省级", "市级"} <= set(parsed.topic) and parsed.alternatives == ()


def test_levels_asked_as_one_for_figures_say_which_level_has_none(kb) -> None:
    assistant, _ = kb
    answer = assistant.answer("镇和高校分别办了多少场科普讲座？")
    assert answer.lead.startswith("高校一级的报告中没有找到相关数字。")
    assert [q.figure for q in answer.quotes] == ["12场"]
    # 分别 asks each level's figure side by side: listed, never added up.
    answer = assistant.answer("镇和街道分别办了多少场科普讲座？")
    assert sorted(q.figure for q in answer.quotes) == ["12场", "8场"]
    assert "=" not in answer.lead


def test_a_list_at_a_level_lists_only_material_of_that_level(kb) -> None:
    assistant, _ = kb
    # The township's 300人次 is no answer for streets and universities: shown as what it is.
    answer = assistant.answer("街道和高校分别有多少人次参加读书活动？")
    assert not answer.found
    assert answer.lead == "街道、高校一级的报告中没有找到这个数字；以下是其他报告中的内容："
    assert [c.title for c in answer.citations] == ["绿水镇科协2023年科普工作总结"]


def test_examples_at_a_level_with_none_are_other_levels_cases_said_to_be_so(kb) -> None:
    assistant, _ = kb
    answer = assistant.answer("有没有高校举办科普讲座的例子？")
    assert answer.found
    assert answer.lead == "高校一级的报告中没有找到相关做法；以下是其他报告中的内容："
    assert "某大学科协科普部2023年工作总结" not in {c.title for c in answer.citations}
    assert {c.title for c in answer.citations} & {
        "绿水镇科协2023年科普工作总结",
        "东湖街道科协2023年科普工作总结",
    }


def test_a_list_of_reports_mentioning_a_phrase_lists_those_writing_it_not_its_last_word(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    reports = {
        "乡": "红星乡科协工作总结\n一、经费保障\n去年落实科普经费7500元，保障了全乡科普工作。\n",
        "县": "青山县科协工作总结\n一、科普平台建设\n为推进科普平台建设，县科协努力克服人手少、"
        "经费有限的困难。\n",
        "市": "白石市科普教育工作总结\n一、科普进职校\n全市职教攻坚经费总投入13亿元，用于科普"
        "和职业教育。\n",
    }  # fmt: skip
    answer = answered(tmp_path, normalizer, reports, "列出所有提到科普经费的报告")
    assert [c.title for c in answer.citations] == ["红星乡科协工作总结"]
