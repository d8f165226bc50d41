"""What the reader of an answer sees: must-show phrases, cited reports, found or not.

Input lines are `{"id", "type", "q", "gold_reports": [...], "must_show": [...]}`; a
`negative` type (or no gold reports) must get "not found". Phrases and titles are compared
in the normalised (Simplified) form, so a phrase given in both scripts counts once; a phrase
also counts as shown when the answer holds it converted character by character, as quotes
in the reader's script are (價值3萬元的科普資料 shown as 价值3万元的科普资料, which the
search form would read as 数据).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bot.core import knowledge_base
from bot.core.answer import AnswerOptions
from bot.core.assistant import Assistant
from bot.settings import Settings
from knowledge.clean import clean_line
from knowledge.normalize import Normalizer, in_script


@dataclass(frozen=True)
class AnswerScore:
    id: str
    type: str
    question: str
    found: bool
    correct_found: bool  # found for answerable questions, not found for negatives
    must_show: int  # distinct phrases, after normalisation
    shown: int
    cited: int  # distinct reports cited
    cited_in_gold: int
    gold: int  # distinct gold reports; those cited are `cited_in_gold`
    answer: str


def score_answer(assistant: Assistant, item: dict[str, Any], normalizer: Normalizer) -> AnswerScore:
    answer = assistant.answer(item["q"])
    negative = item.get("type") == "negative" or not item.get("gold_reports")
    text = normalizer.normalize(answer.text)
    characters = in_script(answer.text, "simplified")
    phrases: dict[str, list[str]] = defaultdict(list)
    for phrase in item.get("must_show") or []:
        phrases[normalizer.normalize(clean_line(phrase))].append(clean_line(phrase))
    # A refusal shows nothing, though it echoes the question (and any phrase the question
    # itself holds: 「科普大篷车去了哪些地方？」).
    shown = (
        sum(
            form in text or any(in_script(p, "simplified") in characters for p in written)
            for form, written in phrases.items()
        )
        if answer.found
        else 0
    )
    gold = {normalizer.normalize(t) for t in item.get("gold_reports") or []}
    cited = {normalizer.normalize(c.title) for c in answer.citations}
    return AnswerScore(
        id=item.get("id", ""), type=item.get("type", ""), question=item["q"],
        found=answer.found, correct_found=answer.found != negative, must_show=len(phrases),
        shown=shown, cited=len(cited),
        cited_in_gold=len(cited & gold), gold=len(gold), answer=answer.text,
    )  # fmt: skip


def summarize(scores: list[AnswerScore]) -> dict[str, dict[str, float | int | None]]:
    """Totals over all questions and by type: shown share, cited-in-gold share (precision),
    gold-cited share (recall of the reports that answer), refusals."""
    groups: dict[str, list[AnswerScore]] = defaultdict(list)
    for score in scores:
        groups[score.type].append(score)
        groups["all"].append(score)
    table = {}
    for name, group in groups.items():
        answerable = [s for s in group if s.type != "negative" and s.must_show]
        must = sum(s.must_show for s in answerable)
        cited = sum(s.cited for s in group)
        gold = sum(s.gold for s in answerable)
        table[name] = {
            "questions": len(group),
            "must_show": must,
            "shown": sum(s.shown for s in answerable),
            "shown_share": round(sum(s.shown for s in answerable) / must, 3) if must else None,
            "cited": cited,
            "cited_in_gold_share": (
                round(sum(s.cited_in_gold for s in group) / cited, 3) if cited else None
            ),
            # Of the reports that answer it, the share cited: every report a list or a
            # total must name, and no fewer.
            "gold_cited_share": (
                round(sum(s.cited_in_gold for s in answerable) / gold, 3) if gold else None
            ),
            "refused": sum(not s.found for s in answerable),
            "negatives_correct": sum(s.correct_found for s in group if s.type == "negative"),
            "negatives": sum(s.type == "negative" for s in group),
        }
    return table


def evaluate_answer_file(settings: Settings, path: Path) -> dict[str, Any]:
    """`kepubot eval-answers`: every question of `path` answered and scored."""
    lines = path.read_text(encoding="utf-8").splitlines()
    items = [json.loads(line) for line in lines if line.strip()]
    retriever = knowledge_base.open_retriever(settings)
    assistant = Assistant(
        retriever, AnswerOptions(settings.answer_script, quote_script=settings.quote_script)
    )
    try:
        scores = [score_answer(assistant, item, retriever.normalizer) for item in items]
    finally:
        assistant.close()
    return {"questions": [asdict(s) for s in scores], "totals": summarize(scores)}
