"""The answering core's one front door, used alike by the CLI and the Telegram bot.

Front ends hold an `Assistant` (or call the functions below) and render what it returns;
they never reach the store, the retriever or the index, so both show the same answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from bot.core import knowledge_base
from bot.core.answer import Answer, Answerer, AnswerOptions
from bot.core.citation import Citation
from bot.core.fact_table import select_facts
from bot.core.overview import Overview
from bot.core.retrieval import Filters, Retriever, SearchResult
from bot.settings import Settings
from knowledge.readers import read_paragraphs
from knowledge.records import ChunkRecord, FactRecord
from knowledge.store import Store


class Assistant:
    """Answers, examples, further results, searches and the overview of one knowledge base."""

    def __init__(self, retriever: Retriever, options: AnswerOptions) -> None:
        self._retriever = retriever
        self._answerer = Answerer(retriever, options)

    @classmethod
    def open(cls, settings: Settings, use_vectors: bool = True) -> Assistant:
        """Open the synced knowledge base; raises NotReady with the command that fixes it."""
        retriever = knowledge_base.open_retriever(settings, use_vectors)
        return cls(
            retriever, AnswerOptions(settings.answer_script, quote_script=settings.quote_script)
        )

    def answer(
        self,
        question: str,
        filters: Filters | None = None,
        previous: Answer | None = None,
        within_previous: bool = False,
    ) -> Answer:
        """Quotes with citations, or examples when the question asks for them; a follow-up
        of `previous` is read with it, and with `within_previous` searches only the reports
        it cited."""
        return self._answerer.answer(question, filters, previous, within_previous)

    def examples(
        self, topic: str, filters: Filters | None = None, limit: int | None = None
    ) -> Answer:
        """Past practice on a topic: one case per report."""
        return self._answerer.examples(topic, filters, limit=limit)

    def more(self, question: str, exclude: set[str], first: int, count: int) -> list[Citation]:
        """Up to `count` further passages for a question, numbered from `first`."""
        result = self._retriever.search(question, top_k=len(exclude) + count + 5)
        hits = [h for h in result.hits if h.chunk_id not in exclude][:count]
        return [Citation.of(first + i, hit) for i, hit in enumerate(hits)]

    def search(
        self, question: str, top_k: int, filters: Filters | None = None, mode: str = "hybrid"
    ) -> SearchResult:
        """Ranked passages with their component scores."""
        return self._retriever.search(question, top_k, filters, mode)

    def facts(
        self, topic: str = "", unit: str | None = None, filters: Filters | None = None
    ) -> list[FactRecord]:
        """The reports' figures on a topic (all of them without one), in report order."""
        return select_facts(self._retriever, topic, unit, filters)

    def overview(self) -> Overview:
        return _overview(self._retriever.store)

    def close(self) -> None:
        """Close the store; call from the thread that opened it."""
        self._retriever.store.close()


def read_overview(settings: Settings) -> Overview:
    """The overview without loading the vector model (for `kepubot docs`)."""
    store = knowledge_base.open_store(settings)
    try:
        return _overview(store)
    finally:
        store.close()


def export_chunks(settings: Settings, include_duplicates: bool) -> Iterator[ChunkRecord]:
    """Every stored chunk in reading order."""
    store = knowledge_base.open_store(settings)
    try:
        yield from store.chunks(include_duplicates=include_duplicates)
    finally:
        store.close()


def check_readable(path: Path, settings: Settings) -> None:
    """Raise UnreadableFile with the reader's reason when `path` cannot become a report
    (read as this deployment's sync would read it)."""
    read_paragraphs(path, options=knowledge_base.read_options(settings))


def _overview(store: Store) -> Overview:
    counts = store.counts()
    return Overview(
        tuple(store.documents()), counts["files"], counts["chunks"], store.get_meta("last_ingest")
    )
