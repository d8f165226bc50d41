import json
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from bot.cli import cli
from tests.paths import BUNDLED


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture()
def dirs(tmp_path: Path) -> list[str]:
    kb = tmp_path / "知识库"
    shutil.copytree(BUNDLED, kb)
    return ["--knowledge-dir", str(kb), "--data-dir", str(tmp_path / "var")]


def commands() -> list[str]:
    assert isinstance(cli, click.Group)
    return sorted(cli.commands)


@pytest.mark.parametrize("name", commands())
def test_every_command_has_help_ending_with_an_example(runner: CliRunner, name: str) -> None:
    result = runner.invoke(cli, [name, "-h"])
    assert result.exit_code == 0
    assert "示例" in result.output and f"kepubot {name}" in result.output.split("示例")[-1]


def test_ingest_json_reports_twelve_reports_one_duplicate(runner: CliRunner, dirs) -> None:
    result = runner.invoke(cli, [*dirs, "ingest", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert {k: summary[k] for k in ("files", "documents", "duplicates", "failed")} == {
        "files": 2,
        "documents": 12,
        "duplicates": 1,
        "failed": [],
    }
    assert summary["chunks"] > 0 and "seconds" in summary
    again = json.loads(runner.invoke(cli, [*dirs, "ingest", "--json"]).output)
    assert (again["added"], again["changed"], again["removed"]) == ([], [], [])


def test_environment_variables_choose_the_folders(runner: CliRunner, tmp_path: Path) -> None:
    env = {"KEPUBOT_KNOWLEDGE_DIR": str(BUNDLED), "KEPUBOT_DATA_DIR": str(tmp_path / "d")}
    result = runner.invoke(cli, ["ingest"], env=env)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "d" / "kepubot.db").exists()
    assert "12 份报告" in result.output


def test_docs_lists_reports_with_metadata(runner: CliRunner, dirs) -> None:
    runner.invoke(cli, [*dirs, "ingest"])
    result = runner.invoke(cli, [*dirs, "docs"])
    assert result.exit_code == 0
    assert "縣科協科普工作總結 篇3" in result.output and "原平市" in result.output
    rows = json.loads(runner.invoke(cli, [*dirs, "docs", "--json"]).output)
    assert len(rows) == 12


def test_export_jsonl_has_one_record_per_chunk(runner: CliRunner, dirs) -> None:
    runner.invoke(cli, [*dirs, "ingest"])
    lines = runner.invoke(cli, [*dirs, "export"]).output.splitlines()
    records = [json.loads(line) for line in lines]
    keys = {"chunk_id", "title", "heading_path", "place", "level", "year", "source", "text"}
    assert records and all(keys | {"normalized"} <= set(r) for r in records)
    assert len({r["chunk_id"] for r in records}) == len(records)
    assert not any(r["duplicate_of"] for r in records)


def test_search_jsonl_answers_each_line_with_the_original_text(runner: CliRunner, dirs) -> None:
    runner.invoke(cli, [*dirs, "ingest"])
    asked = [
        "科普书籍读书活动有多少人次参加？",
        "",
        "去日本的签证怎么办？",
        "科普書籍讀書活動有多少人次參加？",
    ]
    questions = "\n".join(asked) + "\n"
    result = runner.invoke(cli, [*dirs, "search", "--jsonl", "--top-k", "3"], input=questions)
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.output.splitlines()]
    assert [a["query"] for a in answers] == [q for q in questions.splitlines() if q]
    assert [a["found"] for a in answers] == [True, False, True]
    keys = {"chunk_id", "title", "heading_path", "text", "score", "source", "place", "year"}
    assert all(keys <= set(h) and len(a["hits"]) <= 3 for a in answers for h in a["hits"])
    simplified, _, traditional = answers
    assert simplified["hits"][0]["chunk_id"] == traditional["hits"][0]["chunk_id"]
    # `text` is the report as written (a Traditional report), not the search form.
    assert "讀書" in simplified["hits"][0]["text"] and "300人次" in simplified["hits"][0]["text"]


def test_commands_before_ingest_say_what_to_do(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["--data-dir", str(tmp_path / "none"), "docs"])
    assert result.exit_code == 1
    assert "kepubot ingest" in result.output and "Traceback" not in result.output


def test_missing_knowledge_dir_is_one_sentence(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["--knowledge-dir", str(tmp_path / "nope"), "ingest"])
    assert result.exit_code == 1
    assert "--knowledge-dir" in result.output


def test_damaged_store_is_reported_with_the_fix(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "kepubot.db").write_bytes(b"not a database at all" * 100)
    result = runner.invoke(cli, ["--data-dir", str(tmp_path / "var"), "docs"])
    assert result.exit_code == 1
    assert "损坏" in result.output and "Traceback" not in result.output


