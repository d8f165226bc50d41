"""Retrieval metrics on question sets: the project's dev questions and SQuAD-style files."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import opencc

from bot.core import knowledge_base
from bot.core.retrieval import MODES, Retriever
from bot.settings import Settings
from embeddings.sync import sync_vectors
from knowledge.clean import clean_line
from knowledge.ingest import ChunkBudget, documents_from_reports, store_documents
from knowledge.models import Paragraph, Report
from knowledge.normalize import Normalizer, detect_script, load_variants
from knowledge.store import Store


@dataclass
class Scores:
    mode: str
    questions: int = 0
    hit_at_1: int = 0
    hit_at_5: int = 0
    hit_at_10: int = 0
    reciprocal_rank: float = 0.0
    negatives: int = 0
    negatives_correct: int = 0
    retrieved_chars: int = 0
    retrieved: int = 0

    def add(self, rank: int | None) -> None:
        self.questions += 1
        if rank is not None:
            self.hit_at_1 += rank <= 1
            self.hit_at_5 += rank <= 5
            self.hit_at_10 += rank <= 10
            self.reciprocal_rank += 1 / rank

    def as_dict(self) -> dict[str, Any]:
        n = max(1, self.questions)
        return {
            "mode": self.mode,
            "questions": self.questions,
            "hit@1": self.hit_at_1, "hit@5": self.hit_at_5, "hit@10": self.hit_at_10,
            "recall@1": round(self.hit_at_1 / n, 4), "recall@5": round(self.hit_at_5 / n, 4),
            "recall@10": round(self.hit_at_10 / n, 4), "mrr@10": round(self.reciprocal_rank / n, 4),
            "negatives": self.negatives, "negatives_correct": self.negatives_correct,
            "avg_chunk_chars": round(self.retrieved_chars / max(1, self.retrieved), 1),
        }  # fmt: skip


def first_rank(texts: Iterable[str], keys: list[str]) -> int | None:
    """1-based rank of the first text containing any key."""
    for rank, text in enumerate(texts, start=1):
        if any(key in text for key in keys):
            return rank
    return None


@dataclass(frozen=True)
class Item:
    """One evaluation question: the passage must contain a key, or nothing may be found."""

    question: str
    keys: list[str]  # normalised; empty for a negative
    negative: bool = False


def score_mode(retriever: Retriever, items: Iterable[Item], mode: str) -> dict[str, Any]:
    """hit@1/5/10, MRR@10 and negatives of one retrieval mode over the items."""
    scores = Scores(mode)
    for item in items:
        result = retriever.search(item.question, top_k=10, mode=mode)
        if item.negative:
            scores.negatives += 1
            scores.negatives_correct += not result.found
            continue
        scores.add(first_rank((h.normalized for h in result.hits), item.keys))
        scores.retrieved += len(result.hits[:5])
        scores.retrieved_chars += sum(len(h.text) for h in result.hits[:5])
    return scores.as_dict()


def evaluate_questions(
    retriever: Retriever, questions: list[dict[str, Any]], normalizer: Normalizer
) -> list[dict[str, Any]]:
    """hit@1/5, MRR@10 and negatives per mode for dev-style questions (`q`, `keys`, `negative`)."""
    items = [
        Item(
            q["q"],
            [] if q.get("negative") else [normalizer.normalize(clean_line(k)) for k in q["keys"]],
            bool(q.get("negative")),
        )
        for q in questions
    ]
    return [score_mode(retriever, items, mode) for mode in MODES]


def read_questions(path: Path) -> list[dict[str, Any]]:
    """One JSON object per line: {"id", "q", "keys", "negative"?}."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def evaluate_squad(
    path: Path,
    normalizer: Normalizer,
    make_retriever: Callable[[Store, Path], Retriever],
    budget: ChunkBudget,
) -> dict[str, list[dict[str, Any]]]:
    """Recall@1/5/10 and MRR@10 per mode, same-script and with questions in the other script."""
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    with tempfile.TemporaryDirectory(prefix="kepubot-squad-") as folder:
        store = Store(Path(folder) / "squad.db")
        reports = [
            Report(
                article.get("title") or f"article {i}",
                None,
                tuple(Paragraph(clean_line(p["context"])) for p in article["paragraphs"]),
            )
            for i, article in enumerate(data)
        ]
        documents = [
            document
            for i, report in enumerate(reports)
            for document in documents_from_reports(
                [report], f"{path.name}#{i}", path.name, normalizer, budget
            )
        ]
        store_documents(store, normalizer, documents)
        retriever = make_retriever(store, Path(folder))
        questions = [
            (qa["question"], [normalizer.normalize(clean_line(a["text"])) for a in qa["answers"]])
            for article in data
            for paragraph in article["paragraphs"]
            for qa in paragraph["qas"]
        ]
        converter = opencc.OpenCC("s2twp" if _is_simplified(questions) else "tw2sp")
        report_by_run = {}
        for run, convert in (("same-script", False), ("other-script", True)):
            items = [
                Item(converter.convert(question) if convert else question, answers)
                for question, answers in questions
            ]
            report_by_run[run] = [score_mode(retriever, items, mode) for mode in MODES]
        store.close()
    return report_by_run


def _is_simplified(questions: list[tuple[str, list[str]]]) -> bool:
    sample = "".join(q for q, _ in questions[:200])
    return detect_script(sample) == "simplified"


def evaluate_question_file(settings: Settings, path: Path) -> list[dict[str, Any]]:
    """`kepubot eval`: the dev-style questions of `path` against the synced knowledge base."""
    retriever = knowledge_base.open_retriever(settings)
    try:
        return evaluate_questions(retriever, read_questions(path), retriever.normalizer)
    finally:
        retriever.store.close()


def evaluate_squad_file(settings: Settings, path: Path) -> dict[str, list[dict[str, Any]]]:
    """`kepubot eval-squad`: a SQuAD-style file in a throwaway knowledge base."""
    normalizer = Normalizer(load_variants(settings.variants_file))

    def make_retriever(store: Store, folder: Path) -> Retriever:
        sync_vectors(
            store, normalizer, folder, settings.embedding_model, settings.exact_search_limit
        )
        return knowledge_base.retriever_over(store, normalizer, folder, settings)

    return evaluate_squad(path, normalizer, make_retriever, knowledge_base.chunk_budget(settings))
