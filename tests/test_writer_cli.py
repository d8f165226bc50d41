"""The answer writer from the command line: its settings, `ask`, `eval-answers`, the key."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from testkit.openai_fake import FakeLanguageModel, Reply, echo
from tests.paths import ANSWER_DEV, BUNDLED

KEY = "sk-test-c0ffee1234"
FAITHFUL = "来源街道科协在东乐、金湖等社群工作站开展科普书籍读书活动，共约300人次参加。[1]"
INVENTED = "全年另有5000多人次参加了读书活动。[1]"
ALSO_FAITHFUL = "来源街道科协还重新购买了1000多本科普书籍。[1]"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus synced once for these tests."""
    folder = tmp_path_factory.mktemp("writer_cli") / "var"
    result = CliRunner().invoke(
        cli, ["--knowledge-dir", str(BUNDLED), "--data-dir", str(folder), "ingest"]
    )
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture()
def fake() -> Iterator[FakeLanguageModel]:
    with FakeLanguageModel() as server:
        yield server


def writer_env(fake: FakeLanguageModel, data_dir: Path) -> dict[str, str]:
    return {"KEPUBOT_DATA_DIR": str(data_dir), "KEPUBOT_KNOWLEDGE_DIR": str(BUNDLED),
            "KEPUBOT_LLM_URL": fake.url, "KEPUBOT_LLM_MODEL": "fake-model",
            "KEPUBOT_LLM_API_KEY": KEY, "KEPUBOT_LLM_TIMEOUT": "5"}  # fmt: skip


def test_config_lists_the_writer_settings_with_the_key_masked() -> None:
    env = {"KEPUBOT_LLM_URL": "https://api.deepseek.com/v1", "KEPUBOT_LLM_MODEL": "deepseek-chat",
           "KEPUBOT_LLM_API_KEY": KEY,
           "KEPUBOT_LLM_PROXY_URL": "socks5://u:pw@127.0.0.1:1080"}  # fmt: skip
    result = CliRunner().invoke(cli, ["config"], env=env)
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line for line in result.output.splitlines()[1:]}
    assert "https://api.deepseek.com/v1" in rows["KEPUBOT_LLM_URL"]
    assert "deepseek-chat" in rows["KEPUBOT_LLM_MODEL"]
    assert "******（已设置）" in rows["KEPUBOT_LLM_API_KEY"]
    assert "******（已设置）" in rows["KEPUBOT_LLM_PROXY_URL"]
    assert "20.0" in rows["KEPUBOT_LLM_TIMEOUT"] and "800" in rows["KEPUBOT_LLM_MAX_TOKENS"]
    assert KEY not in result.output and "pw@" not in result.output


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KEPUBOT_LLM_URL": "https://api.deepseek.com/v1"}, "还需要设置 KEPUBOT_LLM_MODEL"),
        ({"KEPUBOT_LLM_URL": "api.deepseek.com", "KEPUBOT_LLM_MODEL": "m"}, "须以 http:// 或"),
        ({"KEPUBOT_LLM_TIMEOUT": "0"}, "KEPUBOT_LLM_TIMEOUT 必须大于 0"),
        ({"KEPUBOT_LLM_PROXY_URL": "127.0.0.1:1080"}, "KEPUBOT_LLM_PROXY_URL 须以"),
    ],
)
def test_writer_settings_that_cannot_work_are_one_sentence_naming_the_key(
    env: dict[str, str], message: str
) -> None:
    result = CliRunner().invoke(cli, ["config"], env=env)
    assert result.exit_code == 1 and message in result.output
    assert result.output.count("。") == 1


def test_ask_shows_the_checked_answer_and_its_json_what_was_dropped(
    fake: FakeLanguageModel, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.replies += [Reply(FAITHFUL + INVENTED + ALSO_FAITHFUL)] * 2
    env = writer_env(fake, data_dir)
    shown = CliRunner().invoke(cli, ["ask", "科普书籍读书活动有多少人次参加？"], env=env)
    assert shown.exit_code == 0, shown.output
    assert FAITHFUL + ALSO_FAITHFUL in shown.output and "5000" not in shown.output
    assert "以上由语言模型依据所列来源写成" in shown.output
    assert "[1] 县科协科普工作总结" in shown.output
    result = CliRunner().invoke(cli, ["ask", "--json", "科普书籍读书活动有多少人次参加？"], env=env)
    data = json.loads(result.output)
    writer = data["writer"]
    assert (writer["shown"], writer["kept"], writer["total"], writer["model"]) == (
        True, 2, 3, "fake-model",
    )  # fmt: skip
    assert writer["dropped"] == [{"text": INVENTED, "reason": "number", "detail": "5000"}]
    assert data["answer"].splitlines()[1] == FAITHFUL + ALSO_FAITHFUL
    assert KEY not in shown.output + result.output + caplog.text


def test_eval_answers_reports_the_share_of_sentences_kept_for_writer_answers(
    fake: FakeLanguageModel, data_dir: Path, tmp_path: Path
) -> None:
    fake.responder = lambda request: echo(request, invent=True)
    questions = tmp_path / "dev.jsonl"
    questions.write_text("\n".join(ANSWER_DEV.read_text(encoding="utf-8").splitlines()[:3]))
    env = writer_env(fake, data_dir)
    result = CliRunner().invoke(cli, ["eval-answers", str(questions)], env=env)
    assert result.exit_code == 0, result.output
    header = ["type", "answers", "shown", "sentences", "kept_share", "shown_share"]
    assert header in [line.split() for line in result.output.splitlines()]
    report = json.loads(
        CliRunner().invoke(cli, ["eval-answers", "--json", str(questions)], env=env).output
    )
    writer = report["totals"]["all"]["writer"]
    assert writer["answers"] == 3 and writer["sentences"] > writer["kept"] > 0
    assert writer["kept_share"] == round(writer["kept"] / writer["sentences"], 3)
    assert sum(writer["dropped"].values()) == writer["sentences"] - writer["kept"]
    assert all("writer" in q for q in report["questions"])


def test_without_a_writer_url_nothing_is_asked_and_no_writer_figures_appear(
    fake: FakeLanguageModel, data_dir: Path, tmp_path: Path
) -> None:
    questions = tmp_path / "dev.jsonl"
    questions.write_text("\n".join(ANSWER_DEV.read_text(encoding="utf-8").splitlines()[:3]))
    env = {"KEPUBOT_DATA_DIR": str(data_dir), "KEPUBOT_KNOWLEDGE_DIR": str(BUNDLED)}
    report = CliRunner().invoke(cli, ["eval-answers", "--json", str(questions)], env=env).output
    answer = CliRunner().invoke(cli, ["ask", "--json", "乡镇是怎么开展科普日活动的？"], env=env)
    assert '"writer"' not in report and '"writer"' not in answer.output
    assert fake.requests == []
