"""Every answer set and the dev retrieval set, measured in one go and kept for comparing.

Each set's `kepubot eval-answers` report is written to OUT/<set>.txt (the dev retrieval
report to OUT/dev_questions.txt); the summary lines are printed. With --compare BEFORE,
the questions whose line changed since that earlier run are printed too, so a change to the
answering code is read question by question, not only as shares.

    python scripts/eval_all.py --out var/eval/after --compare var/eval/before
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEPUBOT = Path(sys.executable).with_name("kepubot")
# A per-question line of eval-answers: its id, then its kind and figures.
QUESTION_LINE = re.compile(r"^[a-z]+\d+ ")
SUMMARY_LINE = re.compile(r"^(all|keyword|vector|hybrid) ")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "eval" / "latest")
    parser.add_argument("--compare", type=Path, help="an earlier --out folder")
    parser.add_argument("--jobs", type=int, default=2, help="sets measured at once")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    commands = {
        path.stem: [str(KEPUBOT), "eval-answers", str(path)]
        for path in sorted((ROOT / "eval").glob("answer_*.jsonl"))
    }
    commands["dev_questions"] = [str(KEPUBOT), "eval", str(ROOT / "eval" / "dev_questions.jsonl")]
    with ThreadPoolExecutor(args.jobs) as pool:
        codes = list(pool.map(lambda item: _run(item, args.out), commands.items()))
    for name in commands:
        report = (args.out / f"{name}.txt").read_text(encoding="utf-8")
        summary = " | ".join(" ".join(line.split()) for line in _lines(report, SUMMARY_LINE))
        print(f"{name}: {summary or 'failed, see ' + str(args.out / (name + '.txt'))}")
        if args.compare is not None:
            _print_changes(name, report, args.compare / f"{name}.txt")
    return 1 if any(codes) else 0


def _run(item: tuple[str, list[str]], out: Path) -> int:
    name, command = item
    with (out / f"{name}.txt").open("w", encoding="utf-8") as report:
        done = subprocess.run(command, stdout=report, stderr=subprocess.STDOUT, cwd=ROOT)
    return done.returncode


def _lines(report: str, pattern: re.Pattern[str]) -> list[str]:
    return [line for line in report.splitlines() if pattern.match(line)]


def _print_changes(name: str, report: str, before_path: Path) -> None:
    if not before_path.exists():
        print(f"  (no earlier report: {before_path})")
        return
    before = {
        line.split()[0]: line for line in _lines(before_path.read_text("utf-8"), QUESTION_LINE)
    }
    for line in _lines(report, QUESTION_LINE):
        old = before.get(line.split()[0])
        if old is not None and old.split() != line.split():
            print(f"  {' '.join(old.split())}  ->  {' '.join(line.split()[2:])}")


if __name__ == "__main__":
    sys.exit(main())
