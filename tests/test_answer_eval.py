"""`kepubot eval-answers`: what the reader sees is scored, phrase by phrase and report by report."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bot.cli import cli
from bot.core.answer import AnswerOptions
from bot.core.answer_eval import score_answer, summarize
from bot.core.assistant import Assistant
from bot.core.retrieval import Retriever
from knowledge.normalize import Normalizer
from tests.paths import ANSWER_DEV, BUNDLED


def test_phrases_count_once_across_scripts_and_cited_reports_are_checked_against_gold(
    retriever: Retriever, normalizer: Normalizer
) -> None:
    assistant = Assistant(retriever, AnswerOptions(script="auto"))
    item = {
        "id": "t1", "type": "fact", "q": "科普书籍读书活动有多少人次参加？",
        "gold_reports": ["縣科協科普工作總結 篇1"],
        # The same phrase in both scripts is one phrase; the third is not in any answer.
        "must_show": ["約300人次", "约300人次", "一万名读者"],
    }  # fmt: skip
    score = score_answer(assistant, item, normalizer)
    assert (score.found, score.correct_found, score.must_show, score.shown) == (True, True, 2, 1)
    assert score.cited >= 1 and 1 <= score.cited_in_gold <= score.cited
    negative = {"id": "t2", "type": "negative", "q": "火星探测器的发射窗口是什么时候？"}
    missing = score_answer(assistant, negative, normalizer)
    assert (missing.found, missing.correct_found, missing.cited) == (False, True, 0)
    totals = summarize([score, missing])
    assert totals["fact"]["shown_share"] == 0.5 and totals["negative"]["negatives_correct"] == 1
    assert totals["all"]["questions"] == 2 and totals["all"]["refused"] == 0


def test_eval_answers_reads_the_dev_file_and_reports_totals_by_type(tmp_path: Path) -> None:
    runner = CliRunner()
    dirs = ["--knowledge-dir", str(BUNDLED), "--data-dir", str(tmp_path / "var")]
    assert runner.invoke(cli, [*dirs, "ingest"]).exit_code == 0
    result = runner.invoke(cli, [*dirs, "eval-answers", "--json", str(ANSWER_DEV)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    lines = [line for line in ANSWER_DEV.read_text(encoding="utf-8").splitlines() if line]
    assert len(report["questions"]) == len(lines)
    kinds = {"howto", "examples", "fact", "aggregate", "paraphrase", "negative", "all"}
    assert set(report["totals"]) == kinds
    human = runner.invoke(cli, [*dirs, "eval-answers", str(ANSWER_DEV)]).output
    assert human.splitlines()[0].split() == ["id", "type", "found", "shown", "cited", "in", "gold"]


def test_a_phrase_shown_in_the_readers_script_counts_though_search_would_reword_it(
    retriever: Retriever, normalizer: Normalizer
) -> None:
    # The quote reads 价值3万元的科普资料 to a Simplified reader; the search form of the
    # Traditional phrase says 数据 for 資料, which no answer text holds.
    assistant = Assistant(retriever, AnswerOptions(script="auto"))
    item = {
        "id": "t3", "type": "fact", "q": "省科协给兴仁县科协赠送了价值多少的科普资料？",
        "gold_reports": ["縣科協科普工作總結 篇7"], "must_show": ["價值3萬元的科普資料"],
    }  # fmt: skip
    assert "价值3万元的科普资料" in assistant.answer(item["q"]).text
    assert score_answer(assistant, item, normalizer).shown == 1


def test_a_refusal_shows_no_phrase_though_it_echoes_the_question(
    retriever: Retriever, normalizer: Normalizer
) -> None:
    assistant = Assistant(retriever, AnswerOptions(script="auto"))
    item = {"id": "t3", "type": "fact", "q": "火星探测器的发射窗口是什么时候？",
            "gold_reports": ["縣科協科普工作總結 篇1"], "must_show": ["火星探测器"]}  # fmt: skip
    score = score_answer(assistant, item, normalizer)
    assert "火星探测器" in score.answer and not score.found
    assert (score.must_show, score.shown) == (1, 0)
