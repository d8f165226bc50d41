"""What the store hands out: small frozen records, decoded once from their columns."""

from __future__ import annotations

import json
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
    tokens: str  # jieba words of heading path and text, space-joined (what FTS5 indexes)
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
    def from_row(cls, row: dict[str, Any]) -> ChunkRecord:
        return cls(
            id=row["id"], document_id=row["document_id"], index=row["idx"], text=row["text"],
            normalized=row["normalized"], tokens=row["tokens"],
            heading_path=tuple(json.loads(row["heading_path"])), start=row["start"],
            end=row["end"], title=row["title"], source=row["source"],
            place=decode_place(row["place"]), level=row["level"], year=row["year"],
            duplicate_of=row["duplicate_of"], passage_level=row["passage_level"],
            scan_page=row["scan_page"],
        )  # fmt: skip


def encode_place(place: tuple[str, ...]) -> str | None:
    """The one place where a place tuple becomes its column."""
    return ",".join(place) or None


def decode_place(column: str | None) -> tuple[str, ...]:
    return tuple(p for p in (column or "").split(",") if p)
