import threading
from dataclasses import replace

import pytest

from bot.core.evaluate import evaluate_questions, read_questions
from bot.core.knowledge_base import retriever_over
from bot.core.retrieval import Filters, Hit, Retriever, Weights
from bot.settings import Settings
from knowledge.ingest import sync_folder
from knowledge.store import Store
from tests.files import ingested
from tests.paths import DEV_QUESTIONS


def test_hybrid_hits_carry_their_component_scores(retriever: Retriever) -> None:
    result = retriever.search("科普书籍读书活动有多少人次参加？", top_k=5)
    assert result.found
    top = result.hits[0]
    assert "300人次" in top.text
    assert top.keyword_score > 0 and top.vector_score > 0 and 0 < top.coverage <= 1
    assert top.title.startswith("縣科協") and top.heading_path


def test_traditional_question_finds_the_same_passage(retriever: Retriever) -> None:
    simplified = retriever.search("科普书籍读书活动有多少人次参加？").hits[0].chunk_id
    traditional = retriever.search("科普書籍讀書活動有多少人次參加？").hits[0].chunk_id
    assert simplified == traditional


@pytest.mark.parametrize(
    "question", ["今天晚上吃什么好？", "怎么修电脑蓝屏？", "去日本的签证怎么办？"]
)
def test_questions_outside_the_reports_are_not_found(retriever: Retriever, question: str) -> None:
    assert not retriever.search(question).found


@pytest.mark.parametrize(
    ("question", "found"),
    [
        # The reader's own verb (鼓捣, which no report writes) cannot refuse a question whose
        # things the reports hold, nor let through one whose things they lack.
        ("成都是怎么鼓捣社区教育体系的？", True),
        ("成都是怎么鼓捣无人机编队表演的？", False),
        # After the things, the everyday word is what is asked.
        ("青少年科普志愿者偷偷溜号咋办？", False),
        ("今天晚上吃什么好？", False),  # nothing but everyday words
    ],
)
def test_an_everyday_word_no_report_writes_weighs_little_beside_the_things_asked(
    retriever: Retriever, question: str, found: bool
) -> None:
    assert retriever.search(question).found is found


def test_duplicate_report_never_appears_twice(retriever: Retriever) -> None:
    hits = retriever.search("镇里新增了几处科普设施，投资多少？", top_k=10).hits
    texts = [h.normalized for h in hits]
    assert sum("三处新的科普设施" in t for t in texts) == 1


def test_filters_named_in_the_question_are_reported(retriever: Retriever) -> None:
    result = retriever.search("2011年成都的教育工作怎么做的？")
    assert (result.filters.year, result.filters.place) == (2011, "成都")
    assert result.hits[0].year == 2011


@pytest.mark.parametrize(
    ("filters", "check"),
    [
        (Filters(level="街道"), lambda h: h.level == "街道"),
        (Filters(year=2013), lambda h: h.year == 2013),
        (Filters(place="原平"), lambda h: any("原平" in p for p in h.place)),
    ],
)
def test_explicit_filters_keep_only_matching_reports(retriever: Retriever, filters, check) -> None:
    hits = retriever.search("科普活动", top_k=10, filters=filters).hits
    assert hits and all(check(h) for h in hits)


def test_dev_questions_meet_the_retrieval_bar(retriever: Retriever, normalizer) -> None:
    rows = {
        r["mode"]: r
        for r in evaluate_questions(retriever, read_questions(DEV_QUESTIONS), normalizer)
    }
    hybrid, keyword = rows["hybrid"], rows["keyword"]
    assert hybrid["hit@5"] >= 20 and hybrid["mrr@10"] >= 0.90
    assert hybrid["negatives_correct"] == hybrid["negatives"] == 2
    for figure in ("hit@1", "hit@5", "mrr@10", "negatives_correct"):
        assert hybrid[figure] >= keyword[figure], figure


def test_keyword_only_store_still_answers_without_vectors(bundled_store, normalizer) -> None:
    store: Store = bundled_store[0]
    plain = retriever_over(store, normalizer, None, Settings())
    result = plain.search("科普知识进楼栋活动")
    assert result.found and result.hits[0].vector_score == 0


