"""Plain-text rendering of answers for the terminal (Telegram HTML lives in the bot layer)."""

from __future__ import annotations

from typing import Any

from bot.answer import Answer, Citation, localize


def citation_label(citation: Citation) -> str:
    """Title › heading path (place · level · year)."""
    where = " · ".join(
        part
        for part in (",".join(citation.place), citation.level or "", str(citation.year or ""))
        if part
    )
    path = " › ".join(citation.heading_path)
    return f"{citation.title}{' › ' + path if path else ''}{f'（{where}）' if where else ''}"


def answer_text(answer: Answer) -> str:
    """The answer, then its numbered sources."""
    lines = [answer.lead]
    lines += [f"  · {quote.text}[{quote.n}]" for quote in answer.quotes]
    lines += answer.suggestions
    if answer.citations:
        lines += ["", localize("来源：", answer.script)]
        lines += [f"  [{c.n}] {citation_label(c)}" for c in answer.citations]
    return "\n".join(lines)


def source_text(citation: Citation, script: str) -> str:
    """One cited passage in full."""
    header = [
        f"[{citation.n}] {citation.title}",
        localize("位置：", script) + (" › ".join(citation.heading_path) or "—"),
        localize("文件：", script) + citation.source,
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