def test_bad_setting_names_the_variable(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["config"], env={"KEPUBOT_CHUNK_MAX_CHARS": "lots"})
    assert result.exit_code == 1
    assert "KEPUBOT_CHUNK_MAX_CHARS" in result.output


def test_ask_json_and_traditional_lead(runner: CliRunner, dirs) -> None:
    runner.invoke(cli, [*dirs, "ingest"])
    result = runner.invoke(cli, [*dirs, "ask", "--json", "科普書籍讀書活動有多少人次參加？"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["found"] is True and "報告" in data["answer"].splitlines()[0]
    citation = data["citations"][0]
    assert {"n", "chunk_id", "title", "heading_path", "place", "year", "text"} <= set(citation)


def test_examples_lists_three_reports_once_each(runner: CliRunner, dirs) -> None:
    runner.invoke(cli, [*dirs, "ingest"])
    data = json.loads(runner.invoke(cli, [*dirs, "examples", "--json", "科普日"]).output)
    titles = [c["title"] for c in data["citations"]]
    assert len(titles) >= 3 and len(titles) == len(set(titles))


def test_chat_reads_questions_piped_on_stdin(runner: CliRunner, dirs) -> None:
    runner.invoke(cli, [*dirs, "ingest"])
    piped = "乡镇是怎么开展科普日活动的？\n/source 1\n/quit\n"
    result = runner.invoke(cli, [*dirs, "chat"], input=piped)
    assert result.exit_code == 0, result.output
    assert "来源" in result.output and "[1]" in result.output and "位置：" in result.output


def test_start_ingests_then_chats(runner: CliRunner, dirs) -> None:
    result = runner.invoke(cli, [*dirs, "start"], input="今天晚上吃什么好？\n")
    assert result.exit_code == 0, result.output
    assert "没有找到" in result.output


def test_help_examples_show_escapes_as_typed(runner: CliRunner) -> None:
    # Click keeps docstring text as written: a "\n" meant for printf must not break the line.
    result = runner.invoke(cli, ["search", "-h"])
    assert "printf '科普日\\n读书活动\\n' | kepubot search --jsonl" in result.output


@pytest.mark.parametrize(
    ("question", "hint"),
    [("", "请写下要问的问题"), ("🙂", "请用文字提问"), ("  \u200b ", "请用文字提问")],
)
def test_ask_without_words_gets_a_usage_hint_not_an_answer(
    runner: CliRunner, dirs, question: str, hint: str
) -> None:
    runner.invoke(cli, [*dirs, "ingest"])
    result = runner.invoke(cli, [*dirs, "ask", question])
    assert result.exit_code == 2 and hint in result.output
    assert "没有找到" not in result.output


def test_search_says_whether_it_found_an_answer_and_shows_each_score(
    runner: CliRunner, dirs
) -> None:
    runner.invoke(cli, [*dirs, "ingest"])
    found = runner.invoke(
        cli, [*dirs, "search", "--top-k", "2", "科普书籍读书活动有多少人次参加？"]
    )
    lines = found.output.splitlines()
    assert lines[0].startswith("找到相关内容（最佳片段覆盖问题词 ")
    assert lines[1].startswith("[1] ") and "关键词" in lines[2] and "向量" in lines[2]
    missing = runner.invoke(cli, [*dirs, "search", "火星探测器的发射窗口是什么时候？"])
    assert missing.output.startswith("没有找到足以回答的内容")


def test_examples_lead_counts_reports_in_words_that_read_right(runner: CliRunner, dirs) -> None:
    runner.invoke(cli, [*dirs, "ingest"])
    result = runner.invoke(cli, [*dirs, "examples", "--limit", "1", "科普日"])
    assert result.output.startswith("找到一份报告中关于「科普日」的做法：")


def test_config_says_empty_values_in_words(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["config"], env={"KEPUBOT_ADMIN_IDS": ""})
    row = {line.split()[0]: line.split()[1] for line in result.output.splitlines()[1:]}
    assert row["KEPUBOT_ADMIN_IDS"] == "（无）" and row["KEPUBOT_TELEGRAM_TOKEN"] == "（未设置）"
    assert row["KEPUBOT_VARIANTS_FILE"].endswith("variants.txt（内置）")


@pytest.mark.parametrize("command", ["eval", "eval-squad", "eval-answers"])
def test_a_malformed_evaluation_file_is_one_sentence_not_a_traceback(
    runner: CliRunner, dirs, tmp_path: Path, command: str
) -> None:
    runner.invoke(cli, [*dirs, "ingest"])
    bad = tmp_path / "bad.jsonl"
    bad.write_text("这不是 JSON\n", encoding="utf-8")
    result = runner.invoke(cli, [*dirs, command, str(bad)])
    assert result.exit_code == 1 and "格式不对" in result.output
    assert "Traceback" not in result.output
