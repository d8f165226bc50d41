"""Plain-text and JSON rendering for the terminal (Telegram HTML lives in the bot layer)."""

from __future__ import annotations

from typing import Any

import click

from bot.core import Answer, Citation, Quote, SearchResult, citation_label
from bot.core.wording import (
    FILE,
    FOLLOW_UPS,
    LAST_SOURCES,
    MORE_PASSAGES,
    SOURCES,
    WHERE,
    WRITTEN_NOTE,
    localize,
)


def answer_text(answer: Answer, follow_ups: bool = False) -> str:
    """The answer, then its numbered sources (and, in the chat, the numbered next
    questions it suggests)."""
    lines = [answer.lead]
    written = answer.shown_written
    if written is not None:  # the writer's checked sentences in place of the quotes
        lines += [f"    {paragraph}" for paragraph in written.paragraphs()]
        lines.append(localize(WRITTEN_NOTE, answer.script))
    for kind, item in answer.lines() if written is None else ():
        if isinstance(item, Quote):
            lines.append(f"    · {_emphasised(item)}[{item.n}]")
        elif kind == "report":
            lines.append(f"  【{item}】")
        else:
            lines.append(f"  {item}")
    lines += answer.suggestions
    if answer.citations:
        lines += ["", localize(SOURCES, answer.script)]
        lines += [f"  {c.source_line(answer.script)}" for c in answer.citations]
    if follow_ups and answer.follow_ups:
        lines += ["", localize(FOLLOW_UPS, answer.script)]
        lines += [f"  {i}. {q}" for i, q in enumerate(answer.follow_ups, start=1)]
    return "\n".join(lines)


def sources_text(answer: Answer) -> str:
    """/sources: every source of the answer, numbered as /source N takes them."""
    lines = [localize(LAST_SOURCES, answer.script)]
    lines += [f"  {c.source_line(answer.script)}" for c in answer.citations]
    return "\n".join(lines)


def _emphasised(quote: Quote) -> str:
    """The asked figure in bold (click drops the styling when output is not a terminal)."""
    if not quote.figure or quote.figure not in quote.text:
        return quote.text
    before, _, after = quote.text.partition(quote.figure)
    return before + click.style(quote.figure, bold=True) + after


def source_text(citation: Citation, script: str) -> str:
    """One cited passage in full."""
    header = [
        f"[{citation.n}] {citation.title}",
        localize(WHERE, script) + (" › ".join(citation.heading_path) or "—"),
        localize(FILE, script) + citation.source,
        "─" * 20,
    ]
    return "\n".join(header) + "\n" + citation.text


def more_text(citations: list[Citation], script: str, excerpt_chars: int = 120) -> str:
    """Further passages: label and the start of each (/source N shows one whole)."""
    lines = [localize(MORE_PASSAGES, script)]
    for c in citations:
        excerpt = " ".join(c.text.split())
        excerpt = excerpt if len(excerpt) <= excerpt_chars else excerpt[: excerpt_chars - 1] + "…"
        lines += [f"  [{c.n}] {c.label}", f"      {excerpt}"]
    return "\n".join(lines)


def question_json(answer: Answer) -> dict[str, Any] | None:
    """How the question was read (`ask --explain`, and `question` in --json)."""
    parsed = answer.parsed
    if parsed is None:
        return None
    return {
        "intent": parsed.intent, "figure": parsed.figure, "unit": parsed.unit,
        "topic": list(parsed.topic), "alternatives": [list(g) for g in parsed.alternatives],
        "level": parsed.level, "levels": list(parsed.levels), "grades": list(parsed.grades),
        "place": parsed.place, "year": parsed.year, "example_topic": parsed.example_topic,
        "measure": parsed.measure, "body": list(parsed.body),
        "synonyms": {word: dict(found) for word, found in parsed.synonyms},
    }  # fmt: skip


def explanation_text(answer: Answer) -> str:
    """One line per reading of the question, for `kepubot ask --explain`."""
    read = question_json(answer) or {}
    names = {
        "intent": "意图", "figure": "所问数字", "unit": "单位", "measure": "所问数量",
        "body": "所指单位", "topic": "主题词",
        "alternatives": "可选词组", "level": "层级", "levels": "分层级作答",
        "grades": "级别（主题词）", "place": "地点", "year": "年份",
        "example_topic": "例子主题", "synonyms": "同义扩展",
    }  # fmt: skip
    lines = ["问题解析："]
    for key, label in names.items():
        value = read.get(key)
        if value in (None, [], "", {}):
            continue
        if isinstance(value, list):
            value = " ".join("/".join(v) if isinstance(v, list) else v for v in value)
        if isinstance(value, dict):  # word → {synonym: weight}
            value = "；".join(
                f"{word}→" + "、".join(f"{s}（{w:g}）" for s, w in found.items())
                for word, found in value.items()
            )
        lines.append(f"  {label}：{value}")
    return "\n".join(lines)


def answer_json(answer: Answer) -> dict[str, Any]:
    """The machine-readable answer of `kepubot ask --json`."""
    return {
        "found": answer.found,
        "kind": answer.kind,
        "answer": answer.text,
        "question": question_json(answer),
        "follow_ups": answer.follow_ups,
        **({"writer": answer.written.to_dict()} if answer.written is not None else {}),
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
                "scan_page": h.scan_page,
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
        label = citation_label(
            hit.title, hit.heading_path, hit.place, hit.level, hit.year, hit.scan_page
        )
        lines.append(f"[{n}] {label}")
        lines.append(
            f"    得分 {hit.score:.3f}（关键词 {hit.keyword_score:.2f}"
            f" · 向量 {hit.vector_score:.2f} · 覆盖 {hit.coverage:.0%}）"
        )
        lines.append("    " + hit.text.replace("\n", " ")[:160])
    return "\n".join(lines)
