"""The checker of written answers: what a sentence claims, and which sentences are kept."""

from __future__ import annotations

import pytest

from bot.core.checker import Checker, split_sentences, tidy
from bot.core.citation import Citation
from bot.core.claims import claims_of, comparable, names_in
from bot.core.written import Dropped, Sentence
from knowledge.numerals import chinese_number

STREET = Citation(
    1, "c1", "縣科協科普工作總結 篇1", ("一、領導重視",), ("來源街道",), "街道", 2023, "a.txt",
    "來源街道科協在東樂、金湖社群工作站開展科普書籍讀書活動（共約300人次參加），重新購買"
    "1000多本科普書籍。今年4月5日舉辦科普日，發放《文明科學的家庭生活》一冊，免費向公眾贈閱。",
)  # fmt: skip
TOWNSHIP = Citation(
    2, "c2", "2024科普工作总结 篇3", (), ("原平市",), "乡镇", 2024, "b.txt",
    "原平市某乡党委政府把科教兴乡纳入主要领导干部任期目标责任制，举办培训班十二期，"
    "培训农民三千二百人次。",
)  # fmt: skip


@pytest.mark.parametrize(
    ("run", "value"),
    [("三十二", 32), ("一百零五", 105), ("一万二千", 12000), ("二〇二三", 2023), ("十", 10),
     ("两千", 2000), ("十二", 12), ("三千二百", 3200)],
)  # fmt: skip
def test_chinese_numerals_are_read_as_the_numbers_they_write(run: str, value: int) -> None:
    assert chinese_number(run) == value


@pytest.mark.parametrize(
    ("sentence", "numbers", "dates", "quotes"),
    [
        ("共約300人次參加，1,000多本", ("300", "1000"), (), ()),
        ("今年4月5日至7日举办，三十二支队伍参加第三届", ("7", "32", "3"), (("", "4", "5"),), ()),
        ("二〇二三年三月五日", (), (("2023", "3", "5"),), ()),
        # Numerals in words count nothing: 一些, 统一, 三下乡, 十分.
        ("一些统一的三下乡活动十分重视", (), (), ()),
        ("围绕「促進鄉風文明」，编印《文明科學的家庭生活》", (), (),
         ("促进乡风文明", "文明科学的家庭生活")),
        ("两场讲座，300，100人", ("2", "300", "100"), (), ()),  # a Chinese comma splits figures
    ],
)  # fmt: skip
def test_a_sentence_claims_its_figures_dates_and_quotes(
    sentence: str, numbers: tuple, dates: tuple, quotes: tuple
) -> None:
    claims = claims_of(comparable(sentence))
    assert (claims.numbers, claims.dates, claims.quotes) == (numbers, dates, quotes)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("蒿坪镇科协和六里坪镇科协", ("蒿坪镇", "里坪镇")),
        ("来源街道科协在红旗社区开展活动", ("来源街道", "红旗社区")),
        ("湖北省科协与中国科协", ("湖北省", "中国科协")),
        # References and phrases, not names: 全县, 各乡镇, 走进社区, 加强科协, 农村, 城市社区.
        ("全县各乡镇科协走进社区，加强科协组织建设，深入农村和城市社区", ()),
        ("按照县里部署，明年科协将组建协会", ()),
    ],
)  # fmt: skip
def test_names_are_two_characters_before_a_place_or_organisation_ending(
    text: str, names: tuple
) -> None:
    assert names_in(comparable(text)) == names


@pytest.mark.parametrize(
    ("raw", "sentences"),
    [
        ("<think>先想想</think>甲乙丙丁。[1]乙丙丁戊。【2】", ["甲乙丙丁。[1]", "乙丙丁戊。[2]"]),
        ("1. **甲乙**丙丁[1,2]。\n- 乙丙丁戊［3］。", ["甲乙丙丁[1][2]。", "乙丙丁戊[3]。"]),
        ("甲乙丙丁[1-3]。", ["甲乙丙丁[1][2][3]。"]),
        ("3.5万人参加[1]。\n2、乙丙丁戊[2]。", ["3.5万人参加[1]。", "乙丙丁戊[2]。"]),
        ("“甲乙丙丁。”[1]\n\n[2]\n主要做法如下：", ["“甲乙丙丁。”[1]", "主要做法如下："]),
    ],
)  # fmt: skip
def test_model_text_is_tidied_and_split_into_sentences_with_their_markers(
    raw: str, sentences: list[str]
) -> None:
    assert [s for _, s in split_sentences(tidy(raw), final=True)] == sentences


def test_while_streaming_a_sentence_is_complete_only_once_its_markers_can_no_longer_grow() -> None:
    assert split_sentences("甲乙丙丁。[1", final=False) == []
    assert split_sentences("甲乙丙丁。[1]", final=False) == []
    assert split_sentences("甲乙丙丁。[1]乙", final=False) == [(0, "甲乙丙丁。[1]")]
    assert split_sentences("甲乙丙丁。[1]\n乙", final=False) == [(0, "甲乙丙丁。[1]")]
    assert split_sentences("甲乙丙丁。[1]\n乙", final=True) == [(0, "甲乙丙丁。[1]"), (1, "乙")]


@pytest.mark.parametrize(
    ("sentence", "reason", "detail"),
    [
        ("来源街道科协在东乐开展读书活动，共约300人次参加。[1]", None, ""),
        ("来源街道科协共约300人次参加读书活动[1]。", None, ""),
        ("來源街道共約300人次參加讀書活動。[1]", None, ""),  # the passage's own script
        ("2023年，来源街道开展科普书籍读书活动。[1]", None, ""),  # the year of its label
        ("4月5日举办了科普日，发放《文明科学的家庭生活》。[1]", None, ""),
        ("原平市举办培训班12期，培训农民3200人次。[2]", None, ""),  # 十二期, 三千二百人次
        ("共约300人次参加了读书活动。[1][2]", None, ""),  # one of its passages holds it
        ("共约500人次参加了读书活动。[1]", "number", "500"),
        ("重新购买1000多本科普书籍，另购2000本。[1]", "number", "2000"),
        ("4月6日举办了科普日。[1]", "date", "4月6日"),
        ("发放《文明科学的家庭手册》一册。[1]", "quote", "文明科学的家庭手册"),
        ("黑山镇科协开展了科普书籍读书活动。[1]", "name", "黑山镇"),
        ("原平市举办培训班十二期。[1]", "number", "12"),  # a true figure, the wrong passage
        ("原平市举办培训班。[1]", "name", "原平市"),
        ("共约300人次参加了读书活动。", "no_marker", ""),
        ("共约300人次参加了读书活动。[3]", "bad_marker", "[3]"),
        ("作为人工智能，我无法回答这个问题。[1]", "unsupported", "0/13"),
    ],
)  # fmt: skip
def test_a_sentence_is_kept_only_when_its_cited_passages_hold_what_it_claims(
    sentence: str, reason: str | None, detail: str
) -> None:
    verdict = Checker([STREET, TOWNSHIP], "simplified").judge(0, sentence)
    if reason is None:
        assert isinstance(verdict, Sentence), verdict
        assert verdict.markers and "[" in verdict.text
    else:
        assert isinstance(verdict, Dropped)
        assert (verdict.reason, verdict.detail) == (reason, detail)


def test_kept_sentences_are_shown_in_the_readers_script() -> None:
    verdict = Checker([STREET], "traditional").judge(0, "来源街道共约300人次参加读书活动。[1]")
    assert isinstance(verdict, Sentence)
    assert verdict.text == "來源街道共約300人次參加讀書活動。[1]"
