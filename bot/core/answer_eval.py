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
from bot.core.writer import AnswerWriter
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
    writer: dict[str, Any] | None = None  # what the answer writer did, when one is set


def score_answer(assistant: Assistant, item: dict[str, Any], normalizer: Normalizer) -> AnswerScore:
    answer = assistant.write(assistant.answer(item["q"]))
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
        writer=answer.written.to_dict() if answer.written is not None else None,
    )  # fmt: skip


def summarize(scores: list[AnswerScore]) -> dict[str, dict[str, Any]]:
    """Totals over all questions and by type: shown share, cited-in-gold share (precision),
    gold-cited share (recall of the reports that answer), refusals; with the answer writer
    on, its own figures under `writer`."""
    groups: dict[str, list[AnswerScore]] = defaultdict(list)
    for score in scores:
        groups[score.type].append(score)
        groups["all"].append(score)
    table: dict[str, dict[str, Any]] = {}
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
        if any(s.writer is not None for s in group):
            table[name]["writer"] = writer_totals(group)
    return table


def writer_totals(group: list[AnswerScore]) -> dict[str, Any]:
    """For the answers given to the writer: how many were shown as written, the share of
    the model's sentences the checker kept, why sentences were dropped and answers fell
    back, and the must-show share of the answers shown as written."""
    records = [(s, s.writer) for s in group if s.writer is not None]
    shown = [s for s, record in records if record["shown"]]
    total = sum(record["total"] for _, record in records)
    kept = sum(record["kept"] for _, record in records)
    must = sum(s.must_show for s in shown if s.type != "negative")
    dropped: dict[str, int] = defaultdict(int)
    fallbacks: dict[str, int] = defaultdict(int)
    for _, record in records:
        for sentence in record["dropped"]:
            dropped[sentence["reason"]] += 1
        if not record["shown"]:
            fallbacks[record["fallback"]] += 1
    return {
        "answers": len(records),
        "shown": len(shown),
        "sentences": total,
        "kept": kept,
        "kept_share": round(kept / total, 3) if total else None,
        "shown_share": round(sum(s.shown for s in shown) / must, 3) if must else None,
        "dropped": dict(dropped),
        "fallbacks": dict(fallbacks),
    }


def evaluate_answer_file(settings: Settings, path: Path) -> dict[str, Any]:
    """`kepubot eval-answers`: every question of `path` answered and scored."""
    lines = path.read_text(encoding="utf-8").splitlines()
    items = [json.loads(line) for line in lines if line.strip()]
    retriever = knowledge_base.open_retriever(settings)
    options = AnswerOptions(settings.answer_script, quote_script=settings.quote_script)
    assistant = Assistant(retriever, options, AnswerWriter.from_settings(settings))
    try:
        scores = [score_answer(assistant, item, retriever.normalizer) for item in items]
    finally:
        assistant.close()
    # Without a writer the report is what it always was: no `writer` keys at all.
    questions = [
        {k: v for k, v in asdict(s).items() if k != "writer" or v is not None} for s in scores
    ]
    return {"questions": questions, "totals": summarize(scores)}
