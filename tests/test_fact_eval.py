import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.core.fact_eval import evaluate_fact_file
from tests.paths import FACT_SETS


def _figure(written: str, value: float, unit: str, counted: str, event: str) -> dict:
    return {"written": written, "value": value, "value_high": None, "qualifier": "",
            "unit": unit, "counted": counted, "event": event}  # fmt: skip


def _labelled(tmp_path: Path) -> Path:
    # 6场 is labelled as the extractor reads it; 1500多份 with a wrong counted; 9个 does not
    # occur as a figure at all, so it is a miss
    line = {
        "id": "t1", "heading": "二、科普日活动",
        "sentence": "全年共举办科普讲座6场，发放宣传资料1500多份。",
        "figures": [_figure("6场", 6, "场", "科普讲座", "科普日"),
                    _figure("1500多份", 1500, "份", "科普挂图", "科普日")],
    }  # fmt: skip
    missing = {
        "id": "t2", "heading": "", "sentence": "今年新建科普画廊。",
        "figures": [_figure("科普画廊", 9, "个", "科普画廊", "")],
    }  # fmt: skip
    path = tmp_path / "facts.jsonl"
    lines = [json.dumps(item, ensure_ascii=False) for item in (line, missing)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_counted_the_label_disagrees_with_is_listed_and_scored(tmp_path: Path) -> None:
    scores = evaluate_fact_file(_labelled(tmp_path))
    figures = scores.as_dict()
    assert (scores.gold, scores.matched) == (3, 2)
    assert figures["counted_exact"] == 0.5
    assert figures["event_exact"] == 1.0
    assert scores.disagreements == [{
        "id": "t1", "written": "1500多份", "counted": "宣传资料", "gold_counted": "科普挂图",
        "event": "科普日", "gold_event": "科普日",
    }]  # fmt: skip
    assert [miss["gold"] for miss in scores.misses] == ["科普画廊"]


def test_eval_facts_json_carries_the_disagreements(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--data-dir", str(tmp_path / "var"), "eval-facts", "--json",
              str(_labelled(tmp_path))],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    output = json.loads(result.output)
    assert [item["written"] for item in output["disagreements"]] == ["1500多份"]
    assert output["value_unit_recall"] == round(2 / 3, 3)


@pytest.mark.parametrize("path", FACT_SETS, ids=lambda p: p.stem)
def test_every_labelled_figure_is_a_span_of_its_sentence(path: Path) -> None:
    for line in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        for label in item["figures"]:
            assert label["written"] in item["sentence"], item["id"]
            where = item["heading"] if label.get("event_in") == "heading" else item["sentence"]
            assert label["event"] in where, item["id"]


def test_two_labellings_agree_where_they_write_the_same(tmp_path: Path) -> None:
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    sentence = "全年共举办科普讲座6场，发放宣传资料1500多份。"
    for path, counted in ((first, "宣传资料"), (second, "科普挂图")):
        item = {"id": "t1", "heading": "", "sentence": sentence,
                "figures": [_figure("6场", 6, "场", "科普讲座", "科普日"),
                            _figure("1500多份", 1500, "份", counted, "科普日")]}  # fmt: skip
        path.write_text(json.dumps(item, ensure_ascii=False) + "\n", encoding="utf-8")
    script = Path(__file__).resolve().parent.parent / "scripts" / "label_agreement.py"
    done = subprocess.run(
        [sys.executable, str(script), str(first), str(second)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    agreement = json.loads(done.stdout)
    assert agreement["figures_both"] == 2
    assert (agreement["counted_agreement"], agreement["event_agreement"]) == (0.5, 1.0)