def test_the_vector_search_runs_beside_the_caller_and_raises_to_it(
    retriever: Retriever, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert retriever.index is not None
    search, threads = retriever.index.search, []

    def recorded(vector, k):
        threads.append(threading.current_thread())
        return search(vector, k)

    monkeypatch.setattr(retriever.index, "search", recorded)
    assert retriever.search("科普书籍读书活动有多少人次参加？").hits[0].vector_score > 0
    assert threads and threads[0] is not threading.current_thread()

    def broken(vector, k):
        raise MemoryError("vectors")

    monkeypatch.setattr(retriever.index, "search", broken)
    with pytest.raises(MemoryError, match="vectors"):
        retriever.search("科普书籍读书活动有多少人次参加？")
    assert retriever.search("科普书籍读书活动", mode="keyword").hits


def test_level_word_boosts_instead_of_outweighing_the_topic(retriever: Retriever) -> None:
    result = retriever.search("乡镇是怎么开展科普日活动的？")
    assert result.filters.level == "乡镇"
    assert "科普日" in result.hits[0].normalized


@pytest.fixture()
def gallery(tmp_path, normalizer) -> Store:
    """One passage repeats a question word; another holds more of the question's words."""
    folder = tmp_path / "kb"
    folder.mkdir()
    bodies = [
        "科普画廊，画廊展板，画廊橱窗。",
        "全年在辖区内各个社区陆续建成了科普画廊两处，并组织居民参观学习，"
        "居民普遍反映良好，工作得到上级肯定。",
    ] + [
        f"{work}，取得良好效果。"
        for work in (
            "组织青少年参观科技馆", "开展防震减灾演练", "举办农业技术培训班", "发放科普资料两万份",
            "召开年度工作会议", "评选优秀科普志愿者", "开展全国科普日活动", "建立科普示范基地",
        )
    ]  # fmt: skip
    for number, body in enumerate(bodies):
        (folder / f"{number}.txt").write_text(
            f"第{number}号总结\n一、主要做法\n{body}\n", encoding="utf-8"
        )
    store = Store(tmp_path / "kb.db")
    sync_folder(folder, store, normalizer)
    return store


def test_coverage_weight_lifts_the_passage_holding_more_question_words(
    gallery: Store, normalizer
) -> None:
    question = "社区科普画廊建了几处？"

    def top(coverage: float, mode: str = "hybrid") -> Hit:
        weights = Weights(keyword=1.0, vector=0.05, coverage=coverage)
        retriever = Retriever(gallery, normalizer, None, None, weights, min_coverage=0.35)
        return retriever.search(question, mode=mode).hits[0]

    # BM25 alone prefers the passage that says 画廊 three times ...
    assert "画廊橱窗" in top(0.07, mode="keyword").normalized
    assert "画廊橱窗" in top(0.0).normalized
    # ... the coverage share puts the one that also names 社区 first.
    lifted = top(0.5)
    assert "社区" in lifted.normalized
    assert lifted.coverage > top(0.07, mode="keyword").coverage


def test_a_question_naming_a_whole_title_prefers_that_report(tmp_path, normalizer) -> None:
    # Both passages hold the question's words; BM25 puts first, by a hair, the one of a report
    # whose title only contains the words asked. The report the question names in full wins.
    reports = {
        "防汛演练": "防汛演练\n一、组织情况\n七月防汛演练，转移群众三百人。\n",
        "防汛演练观摩心得": "防汛演练观摩心得\n一、体会\n防汛演练转移群众，组织有序。\n",
    }
    for n in range(6):
        reports[f"其他{n}"] = f"第{n}街道科协工作总结\n一、读书\n街道科协开展读书活动。\n"
    store = ingested(tmp_path, normalizer, reports)
    retriever = retriever_over(store, normalizer, None, Settings())
    question = "防汛演练转移了多少群众？"
    assert retriever.search(question).hits[0].title == "防汛演练"
    assert retriever.search(question, mode="keyword").hits[0].title == "防汛演练观摩心得"
    retriever.weights = replace(retriever.weights, title_named=0.0)
    assert retriever.search(question).hits[0].title == "防汛演练观摩心得"


def test_a_list_of_reports_is_found_by_any_of_its_first_passages(retriever: Retriever) -> None:
    # Near-tied passages put one without 经费 first; the reports that have it still answer.
    listed = retriever.search("列出所有提到科普经费的报告")
    assert listed.hits and listed.found
    assert listed.parsed is not None and "报告" not in listed.parsed.topic  # what is listed
    assert retriever.found_scorer(listed.parsed)(listed.hits[0].text) < retriever.min_coverage
