"""How well figures are read from sentences, against sentences labelled by hand."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.facts import Figure, extract_figures
from knowledge.normalize import in_script


@dataclass
class FactScores:
    gold: int = 0
    predicted: int = 0
    matched: int = 0  # value and unit right, on the labelled span
    counted_exact: int = 0
    counted_overlap: int = 0  # one contains the other (讲座 / 科普讲座)
    event_exact: int = 0
    event_overlap: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)
    # matched figures whose counted or event differs from the label, to read a dev set's
    # errors (never a held-out set's: reading them would make it dev)
    disagreements: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        def share(part: int, whole: int) -> float:
            return round(part / whole, 3) if whole else 0.0

        return {
            "sentences_figures": self.gold, "predicted": self.predicted, "matched": self.matched,
            "value_unit_precision": share(self.matched, self.predicted),
            "value_unit_recall": share(self.matched, self.gold),
            "counted_exact": share(self.counted_exact, self.matched),
            "counted_overlap": share(self.counted_overlap, self.matched),
            "event_exact": share(self.event_exact, self.matched),
            "event_overlap": share(self.event_overlap, self.matched),
        }  # fmt: skip


def evaluate_fact_file(path: Path) -> FactScores:
    """Figures extracted from each labelled sentence against its labels (one JSON object
    per line: sentence, heading, figures with written, value, unit, counted, event)."""
    scores = FactScores()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        sentence = item["sentence"]
        predicted = extract_figures(sentence, item.get("heading", ""))
        gold = item["figures"]
        scores.gold += len(gold)
        scores.predicted += len(predicted)
        taken: set[int] = set()
        searched_from: dict[str, int] = {}
        for label in gold:
            start = sentence.find(label["written"], searched_from.get(label["written"], 0))
            searched_from[label["written"]] = start + 1
            end = start + len(label["written"])
            match = next(
                (i for i, figure in enumerate(predicted)
                 if i not in taken and start >= 0 and figure.start < end and start < figure.end
                 and _same_value(figure, label)),
                None,
            )  # fmt: skip
            if match is None:
                scores.misses.append({"id": item["id"], "gold": label["written"],
                                      "predicted": [f.written for f in predicted]})  # fmt: skip
                continue
            taken.add(match)
            figure = predicted[match]
            scores.matched += 1
            counted, event = _simple(figure.counted), _simple(figure.event)
            gold_counted, gold_event = _simple(label["counted"]), _simple(label["event"])
            scores.counted_exact += counted == gold_counted
            scores.counted_overlap += _overlap(counted, gold_counted)
            scores.event_exact += event == gold_event
            scores.event_overlap += _overlap(event, gold_event)
            if counted != gold_counted or event != gold_event:
                scores.disagreements.append({
                    "id": item["id"], "written": label["written"],
                    "counted": counted, "gold_counted": gold_counted,
                    "event": event, "gold_event": gold_event,
                })  # fmt: skip
    return scores


def _same_value(figure: Figure, label: dict[str, Any]) -> bool:
    value = float(label["value"])
    close = abs(figure.value - value) <= 1e-6 * max(1.0, abs(value))
    return close and figure.unit == _simple(label["unit"])


def _simple(text: str) -> str:
    return in_script(text, "simplified")


def _overlap(ours: str, theirs: str) -> bool:
    if not ours or not theirs:
        return ours == theirs
    return ours in theirs or theirs in ours
