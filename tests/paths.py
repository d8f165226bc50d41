"""Files inside the repository that the tests read: the bundled corpus and the eval sets."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "knowledge" / "corpus"
EVAL = ROOT / "eval"
DEV_QUESTIONS = EVAL / "dev_questions.jsonl"
ANSWER_DEV = EVAL / "answer_dev.jsonl"
DATA = Path(__file__).resolve().parent / "data"
