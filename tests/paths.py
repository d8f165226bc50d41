"""Files inside the repository that the tests read: the bundled corpus and the eval sets."""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "knowledge" / "corpus"
EVAL = ROOT / "eval"
DEV_QUESTIONS = EVAL / "dev_questions.jsonl"
ANSWER_DEV = EVAL / "answer_dev.jsonl"
DATA = Path(__file__).resolve().parent / "data"


def _answerable(*names: str) -> list[dict]:
    """The answerable questions of the answer sets (eval-answers' input), each with its id."""
    rows = []
    for name in names:
        for line in (EVAL / name).read_text(encoding="utf-8").splitlines():
            if line.strip() and json.loads(line)["type"] != "negative":
                rows.append(json.loads(line))
    return rows


ANSWER_SETS = _answerable(
    "answer_dev.jsonl",
    "answer_dev_more.jsonl",
    "answer_dev_s7.jsonl",
    "answer_dev_s9.jsonl",
    "answer_dev_facts.jsonl",
    "answer_heldout_facts.jsonl",
    "answer_dev_s12.jsonl",
    "answer_dev_s14.jsonl",
    "answer_dev_s14b.jsonl",
    "answer_dev_s15.jsonl",
)
# Hand-labelled figures: two dev sets (rules were written reading their misses) and a held-out
# set for measuring only.
FACT_SETS = tuple(
    EVAL / f"{name}.jsonl" for name in ("facts_labelled", "facts_dev2", "facts_heldout")
)
