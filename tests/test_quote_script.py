"""Quotes in the reader's script: a question's script read from all its characters, quotes
converted character by character, the original a tap away. Tiny reports written here."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.cli.chat import run_chat
from bot.cli.render import answer_text, source_text
from bot.core.answer import AnswerOptions
from bot.core.assistant import Assistant
from bot.core.knowledge_base import retriever_over
from bot.settings import Settings
from bot.telegram.render import render_answer
from knowledge.normalize import Normalizer, detect_script, in_script
from tests.files import ingested

TAIWAN = (
    "社區科協工作總結\n一、讀書活動\n"
    "街道科協在社區圖書館舉辦科普書籍讀書活動，共有300人次參加，並建立資訊服務站。\n"
)
MAINLAND = "镇科协工作总结\n一、科技培训\n镇科协举办农民科技培训班18期，培训农民900人次。\n"


@pytest.mark.parametrize(
    ("text", "script"),
    [
        # Few of the characters a short hint list knew, but every one of them converts.
        ("農民科技培訓辦了多少期？", "traditional"),
        ("有沒有科普志願者隊伍建設的例子？", "traditional"),
        ("乡镇是怎么开展科普日活动的？", "simplified"),
        ("科普日", "simplified"),  # the same in both scripts
        ("", "simplified"),
    ],
)
def test_a_questions_script_is_read_from_all_its_characters(text: str, script: str) -> None:
    assert detect_script(text) == script


def _assistant(tmp_path: Path, normalizer: Normalizer, quote_script: str = "reader") -> Assistant:
    store = ingested(tmp_path, normalizer, {"tw": TAIWAN, "cn": MAINLAND})
    retriever = retriever_over(store, normalizer, None, Settings())
    return Assistant(retriever, AnswerOptions("auto", quote_script=quote_script))


def test_a_simplified_reader_sees_a_traditional_quote_in_simplified_characters(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    answer = _assistant(tmp_path, normalizer).answer("读书活动有多少人次参加？")
    quote = answer.quotes[0]
    # Character by character: 資訊 stays 资讯, never the mainland word 信息.
    assert (
        quote.text
        == "街道科协在社区图书馆举办科普书籍读书活动，共有300人次参加，并建立资讯服务站。"
    )
    assert quote.original == (
        "街道科協在社區圖書館舉辦科普書籍讀書活動，共有300人次參加，並建立資訊服務站。"
    )
    assert quote.figure == "300人次" and quote.report.startswith("社区科协工作总结")
    text = answer_text(answer)
    assert "（原文繁体）" in text.split("来源：")[1]
    # 原文 1 / /source 1: the passage as the report writes it.
    assert quote.original in source_text(answer.citations[0], answer.script)
    html = "".join(render_answer(answer))
    assert "社区图书馆" in html and "（原文繁体）" in html


def test_a_traditional_reader_sees_a_simplified_quote_in_traditional_characters(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    answer = _assistant(tmp_path, normalizer).answer("農民科技培訓辦了多少期？")
    assert answer.quotes[0].text == "鎮科協舉辦農民科技培訓班18期，培訓農民900人次。"
    assert "（原文簡體）" in answer_text(answer)


def test_a_quote_already_in_the_readers_script_is_not_marked(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    answer = _assistant(tmp_path, normalizer).answer("农民科技培训办了多少期？")
    assert answer.quotes[0].original == ""
    assert "原文" not in answer_text(answer)


def test_with_quotes_as_written_nothing_is_converted(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    answer = _assistant(tmp_path, normalizer, "original").answer("读书活动有多少人次参加？")
    assert answer.quotes[0].text.startswith("街道科協在社區圖書館")
    assert answer.quotes[0].original == "" and "原文繁体" not in answer_text(answer)
    assert "报告" in answer.lead  # the bot's own words still follow the reader


def test_the_chat_quotes_in_the_readers_script_and_shows_the_source_as_written(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    out = io.StringIO()
    run_chat(_assistant(tmp_path, normalizer), ["读书活动有多少人次参加？", "/source 1"], out, 500)
    answer_part, source_part = out.getvalue().split("位置：", 1)
    assert "社区图书馆" in answer_part and "社區圖書館" not in answer_part
    assert "社區圖書館" in source_part


def test_conversion_is_by_character_not_by_phrase() -> None:
    assert in_script("資訊與軟體", "simplified") == "资讯与软体"
    assert in_script("信息与软件", "traditional") == "信息與軟件"


def test_the_asked_figure_is_marked_as_the_converted_sentence_writes_it(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    lectures = "镇科协工作总结\n一、科普讲座\n今年镇科协举办科普讲座12场，听众800人次。\n"
    store = ingested(tmp_path, normalizer, {"cn": lectures})
    assistant = Assistant(
        retriever_over(store, normalizer, None, Settings()), AnswerOptions("auto")
    )
    quote = assistant.answer("鎮科協舉辦了多少場科普講座？").quotes[0]
    assert quote.figure == "12場" and quote.figure in quote.text


def test_a_figure_whose_characters_convert_otherwise_in_context_stays_marked(
    tmp_path: Path, normalizer: Normalizer
) -> None:
    # s2tw writes 周年 as 週年 inside the sentence, but 周 alone as 周.
    museum = "科技馆工作总结\n一、馆庆活动\n今年是科技馆建馆20周年，举办了馆庆科普展。\n"
    store = ingested(tmp_path, normalizer, {"cn": museum, "town": MAINLAND})
    retriever = retriever_over(store, normalizer, None, Settings())
    quote = Assistant(retriever, AnswerOptions("auto")).answer("科技館建館多少週年？").quotes[0]
    assert "20週年" in quote.text and quote.figure == "20週"


@pytest.mark.parametrize("quote_script", ["reader", "original"])
def test_a_traditional_reader_sees_the_place_and_level_of_a_source_in_traditional(
    tmp_path: Path, normalizer: Normalizer, quote_script: str
) -> None:
    text = "興仁縣科協工作總結\n一、讀書活動\n縣科協舉辦科普讀書活動，共有300人次參加。\n"
    reports = {"tw": text}
    store = ingested(tmp_path, normalizer, reports)
    retriever = retriever_over(store, normalizer, None, Settings())
    assistant = Assistant(retriever, AnswerOptions("auto", quote_script=quote_script))
    answer = assistant.answer("讀書活動有多少人次參加？")
    (citation,) = answer.citations
    # The place and level are the bot's words: stored in Simplified, shown in the reader's.
    assert citation.label.endswith("（興仁縣 · 縣）")
    assert "（兴仁县 · 县）" in assistant.answer("读书活动有多少人次参加？").citations[0].label
