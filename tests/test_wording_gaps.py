"""Questions whose words differ from the report's, and answers that read whole: level words
used as topics, options, the reports' usual word for a rarer one, a count in its own unit,
and the sentence a quoted one carries on from. Tiny reports written here."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.knowledge_base import retriever_over
from bot.core.levels import asked_level
from bot.core.retrieval import Retriever
from bot.settings import Settings
from knowledge.ingest import ChunkBudget
from knowledge.normalize import Normalizer
from knowledge.store import Store
from tests.files import answered, assistant_over, ingested

TEACHERS = (
    "某市教育工作总结\n一、改善农村教师待遇\n"
    "通过集中建设、政府补贴等方式，建成农村教师住房520套，农村教师住房困难基本解决。\n"
    "二、教师培训\n全市教师参加暑期培训，提高业务水平。\n"
)
STAFF_ROOM = "某校工作总结\n一、办公条件\n学校为老师添置办公桌椅，改善办公条件。\n"
TRAINING = "某区教育工作总结\n一、教师队伍\n区里组织教师外出学习，开展教学比武。\n"
CIVILISED = (
    "某街道科普工作总结\n一、争优创先活动\n"
    "街道开展科普知识进楼栋活动，通过此类“倡导科学生活、创建文明社区”活动，社区面貌有了改观。\n"
)
MARKET = "某县科协工作总结\n一、集市宣传\n县科协在集市开展科普宣传，发放资料八百份。\n"


def _retriever(store: Store, normalizer: Normalizer) -> Retriever:
    return retriever_over(store, normalizer, None, Settings())


@pytest.mark.parametrize(
    ("question", "level"),
    [
        ("社区是怎么开展科普活动的？", "街道"),
        ("县科协是怎么开展科普月活动的？", "县"),
        ("高校社团是怎么做科普的？", "高校"),
        ("有没有把科普工作和创建文明社区结合起来的例子？", None),
        ("縣內學術性社團的經費從哪裡來？", None),
    ],
)
def test_a_level_word_names_the_level_only_where_nothing_modifies_it(
    normalizer: Normalizer, question: str, level: str | None
) -> None:
    assert asked_level(normalizer.normalize(question)) == level


def test_an_examples_question_listing_options_is_answered_by_a_report_naming_one(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    store = ingested(tmp_path, normalizer, {"街道": CIVILISED, "县": MARKET})
    answer = assistant_over(store, normalizer).answer(
        "有没有把科普工作和创建文明城市、文明社区结合起来的例子？"
    )
    assert answer.found and answer.kind == "examples"
    assert {c.title for c in answer.citations} == {"某街道科普工作总结"}
    assert any("创建文明社区" in q.text for q in answer.quotes)


def test_a_rare_word_takes_the_synonym_the_reports_usually_write(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    reports = {"市": TEACHERS, "校": STAFF_ROOM, "区": TRAINING}
    store = ingested(tmp_path, normalizer, reports)
    parsed = _retriever(store, normalizer).parse("老师的住房是怎么解决的？")
    # 老师 is in one passage, 教师 in three: the reports' own word stands in for it.
    assert "教师" in dict(parsed.synonyms_of("老师"))


def test_a_written_word_does_not_take_a_synonym_no_more_common_than_itself(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    reports = {"市": TEACHERS.replace("教师", "老师", 1), "校": STAFF_ROOM}
    store = ingested(tmp_path, normalizer, reports)
    parsed = _retriever(store, normalizer).parse("老师的住房是怎么解决的？")
    assert parsed.synonyms_of("老师") == ()


def test_a_reworded_count_question_is_found_by_the_count_in_its_unit(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    store = ingested(tmp_path, normalizer, {"市": TEACHERS, "校": STAFF_ROOM, "区": TRAINING})
    question = "乡下老师住的宿舍盖了多少套？"
    answer = assistant_over(store, normalizer).answer(question)
    assert answer.found
    assert answer.quotes[0].text.startswith("通过集中建设、政府补贴等方式，建成农村教师住房520套")
    assert answer.quotes[0].figure == "520套"
    # The words alone (乡下→农村, 老师→教师, 住) are too few to find it.
    retriever = _retriever(store, normalizer)
    parsed = retriever.parse(question)
    passage = retriever.search(question).hits[0]
    assert retriever.topic_scorer(parsed, general=True)(passage.normalized) < retriever.min_coverage


def test_a_count_in_a_unit_that_counts_anything_does_not_find_a_question(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    town = "某镇工作总结\n一、流动宣传\n镇科协开展巡回展览，走进十二个村。\n"
    store = ingested(tmp_path, normalizer, {"镇": town, "县": MARKET})
    assert not _retriever(store, normalizer).search("流动科技馆去了几个村？").found


PLAN = (
    "某县科协工作总结\n一、科普月活动\n"
    "二月县科协召开全县科普工作会议，部署全年工作。\n"
    "县科协开展科普月活动，各学会在科普月开展宣传。\n"
    "今年春季，按照上级部署，配合乡风文明主题教育。"
    "下发了《关于开展科普月活动的意见》，编印宣传资料一册，免费向公众赠阅。\n"
    "二、其他工作\n县科协完成了年度统计报表。\n"
)


def test_a_quoted_sentence_opening_with_its_verb_comes_with_the_one_it_carries_on_from(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    store = ingested(tmp_path, normalizer, {"县": PLAN})
    answer = assistant_over(store, normalizer).answer("县科协是怎么开展科普月活动的？")
    texts = [q.text for q in answer.quotes]
    carried = "下发了《关于开展科普月活动的意见》，编印宣传资料一册，免费向公众赠阅。"
    subject = "今年春季，按照上级部署，配合乡风文明主题教育。"
    assert carried in texts and subject in texts
    assert texts.index(subject) == texts.index(carried) - 1


def test_the_sentence_carried_on_from_is_found_across_a_chunk_boundary(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    # Chunks this small cut the paragraph between the subject and the sentence quoted.
    budget = ChunkBudget(min_chars=20, max_chars=60)
    store = ingested(tmp_path, normalizer, {"县": PLAN}, budget=budget)
    retriever = _retriever(store, normalizer)
    hits = retriever.search("科普月活动的意见", top_k=10).hits
    opening = next(h for h in hits if h.text.startswith("下发了"))
    before = retriever.continued_from(opening)
    assert before is not None and before.text.endswith("配合乡风文明主题教育。")
    texts = [q.text for q in assistant_over(store, normalizer).answer(
        "县科协是怎么开展科普月活动的？"
    ).quotes]  # fmt: skip
    assert "今年春季，按照上级部署，配合乡风文明主题教育。" in texts


def test_a_how_to_answer_keeps_the_rest_of_its_best_sentences_paragraph(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    city = (
        "某市教育局工作总结\n一、推进教育信息化\n"
        "力争用三年时间让所有学校建成校园网，实现教育信息化建设目标。"
        "市、区、校三级资源共享平台已完成开发任务。\n"
        "二、其他工作\n全市开展教师培训活动，提高教师素质。\n"
    )
    store = ingested(tmp_path, normalizer, {"市": city})
    answer = assistant_over(store, normalizer).answer("学校是怎么推进教育信息化建设的？")
    assert [q.text for q in answer.quotes] == [
        "力争用三年时间让所有学校建成校园网，实现教育信息化建设目标。",
        "市、区、校三级资源共享平台已完成开发任务。",
    ]


def test_the_next_paragraph_is_not_kept_with_a_best_sentence_unless_it_gives_figures(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    city = (
        "某市教育局工作总结\n一、推进教育信息化\n"
        "力争用三年时间让所有学校建成校园网，实现教育信息化建设目标。\n"
        "市教育局还表彰了一批先进个人。\n"
        "二、其他工作\n全市开展教师培训活动，提高教师素质。\n"
    )
    store = ingested(tmp_path, normalizer, {"市": city})
    answer = assistant_over(store, normalizer).answer("学校是怎么推进教育信息化建设的？")
    assert [q.text for q in answer.quotes] == [
        "力争用三年时间让所有学校建成校园网，实现教育信息化建设目标。"
    ]


def test_a_passage_opening_a_paragraph_carries_on_from_nothing(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    plan = PLAN.replace("配合乡风文明主题教育。", "配合乡风文明主题教育。\n")
    store = ingested(tmp_path, normalizer, {"县": plan}, budget=ChunkBudget(20, 60))
    retriever = _retriever(store, normalizer)
    hits = retriever.search("科普月活动的意见", top_k=10).hits
    opening = next(h for h in hits if h.text.startswith("下发了"))
    assert retriever.continued_from(opening) is None


def test_examples_of_a_kind_offer_the_kind_itself(normalizer: Normalizer) -> None:
    from bot.core.question import parse_question

    question = "有沒有用快板、小節目這種群眾愛看的文藝形式來宣傳科技的做法？"
    parsed = parse_question(question, normalizer.normalize(question), [])
    # 文艺 is what 快板 and 小节目 are examples of; 形式 says nothing of what kind.
    assert ("快板", "小节目", "文艺") in parsed.alternatives
    question = "像义诊、咨询之类的科普活动有哪些？"
    parsed = parse_question(question, normalizer.normalize(question), [])
    assert ("义诊", "咨询") in parsed.alternatives  # 科普活动 is every report's kind


def test_an_examples_question_is_answered_by_a_report_naming_the_kind_of_its_examples(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    village = (
        "某乡科协工作总结\n一、科技活动周\n"
        "乡科协在文化大院组织了科技文艺汇演，以群众喜闻乐见的方式宣传科技知识。\n"
    )
    answer = answered(
        tmp_path, normalizer, {"乡": village, "县": MARKET},
        "有沒有用相聲、小節目這種群眾愛看的文藝形式來宣傳科技的做法？",
    )  # fmt: skip
    assert answer.found  # answered in the reader's script
    assert {c.title for c in answer.citations} == {"某鄉科協工作總結"}
    assert "科技文藝匯演" in answer.quotes[0].text


def test_a_quoted_term_is_what_a_list_looks_for_when_a_word_around_it_is_in_no_report(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    reports = {
        "乡": "某乡科协工作总结\n一、示范创建\n乡里制定了创建科普示范乡的实施方案，逐村落实。\n",
        "县": "某县科协工作总结\n一、基层阵地\n今年拟创建省级科普示范村两个，已上报材料。\n",
        "镇": "某镇科协工作总结\n一、宣传\n镇科协创建科普宣传栏，每月更换内容。\n",
    }
    answer = answered(tmp_path, normalizer, reports, "哪些报告提到在创建某种“科普示范”称号？")
    # No report writes 称号; the quoted term is what the reader asks about.
    assert answer.found and answer.kind == "list"
    assert {c.title for c in answer.citations} == {"某乡科协工作总结", "某县科协工作总结"}


def test_the_sentence_between_two_quoted_ones_of_a_paragraph_is_quoted_too(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    city = (
        "某市教育局工作总结\n一、村小改革\n"
        "通过合并、设立校区等方式，全市消除原有的村小。"
        "保留的校区与中心校统一排课，统一教学进度。"
        "村小设立为独立小学的，校长由窗口小学派出。\n"
        "二、其他工作\n全市开展教师培训活动，提高教师素质。\n"
    )
    store = ingested(tmp_path, normalizer, {"市": city})
    answer = assistant_over(store, normalizer).answer("市里是怎么处理村小的？村小的校长怎么安排？")
    assert [q.text for q in answer.quotes] == [
        "通过合并、设立校区等方式，全市消除原有的村小。",
        "保留的校区与中心校统一排课，统一教学进度。",
        "村小设立为独立小学的，校长由窗口小学派出。",
    ]
