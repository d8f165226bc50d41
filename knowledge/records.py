"""What the store hands out: small frozen records, decoded once from their columns."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DocumentRecord:
    """One stored report (without its text)."""

    id: str
    source: str
    position: int
    title: str
    number: int | None
    script: str
    place: tuple[str, ...]
    level: str | None
    year: int | None
    duplicate_of: str | None
    chunk_count: int

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> DocumentRecord:
        return cls(
            id=row["id"], source=row["source"], position=row["position"], title=row["title"],
            number=row["number"], script=row["script"], place=decode_place(row["place"]),
            level=row["level"], year=row["year"], duplicate_of=row["duplicate_of"],
            chunk_count=row["chunk_count"] or 0,
        )  # fmt: skip


@dataclass(frozen=True)
class ChunkRecord:
    """One stored passage with what it needs of its report to be searched and cited."""

    id: str
    document_id: str
    index: int
    text: str  # original, exactly the report text between start and end
    normalized: str  # the Simplified search form
    heading_path: tuple[str, ...]
    start: int
    end: int
    title: str
    source: str
    place: tuple[str, ...]
    level: str | None  # the report's
    year: int | None
    duplicate_of: str | None
    passage_level: str | None  # what this passage is about: a city's township section is 乡镇
    scan_page: int | None  # the scanned page its text was recognised on (OCR), or None

    @classmethod
    def from_columns(cls, row: Sequence[Any]) -> ChunkRecord:
        """From one row of `CHUNK_COLUMNS`, in that order (a tuple, no dict per row: a
        search reads about a hundred). The chunk's words (`chunks.tokens`, what FTS5
        indexes) are not read: nothing that takes a record uses them."""
        (id_, document_id, index, text, normalized, heading_path, start, end, title, source,
         place, level, year, duplicate_of, passage_level, scan_page) = row  # fmt: skip
        return cls(
            id_, document_id, index, text, normalized, tuple(json.loads(heading_path)), start,
            end, title, source, decode_place(place), level, year, duplicate_of, passage_level,
            scan_page,
        )  # fmt: skip


# The columns `ChunkRecord.from_columns` reads, from `chunks c JOIN documents d`.
CHUNK_COLUMNS = """c.id, c.document_id, c.idx, c.text, c.normalized, c.heading_path, c.start,
    c.end, d.title, d.source, d.place, d.level, d.year, d.duplicate_of,
    c.level AS passage_level, c.scan_page"""


def encode_place(place: tuple[str, ...]) -> str | None:
    """The one place where a place tuple becomes its column."""
    return ",".join(place) or None


def decode_place(column: str | None) -> tuple[str, ...]:
    return tuple(p for p in (column or "").split(",") if p)


@dataclass(frozen=True)
class FactRecord:
    """One stored figure or date, with the sentence that states it and what a citation of
    its passage needs."""

    id: int
    kind: str  # "figure" or "date"
    written: str
    value: float | None
    value_high: float | None
    qualifier: str
    unit: str
    counted: str
    event: str
    sentence: str  # verbatim, from the passage
    chunk_id: str
    document_id: str
    heading_path: tuple[str, ...]
    title: str
    source: str
    place: tuple[str, ...]
    level: str | None  # the report's
    year: int | None
    passage_level: str | None
    figure_start: int | None = None  # in `sentence`; None for a date
    # The figure's paragraph before its sentence: where a statistics paragraph opens with
    # its event (在科普日活动期间，…) for every sentence after it.
    paragraph_before: str = ""

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> FactRecord:
        text, sentence_start = row["text"], row["sentence_start"]
        raw = text[sentence_start : row["sentence_end"]]
        paragraph = text.rfind("\n", 0, sentence_start) + 1
        start = row.get("figure_start")
        return cls(
            id=row["id"], kind=row["kind"], written=row["written"], value=row["value"],
            value_high=row["value_high"], qualifier=row["qualifier"] or "",
            unit=row["unit"] or "", counted=row["counted"] or "", event=row["event"] or "",
            sentence=raw.strip(),
            chunk_id=row["chunk_id"], document_id=row["document_id"],
            heading_path=tuple(json.loads(row["heading_path"])), title=row["title"],
            source=row["source"], place=decode_place(row["place"]), level=row["level"],
            year=row["year"], passage_level=row["passage_level"],
            # Of the sentence as kept, without the blanks it opened with.
            figure_start=None if start is None else start - (len(raw) - len(raw.lstrip())),
            paragraph_before=text[paragraph:sentence_start].strip(),
        )  # fmt: skip
