"""Plain-text and JSON rendering for the terminal (Telegram HTML lives in the bot layer)."""

from __future__ import annotations

from typing import Any

from bot.core import Answer, Citation, SearchResult, citation_label
from bot.core.wording import FILE, SOURCES, WHERE, localize


def answer_text(answer: Answer) -> str:
    """The answer, then its numbered sources."""
    lines = [answer.lead]
    lines += [f"  · {quote.text}[{quote.n}]" for quote in answer.quotes]
    lines += answer.suggestions
    if answer.citations:
        lines += ["", localize(SOURCES, answer.script)]
        lines += [f"  [{c.n}] {c.label}" for c in answer.citations]
    return "\n".join(lines)


def source_text(citation: Citation, script: str) -> str:
    """One cited passage in full."""
    header = [
        f"[{citation.n}] {citation.title}",
        localize(WHERE, script) + (" › ".join(citation.heading_path) or "—"),
        localize(FILE, script) + citation.source,
        "─" * 20,
    ]
    return "\n".join(header) + "\n" + citation.text


def answer_json(answer: Answer) -> dict[str, Any]:
    """The machine-readable answer of `kepubot ask --json`."""
    return {
        "found": answer.found,
        "kind": answer.kind,
        "answer": answer.text,
        "citations": [
            {
                "n": c.n, "chunk_id": c.chunk_id, "title": c.title,
                "heading_path": list(c.heading_path), "place": list(c.place), "level": c.level,
                "year": c.year, "source": c.source, "text": c.text,
            }
            for c in answer.citations
        ],
    }  # fmt: skip


def result_json(result: SearchResult) -> dict[str, Any]:
    """The machine-readable search result."""
    return {
        "query": result.query,
        "found": result.found,
        "coverage": round(result.coverage, 3),
        "filters": {k: v for k, v in vars(result.filters).items() if v is not None},
        "hits": [
            {
                "chunk_id": h.chunk_id, "title": h.title, "heading_path": list(h.heading_path),
                "text": h.text, "score": h.score, "keyword_score": h.keyword_score,
                "vector_score": h.vector_score, "coverage": h.coverage, "source": h.source,
                "place": list(h.place), "level": h.level, "year": h.year,
            }
            for h in result.hits
        ],
    }  # fmt: skip


def result_text(result: SearchResult) -> str:
    """Whether the question is answered, then each hit with its label and scores."""
    asked = " · ".join(f"{k}={v}" for k, v in vars(result.filters).items() if v is not None)
    verdict = "找到相关内容" if result.found else "没有找到足以回答的内容"
    lines = [
        f"{verdict}（最佳片段覆盖问题词 {result.coverage:.0%}）"
        + (f"；条件：{asked}" if asked else "")
    ]
    for n, hit in enumerate(result.hits, start=1):
        label = citation_label(hit.title, hit.heading_path, hit.place, hit.level, hit.year)
        lines.append(f"[{n}] {label}")
        lines.append(
            f"    得分 {hit.score:.3f}（关键词 {hit.keyword_score:.2f}"
            f" · 向量 {hit.vector_score:.2f} · 覆盖 {hit.coverage:.0%}）"
        )
        lines.append("    " + hit.text.replace("\n", " ")[:160])
    return "\n".join(lines)
