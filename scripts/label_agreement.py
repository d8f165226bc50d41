"""Agreement of two labellings of the same sentences' figures: how often two people who read
the same conventions write the same value and unit, what is counted and the event.

The extractor's scores (`kepubot eval-facts`) are read against this: a figure of the task
two labellers agree on less than the extractor's target is a convention to settle, not a
rule to write.

    .venv/bin/python scripts/label_agreement.py eval/facts_dev2.jsonl eval/facts_dev2_second.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge.normalize import in_script  # noqa: E402


def _labels(path: Path) -> dict[str, dict]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {item["id"]: item for item in map(json.loads, filter(str.strip, lines))}


def _simple(text: str) -> str:
    return in_script(text, "simplified")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("first", type=Path)
    parser.add_argument("second", type=Path)
    parser.add_argument("--show", action="store_true", help="print every disagreement")
    args = parser.parse_args()
    first, second = _labels(args.first), _labels(args.second)
    shared = sorted(set(first) & set(second))
    figures = both = counted = event = 0
    for key in shared:
        theirs = list(second[key]["figures"])
        for label in first[key]["figures"]:
            figures += 1
            match = next(
                (o for o in theirs if o["written"] == label["written"]
                 and _simple(o["unit"]) == _simple(label["unit"])
                 and abs(float(o["value"]) - float(label["value"])) < 1e-6),
                None,
            )  # fmt: skip
            if match is None:
                continue
            theirs.remove(match)
            both += 1
            same_counted = _simple(match["counted"]) == _simple(label["counted"])
            same_event = _simple(match["event"]) == _simple(label["event"])
            counted += same_counted
            event += same_event
            if args.show and not (same_counted and same_event):
                print(key, label["written"], "|", label["counted"], "/", match["counted"],
                      "|", label["event"], "/", match["event"])  # fmt: skip
    share = lambda part, whole: round(part / whole, 3) if whole else 0.0  # noqa: E731
    print(json.dumps({
        "sentences": len(shared), "figures_first": figures, "figures_both": both,
        "value_unit_agreement": share(both, figures),
        "counted_agreement": share(counted, both), "event_agreement": share(event, both),
    }, ensure_ascii=False, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
